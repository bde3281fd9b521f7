"""Standard Model collision rate and thermal potential of an active neutrino (Eqs. 2.6, 2.7).

``sm="paper"`` is the paper's constant-coefficient input, valid below the muon mass:

    Gamma_SM = c_alpha G_F^2 E T^4,      c_e = 1.27, c_mu = c_tau = 0.92          (Eq. 2.7)
    V_SM     = -(8 sqrt2 / 3) G_F E [ (rho_nu + rho_nubar)/M_Z^2
                                      + (rho_l + rho_lbar)/M_W^2 ]               (Eq. 2.6)

For massless species V_SM = -(7 sqrt2 pi^2/45) G_F E T^4 (1/M_Z^2 + 2/M_W^2). The printed
coefficient 3.72 of Eq. 2.6 is 12/7 of this standard 2.171 and is not used (spec section 2).
The charged-lepton energy density uses the exact Fermi-Dirac integral, so that term switches
off smoothly as the lepton of the same flavour becomes non-relativistic.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import roots_genlaguerre

from .constants import G_F, LEPTON_MASS, M_W, M_Z
from .errors import InputError

__all__ = ["FLAVORS", "SM_OPTIONS", "RATE_COEFFICIENT_PAPER", "fermion_energy_density",
           "sm_rate", "sm_potential", "check_flavor"]

FLAVORS: tuple[str, ...] = ("e", "mu", "tau")
SM_OPTIONS: tuple[str, ...] = ("paper",)
#: c_alpha of Eq. 2.7 (Notzold & Raffelt 1988 as quoted by the paper).
RATE_COEFFICIENT_PAPER: dict[str, float] = {"e": 1.27, "mu": 0.92, "tau": 0.92}
_RHO_NU_PAIR = 7 * math.pi**2 / 120  # rho_nu + rho_nubar over T^4, one flavour, one helicity each


def check_flavor(flavor: str) -> str:
    """Return the canonical flavour name or raise :class:`InputError`."""
    key = str(flavor).lower().removeprefix("nu_").removeprefix("nu")
    if key not in FLAVORS:
        raise InputError(f"unknown flavour {flavor!r}: choose one of {', '.join(FLAVORS)}")
    return key


def _check_sm(sm: str) -> None:
    if sm not in SM_OPTIONS:
        raise InputError(f"unknown Standard Model input sm={sm!r}: choose one of {', '.join(SM_OPTIONS)}")


@lru_cache(maxsize=None)
def _laguerre_half(n: int = 48) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return roots_genlaguerre(n, 0.5)


def fermion_energy_density(r: ArrayLike) -> NDArray[np.float64]:
    """Energy density of one fermionic degree of freedom over T^4, as a function of r = m/T.

    rho/T^4 = (1/2 pi^2) Int_r^inf de e^2 sqrt(e^2 - r^2) / (e^e + 1); equals 7 pi^2/240 at r = 0.
    With e = r + y the sqrt(y) end point goes into the Gauss-Laguerre (alpha = 1/2) weight.
    """
    r = np.asarray(r, dtype=float)[..., None]
    y, w = _laguerre_half()
    # e^{-(r+y)} / (1 + e^{-(r+y)}) = (Fermi-Dirac) * e^{-y} e^{... } handled by the weight e^{-y}
    integrand = (r + y) ** 2 * np.sqrt(2 * r + y) * np.exp(-r) / (1 + np.exp(-(r + y)))
    return (integrand @ w) / (2 * math.pi**2)


def sm_rate(E: ArrayLike, T: ArrayLike, flavor: str = "mu", sm: str = "paper") -> NDArray[np.float64]:
    """Collision rate Gamma_SM [GeV] of an active neutrino of energy E at temperature T (Eq. 2.7)."""
    _check_sm(sm)
    c = RATE_COEFFICIENT_PAPER[check_flavor(flavor)]
    E, T = np.asarray(E, dtype=float), np.asarray(T, dtype=float)
    return c * G_F**2 * E * T**4


def sm_potential(E: ArrayLike, T: ArrayLike, flavor: str = "mu", sm: str = "paper") -> NDArray[np.float64]:
    """Thermal potential V_SM [GeV] of Eq. 2.6 (standard coefficient, no lepton asymmetry)."""
    _check_sm(sm)
    m_l = LEPTON_MASS[check_flavor(flavor)]
    E, T = np.asarray(E, dtype=float), np.asarray(T, dtype=float)
    rho_lepton_pair = 4 * fermion_energy_density(m_l / T)  # l- and l+, two spin states each
    bracket = _RHO_NU_PAIR / M_Z**2 + rho_lepton_pair / M_W**2
    return -(8 * math.sqrt(2) / 3) * G_F * E * T**4 * bracket
