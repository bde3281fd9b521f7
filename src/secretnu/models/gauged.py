"""Channel sums shared by the gauged L_mu - L_tau and B - L bosons (sections IV, V; spec 4, 5).

For the active flavour alpha, with |charge| = 1 for every lepton (quarks neglected in the rate, as
in the paper), each channel follows from its matrix element with chiral neutrinos and
vector-coupled charged leptons; sigma = g^4/m^2 sigma_hat(y = s/m^2), and "units" are the
coefficients of g^4 s/(12 pi m^4) at s << m^2:

    nu_a nu_a -> nu_a nu_a               sigma_hat_nunu                                    6
    nu_a nubar_a -> nu_a nubar_a         s + t channels, Breit-Wigner (as Eq. 3.5)          4
    nu_a nubar_a -> nu_b nubar_b         s channel only: y/(12 pi |y - 1 + i gw|^2)         1 per other nu_b
    nu_a nubar_a -> l l  (T >= 2 m_l)    s channel, both lepton chiralities: twice that     2 per lepton
    nu_a nu_b -> nu_a nu_b               t channel, LL: y/(4 pi (1+y))                      3 per other nu_b
    nu_a nubar_b -> nu_a nubar_b         t channel, LR: sigma_hat_tt (physical) or LL (paper)  1 or 3
    nu_a l+- -> nu_a l+- (T >= m_l)      t channel, spin-averaged (LL+LR)/2, 4 target states 8 per lepton

so that the heavy-V rate is 7 pi g^4 E T^4/(540 m^4) N (Eq. 4.4). Charged leptons follow the
paper's instantaneous decoupling: massless targets for T >= m_l, open final states for T >= 2 m_l.
The on-shell part has the open s-channel weight k = 1 + n_other + 2 n_pairs:
Gamma_on = g^4 m^3 T k ln(1 + e^{-w})/(96 pi^2 gamma_V E^2), w = m^2/(4ET). Channels in gamma_V
that k omits (hadrons for B - L) therefore scale the on-shell rate by the included fraction of the
width, consistently with the off-shell rate, which omits them too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError
from ..sm import check_flavor
from .neutrinophilic import _hat_smooth, _hat_ss_residue, _hat_st_pv, _hat_tt, validate_vector
from .vector_mediator import s_integral_sum, thermal_potential

__all__ = ["GaugedVector", "channel_sum_rate", "hat_t_channel_LL", "lepton_pair_width"]

FloatArray = NDArray[np.float64]


def hat_t_channel_LL(y: FloatArray) -> FloatArray:
    """nu_a nu_b -> nu_a nu_b (t channel, same helicities): y/(4 pi (1+y))."""
    return y / (4 * math.pi * (1 + y))


def _zero(y: FloatArray) -> FloatArray:
    return np.zeros_like(y)


def lepton_pair_width(m_V: float, coupling: float, m_f: float, charge2: float = 1.0, colours: int = 1) -> float:
    """Gamma(V -> f fbar) for a vector coupling g Q: N_c Q^2 g^2 m/(12 pi) (1 + 2r) sqrt(1 - 4r), r = m_f^2/m^2."""
    r = m_f**2 / m_V**2
    if 4 * r >= 1:
        return 0.0
    return colours * charge2 * coupling**2 * m_V / (12 * math.pi) * (1 + 2 * r) * math.sqrt(1 - 4 * r)


class GaugedVector:
    """Mixin: rate, on-shell rate and potential from the channel table of the module docstring.

    Subclasses are frozen dataclasses with ``m_V``, ``coupling``, ``flavor`` and ``counting`` fields
    and define ``NEUTRINOS`` (flavours V couples to), ``LEPTON_MASSES`` and ``gamma_V``.
    """

    NEUTRINOS: ClassVar[tuple[str, ...]]
    LEPTON_MASSES: ClassVar[dict[str, float]]
    m_V: float
    coupling: float
    flavor: str
    counting: str

    def _validate(self) -> None:
        m, g = validate_vector(self.m_V, self.coupling, "coupling g")
        object.__setattr__(self, "m_V", m)
        object.__setattr__(self, "coupling", g)
        flavor = check_flavor(self.flavor)
        if flavor not in self.NEUTRINOS:
            raise InputError(f"this boson couples to {', '.join('nu_' + f for f in self.NEUTRINOS)} only, not nu_{flavor}")
        object.__setattr__(self, "flavor", flavor)
        if self.counting not in ("paper", "physical"):
            raise InputError(f"counting must be 'paper' or 'physical', got {self.counting!r}")

    @property
    def gamma_V(self) -> float:  # pragma: no cover - defined by each model
        raise NotImplementedError

    @property
    def n_other(self) -> int:
        return len(self.NEUTRINOS) - 1

    def couples_to(self, flavor: str) -> bool:
        return check_flavor(flavor) in self.NEUTRINOS

    def default_t_max(self) -> float:
        return self.m_V

    def potential(self, E: ArrayLike, T: ArrayLike) -> FloatArray:
        """V_T,V: Eq. 3.3 with lambda -> g [GeV] (no asymmetries, so only the neutrino loop)."""
        return thermal_potential(E, T, self.m_V, self.coupling)

    def _open(self, T: FloatArray, factor: float) -> FloatArray:
        return np.asarray(sum((T >= factor * m_l).astype(float) for m_l in self.LEPTON_MASSES.values()), dtype=float)

    def heavy_v_count(self, T: ArrayLike) -> float:
        """N of Eq. 4.4 (Eq. 5.x for B - L) at temperature T."""
        T = np.asarray(T, dtype=float)
        anti_other = 3 if self.counting == "paper" else 1
        return float(6 + 4 + self.n_other * (1 + 3 + anti_other) + 8 * self._open(T, 1.0) + 2 * self._open(T, 2.0))

    def channel_weights(self, T: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Weights (a, b, c) of the s-only, t-channel LL and t-channel LR integrals at T, on top of
        the nu_a nu_a + elastic nu_a nubar_a integral (which has weight 1)."""
        T = np.asarray(T, dtype=float)
        paper = self.counting == "paper"
        a = self.n_other + 2 * self._open(T, 2.0)
        b = self.n_other * (2 if paper else 1) + 2 * self._open(T, 1.0)
        c = (0 if paper else self.n_other) + 2 * self._open(T, 1.0)
        return a + 0 * T, b + 0 * T, c + 0 * T

    def rate(self, E: ArrayLike, T: ArrayLike) -> FloatArray:
        """Gamma_V [GeV]: the channel sum (exact s-integrals, Breit-Wigner s channel)."""
        return channel_sum_rate(E, T, self.m_V, self.gamma_V / self.m_V, self.coupling, self.channel_weights)

    def on_shell_rate(self, E: ArrayLike, T: ArrayLike) -> FloatArray:
        """Narrow-width on-shell part of the rate (module docstring)."""
        E, T = np.broadcast_arrays(np.asarray(E, dtype=float), np.asarray(T, dtype=float))
        k = 1.0 + self.n_other + 2 * self._open(T, 2.0)
        w = self.m_V**2 / (4 * E * T)
        return (self.coupling**4 * self.m_V**3 * T * k * np.log1p(np.exp(-w))
                / (96 * math.pi**2 * self.gamma_V * E**2))


