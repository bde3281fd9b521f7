"""Linear matter power spectrum of the relic from CLASS, and the thermal warm-dark-matter mass it matches.

The relic is put into CLASS (``classy``, the Python wrapper of the Boltzmann code, Lesgourgues 2011,
arXiv:1104.2932) as the whole of the dark matter, an ``ncdm`` species read from a phase-space file, and
compared with a CDM run of the same cosmology:

    T(k) = sqrt(P_nu4(k) / P_CDM(k))   at z = 0, linear.

T(k) is fitted with the thermal-relic form of Viel, Lesgourgues, Haehnelt, Matarrese & Riotto 2005,
Phys. Rev. D 71, 063534 (astro-ph/0501562), their Eq. (6) after Bode, Ostriker & Turok 2001:

    T(k) = [1 + (alpha k)^(2 nu)]^(-5/nu),   nu = 1.12,

and alpha is turned into the mass of the thermal relic that has the same alpha with their Eq. (7):

    alpha = 0.049 (m_th / keV)^-1.11 (Omega_wdm / 0.25)^0.11 (h / 0.7)^1.22  Mpc/h.

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
    "half_mode_mass", "write_psd_table",
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
        from classy import Class, CosmoSevereError
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
    except CosmoSevereError as exc:
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
