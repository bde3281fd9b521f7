"""The relic momentum spectrum: warmness summary and export as a CLASS ``ncdm`` phase-space file.

:class:`~secretnu.production.RelicResult` holds f4(q) with q = p / T_nu, T_nu the active-neutrino
temperature (T_nu/T_gamma = (4/11)^(1/3) today), per internal state:
n4 = g T_nu^3 / (2 pi^2) Int q^2 f4 dq with g = ``result.states`` (1 with ``sm="paper"``, which counts
nu_s only; 2 with ``sm="full"``, nu_s and nubar_s). In CLASS this is an ncdm species with

    use_ncdm_psd_files = 1, ncdm_psd_filenames = <file>, m_ncdm = m4 [eV],
    T_ncdm = 0.71377 (= (4/11)^(1/3), in units of T_cmb), deg_ncdm = g,

for which CLASS's Omega_ncdm equals our Omega h^2 / h^2 (the file holds the true occupation). Note
that CLASS's default T_ncdm = 0.71611 is tuned for active neutrinos with non-instantaneous
decoupling; our q is defined with the instantaneous (4/11)^(1/3), so use 0.71377 with this file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .errors import InputError
from .production import RelicResult

__all__ = ["Warmness", "warmness", "write_class_psd", "rescale_to_omega", "T_NCDM_OVER_T_CMB", "OMEGA_NU_EV"]

#: T_nu / T_gamma after e+e- annihilation, (4/11)^(1/3).
T_NCDM_OVER_T_CMB = (4.0 / 11.0) ** (1.0 / 3.0)
#: Omega h^2 of one thermal neutrino species (nu + nubar) of mass 1 eV is 1/93.14 (Planck 2018 convention).
OMEGA_NU_EV = 93.14
#: <p/T> of a massless Fermi-Dirac spectrum: 7 pi^4 / (180 zeta(3)).
FD_MEAN_Q = 7 * math.pi**4 / (180 * 1.2020569031595942)


@dataclass(frozen=True)
class Warmness:
    """How warm the relic is: <q>, <q^2>^(1/2), <q> relative to a thermal spectrum, and the mass of a
    thermal warm-dark-matter relic with the same Omega h^2 and the same mean velocity <p>/m today."""

    mean_q: float
    rms_q: float
    mean_q_over_fd: float
    thermal_wdm_mass_keV: float

    def to_dict(self) -> dict[str, float]:
        return {"mean_p_over_Tnu": self.mean_q, "rms_p_over_Tnu": self.rms_q,
                "mean_q_over_fermi_dirac": self.mean_q_over_fd, "thermal_wdm_mass_keV": self.thermal_wdm_mass_keV}


def _spectrum(result: RelicResult) -> tuple[np.ndarray, np.ndarray]:
    if result.q.size < 2:
        raise InputError("this result has no spectrum: compute it with relic_density(..., spectrum=True)")
    return result.q, result.f4


def rescale_to_omega(result: RelicResult, target_omega_h2: float) -> RelicResult:
    """The same relic with sin^2(2 theta) rescaled so that Omega h^2 equals ``target_omega_h2`` exactly.

    For the small mixings of interest the conversion rate is linear in sin^2(2 theta) (the
    Delta^2 sin^2 2theta term in the denominator of the effective mixing, Eq. 3.13, is negligible
    against the damping and detuning terms), so Omega h^2, the yield, dY/dln z and f4(q) all scale by
    the same factor and the spectral shape is unchanged. ``tests/test_spectrum.py`` checks this against
    a fresh :func:`~secretnu.production.relic_density` at the rescaled mixing.
    """
    try:
        target = float(target_omega_h2)
    except (TypeError, ValueError):
        raise InputError(f"target Omega h^2 must be a number, got {target_omega_h2!r}") from None
    if not math.isfinite(target) or target <= 0:
        raise InputError(f"target Omega h^2 must be positive and finite, got {target_omega_h2!r}")
    if not (result.omega_h2 > 0 and math.isfinite(result.omega_h2)):
        raise InputError(f"cannot rescale a relic with Omega h^2 = {result.omega_h2!r}")
    factor = target / result.omega_h2
    mix = result.dm.sin2_2theta * factor
    if mix > 1:
        raise InputError(f"Omega h^2 = {target:g} needs sin^2(2 theta) = {mix:.3g} > 1: not reachable at this mass and model")
    return replace(result, omega_h2=target, relic_yield=result.relic_yield * factor,
                   dY_dlnz=result.dY_dlnz * factor, f4=result.f4 * factor,
                   dm=replace(result.dm, sin2_2theta=mix))


def warmness(result: RelicResult) -> Warmness:
    """Warmness summary of a relic spectrum.

    Thermal-equivalent mass: a thermal fermion (2 states) at T_w has Omega h^2 = (m/93.14 eV)(T_w/T_nu)^3
    and <p> = 3.151 T_w; matching Omega and <p>/m to the sterile neutrino's gives
    m_th^4 = Omega h^2 * 93.14 eV * (3.151 m4 / <q>)^3.
    """
    q, f = _spectrum(result)
    lnq = np.log(q)
    n = np.trapezoid(q**3 * f, lnq)
    mean = float(np.trapezoid(q**4 * f, lnq) / n)
    rms = float(np.sqrt(np.trapezoid(q**5 * f, lnq) / n))
    m4_eV = result.dm.mass * 1e9
    m_th = (result.omega_h2 * OMEGA_NU_EV * (FD_MEAN_Q * m4_eV / mean) ** 3) ** 0.25 if result.omega_h2 > 0 else math.nan
    return Warmness(mean, rms, mean / FD_MEAN_Q, m_th / 1e3)


def write_class_psd(result: RelicResult, path: str | Path) -> Path:
    """Write f4(q) as a two-column CLASS ``ncdm`` phase-space file (q = p/T_ncdm, f), with a header
    giving the CLASS settings that go with it."""
    q, f = _spectrum(result)
    path = Path(path)
    header = "\n".join([
        f"secretnu relic phase-space density of nu4 (per internal state, {result.states} state(s))",
        f"{result.dm}; Omega h^2 = {result.omega_h2:.6g}",
        f"CLASS: use_ncdm_psd_files = 1, m_ncdm = {result.dm.mass * 1e9:.6g} (eV), "
        f"T_ncdm = {T_NCDM_OVER_T_CMB:.5f}, deg_ncdm = {result.states}",
        "columns: q = p/T_ncdm, f(q)",
    ])
    np.savetxt(path, np.column_stack([q, np.clip(f, 0.0, None)]), header=header, fmt="%.8e")
    return path
