"""Structure-formation bounds on warm dark matter, as published lower limits on the thermal-relic mass.

Each bound is a number with its source: a thermal warm-dark-matter relic (Fermi-Dirac, 2 states)
lighter than ``m_th_min_keV`` is excluded by that probe. A non-thermal nu4 spectrum is compared
through its thermal-equivalent mass m_th (:func:`secretnu.spectrum.warmness`: the CLASS
transfer-function fit, or the labelled <p>/m moment fallback).

The half-mode scale of a thermal relic (used when only m_th is known) follows Viel et al. 2005
(astro-ph/0501562, Eq. 7): T(k) = [1 + (alpha k)^(2 nu)]^(-5/nu), nu = 1.12,
alpha = 0.049 (m_th/keV)^-1.11 (Omega_wdm/0.25)^0.11 (h/0.7)^1.22 Mpc/h; T(k_hm) = 1/2 gives
k_hm = (2^(nu/5) - 1)^(1/(2 nu)) / alpha, and M_hm = (4 pi/3) rho_m (lambda_hm/2)^3 with
lambda_hm = 2 pi/k_hm (Schneider et al. 2012, arXiv:1112.0330). With Planck 2018 numbers this gives
lambda_hm = 0.089 Mpc/h and M_hm = 3e7 M_sun/h at m_th = 6.048 keV, as Enzi et al. 2021
(arXiv:2010.13802) quote.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import InputError

__all__ = ["WdmBound", "WDM_BOUNDS", "DEFAULT_BOUNDS", "select_bounds", "thermal_alpha", "half_mode",
           "PLANCK_H", "PLANCK_OMEGA_M", "NU_VIEL"]

#: Planck 2018 (TT,TE,EE+lowE+lensing, arXiv:1807.06209): h and Omega_m.
PLANCK_H: float = 0.674
PLANCK_OMEGA_M: float = 0.315
#: Exponent of the thermal-WDM transfer function (Viel et al. 2005).
NU_VIEL: float = 1.12
#: Critical density today over h^2 in M_sun / Mpc^3 (PDG 2024: 2.775e11 h^2 M_sun Mpc^-3).
_RHO_CRIT_MSUN_MPC3: float = 2.775e11


@dataclass(frozen=True)
class WdmBound:
    """A published lower limit on the thermal warm-dark-matter mass."""

    key: str
    name: str
    m_th_min_keV: float
    source: str
    confidence: str

    def excludes(self, m_th_keV: float) -> bool:
        return bool(m_th_keV < self.m_th_min_keV)


#: The shipped bounds (keys accepted by ``structure=`` and ``--structure``).
WDM_BOUNDS: dict[str, WdmBound] = {b.key: b for b in (
    WdmBound("lyman-alpha", "Lyman-alpha forest", 5.7,
             "Irsic et al. 2024, PRD 109, 043511, arXiv:2309.04533", "95% CL"),
    WdmBound("mw-satellites", "Milky-Way satellites", 6.5,
             "Nadler et al. 2021 (DES+PS1), PRL 126, 091101, arXiv:2008.00022", "95% CL"),
    WdmBound("lensing", "strong lensing", 6.1,
             "Keeley et al. 2024 (JWST lensed quasars), MNRAS 535, 1652, arXiv:2405.01620",
             "posterior odds 10:1"),
    WdmBound("combined", "lensing + MW satellites", 9.7,
             "Nadler et al. 2021, ApJL 917, L7, arXiv:2101.07810", "95% CL"),
)}
#: Bounds tested by default: every one of them.
DEFAULT_BOUNDS: tuple[str, ...] = tuple(WDM_BOUNDS)


def select_bounds(names: Iterable[str] | str | None = None) -> list[WdmBound]:
    """Bounds by key (``"all"`` or None: every shipped bound); unknown names raise InputError."""
    if names is None or names == "all":
        return list(WDM_BOUNDS.values())
    if isinstance(names, str):
        names = [n for n in names.split(",") if n.strip()]
    names = list(names)
    out = []
    keys = [str(name).strip().lower().replace("_", "-") for name in names]
    for name, key in zip(names, keys, strict=True):  # every name is checked, also after an "all"
        if key != "all" and key not in WDM_BOUNDS:
            raise InputError(f"unknown structure-formation bound {name!r}: choose from {', '.join(WDM_BOUNDS)} or all")
    if not keys:
        raise InputError(f"no structure-formation bound selected: choose from {', '.join(WDM_BOUNDS)} or all")
    if "all" in keys:
        return list(WDM_BOUNDS.values())
    for key in keys:
        out.append(WDM_BOUNDS[key])
    return out


def thermal_alpha(m_th_keV: float, omega_wdm_h2: float = 0.12, h: float = PLANCK_H) -> float:
    """alpha [Mpc/h] of the thermal-WDM transfer function (Viel et al. 2005, Eq. 7)."""
    if not (m_th_keV > 0 and math.isfinite(m_th_keV)):
        raise InputError(f"thermal mass must be positive, got {m_th_keV!r} keV")
    return 0.049 * m_th_keV**-1.11 * (omega_wdm_h2 / h**2 / 0.25) ** 0.11 * (h / 0.7) ** 1.22


def half_mode(m_th_keV: float, omega_wdm_h2: float = 0.12, h: float = PLANCK_H,
              omega_m: float = PLANCK_OMEGA_M) -> tuple[float, float]:
    """(k_hm [h/Mpc], M_hm [M_sun/h]) of a thermal relic of mass m_th (module docstring)."""
    alpha = thermal_alpha(m_th_keV, omega_wdm_h2, h)
    k_hm = (2 ** (NU_VIEL / 5) - 1) ** (1 / (2 * NU_VIEL)) / alpha
    lam = 2 * math.pi / k_hm
    return k_hm, 4 * math.pi / 3 * omega_m * _RHO_CRIT_MSUN_MPC3 * (lam / 2) ** 3
