"""Gauged B - L boson (paper section V; spec section 5).

L = g V_mu (qbar gamma q/3 - lbar gamma l - nubar gamma P_L nu), all three generations. The printed
text omits the B - L rates (Eqs. 5.2-5.3); they follow from the rules of :mod:`secretnu.models.gauged`
with two other neutrino flavours and three charged leptons (quarks neglected in the rate, as in
the paper). For nu_mu mixing the heavy-V count is N = 24 (T < m_e), 32 (m_e..2m_e), 34 (2m_e..m_mu),
42 (m_mu..2m_mu), 44 (2m_mu..m_tau), 52 (m_tau..2m_tau), 54 (T >= 2m_tau); the physical
nu_a nubar_b counting gives 4 less in each band. On-shell:
g^4 m^3 T/(48 pi^2 gamma_V E^2) ln(1 + e^{-w}) x {9/2, 7/2, 5/2, 3/2} above 2 m_tau, 2 m_mu, 2 m_e, below.

Width: gamma_V = 3 g^2 m/(24 pi) (three chiral neutrinos) + sum_l g^2 m/(12 pi)(1 + 2r_l) sqrt(1 - 4r_l)
+ Gamma_had. Hadronic approximation (crude, stated): quark level with charge 1/3 and 3 colours;
u, d, s massless but open only above the 3 pi threshold (0.42 GeV, where the isoscalar omega-like
channel opens), c and b with thresholds at twice the D and B meson masses. It ignores the omega and
phi resonances, where it is wrong by large factors in a narrow mass window. Because the rate omits
hadronic final states, Gamma_had only reduces the on-shell rate by the included fraction of the width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from ..constants import M_E, M_MU, M_TAU
from ..units import format_energy
from .gauged import GaugedVector, lepton_pair_width

__all__ = ["BminusL", "bminusl_width", "hadronic_width"]

_M_PI = 0.13957
_HEAVY_QUARK_THRESHOLDS = (2 * 1.86966, 2 * 5.27934)  # 2 m_D+, 2 m_B+ [GeV], PDG 2024


def hadronic_width(m_V: float, coupling: float, quark_charge2: float = 1 / 9) -> float:
    """Gamma(V -> hadrons) of the B - L boson in the quark-level approximation of the module docstring
    (``quark_charge2``: the squared charge of every quark, 1/9 for B - L)."""
    width = 0.0
    if m_V > 3 * _M_PI:
        width += 3 * lepton_pair_width(m_V, coupling, 0.0, charge2=quark_charge2, colours=3)  # u, d, s
    for threshold in _HEAVY_QUARK_THRESHOLDS:
        if m_V > threshold:
            width += lepton_pair_width(m_V, coupling, 0.5 * threshold, charge2=quark_charge2, colours=3)
    return width


def bminusl_width(m_V: float, coupling: float) -> float:
    """Total width of the B - L boson [GeV]."""
    neutrinos = 3 * coupling**2 * m_V / (24 * math.pi)
    leptons = sum(lepton_pair_width(m_V, coupling, m) for m in (M_E, M_MU, M_TAU))
    return neutrinos + leptons + hadronic_width(m_V, coupling)


@dataclass(frozen=True)
class BminusL(GaugedVector):
    """Gauged B - L vector boson (paper section V).

    Parameters
    ----------
    m_V: vector mass [GeV].
    coupling: gauge coupling g_BL, in (0, sqrt(4 pi)).
    flavor: the active flavour nu_4 mixes with (``"e"``, ``"mu"`` (default) or ``"tau"``).
    counting: ``"paper"`` or ``"physical"`` cross section for nu_a nubar_b (see :mod:`secretnu.models.gauged`).
    """

    m_V: float
    coupling: float
    flavor: str = "mu"
    counting: str = "paper"
    name: str = "b-l"
    NEUTRINOS: ClassVar[tuple[str, ...]] = ("e", "mu", "tau")
    LEPTON_MASSES: ClassVar[dict[str, float]] = {"e": M_E, "mu": M_MU, "tau": M_TAU}

    def __post_init__(self) -> None:
        self._validate()

    @property
    def gamma_V(self) -> float:
        return bminusl_width(self.m_V, self.coupling)

    def __str__(self) -> str:
        return f"B-L V(m_V = {format_energy(self.m_V)}, g = {self.coupling:.3g})"
