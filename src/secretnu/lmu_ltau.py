"""Gauged L_mu - L_tau boson (paper section IV; spec section 4).

L = g V_mu (mubar gamma mu - taubar gamma tau + nubar_mu gamma P_L nu_mu - nubar_tau gamma P_L nu_tau).
The thermal potential is that of Eq. 3.3 with lambda -> g. The rate is the channel sum of Eq. 4.3
for the active flavour alpha (mu or tau; beta is the other one, l_alpha, l_beta their leptons),
each channel from its matrix element with chiral neutrinos and vector-coupled charged leptons,
in units sigma = g^4/m^2 sigma_hat(y = s/m^2):

    nu_a nu_a -> nu_a nu_a           sigma_hat_nunu (as the neutrinophilic V)      low-s units: 6
    nu_a nubar_a -> nu_a nubar_a     s + t channels with Breit-Wigner (as Eq. 3.5)              4
    nu_a nubar_a -> nu_b nubar_b     s channel only: y/(12 pi |y - 1 + i gw|^2)                 1
    nu_a nubar_a -> l l (T >= 2 m_l) s channel, both lepton chiralities: twice the above        2
    nu_a nu_b -> nu_a nu_b           t channel, LL: y/(4 pi (1+y))                              3
    nu_a nubar_b -> nu_a nubar_b     t channel, LR: sigma_hat_tt (physical) or LL (paper)    1 or 3
    nu_a l+- -> nu_a l+- (T >= m_l)  t channel, spin-averaged (LL + LR)/2, 4 target states      8

"Units" are the coefficients of g^4 s/(12 pi m^4) at s << m^2, so that the heavy-V rate is
7 pi g^4 E T^4/(540 m^4) N (Eq. 4.4) with N = 17 (T < m_mu), 25, 27 (2 m_mu .. m_tau), 35, 37
(T >= 2 m_tau) in the paper's counting. The printed "33" for the top band is inconsistent with
the paper's own cross sections (spec section 4). Charged leptons follow instantaneous decoupling:
massless targets for T >= m_l, open final states for T >= 2 m_l, absent below.

Width (Eq. 4.6): gamma_V = g^2 m/(12 pi) [1 + sum_l (1 + 2 r_l) sqrt(1 - 4 r_l) Theta(1 - 4 r_l)],
r_l = m_l^2/m^2. The on-shell part of the rate follows from the same s-channel residues: with the
open s-channel weight k = 1 + 1 + 2 [T >= 2 m_mu] + 2 [T >= 2 m_tau],
Gamma_on = g^4 m^3 T k ln(1 + e^{-w})/(96 pi^2 gamma_V E^2), i.e. the spec's
g^4 m^3 T/(48 pi^2 gamma_V E^2) ln(1+e^{-w}) x {3, 2, 1} (the printed Eq. 4.5 has m^2: a typo).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .constants import M_MU, M_TAU
from .errors import InputError
from .neutrinophilic import _hat_nunu, _hat_ss_residue, _hat_st_pv, _hat_tt, validate_vector
from .sm import check_flavor
from .units import format_energy
from .vector_mediator import s_integral, thermal_potential

__all__ = ["LmuLtau", "lmu_ltau_width", "heavy_v_count", "hat_t_channel_LL"]

FloatArray = NDArray[np.float64]
_LEPTON = {"mu": M_MU, "tau": M_TAU}


def hat_t_channel_LL(y: FloatArray) -> FloatArray:
    """nu_a nu_b -> nu_a nu_b (t channel, same helicities): y/(4 pi (1+y))."""
    return y / (4 * math.pi * (1 + y))


def _zero(y: FloatArray) -> FloatArray:
    return np.zeros_like(y)


def lmu_ltau_width(m_V: float, coupling: float) -> float:
    """Total width of the L_mu - L_tau boson (Eq. 4.6) [GeV]."""
    total = 1.0
    for m_l in (M_MU, M_TAU):
        r = m_l**2 / m_V**2
        if 4 * r < 1:
            total += (1 + 2 * r) * math.sqrt(1 - 4 * r)
    return coupling**2 * m_V / (12 * math.pi) * total


def heavy_v_count(T: float, flavor: str = "mu", counting: str = "paper") -> int:
    """N of Eq. 4.4 at temperature T with instantaneous decoupling (17, 25, 27, 35, 37 for the paper)."""
    own, other = _LEPTON[flavor], _LEPTON["tau" if flavor == "mu" else "mu"]
    n = 6 + 4 + 1 + 3 + (3 if counting == "paper" else 1)
    for m_l in (own, other):
        n += 8 * (T >= m_l) + 2 * (T >= 2 * m_l)
    return n


@dataclass(frozen=True)
class LmuLtau:
    """Gauged L_mu - L_tau vector boson (paper section IV).

    Parameters
    ----------
    m_V: vector mass [GeV].
    coupling: gauge coupling g, in (0, sqrt(4 pi)).
    flavor: the active flavour nu_4 mixes with, ``"mu"`` (default) or ``"tau"``.
    counting: ``"paper"`` sets sigma(nu_a nubar_b) = sigma(nu_a nu_b) as the paper does;
        ``"physical"`` uses the t-channel LR cross section (1/3 of it at low s).
    """

    m_V: float
    coupling: float
    flavor: str = "mu"
    counting: str = "paper"
    name: str = "lmu-ltau"

    def __post_init__(self) -> None:
        m, g = validate_vector(self.m_V, self.coupling, "coupling g")
        object.__setattr__(self, "m_V", m)
        object.__setattr__(self, "coupling", g)
        flavor = check_flavor(self.flavor)
        if flavor not in _LEPTON:
            raise InputError("the L_mu - L_tau boson couples to nu_mu and nu_tau only, not nu_e")
        object.__setattr__(self, "flavor", flavor)
        if self.counting not in ("paper", "physical"):
            raise InputError(f"counting must be 'paper' or 'physical', got {self.counting!r}")

    @property
    def gamma_V(self) -> float:
        return lmu_ltau_width(self.m_V, self.coupling)

    @property
    def width(self) -> float:
        return self.gamma_V

    def couples_to(self, flavor: str) -> bool:
        return check_flavor(flavor) in _LEPTON

    def default_t_max(self) -> float:
        return self.m_V

    def potential(self, E: ArrayLike, T: ArrayLike) -> FloatArray:
        """V_T,V: Eq. 3.3 with lambda -> g [GeV]."""
        return thermal_potential(E, T, self.m_V, self.coupling)

    def _channel_integrals(self, q: FloatArray) -> dict[str, FloatArray]:
        gw = self.gamma_V / self.m_V
        return {
            # nu_a nu_a and the elastic nu_a nubar_a (s + t + interference)
            "own": s_integral(q, smooth=lambda y: _hat_nunu(y) + _hat_tt(y), pole_residue=_hat_ss_residue,
                              pole_pv=_hat_st_pv, gw=gw),
            "s_only": s_integral(q, smooth=_zero, pole_residue=_hat_ss_residue, gw=gw),
            "LL": s_integral(q, smooth=hat_t_channel_LL),
            "LR": s_integral(q, smooth=_hat_tt),
        }

    def rate(self, E: ArrayLike, T: ArrayLike) -> FloatArray:
        """Gamma_V [GeV]: the channel sum of Eq. 4.3 (exact s-integrals, Breit-Wigner s channel)."""
        E, T = np.broadcast_arrays(np.asarray(E, dtype=float), np.asarray(T, dtype=float))
        m = self.m_V
        J = self._channel_integrals(4 * E * T / m**2)
        own, other = _LEPTON[self.flavor], _LEPTON["tau" if self.flavor == "mu" else "mu"]
        pairs = sum(2.0 * (T >= 2 * m_l) for m_l in (own, other))
        targets = sum(2.0 * (T >= m_l) for m_l in (own, other))  # 4 states x (LL + LR)/2
        anti_other = J["LL"] if self.counting == "paper" else J["LR"]
        total = (J["own"] + (1.0 + pairs) * J["s_only"] + J["LL"] + anti_other
                 + targets * (J["LL"] + J["LR"]))
        return self.coupling**4 * T * m**2 * total / (8 * math.pi**2 * E**2)

    def on_shell_rate(self, E: ArrayLike, T: ArrayLike) -> FloatArray:
        """Narrow-width on-shell part (corrected Eq. 4.5)."""
        E, T = np.broadcast_arrays(np.asarray(E, dtype=float), np.asarray(T, dtype=float))
        own, other = _LEPTON[self.flavor], _LEPTON["tau" if self.flavor == "mu" else "mu"]
        k = 2.0 + sum(2.0 * (T >= 2 * m_l) for m_l in (own, other))
        w = self.m_V**2 / (4 * E * T)
        return (self.coupling**4 * self.m_V**3 * T * k * np.log1p(np.exp(-w))
                / (96 * math.pi**2 * self.gamma_V * E**2))

    def __str__(self) -> str:
        return f"L_mu-L_tau V(m_V = {format_energy(self.m_V)}, g = {self.coupling:.3g})"
