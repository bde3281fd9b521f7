"""Neutrinophilic vector boson V coupled to one active flavour (paper section III).

L = lambda nubar_alpha gamma^mu P_L nu_alpha V_mu (Eq. 3.2). Cross sections from the matrix
elements (spec section 3.2), with chiral neutrinos and a Breit-Wigner s-channel:

    |M|^2(nu nubar -> nu nubar) = 4 lambda^4 u^2 |P_s + P_t|^2
    |M|^2(nu nu -> nu nu)       = 4 lambda^4 s^2 (P_t + P_u)^2    (identical final state: x 1/2)

With y = s/m^2 the t-integrals give sigma = lambda^4/m^2 * sigma_hat(y), where the nu nubar
part splits into s-channel (ss), t-channel (tt) and interference (st) pieces:

    ss: y / (12 pi ((y-1)^2 + gw^2))                         (-> Eq. 3.11 as gw -> 0)
    tt: [y^2 + 2y - 2(1+y) ln(1+y)] / (4 pi y^2)
    st: -(y-1)/((y-1)^2 + gw^2) * [(1+y)^2 ln(1+y) - 3y^2/2 - y] / (2 pi y^2)
    nu nu: [y/(1+y) + 2/(y+2) ln(1+y)] / (4 pi)

Without width ss + tt + st is the printed Eq. 3.5, whose closed form cancels catastrophically
for s << m^2; the tt and st brackets use their exact power series there (both start at y^3).
gw = gamma_V/m_V with the paper's width gamma_V = lambda^2 m_V/(12 pi) by default.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..constants import ZETA3
from ..errors import InputError
from ..quadrature import expit
from ..sm import check_flavor
from ..units import format_energy
from ..validate import in_domain, real
from .vector_mediator import (
    potential_high_T,
    potential_low_T,
    rate_from_cross_section,
    register_fused,
    s_integral,
    split_eval,
    thermal_potential,
)

__all__ = [
    "Neutrinophilic", "PERTURBATIVE_LIMIT",
    "sigma_nunu", "sigma_nunubar", "sigma_nunu_low_s", "sigma_nunubar_low_s", "sigma_high_s",
    "potential_low_T", "potential_high_T", "rate_low_T", "rate_high_T", "rate_on_shell",
    "paper_width", "chiral_width",
]

FloatArray = NDArray[np.float64]
#: Couplings above sqrt(4 pi) are not perturbative; models refuse them.
PERTURBATIVE_LIMIT: float = math.sqrt(4 * math.pi)
_SERIES_Y = 0.05


def _series_y3(y: FloatArray, coefficients: tuple[float, ...]) -> FloatArray:
    """sum_{k>=3} c_k y^k with coefficients (c_3, c_4, ...), by Horner."""
    acc = np.full_like(y, coefficients[-1])
    for c in coefficients[-2::-1]:
        acc = acc * y + c
    return acc * (y * y * y)


#: Taylor coefficients c_3 .. c_15 of the tt and st brackets (docstrings below)
_TT_SERIES = tuple(2 * (-1) ** (k + 1) / (k * (k - 1)) for k in range(3, 16))
_ST_SERIES = tuple(2 * (-1) ** (k + 1) / (k * (k - 1) * (k - 2)) for k in range(3, 16))


def _tt_bracket(y: FloatArray) -> FloatArray:
    """y^2 + 2y - 2(1+y) ln(1+y) = sum_{k>=3} 2(-1)^(k+1) y^k/(k(k-1))."""
    y = np.asarray(y, dtype=float)
    return split_eval(y, y < _SERIES_Y, lambda s: _series_y3(s, _TT_SERIES),
                      lambda v: v**2 + 2 * v - 2 * (1 + v) * np.log1p(v))


def _st_bracket(y: FloatArray) -> FloatArray:
    """(1+y)^2 ln(1+y) - 3y^2/2 - y = sum_{k>=3} 2(-1)^(k+1) y^k/(k(k-1)(k-2))."""
    y = np.asarray(y, dtype=float)
    return split_eval(y, y < _SERIES_Y, lambda s: _series_y3(s, _ST_SERIES),
                      lambda v: (1 + v) ** 2 * np.log1p(v) - 1.5 * v**2 - v)


def _hat_nunu(y: FloatArray) -> FloatArray:
    return (y / (1 + y) + 2 / (y + 2) * np.log1p(y)) / (4 * math.pi)


def _hat_tt(y: FloatArray) -> FloatArray:
    return _tt_bracket(y) / (4 * math.pi * y**2)


def _hat_ss_residue(y: FloatArray) -> FloatArray:
    return y / (12 * math.pi)


def _hat_st_pv(y: FloatArray) -> FloatArray:
    return -_st_bracket(y) / (2 * math.pi * y**2)


def _hat_smooth(y: FloatArray) -> FloatArray:
    return _hat_nunu(y) + _hat_tt(y)


def _hat_parts(y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(_hat_smooth, _hat_ss_residue, _hat_st_pv) at once, sharing ln(1+y) (the same operations in
    the same order as the three functions, so the same numbers)."""
    y = np.asarray(y, dtype=float)
    if np.any(y < _SERIES_Y):
        return _hat_smooth(y), _hat_ss_residue(y), _hat_st_pv(y)
    log1p = np.log1p(y)
    y2 = y**2
    nunu = (y / (1 + y) + 2 / (y + 2) * log1p) / (4 * math.pi)
    tt = (y2 + 2 * y - 2 * (1 + y) * log1p) / (4 * math.pi * y2)
    st = -((1 + y) ** 2 * log1p - 1.5 * y2 - y) / (2 * math.pi * y2)
    return nunu + tt, _hat_ss_residue(y), st


