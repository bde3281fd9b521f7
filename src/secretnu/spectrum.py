"""The relic momentum spectrum: export to CLASS, rescaling to a target Omega, warmness.

:class:`~secretnu.production.RelicResult` holds f4(q) with q = p / T_nu, T_nu the active-neutrino
temperature (T_nu/T_gamma = (4/11)^(1/3) today), per internal state:
n4 = g T_nu^3 / (2 pi^2) Int q^2 f4 dq with g = ``result.states`` (1 with ``sm="paper"``, which counts
nu_s only; 2 with ``sm="full"``, nu_s and nubar_s).

CLASS (v3, ``background_ncdm_distribution`` and ``factor_ncdm`` in source/background.c) normalises
the distribution so that n = deg_ncdm 4 pi T_ncdm^3 Int q^2 f0 dq: its built-in Fermi-Dirac is
f0 = (2 pi)^-3 [1/(e^q + 1) + 1/(e^q + 1)] for nu and nubar together with deg_ncdm = 1. The file we write
therefore holds

    q = p/T_ncdm,   f0(q) = g f4(q) / (2 pi)^3      (all internal states folded in),

to be used with

    N_ncdm = 1, use_ncdm_psd_files = 1, ncdm_psd_filenames = <file>, m_ncdm = m4 [eV],
    T_ncdm = 0.71377 (= (4/11)^(1/3), in units of T_cmb), deg_ncdm = 1,

for which CLASS's Omega_ncdm h^2 equals our Omega h^2 up to the critical density: the paper (and
:mod:`secretnu.constants`) uses rho_c/h^2 = 1.05e-5 GeV cm^-3, CLASS its own constants (1.0537e-5), so
CLASS reads 0.35 % less. CLASS's default T_ncdm = 0.71611 is tuned for active neutrinos with
non-instantaneous decoupling; our q is defined with the instantaneous (4/11)^(1/3), so the file needs 0.71377.

The file is two bare columns: CLASS counts rows with ``fscanf("%lf %lf")`` and stops at the first line
that is not two numbers, so a header would leave it an empty table. Provenance and the CLASS settings
go into an ``.ini`` written beside it (:func:`write_class_psd`), which CLASS runs as it is.
Beyond the last tabulated q CLASS continues f0 with an exponential through the last two points, and
below the first it holds f0 constant; :func:`psd_table` checks that both ends carry less than 1e-6 of
the number and energy densities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from . import transfer as _tr
from .constants import G_STAR_S_NU_DECOUPLING, RHO_C_H2_GEV_CM3, S0_CM3, ZETA3
from .errors import InputError
from .production import RelicResult
from .sterile import SterileNeutrino
from .units import keV
from .validate import output_file

__all__ = ["Warmness", "warmness", "write_class_psd", "class_parameters", "psd_table", "rescale_to_omega",
           "thermal_wdm_result", "T_NCDM_OVER_T_CMB", "OMEGA_NU_EV", "WARMNESS_METHODS", "WARMNESS_RELATIONS"]

#: T_nu / T_gamma after e+e- annihilation, (4/11)^(1/3).
T_NCDM_OVER_T_CMB = (4.0 / 11.0) ** (1.0 / 3.0)
#: Omega h^2 of one thermal neutrino species (nu + nubar) of mass 1 eV is 1/93.14 (Planck 2018 convention).
OMEGA_NU_EV = 93.14
#: <p/T> of a massless Fermi-Dirac spectrum: 7 pi^4 / (180 zeta(3)).
FD_MEAN_Q = 7 * math.pi**4 / (180 * ZETA3)
#: Largest share of the number or energy density CLASS may take from outside the tabulated q range.
PSD_END_TOLERANCE = 1e-6
WARMNESS_METHODS = ("auto", "class", "moment")
#: alpha <-> m_th relations of :func:`warmness` (see :data:`secretnu.transfer.RELATIONS`).
WARMNESS_RELATIONS = _tr.RELATIONS


@dataclass(frozen=True)
class Warmness:
    """How warm the relic is.

    Moments of the spectrum: ``mean_q`` = <p/T_nu>, ``rms_q`` = <(p/T_nu)^2>^(1/2), ``mean_q_over_fd``
    = <q> / 3.1514 (Fermi-Dirac), and ``thermal_wdm_mass_keV``, the mass of a thermal relic with the
    same Omega h^2 as this result and the same mean velocity <p>/m today.

    Thermal-WDM equivalent, with the relic taken as all of the dark matter (omega_dm = 0.12):
    ``m_th_keV`` [keV] the thermal-relic mass with the same alpha, ``alpha`` [Mpc/h] the fitted
    cutoff of T(k) = [1 + (alpha k)^(2 nu)]^(-5/nu), nu = 1.12 (Viel et al. 2005), ``k_hm`` [h/Mpc]
    where T(k) = 1/2 and ``M_hm`` [M_sun/h] = (4 pi/3) rho_m (pi/k_hm)^3, the half-mode mass in the
    convention of Schneider et al. 2012 (rho_m the mean matter density today).
    ``method`` says where they come from: ``"class"`` (T(k) from CLASS, alpha fitted, k_hm read off
    CLASS's T(k)) or ``"moment (fallback)"`` (no CLASS: m_th from <p>/m as for
    ``thermal_wdm_mass_keV`` but at omega_dm, alpha from the alpha(m_th) relation, k_hm from the
    fitted form). ``transfer`` holds the CLASS T(k) when there is one.

    ``relation`` names the alpha <-> m_th relation behind ``m_th_keV`` (CLASS method) or ``alpha``
    (moment method): ``"class-calibrated"`` (:func:`secretnu.transfer.thermal_mass`: thermal relics
    run through this same CLASS path, with Viel's cosmology scaling), ``"viel2005"`` (Viel et al.
    2005, Eq. 7), or ``"viel2005 x r (outside the CLASS calibration, ...)"`` when alpha lies beyond the
    calibration table (Eq. 7 scaled by the table's end ratio r). ``m_th_viel_keV`` is the Eq. 7 mass of
    the fitted alpha, for comparison with the literature (the moment method: the moment mass itself).
    """

    mean_q: float
    rms_q: float
    mean_q_over_fd: float
    thermal_wdm_mass_keV: float
    m_th_keV: float = math.nan
    alpha: float = math.nan
    k_hm: float = math.nan
    M_hm: float = math.nan
    method: str = "moment (fallback)"
    transfer: _tr.LinearTransfer | None = field(default=None, repr=False, compare=False)
    m_th_viel_keV: float = math.nan
    relation: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "mean_p_over_Tnu": self.mean_q, "rms_p_over_Tnu": self.rms_q,
            "mean_q_over_fermi_dirac": self.mean_q_over_fd, "thermal_wdm_mass_keV": self.thermal_wdm_mass_keV,
            "m_th_keV": self.m_th_keV, "alpha_Mpc_over_h": self.alpha, "k_hm_h_over_Mpc": self.k_hm,
            "M_hm_Msun_over_h": self.M_hm, "warmness_method": self.method,
            "m_th_viel2005_keV": self.m_th_viel_keV, "m_th_relation": self.relation,
        }
        if self.transfer is not None:
            out["class_version"] = self.transfer.class_version
            out["class_omega_ncdm"] = self.transfer.omega_ncdm
        return out


def _spectrum(result: RelicResult) -> tuple[np.ndarray, np.ndarray]:
    if result.q.size < 2:
        raise InputError("this result has no spectrum: compute it with relic_density(..., spectrum=True)")
    return result.q, result.f4


def _check_result(result: Any) -> None:
    if not isinstance(result, RelicResult):
        raise InputError(f"result must be a RelicResult (secretnu.relic_density), got {type(result).__name__}")


def rescale_to_omega(result: RelicResult, target_omega_h2: float) -> RelicResult:
    """The same relic with sin^2(2 theta) rescaled so that Omega h^2 equals ``target_omega_h2`` exactly.

    For the small mixings of interest the conversion rate is linear in sin^2(2 theta) (the
    Delta^2 sin^2 2theta term in the denominator of the effective mixing, Eq. 3.13, is negligible
    against the damping and detuning terms), so Omega h^2, the yield, dY/dln z and f4(q) all scale by
    the same factor and the spectral shape is unchanged. ``tests/test_spectrum.py`` checks this against
    a fresh :func:`~secretnu.production.relic_density` at the rescaled mixing.
    """
    _check_result(result)
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


def thermal_wdm_result(m_th_keV: float, omega_h2: float = _tr.OMEGA_DM_H2, n_q: int = 80) -> RelicResult:
    """A thermal warm-dark-matter relic as a :class:`RelicResult`, for comparisons and tests.

    A fermion with two internal states (particle and antiparticle, like one neutrino species; the
    "thermal relic" of Viel et al. 2005) of mass ``m_th_keV`` with a Fermi-Dirac spectrum at
    temperature T_x = a T_nu, a fixed by Omega h^2 = ``omega_h2`` in this package's convention
    (Y s0 m / rho_c): f4(q) = 1/(e^(q/a) + 1) per state, on q = a x [0.01, 30] like
    :func:`~secretnu.production.relic_density`'s grid. ``dm.sin2_2theta`` is a placeholder (1e-30): the
    relic is not made by mixing. ``options["T_over_T_nu"]`` holds a.
    """
    try:
        m, omega = float(m_th_keV), float(omega_h2)
    except (TypeError, ValueError):
        raise InputError("m_th_keV and omega_h2 must be numbers") from None
    if not (math.isfinite(m) and m > 0 and math.isfinite(omega) and omega > 0):
        raise InputError(f"need a positive thermal mass and Omega h^2, got m_th = {m_th_keV!r} keV, Omega h^2 = {omega_h2!r}")
    mass = m * keV
    Y = omega * RHO_C_H2_GEV_CM3 / (S0_CM3 * mass)
    s_over_Tnu3 = 2 * math.pi**2 / 45 * G_STAR_S_NU_DECOUPLING
    a = (Y * s_over_Tnu3 * 2 * math.pi**2 / (2 * 1.5 * ZETA3)) ** (1 / 3)  # n = 2 (3 zeta3/2) (a T_nu)^3/(2 pi^2)
    q = a * np.geomspace(1e-2, 30.0, n_q)
    f4 = 1.0 / (np.exp(q / a) + 1.0)
    empty = np.empty(0)
    return RelicResult(omega_h2=omega, relic_yield=Y, z=empty, T=empty, dY_dlnz=empty, T_peak=math.nan,
                       q=q, f4=f4, mean_q=FD_MEAN_Q * a, dm=SterileNeutrino(mass, 1e-30), model=None,
                       options={"spectrum": "thermal", "T_over_T_nu": a}, states=2)


def psd_table(result: RelicResult) -> tuple[np.ndarray, np.ndarray]:
    """(q, f0) in CLASS's normalisation (module docstring), ready for CLASS with deg_ncdm = 1.

    Negative round-off is clipped and trailing points that are zero or not falling are dropped, so
    that CLASS's exponential continuation through the last two points falls. Raises InputError if
    that continuation, or the constant CLASS holds below the first q, would carry more than
    :data:`PSD_END_TOLERANCE` of the number or energy (p-weighted) density.
    """
    q, f4 = _spectrum(result)
    f0 = np.clip(np.asarray(f4, dtype=float), 0.0, None) * result.states / (2 * math.pi) ** 3
    if not np.all(np.isfinite(f0)) or not np.any(f0 > 0):
        raise InputError("the relic spectrum is empty or not finite: nothing to give CLASS")
    end = q.size
    while end > 3 and not (f0[end - 1] > 0 and f0[end - 1] < f0[end - 2]):
        end -= 1
    q, f0 = np.asarray(q[:end], dtype=float), f0[:end]
    if q.size < 10:
        raise InputError("the relic spectrum has fewer than 10 usable points: nothing to give CLASS")
    lnq = np.log(q)
    n, e = np.trapezoid(q**3 * f0, lnq), np.trapezoid(q**4 * f0, lnq)
    slope = (f0[-1] - f0[-2]) / f0[-1] / (q[-1] - q[-2])  # CLASS: f0 = f_last exp(slope (q - q_last))
    lam = -1.0 / slope
    q1 = q[-1]
    tail_n = f0[-1] * lam * (q1**2 + 2 * q1 * lam + 2 * lam**2)  # Int_q1^inf q^2 e^{-(q-q1)/lam}
    tail_e = f0[-1] * lam * (q1**3 + 3 * q1**2 * lam + 6 * q1 * lam**2 + 6 * lam**3)
    head_n, head_e = f0[0] * q[0] ** 3 / 3, f0[0] * q[0] ** 4 / 4
    if max(tail_n / n, tail_e / e, head_n / n, head_e / e) > PSD_END_TOLERANCE:
        raise InputError(f"the tabulated spectrum does not cover its tail or head (q = {q[0]:.3g} .. {q[-1]:.3g}): "
                         "CLASS would extrapolate a non-negligible part of it")
    return q, f0


def class_parameters(result: RelicResult, path: str | Path = "nu4_psd.dat", *,
                     omega_ncdm: bool | float = False, cosmology: bool = False) -> dict[str, Any]:
    """CLASS parameters for the relic read from the phase-space file at ``path`` (see :func:`write_class_psd`).

    ``ncdm_psd_filenames`` is the absolute path, so CLASS finds it from any directory.
    ``omega_ncdm``: ``True`` adds omega_ncdm = this result's Omega h^2, a number adds that value; with both
    m_ncdm and omega_ncdm CLASS keeps the mass and rescales the file's normalisation to the given density.
    ``cosmology``: also the Planck 2018 parameters of :data:`secretnu.transfer.PLANCK2018` and
    omega_cdm = max(0.12 - Omega_nu4 h^2, 0), so that the relic and CDM together make Planck's dark matter.
    """
    params: dict[str, Any] = {}
    omega = result.omega_h2
    if omega_ncdm is not False:
        omega = result.omega_h2 if omega_ncdm is True else float(omega_ncdm)
        if not (math.isfinite(omega) and omega > 0):
            raise InputError(f"omega_ncdm must be positive and finite, got {omega_ncdm!r}")
    if cosmology:
        params.update(_tr.PLANCK2018)
        params["omega_cdm"] = max(_tr.OMEGA_DM_H2 - omega, 0.0)
    params.update({
        "N_ncdm": 1, "use_ncdm_psd_files": 1, "ncdm_psd_filenames": str(Path(path).resolve()),
        "m_ncdm": float(f"{result.dm.mass * 1e9:.12g}"), "T_ncdm": T_NCDM_OVER_T_CMB, "deg_ncdm": 1,
    })
    if omega_ncdm is not False:
        params["omega_ncdm"] = omega
    return params


def check_psd_paths(path: str | Path, ini: bool = True, what: str = "CLASS phase-space file") -> Path:
    """The data file of :func:`write_class_psd` (and its ``.ini`` beside it), checked before anything is
    computed: writable, and not itself a ``.ini`` (which its own .ini would overwrite)."""
    output_file(path, what)  # the text as given: an empty name is refused as such
    path = Path(path)
    if ini and path.suffix.lower() == ".ini":
        raise InputError(f"{what} {str(path)!r} must not end in .ini: the CLASS .ini is written beside it")
    if ini:
        output_file(path.with_suffix(".ini"), f"{what}'s CLASS .ini")
    return path


def write_class_psd(result: RelicResult, path: str | Path, *, ini: bool = True, omega_ncdm: bool | float = False,
                    cosmology: bool = True) -> Path:
    """Write the relic as a CLASS ncdm phase-space file (two bare columns q, f0; :func:`psd_table`) and,
    with ``ini``, the CLASS input file beside it (same name, suffix ``.ini``) with the parameters of
    :func:`class_parameters` (``cosmology`` on by default, so ``class <file>.ini`` runs as it is).
    Returns the path of the data file."""
    _check_result(result)
    path = check_psd_paths(path, ini)
    q, f0 = psd_table(result)
    _tr.write_psd_table(path, q, f0)
    if ini:
        params = class_parameters(result, path, omega_ncdm=omega_ncdm, cosmology=cosmology)
        lines = [
            f"# secretnu relic of nu4: {result.dm}; Omega h^2 = {result.omega_h2:.6g}"
            f" ({result.states} internal state(s) folded into f0, hence deg_ncdm = 1)",
            f"# phase-space file {path.name}: q = p/T_ncdm, f0 = states f4/(2 pi)^3 (CLASS normalisation)",
            "# T_ncdm = (4/11)^(1/3): q is defined with the instantaneous-decoupling T_nu",
        ]
        if cosmology:
            lines.append("# cosmology: Planck 2018 (TT,TE,EE+lowE+lensing), massless active neutrinos (N_ur = 3.044);"
                         " omega_cdm tops the relic up to omega_dm = 0.12")
        lines += [f"{key} = {_ini_value(value)}" for key, value in params.items()]
        lines.append("# add e.g.: output = mPk, P_k_max_h/Mpc = 100")
        path.with_suffix(".ini").write_text("\n".join(lines) + "\n")
    return path


def _ini_value(value: Any) -> str:
    return f"{value:.12g}" if isinstance(value, float) else str(value)


def _moments(result: RelicResult) -> tuple[float, float]:
    q, f = _spectrum(result)
    lnq = np.log(q)
    n = np.trapezoid(q**3 * f, lnq)
    if not n > 0:
        raise InputError("the relic spectrum is empty: no warmness")
    return float(np.trapezoid(q**4 * f, lnq) / n), float(np.sqrt(np.trapezoid(q**5 * f, lnq) / n))


def _moment_mass(omega_h2: float, m4_eV: float, mean_q: float) -> float:
    """Thermal mass [eV] with the same Omega and <p>/m: a thermal fermion (2 states) at T_w has
    Omega h^2 = (m/93.14 eV)(T_w/T_nu)^3 and <p> = 3.151 T_w, so m_th^4 = Omega h^2 93.14 eV (3.151 m4/<q>)^3."""
    return (omega_h2 * OMEGA_NU_EV * (FD_MEAN_Q * m4_eV / mean_q) ** 3) ** 0.25 if omega_h2 > 0 else math.nan


def warmness(result: RelicResult, *, method: str = "auto", omega_dm_h2: float = _tr.OMEGA_DM_H2,
             cosmology: dict[str, float] | None = None, k_max: float | None = None,
             relation: str = "class-calibrated") -> Warmness:
    """Warmness of a relic spectrum (see :class:`Warmness` for every field and its convention).

    method: ``"class"`` computes the linear P(k) with CLASS for the relic as all of the dark matter
    (omega_ncdm = ``omega_dm_h2``, the spectrum's shape and m4 kept) and for CDM in the same cosmology
    (Planck 2018 unless ``cosmology`` is given; :mod:`secretnu.transfer`), fits the thermal-WDM form of
    Viel et al. 2005 to T(k) = sqrt(P/P_CDM) and converts alpha to m_th; a few seconds a point, cached
    on disk. ``"moment"``: the fast estimate from <p>/m. ``"auto"``: CLASS when classy imports, else the
    moment estimate. ``k_max`` [h/Mpc] overrides the k range (normally chosen from the moment estimate
    and widened until T(k) has crossed 1/2).

    relation: how alpha becomes m_th (and, for the moment method, m_th becomes alpha):
    ``"class-calibrated"`` (default; the shipped CLASS table of thermal relics run through this same path,
    :func:`secretnu.transfer.thermal_mass`) or ``"viel2005"`` (Viel et al. 2005, Eq. 7). The Eq. 7 mass is
    always in ``m_th_viel_keV``.
    """
    _check_result(result)
    if method not in WARMNESS_METHODS:
        raise InputError(f"unknown warmness method {method!r}: choose one of {', '.join(WARMNESS_METHODS)}")
    if not (math.isfinite(omega_dm_h2) and omega_dm_h2 > 0):
        raise InputError(f"omega_dm_h2 must be positive, got {omega_dm_h2!r}")
    if relation not in WARMNESS_RELATIONS:
        raise InputError(f"unknown alpha(m_th) relation {relation!r}: choose one of {', '.join(WARMNESS_RELATIONS)}")
    mean, rms = _moments(result)
    m4_eV = result.dm.mass * 1e9
    m_same_omega = _moment_mass(result.omega_h2, m4_eV, mean) / 1e3
    m_moment = _moment_mass(omega_dm_h2, m4_eV, mean) / 1e3
    cosmo = dict(_tr.PLANCK2018 if cosmology is None else cosmology)
    h = cosmo["h"]
    omega_m = (cosmo["omega_b"] + omega_dm_h2) / h**2
    base = Warmness(mean, rms, mean / FD_MEAN_Q, m_same_omega)
    if method == "moment" or (method == "auto" and not _tr.class_available()):
        if relation == "viel2005":
            alpha, label = _tr.viel_alpha(m_moment, omega_dm_h2, h), "viel2005"
        else:
            alpha, label = _tr.calibrated_alpha(m_moment, omega_dm_h2, h), _tr.alpha_calibration().label(m_moment)
        k_hm = (2 ** (_tr.VIEL_NU / 5) - 1) ** (1 / (2 * _tr.VIEL_NU)) / alpha
        return replace(base, m_th_keV=m_moment, alpha=alpha, k_hm=k_hm, M_hm=_tr.half_mode_mass(k_hm, omega_m),
                       method="moment (fallback)", m_th_viel_keV=m_moment, relation=label)
    if not _tr.class_available():
        raise InputError("warmness(method='class') needs CLASS: pip install 'secretnu[class]' (classy)")
    q, f0 = psd_table(result)
    if k_max is None:
        # the thermal form falls to 0.01 at alpha k = 1.3: aim at 2/alpha, on a ladder of powers of
        # sqrt(2) so that the CDM reference run is shared between points (CLASS's cost grows with k_max)
        k_max = 2.0 ** (max(6, math.ceil(2 * math.log2(2.0 / _tr.viel_alpha(m_moment, omega_dm_h2, h)))) / 2)
        adapt = True
    else:
        adapt = False
    for _ in range(6):
        tf = _tr.class_transfer(q, f0, m4_eV, T_ncdm=T_NCDM_OVER_T_CMB, deg_ncdm=1.0, omega_dm_h2=omega_dm_h2,
                                k_max=k_max, cosmology=cosmo)
        if not adapt:
            break
        if not math.isfinite(_tr.half_mode(tf.k, tf.T)) or tf.T[-1] > _tr.T_FIT_MIN:
            k_max *= 2  # cutoff beyond the grid
        elif tf.T[0] < 0.995:
            k_max /= 2  # cutoff at the low end of the grid
        else:
            break
    alpha = _tr.fit_alpha(tf.k, tf.T)
    k_hm = _tr.half_mode(tf.k, tf.T)
    m_th, label = _tr.thermal_mass(alpha, omega_dm_h2, h, relation)
    return replace(base, m_th_keV=m_th, alpha=alpha, k_hm=k_hm, M_hm=_tr.half_mode_mass(k_hm, omega_m),
                   method="class", transfer=tf, m_th_viel_keV=_tr.viel_thermal_mass(alpha, omega_dm_h2, h),
                   relation=label)
