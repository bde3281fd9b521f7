"""Lepton-number-charged scalar phi coupled to nu_alpha nu_alpha (de Gouvea, Sen, Tangarife, Zhang,
PRL 124, 081802 (2020), arXiv:1910.04901; the paper's ref. [39]). Derivation: docs/scalar.md.

Lagrangian (two-component spinors; phi complex, lepton number -2 so that L is conserved):

    L = -(lambda/2) phi nu_a nu_a + h.c.        Feynman vertex: lambda (the 1/2 is the symmetry factor)

A paper that writes ``lambda' phi nu nu`` has lambda = 2 lambda'. With y = s/m^2 and
sigma = lambda^4/m^2 sigma_hat(y):

    nu nu -> phi -> nu nu      s channel only    y/(32 pi ((y-1)^2 + gw^2))       (identical final state: 1/2)
    nu nubar -> nu nubar       one exchange      [y - 2 ln(1+y) + y/(1+y)]/(16 pi y^2)
    phi -> nu nu               width             gamma_phi = lambda^2 m/(32 pi),  gw = lambda^2/(32 pi)

(nu nu -> nu nu has no t/u channel and nu nubar no s channel: the vertex changes lepton number by 2.)
Processes with external phi (nu phi -> nu phi, nu nubar -> phi phi*) are O(lambda^4) with a massless
fermion exchanged and grow only as lambda^4 T, not lambda^4 T^3/m^2; they are left out, as the vector
paper leaves out nu V -> nu V.

Rate (Eq. 3.6, both helicities): Gamma = T/(8 pi^2 E^2) Int ds s sigma(s) ln(1 + e^{-s/(4ET)}); limits
    T << m:  7 pi lambda^4 E T^4/(864 m^4)                       (5 units of lambda^4 s/(96 pi m^4))
    on-shell: lambda^2 m^2 T/(8 pi E^2) ln(1 + e^{-m^2/(4ET)})   (nu nu -> phi, any width: ~ lambda^4/gw)
    T >> m (off-shell): lambda^4 T^2/(256 pi E)                  (sigma -> 3 lambda^4/(32 pi s))

Potential: the phi - nu loop is Eq. 3.3 with the vector vertex algebra gamma^mu P slash gamma_mu = -2 P slash
replaced by P slash, i.e. V_phi(E, T; m, lambda) = V_V(E, T; m, lambda/sqrt 2):
    T << m: -7 pi^2 lambda^2 E T^4/(90 m^4);  T >> m: +lambda^2 T^2/(16 E)  (m_inf^2 = lambda^2 T^2/8).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError
from ..sm import check_flavor
from ..units import format_energy
from .neutrinophilic import _series_y3, validate_vector
from .vector_mediator import rate_from_cross_section, s_integral, split_eval, thermal_potential

if TYPE_CHECKING:
    from scipy.interpolate import CubicSpline

__all__ = ["Scalar", "scalar_width", "sigma_nunu_scalar", "sigma_nunubar_scalar", "scalar_potential_low_T",
           "scalar_potential_high_T", "scalar_rate_low_T", "scalar_rate_high_T", "scalar_rate_on_shell",
           "scalar_rate_integral", "hat_exchange", "hat_s_residue"]

FloatArray = NDArray[np.float64]
_SERIES_Y = 0.05


def hat_s_residue(y: FloatArray) -> FloatArray:
    """Residue of the s-channel nu nu -> phi -> nu nu: sigma_hat = y/(32 pi ((y-1)^2 + gw^2))."""
    return np.asarray(y, dtype=float) / (32 * math.pi)


#: (-1)^(k+1) (1 - 2/k), k = 3..17: the Taylor coefficients of the exchange bracket
_EXCHANGE_SERIES = tuple((-1) ** (k + 1) * (1 - 2 / k) for k in range(3, 18))


def _exchange_bracket(y: FloatArray) -> FloatArray:
    """y - 2 ln(1+y) + y/(1+y) = sum_{k>=3} (-1)^(k+1) (1 - 2/k) y^k (series below y = 0.05)."""
    y = np.asarray(y, dtype=float)
    # y/(1+y) = sum_{k>=1} (-1)^(k+1) y^k; 2 ln(1+y) = sum 2(-1)^(k+1) y^k/k: coefficient (-1)^(k+1)(1 - 2/k)
    # for k >= 2, and y - 2y + y = 0 at k = 1; k = 2: -(1 - 1) = 0, so the series starts at y^3
    return split_eval(y, y < _SERIES_Y, lambda s: _series_y3(s, _EXCHANGE_SERIES),
                      lambda v: v - 2 * np.log1p(v) + v / (1 + v))


def hat_exchange(y: FloatArray) -> FloatArray:
    """nu nubar -> nu nubar by phi exchange: [y - 2 ln(1+y) + y/(1+y)]/(16 pi y^2) (-> y/(48 pi) at y << 1)."""
    y = np.asarray(y, dtype=float)
    return _exchange_bracket(y) / (16 * math.pi * y**2)


def scalar_width(m_phi: float, coupling: float) -> float:
    """gamma(phi -> nu_a nu_a) = lambda^2 m/(32 pi) [GeV]: |M|^2 = lambda^2 m^2, 1/2 for identical neutrinos."""
    return coupling**2 * m_phi / (32 * math.pi)


def sigma_nunu_scalar(s: ArrayLike, m: float, coupling: float, width: float | None = None) -> FloatArray:
    """sigma(nu nu -> nu nu) [GeV^-2], Breit-Wigner s channel (``None``: the scalar's own width)."""
    y = np.asarray(s, dtype=float) / m**2
    gw = (scalar_width(m, coupling) if width is None else width) / m
    return coupling**4 / m**2 * hat_s_residue(y) / ((y - 1) ** 2 + gw**2)


def sigma_nunubar_scalar(s: ArrayLike, m: float, coupling: float) -> FloatArray:
    """sigma(nu nubar -> nu nubar) [GeV^-2] by phi exchange."""
    return coupling**4 / m**2 * hat_exchange(np.asarray(s, dtype=float) / m**2)


def scalar_rate_integral(q: ArrayLike, gw: float) -> FloatArray:
    """J(q; gw) with Gamma = lambda^4 T m^2 J/(8 pi^2 E^2)."""
    return s_integral(q, smooth=hat_exchange, pole_residue=hat_s_residue, gw=gw)


def scalar_potential_low_T(E: ArrayLike, T: ArrayLike, m: float, coupling: float) -> FloatArray:
    """T << m: -7 pi^2 lambda^2 E T^4/(90 m^4)."""
    return -7 * math.pi**2 * coupling**2 * np.asarray(E) * np.asarray(T) ** 4 / (90 * m**4)


def scalar_potential_high_T(E: ArrayLike, T: ArrayLike, m: float, coupling: float) -> FloatArray:
    """T >> m: +lambda^2 T^2/(16 E)."""
    return coupling**2 * np.asarray(T) ** 2 / (16 * np.asarray(E))


def scalar_rate_low_T(E: ArrayLike, T: ArrayLike, m: float, coupling: float) -> FloatArray:
    """T << m: 7 pi lambda^4 E T^4/(864 m^4)."""
    return 7 * math.pi * coupling**4 * np.asarray(E) * np.asarray(T) ** 4 / (864 * m**4)


def scalar_rate_high_T(E: ArrayLike, T: ArrayLike, m: float, coupling: float) -> FloatArray:
    """Off-shell rate for T >> m: lambda^4 T^2/(256 pi E)."""
    return coupling**4 * np.asarray(T) ** 2 / (256 * math.pi * np.asarray(E))


def scalar_rate_on_shell(E: ArrayLike, T: ArrayLike, m: float, coupling: float,
                         width: float | None = None) -> FloatArray:
    """On-shell nu nu -> phi: lambda^4 m/(32 gamma) m^2 T/(8 pi^2 E^2) ln(1 + e^{-w}), w = m^2/(4ET);
    = lambda^2 m^2 T/(8 pi E^2) ln(1 + e^{-w}) for the scalar's own width."""
    E, T = np.asarray(E, dtype=float), np.asarray(T, dtype=float)
    gamma = scalar_width(m, coupling) if width is None else width
    w = m**2 / (4 * E * T)
    return coupling**4 * m / (32 * gamma) * m**2 * T / (8 * math.pi**2 * E**2) * np.log1p(np.exp(-w))


@dataclass(frozen=True)
class Scalar:
    """Lepton-number-charged scalar phi with L = -(lambda/2) phi nu_a nu_a + h.c. (arXiv:1910.04901).

    Parameters
    ----------
    m_phi: scalar mass [GeV].
    coupling: lambda (Feynman vertex), in (0, sqrt(4 pi)). A Lagrangian written lambda' phi nu nu has
        lambda = 2 lambda'.
    flavor: the neutrino flavour phi couples to (default ``"tau"``, the flavour of 1910.04901).
    width: total width [GeV]; ``None``: lambda^2 m_phi/(32 pi) (phi -> nu_a nu_a only).
    """

    m_phi: float
    coupling: float
    flavor: str = "tau"
    width: float | None = None
    name: str = "scalar"

    def __post_init__(self) -> None:
        m, g = validate_vector(self.m_phi, self.coupling, "coupling lambda")
        object.__setattr__(self, "m_phi", m)
        object.__setattr__(self, "coupling", g)
        object.__setattr__(self, "flavor", check_flavor(self.flavor))
        if self.width is not None:
            try:
                width = float(self.width)
            except (TypeError, ValueError):
                raise InputError(f"width must be a number or None, got {self.width!r}") from None
            if not math.isfinite(width) or width <= 0:
                raise InputError(f"width must be positive, got {self.width!r}")
            object.__setattr__(self, "width", width)

    @property
    def m_V(self) -> float:
        """The mediator mass under the name the vector-model machinery uses (z2 = 1 MeV/m, scans)."""
        return self.m_phi

    @property
    def gamma_V(self) -> float:
        """Total width of phi [GeV]."""
        return scalar_width(self.m_phi, self.coupling) if self.width is None else float(self.width)

    def couples_to(self, flavor: str) -> bool:
        return check_flavor(flavor) == self.flavor

    def default_t_max(self) -> float:
        return self.m_phi

    def potential(self, E: ArrayLike, T: ArrayLike) -> FloatArray:
        """V_phi [GeV]: Eq. 3.3 with lambda^2 -> lambda^2/2 (module docstring)."""
        return thermal_potential(E, T, self.m_phi, self.coupling / math.sqrt(2))

    def rate(self, E: ArrayLike, T: ArrayLike) -> FloatArray:
        """Gamma_phi [GeV] (Eq. 3.6 form, both helicities): exact s-integral, Breit-Wigner s channel."""
        return rate_from_cross_section(E, T, self.m_phi, self.coupling, smooth=hat_exchange,
                                       pole_residue=hat_s_residue, gw=self.gamma_V / self.m_phi)

    def on_shell_rate(self, E: ArrayLike, T: ArrayLike) -> FloatArray:
        """Narrow-width on-shell part (nu nu -> phi), for diagnostics."""
        return scalar_rate_on_shell(E, T, self.m_phi, self.coupling, self.gamma_V)

    @property
    def coupling_scale(self) -> float:
        """The fast engine works with c = lambda/sqrt 2, for which V_phi = c^2 T G (module docstring)."""
        return 1 / math.sqrt(2)

    def fast_rate_integrals(self, q: ArrayLike, tables: Any, width_terms: bool = True) -> tuple[FloatArray, ...]:
        """Rate integrals for the fast engine (:func:`fast_rate_integrals`)."""
        return fast_rate_integrals(q, tables, width_terms)

    def channel_weights(self, T: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """No gauged-vector channels (the fast engine treats the scalar through its own tables)."""
        zero = np.zeros(np.shape(T))
        return zero, zero, zero

    def __str__(self) -> str:
        return f"scalar phi(m_phi = {format_energy(self.m_phi)}, lambda = {self.coupling:.3g}, nu_{self.flavor})"


# --- fast engine (secretnu.engine): the scalar's rate integrals from the vector's tables plus one more
_Q_GRID = (1e-5, 1e12, 341)  # as secretnu.tables.GRID["q"]


def _exchange_norm(q: FloatArray) -> FloatArray:
    return q**3 / (1 + q * q)  # ~ q^3 (y/(48 pi) at y << 1) and ~ q (1/(16 pi y)) at q >> 1


@lru_cache(maxsize=1)
def _exchange_spline() -> CubicSpline:
    """J_x(q) = Int dy y hat_exchange(y) ln(1 + e^{-y/q}) / norm on the log-q grid (built in ~0.1 s)."""
    from scipy.interpolate import CubicSpline  # here: scipy.interpolate costs ~0.3 s to import

    q = np.geomspace(*_Q_GRID)
    return CubicSpline(np.log(q), s_integral(q, smooth=hat_exchange) / _exchange_norm(q))


def exchange_J(q: ArrayLike) -> FloatArray:
    """Int dy y hat_exchange(y) ln(1 + e^{-y/q}) by spline (the nu nubar exchange integral)."""
    q = np.asarray(q, dtype=float)
    lq = np.clip(np.log(q), math.log(_Q_GRID[0]), math.log(_Q_GRID[1]))
    return _exchange_spline()(lq) * _exchange_norm(q)


def fast_rate_integrals(q: ArrayLike, tables: Any, width_terms: bool = True) -> tuple[FloatArray, ...]:
    """(J_on, J_off, C1) with Gamma = c^4 T m^2/(8 pi^2 E^2) (J_on/gw + J_off - pi gw C1) for the
    engine's coupling c = lambda/sqrt 2 (:attr:`Scalar.coupling_scale`, so that V = c^2 T G): the
    lambda^4-normalised integrals times 4. The s channel is the vector table's pure s-channel integral
    (residue y/(12 pi)) scaled by 12/32; the exchange integral is :func:`exchange_J`."""
    from .neutrinophilic import on_shell_J, width_correction_residue

    q = np.asarray(q, dtype=float)
    s_off, _, _ = tables.channel_J(q)
    ratio = 12.0 / 32.0
    j_on = 4 * ratio * on_shell_J(q)
    j_off = 4 * (ratio * s_off + exchange_J(q))
    c1 = 4 * ratio * width_correction_residue(q) if width_terms else 0.0 * q
    return j_on, j_off, c1
