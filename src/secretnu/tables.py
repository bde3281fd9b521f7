"""Dimensionless kernel tables for the fast engine, built once and cached on disk.

For a vector mediator of mass m and coupling c (Eqs. 3.3, 3.6):

    V_V(E, T)  = c^2 T G(x, r),                      x = E/T, r = m/T
    Gamma_V    = c^4 T m^2/(8 pi^2 E^2) J(q; gw),     q = 4ET/m^2, gw = gamma_V/m
    J(q; gw)   = J_on(q)/gw + J_off(q) - pi gw C1(q) + O(gw^2)

J_on (on-shell, ~ c^2 for the paper's width) and C1 are closed forms; G (2-D) and J_off (1-D)
are tabulated here. Tables are interpolated as ratios to their asymptotic forms, which are
O(1) and smooth: G / N, N = N_h N_l/(N_h + N_l) with N_h = 1/(8x), N_l = 7 pi^2 x/(45 r^4),
runs from +1 (T >> m) to -1 (T << m), and
J_off (1+q)/q^3 from 35 pi^3/2160 (Eq. 3.8) to 3 zeta(3)/(8 pi) (Eq. 3.10).

The cache directory is ``$SECRETNU_CACHE_DIR``, else ``$XDG_CACHE_HOME/secretnu``, else
``~/.cache/secretnu``; files carry the table version and a hash of the grid in their name.
Each file stores a sha256 of its arrays; a file that does not load, whose hash does not match
(edited values) or that fails its checks is rebuilt, never trusted.

The file also holds the splines' coefficients (scipy's, computed when the tables are built), so the
fast engine reads them without importing scipy.interpolate (~0.5 s); the scipy spline objects behind
:meth:`KernelTables.potential_G` and :meth:`KernelTables.J_off` are made on first use.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._atomic import arrays_hash, load_hashed_arrays, load_or_build, save_hashed_arrays
from .models.gauged import hat_t_channel_LL
from .models.neutrinophilic import (
    _hat_ss_residue,
    _hat_tt,
    on_shell_J,
    rate_integral,
    width_correction_C1,
    width_correction_residue,
)
from .models.vector_mediator import s_integral, thermal_potential

__all__ = ["KernelTables", "kernel_tables", "cache_dir", "TABLE_VERSION", "GRID"]

FloatArray = NDArray[np.float64]
TABLE_VERSION = 5  # 5: the cache file packs its arrays in one member (_atomic._write_packed)
#: Table grids: x = E/T, r = m/T, q = 4ET/m^2 (log-spaced).
GRID: dict[str, Any] = {"x": (1e-3, 300.0, 181), "r": (1e-4, 1e3, 351), "q": (1e-5, 1e12, 341), "gw_ref": 1e-3}


_ARRAYS = ("ln_x", "ln_r", "g_ratio", "ln_q", "j_ratio", "s_ratio", "ll_ratio", "lr_ratio")
#: the splines' coefficients, derived from the arrays above when the tables are built
_SPLINE_ARRAYS = ("g_knots_x", "g_knots_r", "g_coef", "ppoly")


def cache_dir() -> Path:
    """Directory of the on-disk table cache (see module docstring)."""
    return Path(_cache_dir_name())


def _cache_dir_name() -> str:
    """:func:`cache_dir` as a string, without pathlib (it is looked up at every engine call)."""
    env = os.environ.get("SECRETNU_CACHE_DIR")
    if env:
        return env
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "secretnu")


def _grid_key() -> str:
    spec = json.dumps({"version": TABLE_VERSION, "grid": GRID}, sort_keys=True)
    return f"kernels-v{TABLE_VERSION}-{hashlib.sha256(spec.encode()).hexdigest()[:12]}.npz"


def _potential_norm(x: FloatArray, r: FloatArray) -> FloatArray:
    """|G| in its two limits combined harmonically, so each dominates on its own side."""
    high, low = 1 / (8 * x), 7 * math.pi**2 * x / (45 * r**4)
    return high * low / (high + low)


def _j_norm(q: FloatArray) -> FloatArray:
    return q * q * q / (1 + q)


def _s_norm(q: FloatArray) -> FloatArray:
    """A pure s-channel integral off the pole grows as q^3 at low q and as q at high q."""
    return q * q * q / (1 + q * q)


def ppoly_at(coef: FloatArray, x0: float, dx: float, lq: FloatArray, breaks: FloatArray | None = None) -> FloatArray:
    """Cubic pieces on the uniform breakpoints x0 + k dx (scipy's PPoly layout, ``coef[..., 4, n]``) at
    lq: the numpy form of secretnu._kernels._ppoly. Given the stored ``breaks``, each piece is taken
    from its own breakpoint, exactly as scipy's PPoly evaluates it."""
    k = np.clip(((lq - x0) * (1.0 / dx)).astype(np.int64), 0, coef.shape[-1] - 1)
    t = lq - (x0 + k * dx if breaks is None else breaks[k])
    return ((coef[..., 0, k] * t + coef[..., 1, k]) * t + coef[..., 2, k]) * t + coef[..., 3, k]


@dataclass(frozen=True)
class KernelTables:
    """Tabulated G(x, r) and J_off(q) with smooth (cubic) interpolation.

    ``g_knots_x``, ``g_knots_r``, ``g_coef`` are the bicubic G spline's knots and B-spline coefficients
    (scipy's RectBivariateSpline ``tck``) and ``ppoly`` the (4 integrals, 4, n) PPoly coefficients of
    the not-a-knot cubic splines of j, s, ll and lr ratios in ln q; left out, they are computed here.
    """

    ln_x: FloatArray
    ln_r: FloatArray
    g_ratio: FloatArray
    ln_q: FloatArray
    j_ratio: FloatArray
    s_ratio: FloatArray
    ll_ratio: FloatArray
    lr_ratio: FloatArray
    g_knots_x: FloatArray | None = None
    g_knots_r: FloatArray | None = None
    g_coef: FloatArray | None = None
    ppoly: FloatArray | None = None

    def __post_init__(self) -> None:
        if any(getattr(self, name) is None for name in _SPLINE_ARRAYS):
            tx, ty, coef = self._g_spline.tck
            ppoly = np.stack([s.c for s in (self._j_spline, *self._channel_splines)])
            for name, value in zip(_SPLINE_ARRAYS, (tx, ty, coef, ppoly), strict=True):
                object.__setattr__(self, name, np.ascontiguousarray(value, dtype=float))

    @cached_property
    def _g_spline(self) -> Any:
        from scipy.interpolate import RectBivariateSpline  # here: scipy.interpolate costs ~0.5 s to import

        return RectBivariateSpline(self.ln_x, self.ln_r, self.g_ratio, kx=3, ky=3)

    @cached_property
    def _j_spline(self) -> Any:
        from scipy.interpolate import CubicSpline

        return CubicSpline(self.ln_q, self.j_ratio)

    @cached_property
    def _channel_splines(self) -> tuple[Any, ...]:
        from scipy.interpolate import CubicSpline

        return tuple(CubicSpline(self.ln_q, r) for r in (self.s_ratio, self.ll_ratio, self.lr_ratio))

    @cached_property
    def ppoly_uniform(self) -> tuple[FloatArray, float, float]:
        """The four 1-D splines' PPoly coefficients (J_off, s_off, J_LL, J_LR ratios; C-contiguous) and
        their uniform breakpoints in ln q (x0, dx): the form the compiled kernels evaluate (_kernels._ppoly)."""
        assert self.ppoly is not None
        dx = float(self.ln_q[1] - self.ln_q[0])
        if not np.allclose(np.diff(self.ln_q), dx, rtol=1e-9, atol=0):
            raise ValueError("the kernel tables' q axis must be uniform in ln q")
        return np.ascontiguousarray(self.ppoly, dtype=float), float(self.ln_q[0]), dx

    @cached_property
    def g_coef_r_first(self) -> FloatArray:
        """The G spline's B-spline coefficients as a C-contiguous (r, x) array: its r axis is contracted
        first (engine._Column.g_rows)."""
        tx, ty, coef = self.g_tck
        return np.ascontiguousarray(coef.reshape(len(tx) - 4, len(ty) - 4).T)

    @property
    def g_tck(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """The G spline's (knots in ln x, knots in ln r, coefficients), without scipy."""
        assert self.g_knots_x is not None and self.g_knots_r is not None and self.g_coef is not None
        return self.g_knots_x, self.g_knots_r, self.g_coef

    @classmethod
    def build(cls) -> KernelTables:
        """Compute the tables from the exact kernels (a few seconds)."""
        x = np.geomspace(*GRID["x"])
        r = np.geomspace(*GRID["r"])
        # V = c^2 T G: evaluate at m = 1, T = 1/r, E = x T
        T = 1.0 / r[None, :]
        G = thermal_potential(x[:, None] * T, T, 1.0, 1.0) / T
        q = np.geomspace(*GRID["q"])
        gw = GRID["gw_ref"]
        j_off = rate_integral(q, gw) - on_shell_J(q) / gw + math.pi * gw * width_correction_C1(q)
        s_total = s_integral(q, smooth=np.zeros_like, pole_residue=_hat_ss_residue, gw=gw)
        s_off = s_total - on_shell_J(q) / gw + math.pi * gw * width_correction_residue(q)
        j_ll = s_integral(q, smooth=hat_t_channel_LL)
        j_lr = s_integral(q, smooth=_hat_tt)
        return cls(np.log(x), np.log(r), G / _potential_norm(x[:, None], r[None, :]), np.log(q), j_off / _j_norm(q),
                   s_off / _s_norm(q), j_ll / _j_norm(q), j_lr / _j_norm(q))

    def _valid(self) -> bool:
        one_d = (self.j_ratio, self.s_ratio, self.ll_ratio, self.lr_ratio)
        n_x, n_r, n_q = GRID["x"][2], GRID["r"][2], GRID["q"][2]
        spline_shapes = ((n_x + 4,), (n_r + 4,), (n_x * n_r,), (4, 4, n_q - 1))
        shapes_ok = (self.g_ratio.shape == (n_x, n_r) and all(a.shape == (n_q,) for a in one_d)
                     and all(getattr(self, name).shape == shape for name, shape in zip(_SPLINE_ARRAYS, spline_shapes, strict=True)))
        return bool(shapes_ok and np.all(np.isfinite(self.g_ratio)) and all(np.all(np.isfinite(a)) for a in one_d)
                    and abs(self.g_ratio[0, 0] - 1) < 0.05 and abs(self.g_ratio[-1, -1] + 1) < 0.05)

    def potential_G(self, x: ArrayLike, r: ArrayLike) -> FloatArray:
        """G(x, r) with V_V = c^2 T G (x and r broadcast against each other)."""
        x, r = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(r, dtype=float))
        lx = np.clip(np.log(x), self.ln_x[0], self.ln_x[-1])
        lr = np.clip(np.log(r), self.ln_r[0], self.ln_r[-1])
        return self._g_spline.ev(lx, lr) * _potential_norm(x, r)

    def potential_G_outer(self, x: ArrayLike, r: ArrayLike) -> FloatArray:
        """G on the outer product of 1-D ``x`` and ``r``, shape (len(x), len(r)); the tensor-product
        spline evaluation is far faster than :meth:`potential_G` on broadcast arrays."""
        x, r = np.asarray(x, dtype=float), np.asarray(r, dtype=float)
        # the spline wants strictly increasing axes: evaluate on the distinct clipped values
        lx, ix = np.unique(np.clip(np.log(x), self.ln_x[0], self.ln_x[-1]), return_inverse=True)
        lr, ir = np.unique(np.clip(np.log(r), self.ln_r[0], self.ln_r[-1]), return_inverse=True)
        ratio = self._g_spline(lx, lr, grid=True)[np.ix_(ix.ravel(), ir.ravel())]
        return ratio * _potential_norm(x[:, None], r[None, :])

    def _ratios(self, q: FloatArray, which: slice) -> FloatArray:
        """The cubic splines ``ppoly[which]`` in ln q (clipped to the table): (splines, *q.shape)."""
        assert self.ppoly is not None
        lq = np.clip(np.log(q), self.ln_q[0], self.ln_q[-1])
        return ppoly_at(self.ppoly[which], float(self.ln_q[0]), float(self.ln_q[1] - self.ln_q[0]), lq, self.ln_q)

    def J_off(self, q: ArrayLike) -> FloatArray:
        """Off-shell part of the rate integral (narrow-width limit, principal value at the pole)."""
        q = np.asarray(q, dtype=float)
        return self._ratios(q, slice(0, 1))[0] * _j_norm(q)

    def channel_J(self, q: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Off-pole s-only integral and the t-channel LL and LR integrals (secretnu.models.gauged)."""
        q = np.asarray(q, dtype=float)
        s_ratio, ll_ratio, lr_ratio = self._ratios(q, slice(1, 4))
        j_norm = _j_norm(q)
        return s_ratio * _s_norm(q), ll_ratio * j_norm, lr_ratio * j_norm

    def J(self, q: ArrayLike, gw: ArrayLike) -> FloatArray:
        """Full J(q; gw) to O(gw^2)."""
        gw_arr = np.asarray(gw, dtype=float)
        return on_shell_J(q) / gw_arr + self.J_off(q) - math.pi * gw_arr * width_correction_C1(q)

    def content_hash(self) -> str:
        """sha256 of the table version, the grid and every array (stored with the file, checked on load)."""
        return arrays_hash(_grid_key(), {name: getattr(self, name) for name in (*_ARRAYS, *_SPLINE_ARRAYS)})

    def save(self, path: Path) -> None:
        save_hashed_arrays(path, _grid_key(), {name: getattr(self, name) for name in (*_ARRAYS, *_SPLINE_ARRAYS)})

    @classmethod
    def load(cls, path: Path) -> KernelTables:
        arrays = load_hashed_arrays(path, _grid_key(), (*_ARRAYS, *_SPLINE_ARRAYS), "table file")
        tables = cls(*(arrays[name] for name in (*_ARRAYS, *_SPLINE_ARRAYS)))
        if not tables._valid():
            raise ValueError(f"table file {path} failed its checks")
        return tables


@lru_cache(maxsize=4)
def _cached(directory: str) -> KernelTables:
    return load_or_build(Path(directory) / _grid_key(), KernelTables.load, KernelTables.build, KernelTables.save)


def kernel_tables(directory: str | Path | None = None) -> KernelTables:
    """The kernel tables, from memory, the disk cache, or built now (and cached)."""
    return _cached(str(directory) if directory is not None else _cache_dir_name())
