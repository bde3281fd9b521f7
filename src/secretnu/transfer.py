"""Linear matter power spectrum of the relic from CLASS, and the thermal warm-dark-matter mass it matches.

The relic is put into CLASS (``classy``, the Python wrapper of the Boltzmann code, Lesgourgues 2011,
arXiv:1104.2932) as the whole of the dark matter, an ``ncdm`` species read from a phase-space file, and
compared with a CDM run of the same cosmology:

    T(k) = sqrt(P_nu4(k) / P_CDM(k))   at z = 0, linear.

T(k) is fitted with the thermal-relic form of Viel, Lesgourgues, Haehnelt, Matarrese & Riotto 2005,
Phys. Rev. D 71, 063534 (astro-ph/0501562), their Eq. (6) after Bode, Ostriker & Turok 2001:

    T(k) = [1 + (alpha k)^(2 nu)]^(-5/nu),   nu = 1.12,

and alpha is turned into the mass of the thermal relic that has the same alpha, either with their Eq. (7):

    alpha = 0.049 (m_th / keV)^-1.11 (Omega_wdm / 0.25)^0.11 (h / 0.7)^1.22  Mpc/h,

or (the default of :func:`secretnu.spectrum.warmness`) with the CLASS-calibrated relation of
:func:`thermal_mass`: thermal relics run through this same path, tabulated in
``secretnu/data/class_alpha_calibration.txt`` and applied as a ratio to Eq. (7) (see the comment block
before :data:`ALPHA_CALIBRATION_FILE`).

The half-mode wavenumber k_hm is where the CLASS T(k) itself crosses 1/2 (not the fit: the two differ
for non-thermal shapes), and the half-mode mass follows Schneider, Smith, Maccio & Moore 2012
(arXiv:1112.0330): M_hm = (4 pi / 3) rho_m (lambda_hm / 2)^3 with lambda_hm = 2 pi / k_hm and rho_m the
mean matter density today, in M_sun/h.

Cosmology (:data:`PLANCK2018`): Planck 2018 VI (arXiv:1807.06209) Table 2, TT,TE,EE+lowE+lensing:
h = 0.6736, omega_b = 0.02237, omega_dm = 0.1200, n_s = 0.9649, ln(10^10 A_s) = 3.044, tau = 0.0544;
N_ur = 3.044 massless active neutrinos (no massive active neutrino, so the relic is the only ncdm
species), T_cmb = 2.7255 K.

Each CLASS point costs a few seconds; results are cached on disk (``<cache_dir>/class/``, see
:func:`secretnu.tables.cache_dir`) under a hash of everything that enters the run: the CLASS
parameters, the bytes of the phase-space file, the k grid and the classy version.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import time
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import InputError
from .tables import cache_dir

__all__ = [
    "PLANCK2018", "OMEGA_DM_H2", "VIEL_NU", "RHO_CRIT_MSUN_H2_MPC3", "LinearTransfer",
    "class_available", "class_version", "class_transfer", "fit_alpha", "thermal_wdm_transfer",
    "viel_alpha", "viel_thermal_mass", "dw_mass_from_thermal", "thermal_mass_from_dw", "half_mode",
    "half_mode_mass", "write_psd_table", "AlphaCalibration", "alpha_calibration", "calibrated_alpha",
    "calibrated_thermal_mass", "thermal_mass", "RELATIONS", "compute_alpha_calibration",
    "write_alpha_calibration", "vogel_abazajian_alpha", "CALIBRATION_MASSES_KEV",
]

FloatArray = NDArray[np.float64]

#: Planck 2018 VI, Table 2 (TT,TE,EE+lowE+lensing), as CLASS parameters; omega_dm is :data:`OMEGA_DM_H2`.
PLANCK2018: dict[str, float] = {
    "h": 0.6736, "omega_b": 0.02237, "n_s": 0.9649, "A_s": math.exp(3.044) * 1e-10, "tau_reio": 0.0544,
    "N_ur": 3.044, "T_cmb": 2.7255,
}
#: Planck 2018 cold-dark-matter density Omega_c h^2: the relic is taken as all of it.
OMEGA_DM_H2 = 0.1200
#: Exponent nu of the thermal-WDM transfer function (Viel et al. 2005, Eq. 6).
VIEL_NU = 1.12
#: Critical density today over h^2 [M_sun Mpc^-3] (PDG 2024: 2.775366e11 h^2 M_sun Mpc^-3).
RHO_CRIT_MSUN_H2_MPC3 = 2.775366e11
#: CLASS settings of the relic run. CLASS's default ncdm fluid approximation (switched on at
#: k tau > 31) distorts a keV relic's cutoff: for a 3 keV thermal relic it puts spurious bumps of
#: T ~ 0.1 beyond the cutoff and makes T(k) fall ~50 % too fast around T ~ 0.2 (k_hm 3.5 % high,
#: the fitted m_th barely moves: 3.208 against 3.213 keV). The full hierarchy (l_max_ncdm = 17
#: default; 30 changes T by < 0.3 %) is smooth and close to the thermal form, so it is used.
CLASS_PRECISION: dict[str, Any] = {"ncdm_fluid_approximation": 3}
#: Bump when the CLASS set-up below changes, so old cache files are not reused.
CACHE_VERSION = 2
#: The fit uses T(k) from large scales down to where T first falls below this (the oscillating tail
#: beyond carries no information on alpha and is not of the fitted form).
T_FIT_MIN = 0.01


# -- Viel et al. 2005 relations --------------------------------------------------------------------

def viel_alpha(m_th_keV: float, omega_wdm_h2: float = OMEGA_DM_H2, h: float = PLANCK2018["h"]) -> float:
    """alpha [Mpc/h] of a thermal relic of mass ``m_th_keV`` (Viel et al. 2005, Eq. 7)."""
    return 0.049 * m_th_keV**-1.11 * (omega_wdm_h2 / h**2 / 0.25) ** 0.11 * (h / 0.7) ** 1.22


def viel_thermal_mass(alpha: float, omega_wdm_h2: float = OMEGA_DM_H2, h: float = PLANCK2018["h"]) -> float:
    """Thermal-relic mass [keV] with a given alpha [Mpc/h]: Eq. 7 of Viel et al. 2005 inverted."""
    return (alpha / (0.049 * (omega_wdm_h2 / h**2 / 0.25) ** 0.11 * (h / 0.7) ** 1.22)) ** (-1 / 1.11)


def dw_mass_from_thermal(m_th_keV: float, omega_dm_h2: float = OMEGA_DM_H2) -> float:
    """Dodelson-Widrow sterile-neutrino mass [keV] with the transfer function of a thermal relic of
    mass ``m_th_keV``: m_s = 4.43 keV (m_th/keV)^(4/3) (omega_dm/0.1225)^(-1/3) (Viel et al. 2005, Eq. 8;
    it assumes a DW spectrum of Fermi-Dirac shape)."""
    return 4.43 * m_th_keV ** (4 / 3) * (omega_dm_h2 / 0.1225) ** (-1 / 3)


def thermal_mass_from_dw(m_s_keV: float, omega_dm_h2: float = OMEGA_DM_H2) -> float:
    """Inverse of :func:`dw_mass_from_thermal`."""
    return (m_s_keV / 4.43 * (omega_dm_h2 / 0.1225) ** (1 / 3)) ** 0.75


# -- CLASS-calibrated alpha(m_th) ------------------------------------------------------------------
#
# Viel et al.'s Eq. 7 was fitted to Boltzmann-code output of 2005 between ~0.5 and a few keV. Our own
# CLASS path (thermal Fermi-Dirac spectrum -> psd file -> CLASS -> fitted alpha) gives an alpha that
# falls as m^-1.165 rather than m^-1.11, so Eq. 7 inverted hands back a 3 keV relic as 3.2 keV. The
# calibration table (data/class_alpha_calibration.txt) stores alpha_CLASS(m_th) for thermal relics run
# through exactly that path at the default cosmology, and is used as a correction ratio
# r(m) = alpha_CLASS(m) / alpha_Viel(m) on top of Viel's Omega and h scaling:
#     alpha(m, omega, h) = r(m) * 0.049 m^-1.11 (Omega/0.25)^0.11 (h/0.7)^1.22.
# At the calibration cosmology this is the CLASS table itself; elsewhere the mass dependence is
# CLASS's and the cosmology dependence Viel's (r(m) is assumed not to depend on cosmology).

#: File (in secretnu/data) of the CLASS-calibrated alpha(m_th) table.
ALPHA_CALIBRATION_FILE = "class_alpha_calibration.txt"
#: Thermal masses [keV] of the calibration table (about log-spaced, 0.3 - 9 keV; 2, 3 and 5 keV are left out
#: on purpose: tests use them as held-out points). Heavier masses need k_max ~ 1000 h/Mpc and more, where a
#: CLASS run takes 10-30 minutes on a 2-core machine; beyond the table Viel's Eq. 7 is used, labelled.
CALIBRATION_MASSES_KEV: tuple[float, ...] = (0.3, 0.45, 0.7, 1.0, 1.5, 2.5, 3.8, 6.0, 9.0)
#: Relations alpha <-> m_th that :func:`thermal_mass` and :func:`secretnu.spectrum.warmness` accept.
RELATIONS = ("class-calibrated", "viel2005")


@dataclass(frozen=True)
class AlphaCalibration:
    """alpha [Mpc/h] and k_hm [h/Mpc] of thermal relics of mass ``m_th`` [keV] from CLASS, at the
    cosmology and settings recorded in ``provenance`` (the ``# key: value`` header lines of the file)."""

    m_th: FloatArray = field(repr=False)
    alpha: FloatArray = field(repr=False)
    k_hm: FloatArray = field(repr=False)
    provenance: dict[str, str] = field(repr=False)
    omega_dm_h2: float
    h: float

    @cached_property
    def ratio(self) -> FloatArray:
        """r(m) = alpha_CLASS / alpha_Viel(Eq. 7) at the calibration cosmology."""
        return self.alpha / viel_alpha(self.m_th, self.omega_dm_h2, self.h)  # type: ignore[arg-type]

    @cached_property
    def _log_ratio_spline(self) -> Any:
        from scipy.interpolate import PchipInterpolator

        return PchipInterpolator(np.log(self.m_th), np.log(self.ratio))

    @property
    def mass_range(self) -> tuple[float, float]:
        return float(self.m_th[0]), float(self.m_th[-1])

    def log_ratio(self, m_th_keV: float) -> float:
        """ln r(m), monotone (PCHIP) interpolation in ln m; held at its end value outside the table (so that
        alpha(m) stays continuous and monotone: there it follows Eq. 7's mass dependence)."""
        lo, hi = self.mass_range
        m = min(max(m_th_keV, lo), hi)
        return float(self._log_ratio_spline(math.log(m)))

    def label(self, m_th_keV: float) -> str:
        """Which relation gives alpha at m_th: the table inside its masses, else Eq. 7 scaled to join it."""
        lo, hi = self.mass_range
        if lo <= m_th_keV <= hi:
            return "class-calibrated"
        r = math.exp(self.log_ratio(m_th_keV))
        return f"viel2005 x {r:.3f} (outside the CLASS calibration, {lo:g}-{hi:g} keV)"


def _parse_calibration(text: str) -> AlphaCalibration:
    provenance: dict[str, str] = {}
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            key, sep, value = line[1:].partition(":")
            if sep:
                provenance[key.strip()] = value.strip()
            continue
        rows.append([float(x) for x in line.split()[:3]])
    table = np.array(rows, dtype=float)
    if table.ndim != 2 or table.shape[0] < 4 or np.any(np.diff(table[:, 0]) <= 0) or np.any(np.diff(table[:, 1]) >= 0):
        raise InputError("the alpha calibration table is damaged: need >= 4 rows, m_th rising and alpha falling")
    return AlphaCalibration(m_th=table[:, 0], alpha=table[:, 1], k_hm=table[:, 2], provenance=provenance,
                            omega_dm_h2=float(provenance.get("omega_dm_h2", OMEGA_DM_H2)),
                            h=float(json.loads(provenance["cosmology"])["h"]) if "cosmology" in provenance
                            else PLANCK2018["h"])


@lru_cache(maxsize=1)
def alpha_calibration() -> AlphaCalibration:
    """The shipped CLASS-calibrated alpha(m_th) table (data/class_alpha_calibration.txt, provenance in its header)."""
    text = resources.files("secretnu").joinpath("data", ALPHA_CALIBRATION_FILE).read_text()
    return _parse_calibration(text)


def calibrated_alpha(m_th_keV: float, omega_wdm_h2: float = OMEGA_DM_H2, h: float = PLANCK2018["h"]) -> float:
    """alpha [Mpc/h] of a thermal relic from the CLASS calibration: r(m) x Viel's Eq. 7 (module comment
    above). Outside the calibrated masses r is held at its value at the nearer end: Eq. 7 scaled to join the
    table (see :func:`thermal_mass` for the label)."""
    return math.exp(alpha_calibration().log_ratio(m_th_keV)) * viel_alpha(m_th_keV, omega_wdm_h2, h)


def calibrated_thermal_mass(alpha: float, omega_wdm_h2: float = OMEGA_DM_H2, h: float = PLANCK2018["h"]) -> float:
    """Thermal mass [keV] with a given alpha [Mpc/h]: :func:`calibrated_alpha` inverted (Viel's Eq. 7 outside
    the calibrated range)."""
    return thermal_mass(alpha, omega_wdm_h2, h)[0]


def thermal_mass(alpha: float, omega_wdm_h2: float = OMEGA_DM_H2, h: float = PLANCK2018["h"],
                 relation: str = "class-calibrated") -> tuple[float, str]:
    """(m_th [keV], label): the thermal-relic mass with cutoff alpha [Mpc/h] and the relation used.

    ``relation="viel2005"``: Eq. 7 of Viel et al. 2005 inverted (label ``"viel2005"``).
    ``relation="class-calibrated"``: the CLASS table (:func:`alpha_calibration`) with Viel's cosmology
    scaling, inverted exactly (root of the monotone interpolant); label ``"class-calibrated"``. When alpha
    is beyond the table, Eq. 7 scaled by the end ratio r so that the relation stays continuous and
    single-valued, labelled e.g. ``"viel2005 x 0.857 (outside the CLASS calibration, 0.3-9 keV)"`` (plain
    Eq. 7 there would jump by 1 - r = 14 % at 9 keV and give two masses for one alpha).
    """
    if relation not in RELATIONS:
        raise InputError(f"unknown alpha(m_th) relation {relation!r}: choose one of {', '.join(RELATIONS)}")
    if not (math.isfinite(alpha) and alpha > 0):
        raise InputError(f"alpha must be positive and finite, got {alpha!r}")
    m_viel = viel_thermal_mass(alpha, omega_wdm_h2, h)
    if relation == "viel2005":
        return m_viel, "viel2005"
    from scipy.optimize import brentq

    cal = alpha_calibration()
    lo, hi = cal.mass_range
    a_lo, a_hi = calibrated_alpha(lo, omega_wdm_h2, h), calibrated_alpha(hi, omega_wdm_h2, h)
    if not a_hi * (1 - 1e-12) <= alpha <= a_lo * (1 + 1e-12):  # (the tolerance: round-off at the end nodes)
        end = hi if alpha < a_hi else lo
        m = viel_thermal_mass(alpha / math.exp(cal.log_ratio(end)), omega_wdm_h2, h)
        return m, cal.label(m)
    if alpha >= a_lo:
        return lo, "class-calibrated"
    if alpha <= a_hi:
        return hi, "class-calibrated"
    root = brentq(lambda lm: math.log(calibrated_alpha(math.exp(lm), omega_wdm_h2, h) / alpha),
                  math.log(lo), math.log(hi), xtol=1e-12)
    return float(math.exp(root)), "class-calibrated"


def vogel_abazajian_alpha(m_th_keV: float, omega_wdm_h2: float = OMEGA_DM_H2,
                          h: float = PLANCK2018["h"]) -> tuple[float, float]:
    """(alpha [Mpc/h], nu) of Vogel & Abazajian 2023 (Phys. Rev. D 108, 043520, arXiv:2210.10753 v2, Eqs. 7-9,
    Table II) for a spin-1/2 thermal relic: alpha = 0.0437 (m/keV)^-1.188 (omega/0.12)^0.2463 (h/0.6736)^2.012,
    used with nu = 1.049 in the same transfer-function form. Their fit covers m >= 2 keV. For comparison
    only (the fitted form and nu differ from Viel's, so compare half-mode wavenumbers, not alphas)."""
    return 0.0437 * m_th_keV**-1.188 * (omega_wdm_h2 / 0.12) ** 0.2463 * (h / 0.6736) ** 2.012, 1.049


def compute_alpha_calibration(masses_keV: tuple[float, ...] | list[float] = CALIBRATION_MASSES_KEV,
                              *, progress: bool = False) -> list[tuple[float, float, float]]:
    """(m_th, alpha, k_hm) from CLASS for thermal relics of the given masses [keV], through exactly the path
    of :func:`secretnu.spectrum.warmness`: :func:`secretnu.spectrum.thermal_wdm_result` at Omega h^2 =
    :data:`OMEGA_DM_H2`, exported by :func:`secretnu.spectrum.psd_table`, CLASS at :data:`PLANCK2018`,
    alpha fitted by :func:`fit_alpha`. Needs classy; each new mass costs one CLASS run (seconds to a
    minute, more at large masses where k_max is large)."""
    from .spectrum import thermal_wdm_result, warmness

    rows = []
    for m in masses_keV:
        w = warmness(thermal_wdm_result(float(m)), method="class", relation="viel2005")
        rows.append((float(m), float(w.alpha), float(w.k_hm)))
        if progress:
            print(f"m_th = {m:g} keV: alpha = {w.alpha:.6g} Mpc/h, k_hm = {w.k_hm:.5g} h/Mpc "
                  f"(alpha / Viel Eq. 7 = {w.alpha / viel_alpha(float(m)):.4f})", flush=True)
    return rows


def write_alpha_calibration(path: str | Path, masses_keV: tuple[float, ...] | list[float] = CALIBRATION_MASSES_KEV,
                            *, progress: bool = False) -> Path:
    """Run :func:`compute_alpha_calibration` and write the table with its provenance header (the format
    :func:`alpha_calibration` reads). Regenerate the shipped file with ``python scripts/calibrate_alpha.py``."""
    import datetime

    rows = sorted(compute_alpha_calibration(masses_keV, progress=progress))
    path = Path(path)
    lines = [
        "# CLASS-calibrated alpha(m_th) of thermal warm dark matter (read by secretnu.transfer.alpha_calibration)",
        "# Each row: a thermal relic (spin-1/2, 2 internal states, Fermi-Dirac) of mass m_th made all of the dark",
        "# matter, exported by secretnu.spectrum.psd_table, run in CLASS against CDM, alpha fitted to",
        "# T(k) = sqrt(P/P_CDM) = [1 + (alpha k)^(2 nu)]^(-5/nu) (Viel et al. 2005, Eq. 6), k_hm where T = 1/2.",
        f"# generated: {datetime.date.today().isoformat()} by secretnu.transfer.write_alpha_calibration",
        "# regenerate: PYTHONPATH=src python scripts/calibrate_alpha.py",
        f"# classy: {class_version()}",
        f"# cosmology: {json.dumps(PLANCK2018, sort_keys=True)}",
        f"# omega_dm_h2: {OMEGA_DM_H2}",
        f"# class_precision: {json.dumps(CLASS_PRECISION, sort_keys=True)}",
        f"# fit: nu = {VIEL_NU}, k from k_max/10^2.5 to where T first drops below {T_FIT_MIN}, 72 log-spaced k,",
        "#   k_max chosen as in secretnu.spectrum.warmness (sqrt(2) ladder, widened until T crosses 1/2)",
        "# spectrum: secretnu.spectrum.thermal_wdm_result(m_th, omega_h2=0.12, n_q=80), T_ncdm = (4/11)^(1/3)",
        f"# cache_version: {CACHE_VERSION}",
        "# columns: m_th_keV alpha_Mpc_over_h k_hm_h_over_Mpc alpha_over_viel2005_eq7",
    ]
    lines += [f"{m:.6g} {a:.8e} {k:.8e} {a / viel_alpha(m):.6f}" for m, a, k in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def thermal_wdm_transfer(k: FloatArray | float, alpha: float, nu: float = VIEL_NU) -> FloatArray:
    """T(k) = [1 + (alpha k)^(2 nu)]^(-5/nu) (Viel et al. 2005, Eq. 6); k in h/Mpc, alpha in Mpc/h."""
    return np.asarray((1.0 + (alpha * np.asarray(k, dtype=float)) ** (2 * nu)) ** (-5.0 / nu))


def half_mode_mass(k_hm: float, omega_m: float) -> float:
    """M_hm = (4 pi/3) rho_m (pi/k_hm)^3 [M_sun/h] for k_hm in h/Mpc (Schneider et al. 2012)."""
    return 4 * math.pi / 3 * omega_m * RHO_CRIT_MSUN_H2_MPC3 * (math.pi / k_hm) ** 3


def half_mode(k: FloatArray, T: FloatArray) -> float:
    """First k where T(k) falls to 1/2, interpolated linearly in (ln k, T); NaN if it never does."""
    below = np.nonzero(T < 0.5)[0]
    if below.size == 0 or below[0] == 0:
        return math.nan
    i = int(below[0])
    t = (T[i - 1] - 0.5) / (T[i - 1] - T[i])
    return float(np.exp(np.log(k[i - 1]) + t * (np.log(k[i]) - np.log(k[i - 1]))))


def fit_alpha(k: FloatArray, T: FloatArray, nu: float = VIEL_NU) -> float:
    """Least-squares alpha [Mpc/h] of the thermal form to T(k), on k up to where T first drops below
    :data:`T_FIT_MIN`."""
    from scipy.optimize import minimize_scalar

    k = np.asarray(k, dtype=float)
    T = np.asarray(T, dtype=float)
    below = np.nonzero(T < T_FIT_MIN)[0]
    stop = int(below[0]) if below.size else k.size
    ks, Ts = k[:stop], T[:stop]
    k_half = half_mode(k, T)
    if not math.isfinite(k_half) or ks.size < 5:
        raise InputError("the transfer function does not reach its cutoff on the k grid: cannot fit alpha")
    guess = (2 ** (nu / 5) - 1) ** (1 / (2 * nu)) / k_half
    res = minimize_scalar(lambda la: float(np.sum((thermal_wdm_transfer(ks, math.exp(la), nu) - Ts) ** 2)),
                          bounds=(math.log(guess) - 1.5, math.log(guess) + 1.5), method="bounded",
                          options={"xatol": 1e-6})
    return float(math.exp(res.x))


# -- CLASS ------------------------------------------------------------------------------------------

def class_available() -> bool:
    """True when ``classy`` imports."""
    try:
        import classy  # noqa: F401
    except ImportError:
        return False
    return True


def class_version() -> str:
    """Version of the installed classy (CLASS) package."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("classy")
    except PackageNotFoundError:  # pragma: no cover - classy built by hand
        import classy

        return str(getattr(classy, "__version__", "unknown"))


def write_psd_table(path: str | Path, q: FloatArray, f0: FloatArray) -> Path:
    """Two columns q, f0 and nothing else: CLASS counts rows with fscanf("%lf %lf") until the first
    thing that is not two numbers, so no header, comment or blank line may precede the data."""
    path = Path(path)
    with open(path, "w") as fh:
        for a, b in zip(q, f0, strict=True):
            fh.write(f"{a:.10e} {b:.10e}\n")
    return path


@dataclass(frozen=True)
class LinearTransfer:
    """T(k) = sqrt(P/P_CDM) of a relic that is all of the dark matter, from CLASS at z = 0.

    k in h/Mpc. ``omega_ncdm`` is CLASS's Omega_ncdm h^2 for the relic, ``m_ncdm_eV`` its mass.
    ``seconds`` is the wall time of the CLASS runs made for this call (0 when all came from the cache).
    """

    k: FloatArray = field(repr=False)
    T: FloatArray = field(repr=False)
    omega_ncdm: float
    m_ncdm_eV: float
    cosmology: dict[str, float] = field(repr=False)
    class_version: str
    seconds: float
    cached: bool


def _cache_file(kind: str, payload: dict[str, Any]) -> Path:
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:20]
    return cache_dir() / "class" / f"{kind}-{digest}.npz"


def _load(path: Path, n: int) -> dict[str, Any] | None:
    try:
        with np.load(path) as data:
            out = {key: data[key] for key in data.files}
    except (OSError, ValueError, KeyError):
        return None
    pk = out.get("pk")
    if pk is None or pk.shape != (n,) or not np.all(np.isfinite(pk)) or np.any(pk <= 0):
        return None  # a damaged file is recomputed, never trusted
    return out


def _save(path: Path, **arrays: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    except OSError:  # pragma: no cover - a read-only cache only costs time
        pass


def _run_class(params: dict[str, Any], k_hmpc: FloatArray) -> tuple[FloatArray, float, float]:
    """P_lin(k, z=0) [(Mpc/h)^3] on k [h/Mpc]; Omega_ncdm h^2 and m_ncdm (0, 0 without ncdm)."""
    try:
        from classy import Class, CosmoComputationError, CosmoSevereError
    except ImportError:
        raise InputError("CLASS is not installed: pip install 'secretnu[class]' (classy)") from None
    cosmo = Class()
    cosmo.set(params)
    try:
        cosmo.compute()
        h = cosmo.h()
        pk = np.array([cosmo.pk_lin(float(kk) * h, 0.0) for kk in k_hmpc]) * h**3
        omega_ncdm = m_ncdm = 0.0
        if params.get("N_ncdm", 0):
            bg = cosmo.get_background()
            omega_ncdm = float(bg["(.)rho_ncdm[0]"][-1] / bg["(.)rho_crit"][-1]) * h**2
            m_ncdm = float(params["m_ncdm"])
    except (CosmoSevereError, CosmoComputationError) as exc:
        # CosmoComputationError: e.g. CLASS's stiff integrator failing at k ~ 10^3 h/Mpc (a ~14 keV thermal
        # relic's k range): a clear error, not a classy traceback
        raise InputError(f"CLASS failed on this spectrum: {str(exc).strip().splitlines()[-1]}") from None
    finally:
        cosmo.struct_cleanup()
        cosmo.empty()
    return pk, omega_ncdm, m_ncdm


def k_grid(k_max: float, n: int = 72) -> FloatArray:
    """The k grid [h/Mpc] of a warmness run: log-spaced over 2.5 decades up to k_max."""
    return np.geomspace(k_max / 10**2.5, k_max, n)


def class_transfer(q: FloatArray, f0: FloatArray, m_eV: float, *, T_ncdm: float, deg_ncdm: float = 1.0,
                   omega_dm_h2: float = OMEGA_DM_H2, k_max: float = 64.0,
                   cosmology: dict[str, float] | None = None) -> LinearTransfer:
    """T(k) of an ncdm species with phase-space table (q, f0) (CLASS normalisation) and mass m_eV,
    put in as all of the dark matter (omega_ncdm = omega_dm_h2, omega_cdm = 0), against CDM.

    k_max [h/Mpc] sets the grid (:func:`k_grid`). Both runs are cached on disk.
    """
    cosmo = dict(PLANCK2018 if cosmology is None else cosmology)
    k = k_grid(k_max)
    common: dict[str, Any] = {**cosmo, "output": "mPk", "P_k_max_h/Mpc": float(k_max) * 1.05, "z_pk": 0.0}
    version = class_version()
    table = np.column_stack([q, f0])
    with tempfile.TemporaryDirectory() as tmp:
        psd = write_psd_table(Path(tmp) / "psd.dat", q, f0)
        data = psd.read_bytes()
        ncdm: dict[str, Any] = {**CLASS_PRECISION, "omega_cdm": 0.0, "N_ncdm": 1, "use_ncdm_psd_files": 1, "m_ncdm": float(m_eV),
                                "T_ncdm": float(T_ncdm), "deg_ncdm": float(deg_ncdm), "omega_ncdm": float(omega_dm_h2)}
        key = {"v": CACHE_VERSION, "classy": version, "params": {**common, **ncdm}, "k": k.tolist(),
               "psd": hashlib.sha256(data).hexdigest()}
        seconds = 0.0
        cached = True
        wdm_file = _cache_file("ncdm", key)
        wdm = _load(wdm_file, k.size)
        if wdm is None:
            t0 = time.perf_counter()
            pk, omega, m = _run_class({**common, **ncdm, "ncdm_psd_filenames": str(psd)}, k)
            seconds += time.perf_counter() - t0
            cached = False
            wdm = {"pk": pk, "omega_ncdm": np.float64(omega), "m_ncdm": np.float64(m), "table": table}
            _save(wdm_file, **wdm)
    cdm_params = {**common, "omega_cdm": float(omega_dm_h2)}
    cdm_file = _cache_file("cdm", {"v": CACHE_VERSION, "classy": version, "params": cdm_params, "k": k.tolist()})
    cdm = _load(cdm_file, k.size)
    if cdm is None:
        t0 = time.perf_counter()
        pk, _, _ = _run_class(cdm_params, k)
        seconds += time.perf_counter() - t0
        cached = False
        cdm = {"pk": pk}
        _save(cdm_file, **cdm)
    T = np.sqrt(wdm["pk"] / cdm["pk"])
    return LinearTransfer(k=k, T=T, omega_ncdm=float(wdm["omega_ncdm"]), m_ncdm_eV=float(wdm["m_ncdm"]),
                          cosmology=cosmo, class_version=version, seconds=seconds, cached=cached)