def channel_sum_rate(E: ArrayLike, T: ArrayLike, m: float, gw: float, g: float,
                     channel_weights: Callable[[FloatArray], tuple[FloatArray, FloatArray, FloatArray]]) -> FloatArray:
    """Gamma_V [GeV] of a gauged vector (section IV, Eq. 4.3): the own nu_a nu_a + nu_a nubar_a
    integral plus ``channel_weights(T)`` = (a, b, c) times the s-only, t-channel LL and LR integrals,
    for a boson of mass m, width gw m and coupling g to nu_a (shared by every charge assignment)."""
    E, T = np.broadcast_arrays(np.asarray(E, dtype=float), np.asarray(T, dtype=float))
    q = 4 * E * T / m**2
    a, b, c = channel_weights(T)
    # one set of nodes for all four: the pole panels resolve the own and s-only poles, and integrate
    # the pole-free t channels (LL, LR) as exactly as their own nodes would (to ~1e-15)
    total = s_integral_sum(q, [(1.0, _hat_smooth, _hat_ss_residue, _hat_st_pv), (a, _zero, _hat_ss_residue, None),
                               (b, hat_t_channel_LL, None, None), (c, _hat_tt, None, None)], gw=gw)
    return g**4 * T * m**2 * total / (8 * math.pi**2 * E**2)