register_fused((_hat_smooth, _hat_ss_residue, _hat_st_pv), _hat_parts)


def _thermal_log(y: FloatArray, q: FloatArray) -> FloatArray:
    return np.log1p(np.exp(-y / q))


def on_shell_J(q: ArrayLike) -> FloatArray:
    """Narrow-width pole term of the rate integral J(q): J = on_shell_J(q)/gw + J_off(q) - pi gw C1(q)."""
    return _thermal_log(1.0, np.asarray(q, dtype=float)) / 12.0  # type: ignore[arg-type]


def _thermal_log_terms(q: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """L(1) = ln(1 + e^{-1/q}) and its first two y-derivatives at y = 1 (L(y) = ln(1 + e^{-y/q}))."""
    q = np.asarray(q, dtype=float)
    occupation = expit(-1.0 / q)  # 1/(e^{1/q} + 1)
    return _thermal_log(1.0, q), -occupation / q, occupation * (1 - occupation) / q**2  # type: ignore[arg-type]


def width_correction_residue(q: ArrayLike) -> FloatArray:
    """O(gw) term of a pure s-channel (residue only) rate integral: R''(1)/2 for the pole residue
    R(y) = y^2 L(y)/(12 pi), L = ln(1 + e^{-y/q}); R'' = (2L + 4y L' + y^2 L'')/(12 pi)."""
    L, dL, d2L = _thermal_log_terms(q)
    return (2 * L + 4 * dL + d2L) / (24 * math.pi)


#: B_st(1) and B_st'(1) of the s-t interference bracket (1+y)^2 ln(1+y) - 3y^2/2 - y.
_B_ST_1 = 4 * math.log(2) - 2.5
_DB_ST_1 = 4 * math.log(2) - 2.0


def width_correction_C1(q: ArrayLike) -> FloatArray:
    """O(gw) term of J for nu nubar -> nu nubar: C1 = R''(1)/2 + P'(1), with the interference
    P(y) = -L B_st(y)/(2 pi y) added to the residue term (closed-form derivatives at y = 1)."""
    L, dL, _ = _thermal_log_terms(q)
    dP = -(dL * _B_ST_1 + L * (_DB_ST_1 - _B_ST_1)) / (2 * math.pi)
    return width_correction_residue(q) + dP


def rate_integral(q: ArrayLike, gw: float) -> FloatArray:
    """Exact J(q; gw) of the neutrinophilic rate: Gamma_V = lambda^4 T m^2 J/(8 pi^2 E^2)."""
    return s_integral(q, smooth=_hat_smooth, pole_residue=_hat_ss_residue, pole_pv=_hat_st_pv, gw=gw)


def sigma_nunu(s: ArrayLike, m: float, coupling: float) -> FloatArray:
    """sigma(nu nu -> nu nu) of Eq. 3.5 [GeV^-2]; stable for s/m^2 from 1e-12 to 1e12."""
    y = np.asarray(s, dtype=float) / m**2
    return coupling**4 / m**2 * _hat_nunu(y)


def sigma_nunubar(s: ArrayLike, m: float, coupling: float, width: float | None = None) -> FloatArray:
    """sigma(nu nubar -> nu nubar) of Eq. 3.5 [GeV^-2], with a Breit-Wigner s-channel of total
    width ``width`` [GeV] (``None``: the zero-width printed formula, in a stable form)."""
    y = np.asarray(s, dtype=float) / m**2
    gw = 0.0 if width is None else width / m
    d = y - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        pole = (_hat_ss_residue(y) + d * _hat_st_pv(y)) / (d**2 + gw**2)
    return coupling**4 / m**2 * (_hat_tt(y) + pole)


def sigma_nunu_low_s(s: ArrayLike, m: float, coupling: float) -> FloatArray:
    """Eq. 3.7: lambda^4 s/(2 pi m^4)."""
    return coupling**4 * np.asarray(s) / (2 * math.pi * m**4)


def sigma_nunubar_low_s(s: ArrayLike, m: float, coupling: float) -> FloatArray:
    """Eq. 3.7: lambda^4 s/(3 pi m^4)."""
    return coupling**4 * np.asarray(s) / (3 * math.pi * m**4)


def sigma_high_s(m: float, coupling: float) -> float:
    """Eq. 3.9: both cross sections tend to lambda^4/(4 pi m^2)."""
    return coupling**4 / (4 * math.pi * m**2)


def rate_low_T(E: ArrayLike, T: ArrayLike, m: float, coupling: float) -> FloatArray:
    """Eq. 3.8, off-shell rate for T << m: 7 pi lambda^4 E T^4/(54 m^4)."""
    return 7 * math.pi * coupling**4 * np.asarray(E) * np.asarray(T) ** 4 / (54 * m**4)


def rate_high_T(E: ArrayLike, T: ArrayLike, m: float, coupling: float) -> FloatArray:
    """Eq. 3.10, off-shell rate for T >> m: 3 zeta(3) lambda^4 T^3/(4 pi^3 m^2).

    The text prints m^4, which is dimensionally wrong; m^2 follows from Eq. 3.9.
    """
    return 3 * ZETA3 * coupling**4 * np.asarray(T) ** 3 / (4 * math.pi**3 * m**2) + 0 * np.asarray(E)


def rate_on_shell(E: ArrayLike, T: ArrayLike, m: float, coupling: float, width: float | None = None) -> FloatArray:
    """Narrow-width on-shell rate (Eqs. 3.11, 3.12):
    lambda^4 m/(12 gamma_V) * m^2 T/(8 pi^2 E^2) ln(1 + e^{-w}), w = m^2/(4ET);
    = lambda^2 m^2 T/(8 pi E^2) ln(1 + e^{-w}) for the paper's width. The printed
    "ln(1+e^w) - w" is the same function."""
    E, T = np.asarray(E, dtype=float), np.asarray(T, dtype=float)
    gamma = paper_width(m, coupling) if width is None else width
    w = m**2 / (4 * E * T)
    return coupling**4 * m / (12 * gamma) * m**2 * T / (8 * math.pi**2 * E**2) * np.log1p(np.exp(-w))


def paper_width(m: float, coupling: float) -> float:
    """gamma_V = lambda^2 m_V/(12 pi), the paper's width (below Eq. 3.11)."""
    return coupling**2 * m / (12 * math.pi)


def chiral_width(m: float, coupling: float) -> float:
    """gamma_V = lambda^2 m_V/(24 pi): V -> nu nubar for a chiral coupling to one Weyl neutrino."""
    return coupling**2 * m / (24 * math.pi)


def validate_vector(m_V: Any, coupling: Any, what: str = "coupling") -> tuple[float, float]:
    m = real(m_V, "vector mass m_V", lo=0.0, lo_open=True)
    g = real(coupling, what, lo=0.0, lo_open=True)
    if g >= PERTURBATIVE_LIMIT:
        raise InputError(f"{what} {g:g} is not perturbative: it must be below sqrt(4 pi) = {PERTURBATIVE_LIMIT:.3f}")
    in_domain(m, "m_V", "vector mass m_V", " GeV")
    in_domain(g, "coupling", what)
    return m, g


@dataclass(frozen=True)
class Neutrinophilic:
    """Neutrinophilic vector boson V (paper section III).

    Parameters
    ----------
    m_V: vector mass [GeV].
    coupling: lambda of Eq. 3.2, in (0, sqrt(4 pi)).
    flavor: the neutrino flavour V couples to (default ``"mu"``, as in the paper).
    width: total width gamma_V [GeV]; ``None`` (default) is the paper's lambda^2 m_V/(12 pi).
        ``"chiral"`` gives lambda^2 m_V/(24 pi), the width for a chiral coupling to one Weyl
        neutrino, which doubles the on-shell rate and moves relic results by up to 2x.
    """

    m_V: float
    coupling: float
    flavor: str = "mu"
    width: float | str | None = None
    name: str = "neutrinophilic"

    def __post_init__(self) -> None:
        m, g = validate_vector(self.m_V, self.coupling, "coupling lambda")
        object.__setattr__(self, "m_V", m)
        object.__setattr__(self, "coupling", g)
        object.__setattr__(self, "flavor", check_flavor(self.flavor))
        if isinstance(self.width, str):
            if self.width not in ("paper", "chiral"):
                raise InputError(f"width must be a number, None, 'paper' or 'chiral', got {self.width!r}")
        elif self.width is not None:
            if isinstance(self.width, bool) or not isinstance(self.width, numbers.Real):
                raise InputError(f"width must be a number, None, 'paper' or 'chiral', got {self.width!r}")
            width = real(self.width, "width", lo=0.0, lo_open=True)
            if not 1e-30 <= width / m <= 1e3:  # a narrower pole underflows; a wider one is no particle
                raise InputError(f"width {width:g} GeV is outside 1e-30 .. 1e3 times m_V = {m:g} GeV")
            object.__setattr__(self, "width", width)

    @property
    def gamma_V(self) -> float:
        """Total width of V [GeV]."""
        if self.width is None or self.width == "paper":
            return paper_width(self.m_V, self.coupling)
        if self.width == "chiral":
            return chiral_width(self.m_V, self.coupling)
        return float(self.width)

    def couples_to(self, flavor: str) -> bool:
        return check_flavor(flavor) == self.flavor

    def default_t_max(self) -> float:
        return self.m_V

    def potential(self, E: ArrayLike, T: ArrayLike) -> FloatArray:
        """V_T,V of Eq. 3.3 [GeV] (exact integral)."""
        return thermal_potential(E, T, self.m_V, self.coupling)

    def rate(self, E: ArrayLike, T: ArrayLike) -> FloatArray:
        """Gamma_V of Eq. 3.6 [GeV]: exact s-integral with a Breit-Wigner s-channel."""
        return rate_from_cross_section(E, T, self.m_V, self.coupling, smooth=_hat_smooth,
                                       pole_residue=_hat_ss_residue, pole_pv=_hat_st_pv,
                                       gw=self.gamma_V / self.m_V)

    def channel_weights(self, T: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Weights of the extra channel integrals (s-only, t-channel LL, LR) used by the fast
        engine: none for the neutrinophilic V (see :meth:`secretnu.models.gauged.GaugedVector.channel_weights`)."""
        zero = np.zeros(np.shape(T))
        return zero, zero, zero

    def on_shell_rate(self, E: ArrayLike, T: ArrayLike) -> FloatArray:
        """Narrow-width on-shell part of Gamma_V (Eq. 3.12), for diagnostics."""
        return rate_on_shell(E, T, self.m_V, self.coupling, self.gamma_V)

    def __str__(self) -> str:
        return f"neutrinophilic V(m_V = {format_energy(self.m_V)}, lambda = {self.coupling:.3g}, nu_{self.flavor})"
