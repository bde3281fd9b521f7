"""Rate integrals at finite width for the fast engine, tabulated once and cached on disk.

The engine writes the s-channel rate integrals as the narrow-width expansion (:mod:`secretnu.tables`)

    J(q; gw) = J_on(q)/gw + J_off(q) - pi gw C1(q) + O(gw^2),     gw = gamma_V/m_V,

which is what a coupling costs nothing for. The O(gw^2) remainder is below 1e-4 of J for
gw < :data:`GW_EXPANSION`; beyond it (couplings above ~0.6 with the paper's width, any fixed width
comparable to m_V) the expansion is wrong, and at gw ~ 1 or more it even turns Gamma_V negative. There
the engine uses the exact integrals of this table instead, for the two integrals that carry the pole:

    own: nu_a nu_a + elastic nu_a nubar_a (s + t channels, Eq. 3.5, :func:`secretnu.models.neutrinophilic.rate_integral`)
    s:   s-channel only (nu_a nubar_a -> nu_b nubar_b, l l; :mod:`secretnu.models.gauged`)

stored as ratios J_own/(J_on(q)/gw + J_off(q)) and (J_s - J_on/gw)/|s_off|, with the off-shell
scale N(q) of :mod:`secretnu.tables` taking over at gw > 1 (:func:`_norms`), which are O(1) and smooth
in (ln q, ln gw). The gw axis runs to 1e12: a fixed width far above m_V still matters
where s >> gamma_V m_V, i.e. at q > gw.

The file sits next to the kernel tables (:func:`secretnu.tables.cache_dir`); a file that does not
load or fails its checks is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._atomic import arrays_hash, load_hashed_arrays, load_or_build, save_hashed_arrays
from .models.neutrinophilic import _hat_ss_residue, on_shell_J, rate_integral, width_correction_C1, width_correction_residue
from .models.vector_mediator import s_integral
from .tables import GRID, _cache_dir_name, _j_norm, _s_norm

__all__ = ["WidthTables", "width_tables", "GW_EXPANSION", "WIDTH_GRID"]

FloatArray = NDArray[np.float64]
WIDTH_TABLE_VERSION = 4  # 4: packed cache file (_atomic._write_packed)
#: Below this gw = gamma_V/m_V the narrow-width expansion is used (its remainder is < 1e-4 of J).
GW_EXPANSION = 0.01
#: Grids: q = 4ET/m^2 and gw, both log-spaced.
WIDTH_GRID = {"q": (1e-5, 1e12, 205), "gw": (GW_EXPANSION / 2, 1e12, 161)}


_ARRAYS = ("ln_q", "ln_gw", "own_ratio", "s_ratio")
#: the bicubic splines' knots and coefficients (scipy's, computed when the tables are built), so that
#: loading the tables needs no scipy.interpolate (~0.5 s to import)
_SPLINE_ARRAYS = ("knots_q", "knots_gw", "own_coef", "s_coef")


def _zero(y: FloatArray) -> FloatArray:
    return np.zeros_like(y)


def _key() -> str:
    spec = json.dumps({"version": WIDTH_TABLE_VERSION, "grid": WIDTH_GRID}, sort_keys=True)
    return f"widths-v{WIDTH_TABLE_VERSION}-{hashlib.sha256(spec.encode()).hexdigest()[:12]}.npz"


def _exact_off(q: FloatArray) -> tuple[FloatArray, FloatArray]:
    """J_off and s_off as :meth:`secretnu.tables.KernelTables.build` computes them."""
    gw = cast(float, GRID["gw_ref"])
    j_off = rate_integral(q, gw) - on_shell_J(q) / gw + math.pi * gw * width_correction_C1(q)
    s_off = exact_s_only(q, gw) - on_shell_J(q) / gw + math.pi * gw * width_correction_residue(q)
    return j_off, s_off


def _norms(q: FloatArray, gw: float, j_off: FloatArray, s_off: FloatArray,
           j_on: FloatArray | None = None) -> tuple[FloatArray, FloatArray]:
    """Positive scales of J_own and of J_s - J_on/gw: the narrow-width pole (own only) and off-shell
    parts at gw << 1, the off-shell scale N(q) at gw >> 1, blended smoothly. J_s keeps its pole out of
    the ratio: s_off changes sign, and a ratio to pole + |s_off| would jump where the pole switches on."""
    parts = _norm_parts(q, j_off, s_off, j_on)
    return _blend_own(parts, gw), _blend_s(parts, gw)


def _norm_parts(q: FloatArray, j_off: FloatArray, s_off: FloatArray | None,
                j_on: FloatArray | None = None) -> tuple[Any, ...]:
    """The gw-independent pieces of :func:`_norms` (s-only pieces None when s_off is)."""
    j_on = on_shell_J(q) if j_on is None else j_on
    if s_off is None:
        return j_on, j_off, _j_norm(q), None, None
    s_norm = _s_norm(q)
    return j_on, j_off, _j_norm(q), np.hypot(s_off, 0.2 * s_norm), s_norm


def _blend_own(parts: tuple[Any, ...], gw: float | FloatArray) -> FloatArray:
    j_on, j_off, j_norm = parts[:3]
    return j_on / gw + (1 / (1 + gw)) * j_off + (gw / (1 + gw)) * j_norm


def _blend_s(parts: tuple[Any, ...], gw: float | FloatArray) -> FloatArray:
    return (1 / (1 + gw)) * parts[3] + (gw / (1 + gw)) * parts[4]


def exact_own(q: ArrayLike, gw: float) -> FloatArray:
    """J of nu_a nu_a + elastic nu_a nubar_a at width gw (exact)."""
    return rate_integral(q, gw)


def exact_s_only(q: ArrayLike, gw: float) -> FloatArray:
    """J of a pure s-channel (Breit-Wigner) process at width gw (exact)."""
    return s_integral(np.asarray(q, dtype=float), smooth=_zero, pole_residue=_hat_ss_residue, gw=gw)


@dataclass(frozen=True)
class WidthTables:
    """Exact J(q; gw) of the pole-carrying integrals as ratios on a (ln q, ln gw) grid."""

    ln_q: FloatArray
    ln_gw: FloatArray
    own_ratio: FloatArray  # (q, gw)
    s_ratio: FloatArray
    knots_q: FloatArray | None = None  # the splines' (both ratios') knots and coefficients: computed if left out
    knots_gw: FloatArray | None = None
    own_coef: FloatArray | None = None
    s_coef: FloatArray | None = None

    def __post_init__(self) -> None:
        if any(getattr(self, name) is None for name in _SPLINE_ARRAYS):
            from scipy.interpolate import RectBivariateSpline

            own, s_only = (RectBivariateSpline(self.ln_q, self.ln_gw, r, kx=3, ky=3).tck
                           for r in (self.own_ratio, self.s_ratio))
            for name, value in zip(_SPLINE_ARRAYS, (own[0], own[1], own[2], s_only[2]), strict=True):
                object.__setattr__(self, name, np.ascontiguousarray(value, dtype=float))

    def spline_tck(self, which: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(knots in ln q, knots in ln gw, coefficients) of the own (0) or s-only (1) ratio's spline."""
        coef = self.own_coef if which == 0 else self.s_coef
        assert self.knots_q is not None and self.knots_gw is not None and coef is not None
        return self.knots_q, self.knots_gw, coef

    @classmethod
    def build(cls) -> WidthTables:
        """Compute the tables from the exact s-integrals (about ten seconds)."""
        q = np.geomspace(*WIDTH_GRID["q"])
        gws = np.geomspace(*WIDTH_GRID["gw"])
        j_off, s_off = _exact_off(q)
        own = np.empty((q.size, gws.size))
        s_only = np.empty_like(own)
        for k, gw in enumerate(gws):
            norm_own, norm_s = _norms(q, gw, j_off, s_off)
            own[:, k] = exact_own(q, gw) / norm_own
            s_only[:, k] = (exact_s_only(q, gw) - on_shell_J(q) / gw) / norm_s
        return cls(np.log(q), np.log(gws), own, s_only)

    def _valid(self) -> bool:
        shape = (WIDTH_GRID["q"][2], WIDTH_GRID["gw"][2])
        spline_shapes = ((shape[0] + 4,), (shape[1] + 4,), (shape[0] * shape[1],), (shape[0] * shape[1],))
        if any(getattr(self, name).shape != want for name, want in zip(_SPLINE_ARRAYS, spline_shapes, strict=True)):
            return False
        return bool(self.own_ratio.shape == shape == self.s_ratio.shape and np.all(np.isfinite(self.own_ratio))
                    and np.all(np.isfinite(self.s_ratio)) and bool(np.all(self.own_ratio > 0)))

    def log_gw(self, gws: FloatArray) -> FloatArray:
        """ln gw as the splines take it (clipped at the table's top); ValueError below the table."""
        gws = np.asarray(gws, dtype=float)
        if not np.all(gws >= math.exp(self.ln_gw[0])):
            raise ValueError(f"gw = {gws.min()} is below the width table; use the narrow-width expansion")
        return np.minimum(np.log(gws), float(self.ln_gw[-1]))

    @cached_property
    def _gw_first(self) -> tuple[FloatArray, FloatArray]:
        """Both ratio splines' coefficients as (gw, q), C-contiguous: what :meth:`along_q` contracts."""
        def transposed(which: int) -> FloatArray:
            tq, tgw, coef = self.spline_tck(which)
            return np.ascontiguousarray(coef.reshape(len(tq) - 4, len(tgw) - 4).T)

        return transposed(0), transposed(1)

    def along_q(self, which: int, lgw: FloatArray) -> FloatArray:
        """The ratio spline ``which`` (0 own, 1 s-only) with its gw axis evaluated at each ln gw of
        ``lgw``: B-spline coefficients in ln q, (q coefficients, lgw.size), C-contiguous."""
        from ._engine_numpy import primitives

        k = primitives()
        tgw = self.spline_tck(which)[1]
        coef_t = self._gw_first[which]
        spans, values = np.empty(lgw.size, dtype=np.int64), np.empty((lgw.size, 4))
        k.cubic_basis(tgw, lgw, spans, values)
        return np.ascontiguousarray(k.contract_rows(coef_t, spans, values).T)

    def J(self, q: ArrayLike, gw: float, j_off: ArrayLike, s_off: ArrayLike | None = None) -> tuple[FloatArray, FloatArray | None]:
        """(J_own, J_s) at the momenta q and one width gw >= GW_EXPANSION/2, given the off-shell
        parts J_off(q) and (for J_s, else None) s_off(q) of the kernel tables
        (:meth:`secretnu.tables.KernelTables.J_off`, :meth:`~secretnu.tables.KernelTables.channel_J`)."""
        return self.prepare(q, j_off, s_off).at(gw)

    def prepare(self, q: ArrayLike, j_off: ArrayLike, s_off: ArrayLike | None = None) -> PreparedWidths:
        """Everything of :meth:`J` that does not depend on gw, for many widths at the same q."""
        return PreparedWidths(self, np.asarray(q, dtype=float), np.asarray(j_off, dtype=float),
                              None if s_off is None else np.asarray(s_off, dtype=float))

    def content_hash(self) -> str:
        """sha256 of the file name's key and every array (stored with the file, checked on load), so a
        well-formed file with altered values is rebuilt rather than used (as for secretnu.tables)."""
        return arrays_hash(_key(), {name: getattr(self, name) for name in (*_ARRAYS, *_SPLINE_ARRAYS)})

    def save(self, path: Path) -> None:
        save_hashed_arrays(path, _key(), {name: getattr(self, name) for name in (*_ARRAYS, *_SPLINE_ARRAYS)})

    @classmethod
    def load(cls, path: Path) -> WidthTables:
        arrays = load_hashed_arrays(path, _key(), (*_ARRAYS, *_SPLINE_ARRAYS), "width table file")
        tables = cls(*(arrays[name] for name in (*_ARRAYS, *_SPLINE_ARRAYS)))
        if not tables._valid():
            raise ValueError(f"width table file {path} failed its checks")
        return tables


