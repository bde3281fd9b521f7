"""Gauged L_mu - L_tau boson (paper section IV; spec section 4).

L = g V_mu (mubar gamma mu - taubar gamma tau + nubar_mu gamma P_L nu_mu - nubar_tau gamma P_L nu_tau).
Rate: the channel sum of Eq. 4.3 (see :mod:`secretnu.models.gauged` for the channels and their units).
For nu_mu mixing the heavy-V count of Eq. 4.4 is N = 17 (T < m_mu), 25, 27 (2 m_mu .. m_tau), 35,
37 (T >= 2 m_tau) in the paper's counting; the printed "33" for the top band is inconsistent
with the paper's own cross sections. ``counting="physical"`` uses sigma(nu_mu nubar_tau) = 1/3
sigma(nu_mu nu_tau) at low s (the paper sets them equal): 2 units fewer in every band.

Width (Eq. 4.6): gamma_V = g^2 m/(12 pi) [1 + sum_{l=mu,tau} (1 + 2 r_l) sqrt(1 - 4 r_l)].
On-shell (Eq. 4.5 corrected, the printed m^2 is a typo for m^3):
Gamma_on = g^4 m^3 T/(48 pi^2 gamma_V E^2) ln(1 + e^{-w}) x {3, 2, 1} for T >= 2 m_tau,
2 m_mu <= T < 2 m_tau, T < 2 m_mu.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from ..constants import M_MU, M_TAU
from ..units import format_energy
from .gauged import GaugedVector, hat_t_channel_LL, lepton_pair_width

__all__ = ["LmuLtau", "lmu_ltau_width", "heavy_v_count", "hat_t_channel_LL"]


def lmu_ltau_width(m_V: float, coupling: float) -> float:
    """Total width of the L_mu - L_tau boson (Eq. 4.6) [GeV]: nu_mu, nu_tau (chiral) + mu, tau pairs."""
    return coupling**2 * m_V / (12 * math.pi) + sum(lepton_pair_width(m_V, coupling, m) for m in (M_MU, M_TAU))


def heavy_v_count(T: float, flavor: str = "mu", counting: str = "paper") -> float:
    """N of Eq. 4.4 at temperature T."""
    return LmuLtau(1.0, 0.1, flavor=flavor, counting=counting).heavy_v_count(T)


@dataclass(frozen=True)
class LmuLtau(GaugedVector):
    """Gauged L_mu - L_tau vector boson (paper section IV).

    Parameters
    ----------
    m_V: vector mass [GeV].
    coupling: gauge coupling g, in (0, sqrt(4 pi)).
    flavor: the active flavour nu_4 mixes with, ``"mu"`` (default) or ``"tau"``.
    counting: ``"paper"`` (sigma(nu_a nubar_b) = sigma(nu_a nu_b), as printed) or ``"physical"``.
    """

    m_V: float
    coupling: float
    flavor: str = "mu"
    counting: str = "paper"
    name: str = "lmu-ltau"
    NEUTRINOS: ClassVar[tuple[str, ...]] = ("mu", "tau")
    LEPTON_MASSES: ClassVar[dict[str, float]] = {"mu": M_MU, "tau": M_TAU}

    def __post_init__(self) -> None:
        self._validate()

    @property
    def gamma_V(self) -> float:
        return lmu_ltau_width(self.m_V, self.coupling)

    def __str__(self) -> str:
        return f"L_mu-L_tau V(m_V = {format_energy(self.m_V)}, g = {self.coupling:.3g})"
