"""Thermal history of the Standard Model plasma: g*(T), g*s(T), H(T), s(T).

The default degrees of freedom are the closed-form fit of Saikawa & Shirai (2018),
arXiv:1803.01038, Appendix C, which is smooth through the QCD crossover (spec section 1).
A free ideal gas with a quark-hadron switch is 40% too high at 200 MeV, so none is offered.
Any object with ``g_rho(T)`` and ``g_s(T)`` methods can stand in (see :class:`TabulatedGStar`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .constants import M_E, M_MU, M_PL
from .errors import InputError

__all__ = [
    "GStarModel", "SaikawaShirai2018", "TabulatedGStar", "ConstantGStar",
    "DEFAULT_GSTAR", "hubble", "entropy_density", "heating_factor",
]

FloatArray = NDArray[np.float64]


@runtime_checkable
class GStarModel(Protocol):
    """Effective numbers of relativistic degrees of freedom for energy and entropy."""

    def g_rho(self, T: ArrayLike) -> FloatArray: ...

    def g_s(self, T: ArrayLike) -> FloatArray: ...


def _load_high_t_coefficients() -> FloatArray:
    text = resources.files("secretnu").joinpath("data/gstar_saikawa_shirai_2018.txt").read_text()
    return np.loadtxt(text.splitlines(), comments="#")[:, 1:]


# Low-temperature (T < 0.12 GeV) part of the fit, Saikawa & Shirai 2018, Eqs. (C.3)-(C.6):
# weights of e, mu, pi0, pi+-, and four effective hadron-resonance masses [GeV].
_M_PI0, _M_PIC = 0.135, 0.140
_M_RES = (0.5, 0.77, 1.2, 2.0)
_T_SWITCH = 0.12
_BLEND_WIDTH = 0.03


def _f_rho(x):
    return np.exp(-1.04855 * x) * (1 + 1.03757 * x + 0.508630 * x**2 + 0.0893988 * x**3)


def _b_rho(x):
    return np.exp(-1.03149 * x) * (1 + 1.03317 * x + 0.398264 * x**2 + 0.0648056 * x**3)


def _f_s(x):
    return np.exp(-1.04190 * x) * (1 + 1.03400 * x + 0.456426 * x**2 + 0.0595248 * x**3)


def _b_s(x):
    return np.exp(-1.03365 * x) * (1 + 1.03397 * x + 0.342548 * x**2 + 0.0506182 * x**3)


def _S(x):
    return 1 + 1.75 * np.exp(-1.0419 * x) * (1 + 1.034 * x + 0.456426 * x**2 + 0.0595249 * x**3)


_LAST_BOTH: dict[int, tuple[Any, tuple[tuple[int, ...], bytes], tuple[FloatArray, FloatArray]]] = {}


@dataclass(frozen=True)
class SaikawaShirai2018:
    """Closed-form fit of g*rho(T), g*s(T) of Saikawa & Shirai, arXiv:1803.01038, App. C.

    Valid from ~10 keV to ~1 TeV; within 0.1% of their table below 0.12 GeV and 3% above.
    Outside [1e-6, 1e3] GeV the values are held at the end points.
    """

    T_min: float = 1e-6
    T_max: float = 1e3
    _coef: FloatArray = field(default_factory=_load_high_t_coefficients, repr=False, compare=False)

    def _clip(self, T: ArrayLike) -> FloatArray:
        return np.clip(np.asarray(T, dtype=float), self.T_min, self.T_max)

    def _high(self, T: FloatArray) -> tuple[FloatArray, FloatArray]:
        t = np.log(T)
        powers = t[..., None] ** np.arange(12)
        a, b, c, d = (powers @ self._coef[:, k] for k in range(4))
        g_rho = a / b
        return g_rho, g_rho / (1 + c / d)

    @staticmethod
    def _low(T: FloatArray) -> tuple[FloatArray, FloatArray]:
        xe, xmu, xp0, xpc = M_E / T, M_MU / T, _M_PI0 / T, _M_PIC / T
        x1, x2, x3, x4 = (m / T for m in _M_RES)
        g_rho = (2.030 + 1.353 * _S(xe) ** (4 / 3) + 3.495 * _f_rho(xe) + 3.446 * _f_rho(xmu)
                 + 1.05 * _b_rho(xp0) + 2.08 * _b_rho(xpc) + 4.165 * _b_rho(x1)
                 + 30.55 * _b_rho(x2) + 89.4 * _b_rho(x3) + 8209 * _b_rho(x4))
        g_s = (2.008 + 1.923 * _S(xe) + 3.442 * _f_s(xe) + 3.468 * _f_s(xmu)
               + 1.034 * _b_s(xp0) + 2.068 * _b_s(xpc) + 4.16 * _b_s(x1)
               + 30.55 * _b_s(x2) + 90 * _b_s(x3) + 6209 * _b_s(x4))
        return g_rho, g_s

    def _both(self, T: ArrayLike) -> tuple[FloatArray, FloatArray]:
        T = self._clip(T)
        # g_rho and g_s are usually asked for on the same T in turn (the Hubble rate, then the
        # entropy): the last evaluation is kept, keyed by the values
        key = (T.shape, T.tobytes())
        last = _LAST_BOTH.get(id(self))
        if last is not None and last[0] is self and last[1] == key:  # (identity: ids are recycled)
            return last[2][0].copy(), last[2][1].copy()  # copies: a caller may change its arrays
        g_rho, g_s = self._evaluate(T)
        _LAST_BOTH.clear()
        _LAST_BOTH[id(self)] = (self, key, (g_rho.copy(), g_s.copy()))
        return g_rho, g_s

    def _evaluate(self, T: FloatArray) -> tuple[FloatArray, FloatArray]:
        with np.errstate(over="ignore"):
            lo_rho, lo_s = self._low(T)
        # The two branches differ by 0.5% at 0.12 GeV; a logistic blend 3% wide in ln T
        # keeps g* smooth (a step would show in dY/dlnz) without moving the anchors.
        hi_rho, hi_s = self._high(np.clip(T, 0.8 * _T_SWITCH, None))
        w = 0.5 * (1 + np.tanh(np.log(T / _T_SWITCH) / _BLEND_WIDTH))
        return w * hi_rho + (1 - w) * lo_rho, w * hi_s + (1 - w) * lo_s

    def g_rho(self, T: ArrayLike) -> FloatArray:
        """Energy-density degrees of freedom g*(T)."""
        return self._both(T)[0]

    def g_s(self, T: ArrayLike) -> FloatArray:
        """Entropy degrees of freedom g*s(T)."""
        return self._both(T)[1]


@dataclass(frozen=True)
class TabulatedGStar:
    """g*(T) and g*s(T) interpolated (linearly in ln T) from a user table.

    Build it from arrays or with :meth:`from_file` on a whitespace table with columns
    ``T[GeV] g_rho g_s`` and ``#`` comments. Values are held constant beyond the table.
    """

    T: tuple[float, ...]
    g_rho_values: tuple[float, ...]
    g_s_values: tuple[float, ...]

    def __post_init__(self) -> None:
        T = np.asarray(self.T, dtype=float)
        if T.ndim != 1 or T.size < 2 or len(self.g_rho_values) != T.size or len(self.g_s_values) != T.size:
            raise InputError("g* table needs at least two rows of (T, g_rho, g_s)")
        if np.any(T <= 0) or np.any(np.diff(T) <= 0):
            raise InputError("g* table temperatures must be positive and strictly increasing")
        if min(self.g_rho_values) <= 0 or min(self.g_s_values) <= 0:
            raise InputError("g* table values must be positive")

    @classmethod
    def from_file(cls, path: str | Path) -> TabulatedGStar:
        try:
            data = np.loadtxt(path, comments="#", ndmin=2)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read g* table {path}: {exc}") from None
        if data.shape[1] < 3:
            raise InputError(f"g* table {path} needs three columns: T[GeV] g_rho g_s")
        order = np.argsort(data[:, 0])
        data = data[order]
        return cls(tuple(data[:, 0]), tuple(data[:, 1]), tuple(data[:, 2]))

    def _interp(self, T: ArrayLike, values: tuple[float, ...]) -> FloatArray:
        return np.interp(np.log(np.asarray(T, dtype=float)), np.log(self.T), values)

    def g_rho(self, T: ArrayLike) -> FloatArray:
        return self._interp(T, self.g_rho_values)

    def g_s(self, T: ArrayLike) -> FloatArray:
        return self._interp(T, self.g_s_values)


@dataclass(frozen=True)
class ConstantGStar:
    """Constant g*, g*s: for closed-form checks (e.g. the case-C estimate of spec section 7)."""

    value_rho: float = 10.75
    value_s: float = 10.75

    def g_rho(self, T: ArrayLike) -> FloatArray:
        return np.full(np.shape(T), self.value_rho, dtype=float)

    def g_s(self, T: ArrayLike) -> FloatArray:
        return np.full(np.shape(T), self.value_s, dtype=float)


DEFAULT_GSTAR = SaikawaShirai2018()


def hubble(T: ArrayLike, gstar: GStarModel = DEFAULT_GSTAR) -> FloatArray:
    """Hubble rate H = sqrt(8 pi^3 g*(T) / 90) T^2 / M_Pl [GeV] in radiation domination."""
    T = np.asarray(T, dtype=float)
    return np.sqrt(8 * math.pi**3 * gstar.g_rho(T) / 90) * T**2 / M_PL


def entropy_density(T: ArrayLike, gstar: GStarModel = DEFAULT_GSTAR) -> FloatArray:
    """Entropy density s = (2 pi^2 / 45) g*s(T) T^3 [GeV^3]."""
    T = np.asarray(T, dtype=float)
    return 2 * math.pi**2 / 45 * gstar.g_s(T) * T**3


def heating_factor(T: ArrayLike, gstar: GStarModel = DEFAULT_GSTAR, step: float = 1e-3) -> FloatArray:
    """-d ln a / d ln T = 1 + (1/3) d ln g*s / d ln T, from entropy conservation g*s T^3 a^3 = const.

    The time spent per e-fold of temperature is this factor over H: 1 while g*s is constant, up to
    ~1.5 through the QCD crossover. (Central difference in ln T with the given step.)
    """
    T = np.asarray(T, dtype=float)
    up, down = np.log(gstar.g_s(T * math.exp(step))), np.log(gstar.g_s(T * math.exp(-step)))
    return 1.0 + (up - down) / (6.0 * step)