class PreparedWidths:
    """:meth:`WidthTables.J` at fixed momenta q: the cubic basis in ln q and the gw-independent
    factors are computed once; each width then costs one contraction of the gw axis (the same
    numbers as RectBivariateSpline.ev)."""

    def __init__(self, tables: WidthTables, q: FloatArray, j_off: FloatArray, s_off: FloatArray | None) -> None:
        from ._engine_numpy import primitives

        self.tables, self.q, self.j_off, self.s_off = tables, q, j_off, s_off
        lq = np.clip(np.log(q), tables.ln_q[0], tables.ln_q[-1]).ravel()
        self.spans, self.values = np.empty(lq.size, dtype=np.int64), np.empty((lq.size, 4))
        primitives().cubic_basis(tables.knots_q, lq, self.spans, self.values)
        self.j_on = on_shell_J(q)
        self._parts = _norm_parts(q, j_off, s_off, self.j_on)  # what the blend of _norms does not change with gw

    def _ratio(self, which: int, lgw: FloatArray) -> FloatArray:
        """The ratio spline ``which`` at every q and each ln gw in ``lgw``: (*q.shape, lgw.size)."""
        from ._engine_numpy import primitives

        along_q = self.tables.along_q(which, lgw)
        return primitives().contract_rows(along_q, self.spans, self.values).reshape(*self.q.shape, lgw.size)

    def at(self, gw: float) -> tuple[FloatArray, FloatArray | None]:
        """(J_own, J_s or None) at width gw >= GW_EXPANSION/2."""
        own, s_only = self.at_many(np.array([gw]))
        return own[0], None if s_only is None else s_only[0]

    def at_many(self, gws: FloatArray) -> tuple[FloatArray, FloatArray | None]:
        """:meth:`at` for several widths at once: arrays (gws.size, *q.shape)."""
        gws = np.asarray(gws, dtype=float)
        lgw = self.tables.log_gw(gws)
        gw = gws.reshape(-1, *(1,) * self.q.ndim)
        own = np.moveaxis(self._ratio(0, lgw), -1, 0) * _blend_own(self._parts, gw)
        if self.s_off is None:
            return own, None
        return own, self.j_on / gw + np.moveaxis(self._ratio(1, lgw), -1, 0) * _blend_s(self._parts, gw)


@lru_cache(maxsize=4)
def _cached(directory: str) -> WidthTables:
    return load_or_build(Path(directory) / _key(), WidthTables.load, WidthTables.build, WidthTables.save)


def width_tables(directory: str | Path | None = None) -> WidthTables:
    """The width tables, from memory, the disk cache, or built now (and cached)."""
    return _cached(str(directory) if directory is not None else _cache_dir_name())
