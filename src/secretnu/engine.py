"""Fast evaluation of Omega h^2 on columns of fixed m_V (the engine behind scans and curves).

All three models: the gauged ones add channel integrals with T-dependent weights (a, b, c) from
:meth:`secretnu.models.gauged.GaugedVector.channel_weights`; tabulated in :mod:`secretnu.tables`.

For fixed (dm, m_V) every kernel lookup is shared by all couplings of the column:

    V_V     = c^2 P_V                      P_V   = T G(x, m/T)
    Gamma_V = c^4 (P_on/gw + P_off - gw P_c),  P_on, P_off, P_c = T m^2/(8 pi^2 E^2) x (J_on, J_off, pi C1)

(see :mod:`secretnu.tables`), so a coupling costs only arithmetic on the (z, x) grid, done by the
compiled kernel :func:`secretnu._kernels.column_yields` (no (coupling, z, x) temporaries). One extra
x = 1 node with zero weight carries the Fig. 5 diagnostics used for the regime label. A coupling
whose in-medium resonance closes inside the x range (production.resonance_onsets) is redone on
the onset-resolving momentum rule with its own lookups, as the exact path does.

Where gw = gamma_V/m_V >= :data:`~secretnu.width_tables.GW_EXPANSION` the O(gw) expansion above is
not valid (at gw ~ 1 it turns Gamma_V negative): such couplings get Gamma_V from the exact
finite-width integrals of :mod:`secretnu.width_tables` instead.

Loading numba costs ~0.7 s: while it is not loaded, small jobs (:data:`NUMPY_PATH_COUPLINGS`) run on
the numpy twins of the compiled primitives (:mod:`secretnu._engine_numpy`, the same numbers to
rounding); :func:`warm_up` loads the compiled ones for good.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._engine_numpy import _FORCED, is_numpy, primitives
from .constants import MU_REF, RHO_C_H2_GEV_CM3, S0_CM3, T_FINAL
from .cosmology import DEFAULT_GSTAR, GStarModel
from .diagnostics import REGIMES
from .errors import InputError
from .models import make_model
from .models.neutrinophilic import _B_ST_1, _DB_ST_1
from .production import _X_EDGES, ONSET_X_RANGE, effective_hubble, kinetics_of, momentum_rule, resonance_onsets
from .sm import SMInput, sm_potential, sm_rate
from .sterile import SterileNeutrino
from .tables import KernelTables, _potential_norm, kernel_tables
from .width_tables import GW_EXPANSION, width_tables

__all__ = ["FAST_N_X", "FAST_POINTS_PER_DECADE", "FastGrid", "column_omega", "fast_window", "REGIMES"]

FloatArray = NDArray[np.float64]


#: ln z grid density of the fast engine (points per decade of T). At 40 the fast-vs-exact difference
#: reached 6.9e-3 in overproduced resonant corners of the box (b-l, m_V ~ 5 MeV); at 60 the 500-point
#: sample of benchmarks/bench_engine.py has its 99.9th percentile at 4.1e-3 (issue 17), for ~1.5x the work.
FAST_POINTS_PER_DECADE: int = 60

#: Gauss-Laguerre nodes in x = E/T of the fast engine (production.momentum_rule). The x rule is not
#: what limits its accuracy (the z quadrature in overproduced resonant corners is): on the 1000 points
#: of benchmarks/bench_engine.py (seeds 17, 18; n_x 30 / 20 / 16 / 12) the median is 6e-6 / 1.3e-5 /
#: 1.9e-5 / 3.7e-5, the 99th percentile 3.1e-3 / 2.8e-3 / 2.7e-3 / 3.2e-3 and the maximum 5.0e-3 /
#: 5.3e-3 / 4.3e-3 / 7.1e-3; where 1e-3 < Omega h^2 < 30 the 99th percentile is 1.0e-3 / 1.2e-3 /
#: 1.4e-3 / 1.9e-3. 16 nodes cost a column a fifth less than 20 (issue 17).
FAST_N_X: int = 16


#: rows of an onset coupling's z range kept by its onset-resolving pass (_active_rows): where the
#: production profile exceeds this fraction of its peak. Changing it from 1e-9 to 1e-6 moved Omega by
#: at most 1.6e-6 over every model and sm on the box, and cut the onset pass's work by a third.
ONSET_ROW_FLOOR: float = 1e-6


#: Jobs of at most this many couplings run on numpy (secretnu._engine_numpy) while numba is not
#: loaded in the process, for its first NUMPY_PATH_CALLS such calls: loading numba costs ~0.7 s, a
#: point ~4 ms on numpy and ~1 ms compiled, so a process asking for a few points never pays for it.
NUMPY_PATH_COUPLINGS: int = 4
NUMPY_PATH_CALLS: int = 100
_numpy_calls = 0


def _compiled_loaded() -> bool:
    """Whether this call's primitives are the compiled ones (numba loaded, no numpy_only block)."""
    return not is_numpy(primitives())


def load_compiled() -> Any:
    """Run every later call of this process on the compiled kernels (loading numba now if needed):
    scans and curves do, so that their numbers do not depend on where and in what order they ran.
    Returns the compiled module (secretnu._kernels)."""
    from . import _kernels

    return _kernels


def _use_compiled(n_couplings: int) -> bool:
    """Whether this call runs on the compiled kernels (loading them now if needed); see NUMPY_PATH_CALLS."""
    global _numpy_calls
    if _compiled_loaded():
        return True
    if _FORCED[0] or (n_couplings <= NUMPY_PATH_COUPLINGS and _numpy_calls < NUMPY_PATH_CALLS):
        _numpy_calls += 1
        return False
    load_compiled()
    return True


def fast_window(m_V: float) -> float:
    """Upper end of the T window used by the fast engine [GeV]."""
    return min(1e3, max(20.0, 30.0 * m_V))


@dataclass(frozen=True)
class FastGrid:
    """The (z, x) grid and every coupling-independent array of one column."""

    T: FloatArray          # (n_z,)
    lnz: FloatArray        # (n_z,)
    x: FloatArray          # (n_x + 1,), last node is x = 1 (zero weight)
    w: FloatArray          # (n_x + 1,), weights of Int dx x^2 f_nu(x) (production.momentum_rule)
    prefactor: FloatArray  # (n_z,) T^3/(2 pi^2 H s)
    delta: FloatArray      # (n_z, n_x+1) m4^2/(2E)
    gamma_sm: FloatArray   # (n_z, n_x+1)
    v_sm: FloatArray       # (n_z, n_x+1)
    hubble: FloatArray     # (n_z,) d ln T/dt (H, or H over the entropy-heating factor)
    states: int = 1        # sterile states counted (production.Kinetics)
    model_rate_scale: float = 1.0
    dm: SterileNeutrino | None = None  # the sterile neutrino the grid was built for
    sm: SMInput = "paper"   # a name or an SMRateTable
    n_x: int = FAST_N_X
    rho_c: float = RHO_C_H2_GEV_CM3  # Omega h^2 = Y s0 m4 / rho_c (production.Kinetics)

    @classmethod
    def build(cls, dm: SterileNeutrino, T_max: float, *, T_final: float = T_FINAL,
              points_per_decade: int = FAST_POINTS_PER_DECADE,
              n_x: int = FAST_N_X, gstar: GStarModel = DEFAULT_GSTAR, sm: SMInput = "paper") -> FastGrid:
        n_z = math.ceil(points_per_decade * math.log10(T_max / T_final)) + 1
        T = np.geomspace(T_max, T_final, n_z)
        xs, ws = momentum_rule(n_x)
        x = np.append(xs, 1.0)
        w = np.append(ws, 0.0)
        kinetics = kinetics_of(sm)
        H = effective_hubble(T, gstar, kinetics)
        prefactor = 45.0 / (4 * math.pi**4 * gstar.g_s(T) * H)
        grid = cls(T=T, lnz=np.log(MU_REF / T), x=x, w=w, prefactor=prefactor, delta=np.empty(0),
                   gamma_sm=np.empty(0), v_sm=np.empty(0), hubble=H, states=kinetics.states,
                   model_rate_scale=kinetics.model_rate_scale, dm=dm, sm=sm, n_x=n_x, rho_c=kinetics.rho_c)
        delta, gamma_sm, v_sm = grid.sm_terms(x)
        return replace(grid, delta=delta, gamma_sm=gamma_sm, v_sm=v_sm)

    def sm_terms(self, x: FloatArray, rows: slice = slice(None)) -> tuple[FloatArray, FloatArray, FloatArray]:
        """m4^2/(2E), Gamma_SM and V_SM on (T[rows], x)."""
        if self.dm is None:
            raise InputError("this FastGrid was built without its sterile neutrino")
        T = self.T[rows, None]
        x = np.asarray(x, dtype=float)[None, :]
        E = x * T
        if self.v_sm.size:  # V_SM is linear in E at fixed T (Eq. 2.6): scale the x = 1 column
            v_sm = x * (self.v_sm[rows, -1:] / self.x[-1])
        else:
            v_sm = sm_potential(E, T, self.dm.flavor, self.sm)
        return self.dm.mass**2 / (2 * E), sm_rate(E, T, self.dm.flavor, self.sm), v_sm

    def sm_terms_laid(self, x: FloatArray, rows: slice = slice(None)) -> tuple[FloatArray, FloatArray, FloatArray]:
        """:meth:`sm_terms` laid out (x, z), as the compiled kernels take them (the same numbers up to
        rounding). At fixed T, m4^2/(2E) goes as 1/x and V_SM (Eq. 2.6), like the paper's Gamma_SM
        (Eq. 2.7), as x: those are scaled from the grid's x = 1 column in one compiled pass."""
        from ._kernels import scaled_rows

        if self.dm is None or not self.v_sm.size:
            raise InputError("this FastGrid was built without its sterile neutrino")
        T = self.T[rows]
        x = np.ascontiguousarray(x, dtype=float)
        x_one = self.x[-1]  # the grid's last node, x = 1
        delta, v_sm = np.empty((x.size, T.size)), np.empty((x.size, T.size))
        scaled_rows(x, self.dm.mass**2 / (2 * x_one * T), -1, delta)
        scaled_rows(x, self.v_sm[rows, -1] / x_one, 1, v_sm)
        if isinstance(self.sm, str) and self.sm == "paper":
            gamma_sm = np.empty((x.size, T.size))
            scaled_rows(x, self.gamma_sm[rows, -1] / x_one, 1, gamma_sm)
        else:  # thresholds and Pauli blocking: sm_channels' tables, fastest on the (z, x) layout
            gamma_sm = np.ascontiguousarray(sm_rate(x[None, :] * T[:, None], T[:, None], self.dm.flavor, self.sm).T)
        return delta, gamma_sm, v_sm


@lru_cache(maxsize=1)
def tune_allocator() -> bool:
    """Keep freed memory in the process (glibc only; a no-op elsewhere), once per process.

    A column allocates and frees arrays of 0.1-10 MB; by default glibc hands those back to the
    system at once (mmap above 128 kB, heap trimming), so every new column page-faults them in
    again: 360 k page faults and 0.9 s of system time in a serial 200 x 200 scan (4.6 s of CPU).
    With mmap kept for blocks above 32 MB and the heap trimmed only past 128 MB free, the same
    scan has 5 k faults and takes 3.8 s. Returns whether the allocator was tuned (a process forked
    later inherits the setting).
    """
    import ctypes

    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own symbols, libc's among them
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3  # glibc's malloc.h
    return bool(mallopt(M_MMAP_THRESHOLD, 32 << 20) and mallopt(M_TRIM_THRESHOLD, 128 << 20)
                and mallopt(M_TOP_PAD, 16 << 20))


def warm_up() -> None:
    """Load the compiled kernels (numba's disk cache) and the width tables now: a process pool
    forked after this call has them in every worker instead of loading them in each."""
    from ._kernels import column_yields, contract_rows, cubic_basis, rate_kernels

    tune_allocator()
    one = np.ones((1, 2))
    coef = np.zeros((4, 4, 2))
    rate_kernels(one, one, np.ones(1), np.ones(1), np.ones(1), coef, 0.0, 1.0, 0.0, 1.0, True, True, 0.1, 0.1,
                 np.empty((1, 2)), np.empty((1, 2)), np.empty((1, 2)))
    column_yields(one, one, one, one, one, one, one, np.ones(2), np.ones(1), np.ones(1), 0.1, np.ones(1),
                  np.ones(1), 1.0, 1e-10, 0.05, 15.0, np.empty(1), np.zeros(1, dtype=np.bool_))
    spans, values = np.empty(1, dtype=np.int64), np.empty((1, 4))
    cubic_basis(np.arange(8.0), np.array([3.5]), spans, values)
    contract_rows(np.ones((4, 1)), spans, values)
    _warm_onset_kernels()
    knots_q = width_tables().spline_tck(0)[0]
    wide: Any = load_compiled().wide_rates  # a numba dispatcher
    coef = np.zeros((knots_q.size - 4, 1))
    wide(np.ones(1), np.ones(1), 1.0, 1.0, 1.0, *(np.ones(1) for _ in range(3)), np.zeros((4, 4, 2)), 0.0, 1.0, 0.0,
         1.0, True, knots_q, 0.0, 1.0, coef, coef, np.ones(1), np.empty((1, 1, 1)))


def _warm_onset_kernels() -> None:
    """The compiled onset path and regime codes on dummy inputs of the real call's types."""
    from ._kernels import onset_rules, onset_search, regime_codes, scaled_rows, segment_kernels, segment_yields

    scaled_rows(np.ones(1), np.ones(1), 1, np.empty((1, 1)))
    two, one = np.ones((2, 2)), np.ones(1)
    knots, g_rows = np.arange(8.0), np.zeros((4, 2))
    rows = np.array([[0, 1]], dtype=np.int64)
    onset_search(two, two, two, two, two, two, two, np.ones(2), np.ones(2), np.ones(2), one, one, 1.0, 1e-10, 0.05,
                 15.0, 2, 1e-9, 4, g_rows, knots, 3.0, 4.0, np.ones(2), np.ones(2), np.empty((1, 1)),
                 np.zeros(1, dtype=np.int64), np.empty((1, 2), dtype=np.int64))
    t, w = np.array([0.5]), np.array([1.0])
    X, W, offsets = onset_rules(np.array([[0.5]]), np.ones(1, dtype=np.int64), np.asarray(_X_EDGES, dtype=float), t, w)
    out = [np.zeros((X.size, 1)) for _ in range(7)]
    segment_kernels(X, offsets, rows, one, 1.0, 1.0, 1.0, one, one, one, np.zeros((4, 4, 2)), 0.0, 1.0, 0.0, 1.0, True,
                    0.1, 0.1, np.array([2]), np.zeros((4, 1)), knots, 3.0, 4.0, one, *out[:4])
    integrate: Any = segment_yields  # numba dispatchers: their call signatures are the functions'
    integrate(*out, one, W, np.zeros(X.size, dtype=np.int64), offsets, rows, 0.1, one, one, np.ones(1, dtype=np.bool_),
              1.0, 1e-10, np.empty(1))
    codes: Any = regime_codes
    codes(*(np.ones(2) for _ in range(8)), one, one, np.zeros((1, 2)), np.zeros(1, dtype=np.bool_), 1.0, 1e-10,
          0, 1, 2, 3, np.empty(1, dtype=np.int64))


_DERIVED: dict[tuple[str, int], tuple[Any, Any]] = {}


def _derived(kind: str, owner: Any, make: Callable[[Any], Any]) -> Any:
    """make(owner), kept per grid (or other owner object) while it is alive: keyed by id and checked
    by identity, so a new object at a recycled id is not served a stale value; at most 32 kept."""
    held = _DERIVED.get((kind, id(owner)))
    if held is not None and held[0] is owner:
        return held[1]
    value = make(owner)
    if len(_DERIVED) >= 32:
        _DERIVED.clear()
    _DERIVED[(kind, id(owner))] = (owner, value)
    return value


@lru_cache(maxsize=16)
def _default_grid(dm: SterileNeutrino, T_max: float) -> FastGrid:
    """The default grid of a sterile neutrino (kept: building it costs more than a point)."""
    return FastGrid.build(dm, T_max)


@dataclass(frozen=True)
class _Kernels:
    """Coupling-independent model kernels on (T, x) for one m_V (module docstring)."""

    p_on: FloatArray
    p_off: FloatArray
    p_c: FloatArray
    p_v: FloatArray


def _cell_averaged_weights(reference: Any, grid: FastGrid, n_sub: int = 16) -> tuple[FloatArray, ...]:
    """Channel weights (a, b, c) averaged over each z node's cell, ln T_i +- h/2.

    The weights jump where a channel opens (T = m_l, 2 m_l in the gauged models): sampled at the
    nodes, a jump costs the trapezoid rule an error of order h times the jump (1.5% in Omega at
    m_V ~ 1 GeV in L_mu - L_tau, 40 points per decade); cell averages make it O(h^2). They depend on
    the model's kind and options only, not on its mass or coupling: kept per grid and model kind."""
    def average(grid: FastGrid) -> tuple[FloatArray, ...]:
        h = abs(float(grid.lnz[1] - grid.lnz[0])) if grid.T.size > 1 else 0.0
        u = (np.arange(n_sub) + 0.5) / n_sub - 0.5
        T_sub = grid.T[:, None] * np.exp(h * u)[None, :]
        return tuple(np.asarray(w, dtype=float).reshape(T_sub.shape).mean(axis=1)
                     for w in reference.channel_weights(T_sub.ravel()))

    options = [f"{f.name}={getattr(reference, f.name)!r}" for f in fields(reference)
               if f.name not in ("m_V", "m_phi", "coupling")]
    return _derived(f"weights {n_sub} {type(reference).__qualname__} {' '.join(options)}", grid, average)


class _Column:
    """Kernel lookups of one column (fixed dm, m_V), at the grid's nodes or at any other x."""

    def __init__(self, reference: Any, tables: KernelTables, grid: FastGrid, m_V: float) -> None:
        self.tables, self.grid, self.m_V = tables, grid, m_V
        self.weights = tuple(w[:, None] for w in _cell_averaged_weights(reference, grid))
        self.channels = any(np.any(w) for w in self.weights)
        # a model with its own rate integrals (the scalar): (J_on, J_off, C1) from q and the tables
        self.custom = getattr(reference, "fast_rate_integrals", None)
        self._g_rows: FloatArray | None = None
        self._wide: Any = None
        self._r = np.empty(0)

    def weight_rows(self, rows: slice = slice(None)) -> tuple[FloatArray, ...]:
        """The channel weights (a, b, c) on ``rows`` as 1-D contiguous arrays, as the compiled kernels take them."""
        return tuple(np.ascontiguousarray(w[rows, 0], dtype=float) for w in self.weights)

    def potential(self, x: FloatArray, rows: slice = slice(None)) -> FloatArray:
        """P_V = T G(x, m/T) on (T[rows], x). The G spline's r axis is contracted once per column
        (r = m/T is fixed on it), so a lookup costs one cubic basis in x per node."""
        k = primitives()
        tables, T = self.tables, self.grid.T
        g_rows = self.g_rows()
        x = np.asarray(x, dtype=float)
        lx = np.clip(np.log(x), tables.ln_x[0], tables.ln_x[-1])
        spans, values = np.empty(lx.size, dtype=np.int64), np.empty((lx.size, 4))
        k.cubic_basis(tables.g_tck[0], lx, spans, values)
        ratio = k.contract_rows(g_rows, spans, values).T[rows]  # (z rows, x)
        return T[rows, None] * ratio * _potential_norm(x[None, :], self._r[rows, None])

    def g_rows(self) -> FloatArray:
        """The G spline's coefficients with the r axis contracted at each row's r = m/T: (x coefficients, z)."""
        if self._g_rows is None:
            k = primitives()
            tables = self.tables
            ty = tables.g_tck[1]
            self._r = self.m_V / self.grid.T
            lr = np.clip(np.log(self._r), tables.ln_r[0], tables.ln_r[-1])
            spans, values = np.empty(lr.size, dtype=np.int64), np.empty((lr.size, 4))
            k.cubic_basis(ty, lr, spans, values)
            self._g_rows = np.ascontiguousarray(k.contract_rows(tables.g_coef_r_first, spans, values).T)
        return self._g_rows

    def _q(self, x: FloatArray, rows: slice) -> tuple[FloatArray, FloatArray, FloatArray]:
        T = self.grid.T[rows, None]
        E = x[None, :] * T
        q = 4 * E * T / self.m_V**2
        # one state's share of Eq. 3.6 (production.Kinetics)
        rate_pref = self.grid.model_rate_scale * T * self.m_V**2 / (8 * math.pi**2 * E**2)
        return T, q, rate_pref

    def kernels(self, x: FloatArray, rows: slice = slice(None), width_terms: bool = True) -> _Kernels:
        """Kernels on (T[rows], x); ``width_terms=False`` drops the O(gw) term P_c (zero), which is
        below 1e-6 of the rate when gw < 1e-6. One compiled pass (secretnu._kernels.rate_kernels)."""
        _, q, rate_pref = self._q(np.asarray(x, dtype=float), rows)
        if self.custom is not None:
            j_on, j_off, c1 = self.custom(q, self.tables, width_terms)
            return _Kernels(p_on=rate_pref * j_on, p_off=rate_pref * j_off, p_c=rate_pref * math.pi * c1,
                            p_v=self.potential(x, rows))
        a, b, c = self.weight_rows(rows)
        splines, x0, dx = self.tables.ppoly_uniform
        p_on, p_off, p_c = np.empty_like(q), np.empty_like(q), np.empty_like(q)
        primitives().rate_kernels(q, rate_pref, a, b, c, splines, x0, dx, float(self.tables.ln_q[0]),
                                  float(self.tables.ln_q[-1]), self.channels, width_terms, _B_ST_1, _DB_ST_1, p_on, p_off,
                                  p_c)
        return _Kernels(p_on=p_on, p_off=p_off, p_c=p_c, p_v=self.potential(x, rows))

    def grid_kernels(self) -> list[FloatArray]:
        """:meth:`kernels` (with the width terms) at the grid's nodes, laid out (x, z) as
        [p_on, p_off, p_c, p_v]: one compiled pass (secretnu._kernels.segment_kernels), no transposes."""
        grid, tables = self.grid, self.tables
        if self.custom is not None or not _compiled_loaded():  # numpy: a model's own integrals, or numba not loaded
            kern = self.kernels(grid.x)
            return _layout(kern.p_on, kern.p_off, kern.p_c, kern.p_v)
        g_rows = self.g_rows()
        out = [np.empty((grid.x.size, grid.T.size)) for _ in range(4)]
        a, b, c = self.weight_rows()
        splines, x0, dx = tables.ppoly_uniform
        kernel: Any = load_compiled().segment_kernels  # a numba dispatcher
        kernel(grid.x, np.array([0, grid.x.size], dtype=np.int64), np.array([[0, grid.T.size]], dtype=np.int64), grid.T,
               self.m_V**2, grid.model_rate_scale, 8 * math.pi**2, a, b, c, splines, x0, dx, float(tables.ln_q[0]),
               float(tables.ln_q[-1]), self.channels, _B_ST_1, _DB_ST_1, np.array([2]), g_rows, tables.g_tck[0],
               float(tables.ln_x[0]), float(tables.ln_x[-1]), self._r, *out)
        return out

    def wide_rate(self, x: FloatArray, gw: float, rows: slice = slice(None)) -> FloatArray:
        """Gamma_V / c^4 on (T[rows], x) at a width gw >= GW_EXPANSION, from the exact finite-width
        integrals (secretnu.width_tables): the expansion of :meth:`kernels` is invalid there."""
        return self._wide_rates(self._prepare_wide(x, rows), np.array([gw]))[0]

    def grid_wide_rates(self, gws: FloatArray) -> FloatArray:
        """:meth:`wide_rate` on the grid's own nodes at each width of ``gws``: (gws.size, z, x). Compiled
        where numba is loaded: one pass over the grid (secretnu._kernels.wide_rates, the same formulas)."""
        if self.custom is None and _compiled_loaded():
            return self._compiled_wide_rates(np.asarray(gws, dtype=float))
        if self._wide is None:
            self._wide = self._prepare_wide(self.grid.x, slice(None))
        return self._wide_rates(self._wide, gws)

    def _compiled_wide_rates(self, gws: FloatArray) -> FloatArray:
        grid, tables, widths = self.grid, self.tables, width_tables()
        lgw = widths.log_gw(gws)
        splines, x0, dx = tables.ppoly_uniform
        a, b, c = self.weight_rows()
        out = np.empty((gws.size, grid.T.size, grid.x.size))
        kernel: Any = load_compiled().wide_rates  # a numba dispatcher
        kernel(grid.T, grid.x, self.m_V**2, grid.model_rate_scale, 8 * math.pi**2, a, b, c, splines, x0, dx,
               float(tables.ln_q[0]), float(tables.ln_q[-1]), self.channels, widths.spline_tck(0)[0], float(widths.ln_q[0]),
               float(widths.ln_q[-1]), widths.along_q(0, lgw), widths.along_q(1, lgw), gws, out)
        return out

    def _prepare_wide(self, x: FloatArray, rows: slice) -> tuple[Any, ...]:
        """The gw-independent part of :meth:`wide_rate` (shared by every wide coupling at these nodes)."""
        _, q, rate_pref = self._q(x, rows)
        a, b, c = (w[rows] for w in self.weights)
        j_off = self.tables.J_off(q)
        if self.channels:
            s_off, j_ll, j_lr = self.tables.channel_J(q)
            return width_tables().prepare(q, j_off, s_off), rate_pref, a, b * j_ll + c * j_lr
        return width_tables().prepare(q, j_off), rate_pref, a, None

    @staticmethod
    def _wide_rates(prepared: tuple[Any, ...], gws: FloatArray) -> FloatArray:
        widths, rate_pref, a, t_channels = prepared
        own, s_only = widths.at_many(gws)
        if s_only is None or t_channels is None:
            return rate_pref * own
        return rate_pref * (own + a * s_only + t_channels)


def _layout(*arrays: FloatArray) -> list[FloatArray]:
    """(z, x) arrays as C-contiguous (x, z): the compiled kernel runs along z."""
    return [np.ascontiguousarray(np.broadcast_to(a, arrays[0].shape).T, dtype=float) for a in arrays]


def _laid_yields(arrays: list[FloatArray], prefactor: FloatArray, x: FloatArray, w: FloatArray, h: float,
                 lam2: FloatArray, gw: FloatArray, c2t: float, s2t: float) -> tuple[FloatArray, NDArray[np.bool_]]:
    """:func:`_yields` on arrays already laid out (x, z): p_on, p_off, p_c, p_v, delta, gamma_sm, v_sm."""
    Y = np.empty(lam2.size)
    gaps = np.zeros(lam2.size, dtype=np.bool_)
    kernel: Any = primitives().column_yields  # a numba dispatcher: its call signature is the function's
    kernel(*arrays, prefactor, w, x, float(h), np.ascontiguousarray(lam2, dtype=float),
           np.ascontiguousarray(gw, dtype=float), float(c2t), float(s2t), ONSET_X_RANGE[0], ONSET_X_RANGE[1], Y, gaps)
    return Y, gaps


def _yields(kern: _Kernels, delta: FloatArray, gamma_sm: FloatArray, v_sm: FloatArray, prefactor: FloatArray,
            x: FloatArray, w: FloatArray, h: float, lam2: FloatArray, gw: FloatArray, c2t: float,
            s2t: float) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Yields of couplings lam2 = c^2 at widths gw on a (z, x) grid, and their onset flags."""
    prefactor, x, w = (np.ascontiguousarray(a, dtype=float) for a in (prefactor, x, w))
    return _laid_yields(_layout(kern.p_on, kern.p_off, kern.p_c, kern.p_v, delta, gamma_sm, v_sm), prefactor, x, w,
                        h, lam2, gw, c2t, s2t)


def column_omega(dm: SterileNeutrino, m_V: float, couplings: ArrayLike, *, model: Any = "neutrinophilic",
                 width: float | str | None = None, counting: str | None = None, grid: FastGrid | None = None,
                 tables: KernelTables | None = None, chunk: int = 8) -> tuple[FloatArray, FloatArray]:
    """Omega h^2 and regime codes (index into :data:`REGIMES`) for a vector of mass m_V at each
    coupling. ``model`` is a registry name (neutrinophilic, lmu-ltau, b-l); ``width`` (neutrinophilic)
    and ``counting`` (gauged models) are passed to it. ``grid`` must have been built for ``dm``.

    Couplings at which an in-medium resonance switches on inside the x range are redone on the
    composite momentum rule of :func:`~secretnu.production.momentum_rule`, with the onsets found by
    :func:`~secretnu.production.resonance_onsets`, as the exact path does. ``chunk`` is accepted
    for compatibility and ignored (the compiled kernel needs no chunking).
    """
    couplings = np.atleast_1d(np.asarray(couplings, dtype=float))
    if couplings.size == 0 or not np.all(np.isfinite(couplings)) or np.any(couplings <= 0):
        raise InputError("couplings must be positive and finite")
    tune_allocator()
    compiled = _use_compiled(couplings.size)
    options = {"flavor": dm.flavor, "width": width, "counting": counting}
    if isinstance(model, str):
        reference = make_model(model, m_V, float(couplings.max()), **options)  # validates everything
    else:  # a model instance (e.g. a GaugedU1 with custom charges): its options, this m_V and flavour
        mass = "m_phi" if hasattr(model, "m_phi") else "m_V"  # the scalar names its mass m_phi
        reference = replace(model, **{mass: m_V, "coupling": float(couplings.max()), "flavor": dm.flavor})
    tables = tables or kernel_tables()
    grid = grid or _default_grid(dm, fast_window(m_V))
    if grid.dm is None or grid.dm != dm:
        raise InputError("grid must be built by FastGrid.build for this sterile neutrino")
    column = _Column(reference, tables, grid, m_V)
    kern_laid = column.grid_kernels()  # (x, z), as the compiled kernels run along z
    if isinstance(width, (int, float)):
        gws = np.full_like(couplings, float(width) / m_V)
    else:  # every model's width scales as coupling^2 at fixed m_V
        gws = couplings**2 * reference.gamma_V / (reference.coupling**2 * m_V)

    c2t, s2t = dm.cos_2theta, dm.sin2_2theta
    to_omega = grid.states * S0_CM3 * dm.mass / grid.rho_c
    # a charged U(1)' acts as a unit-charge model with coupling |Q_a| g (secretnu.models.gauged_u1)
    lam2 = (couplings * getattr(reference, "coupling_scale", 1.0)) ** 2
    h = float(grid.lnz[1] - grid.lnz[0])
    n_x = grid.n_x  # the x = 1 node (zero weight, last) only serves the regime label
    sm_laid = _grid_layout(grid)  # (x, z), as the compiled kernels run along z
    x_base, w_base = grid.x[:n_x], grid.w[:n_x]
    Y = np.empty(couplings.size)
    gaps = np.zeros(couplings.size, dtype=np.bool_)
    # a model with its own rate integrals (the scalar) has no finite-width tables: the expansion throughout
    narrow = gws < GW_EXPANSION if column.custom is None else np.ones(couplings.size, dtype=bool)
    if narrow.any():
        Y[narrow], gaps[narrow] = _laid_yields([a[:n_x] for a in (*kern_laid, *sm_laid)], grid.prefactor, x_base,
                                               w_base, h, lam2[narrow], gws[narrow], c2t, s2t)
    # wide couplings: Gamma_V/c^4 from the exact finite-width integrals, every width in one table lookup
    gamma_v1 = np.zeros((couplings.size, grid.T.size))  # Gamma_V / c^4 at x = 1 where wide
    # (np.unique only when needed: its first call imports numpy.ma, 20 ms of a cold point)
    wide_gws = np.unique(gws[~narrow]) if not narrow.all() else np.empty(0)
    wide_rates: dict[float, FloatArray] = {}
    if wide_gws.size:
        rates = column.grid_wide_rates(wide_gws)  # (width, z, x)
        laid = np.ascontiguousarray(rates[:, :, :n_x].transpose(0, 2, 1))  # (width, x, z), as the kernel runs
        zero = np.zeros((n_x, grid.T.size))
        for k, gw in enumerate(wide_gws):
            sel = gws == gw
            wide_rates[float(gw)] = rates[k]
            gamma_v1[sel] = rates[k, :, -1]
            Y[sel], gaps[sel] = _laid_yields([zero, laid[k], zero, kern_laid[3][:n_x], *(a[:n_x] for a in sm_laid)],
                                             grid.prefactor, x_base, w_base, h, lam2[sel], np.ones(int(sel.sum())),
                                             c2t, s2t)
    regime = _regimes(grid, kern_laid, sm_laid, lam2, gws, gamma_v1, ~narrow, c2t, s2t)
    batch = np.nonzero(gaps & narrow)[0]
    if batch.size and compiled:
        Y[batch] = _resolve_onsets(column, kern_laid, lam2[batch], gws[batch], c2t, s2t, Y[batch])
    elif batch.size:  # numpy: one coupling at a time, on the reference of the compiled onset pass
        grid_kern = _Kernels(*(a.T for a in kern_laid))
        for i in batch:
            resolved = _resolved_yield(column, grid_kern, lam2.item(i), gws.item(i), c2t, s2t)
            if resolved is not None:
                Y[i] = resolved
    p_v = kern_laid[3].T  # (z, x), as _resolved_yield takes it
    for i in np.nonzero(gaps & ~narrow)[0]:
        gw = gws.item(i)
        full = _Kernels(np.zeros_like(p_v), wide_rates[gw], np.zeros_like(p_v), p_v)
        resolved = _resolved_yield(column, full, lam2.item(i), gw, c2t, s2t)
        if resolved is not None:
            Y[i] = resolved
    return to_omega * Y, regime


def _regimes(grid: FastGrid, kern_laid: list[FloatArray], sm_laid: tuple[FloatArray, ...], lam2: FloatArray,
             gws: FloatArray, gamma_v1: FloatArray, wide: NDArray[np.bool_], c2t: float, s2t: float) -> FloatArray:
    """Regime codes from the x = 1 column (Fig. 5 diagnostics, diagnostics.classify_regimes; compiled
    as secretnu._kernels.regime_codes). The (x, z) arrays' last row is x = 1."""
    codes = np.empty(lam2.size, dtype=np.int64)
    kernel: Any = primitives().regime_codes  # a numba dispatcher
    kernel(*(a[-1] for a in kern_laid), *(a[-1] for a in sm_laid), grid.hubble, np.ascontiguousarray(lam2),
                 np.ascontiguousarray(gws), gamma_v1, np.ascontiguousarray(wide), c2t, s2t,
                 *(REGIMES.index(r) for r in ("A", "B", "C", "DW")), codes)
    return codes.astype(float)


def _active_rows(profile: FloatArray, detuning: FloatArray, floor: float = ONSET_ROW_FLOOR, pad: int = 4) -> slice:
    """The z rows that matter: where the production rate exceeds ``floor`` of its peak or the
    detuning changes sign (a resonance, possibly narrower than the grid), padded by ``pad`` rows."""
    keep = profile > floor * profile.max()
    keep[:-1] |= np.any(np.diff(detuning > 0, axis=0), axis=1)
    where = np.nonzero(keep)[0]
    if where.size == 0:
        return slice(None)
    return slice(max(int(where[0]) - pad, 0), int(where[-1]) + pad + 2)


def _rates(column: _Column, x: FloatArray, lam2: float, gw: float, rows: slice = slice(None)) -> _Kernels:
    """Kernels at one coupling in the form Gamma_V = c^4 (p_on/gw + p_off - gw p_c): the expansion,
    or (gw >= GW_EXPANSION) the exact rate in p_off with p_on = p_c = 0."""
    if gw < GW_EXPANSION:
        return column.kernels(x, rows, width_terms=gw > 1e-6)
    rate = column.wide_rate(x, gw, rows)
    zero = np.zeros_like(rate)
    return _Kernels(zero, rate, zero, column.potential(x, rows))


def _resolved_yield(column: _Column, kern: _Kernels, lam2: float, gw: float, c2t: float, s2t: float) -> float | None:
    """Yield of one coupling on the momentum rule that resolves its resonance onsets (None: no onset),
    integrated over the z rows that carry the production; ``kern`` holds its kernels on the grid."""
    grid = column.grid
    base = slice(0, grid.n_x)
    x_base = grid.x[base]
    gamma = grid.gamma_sm + lam2 * lam2 * (kern.p_on / gw + kern.p_off - gw * kern.p_c)
    detuning = grid.delta * c2t - grid.v_sm - lam2 * kern.p_v
    mixing = grid.delta**2 * s2t
    profile = (grid.prefactor[:, None] * 0.25 * gamma * mixing / (mixing + 0.25 * gamma**2 + detuning**2)) @ grid.w
    rows = _active_rows(profile, detuning)
    # at fixed T, m4^2/(2E) goes as 1/x and V_SM as x: scale the grid's x = 1 column
    delta_1, v_sm_1 = grid.delta[:, -1], grid.v_sm[:, -1]

    def detuning_at(x: float) -> FloatArray:
        return delta_1 * (c2t / x) - x * v_sm_1 - lam2 * column.potential(np.array([x]))[:, 0]

    onsets = resonance_onsets(detuning[:, base], x_base, detuning_at)
    if not onsets:
        return None
    x, w = momentum_rule(grid.n_x, onsets)
    delta, gamma_sm, v_sm = grid.sm_terms(x, rows)
    kern = _rates(column, x, lam2, gw, rows)
    Y, _ = _yields(kern, delta, gamma_sm, v_sm, grid.prefactor[rows], x, w, float(grid.lnz[1] - grid.lnz[0]),
                   np.array([lam2]), np.array([gw]), c2t, s2t)
    return float(Y[0])


def _grid_layout(grid: FastGrid) -> tuple[FloatArray, ...]:
    """The grid's m4^2/(2E), Gamma_SM and V_SM laid out (x, z), kept per grid."""
    return _derived("layout", grid, lambda g: tuple(_layout(g.delta, g.gamma_sm, g.v_sm)))


def _resolve_onsets(column: _Column, kern_laid: list[FloatArray], lam2: FloatArray, gws: FloatArray, c2t: float, s2t: float,
                    Y: FloatArray) -> FloatArray:
    """Yields of narrow-width couplings flagged by the main pass, redone on the momentum rule that
    resolves their resonance onsets (Y where a coupling has none), all couplings of the column at once.

    The same algorithm as :func:`_resolved_yield` for one coupling (production.resonance_onsets with
    its Illinois steps, _active_rows, production.momentum_rule, the kernels and column_yields on the
    coupling's active rows), compiled: one pass finds every coupling's onsets and rows
    (secretnu._kernels.onset_search), one builds their momentum rules (onset_rules), one evaluates the
    kernels at each coupling's own nodes and rows (segment_kernels) and one integrates (segment_yields).
    """
    from ._kernels import onset_rules, onset_search, segment_kernels, segment_yields
    from .quadrature import gauss_legendre

    grid, tables = column.grid, column.tables
    n_k = lam2.size
    delta, gamma_sm, v_sm = _grid_layout(grid)
    p_on, p_off, p_c, p_v = kern_laid
    g_rows, knots = column.g_rows(), tables.g_tck[0]
    lx_lo, lx_hi = float(tables.ln_x[0]), float(tables.ln_x[-1])
    onsets, n_on = np.empty((n_k, grid.n_x)), np.zeros(n_k, dtype=np.int64)
    rows = np.empty((n_k, 2), dtype=np.int64)
    lam2, gws = np.ascontiguousarray(lam2, dtype=float), np.ascontiguousarray(gws, dtype=float)
    onset_search(p_on, p_off, p_c, p_v, delta, gamma_sm, v_sm, grid.prefactor, grid.w, grid.x, lam2, gws, c2t, s2t,
                 ONSET_X_RANGE[0], ONSET_X_RANGE[1], 2, ONSET_ROW_FLOOR, 4, g_rows, knots, lx_lo, lx_hi, grid.T, column._r,
                 onsets, n_on, rows)
    hit = np.nonzero(n_on > 0)[0]
    if hit.size == 0:
        return Y
    t, w = gauss_legendre(max(4, grid.n_x // 6))
    X, W, offsets = onset_rules(onsets[hit], n_on[hit], np.asarray(_X_EDGES, dtype=float), 0.5 * (t + 1), 0.5 * w)
    rows = rows[hit]
    lo, hi = int(rows[:, 0].min()), int(rows[:, 1].max())
    band = slice(lo, hi)
    rows = np.ascontiguousarray(rows - lo)
    # the kernels depend on (x, T) only, and the panels no onset touches have the same nodes for every
    # coupling (about 60% of all nodes): each distinct node is computed once, on the rows of all its couplings
    nodes, node_of = np.unique(X, return_inverse=True)
    owner = np.repeat(np.arange(hit.size), np.diff(offsets))
    node_rows = np.empty((nodes.size, 2), dtype=np.int64)
    node_rows[:, 0], node_rows[:, 1] = hi - lo, 0
    np.minimum.at(node_rows[:, 0], node_of, rows[owner, 0])
    np.maximum.at(node_rows[:, 1], node_of, rows[owner, 1])
    sm = grid.sm_terms_laid(nodes, band)
    out = [np.zeros((nodes.size, hi - lo)) for _ in range(4)]
    T = np.ascontiguousarray(grid.T[band])
    a, b, c = column.weight_rows(band)
    splines, x0, dx = tables.ppoly_uniform
    # what to compute per coupling: 0 the potential only (a model with its own rate integrals, below),
    # 1 rates without the O(gw) term, which the yield drops at gw <= 1e-6 (_rates), 2 rates with it;
    # a node shared by couplings of both kinds gets the width term, which the others multiply by zero
    width_terms = gws[hit] > 1e-6
    rates = np.where(width_terms, 2, 1) if column.custom is None else np.zeros(hit.size, dtype=np.int64)
    node_rates = np.zeros(nodes.size, dtype=np.int64)
    np.maximum.at(node_rates, node_of, rates[owner])
    segment_kernels(nodes, np.arange(nodes.size + 1), node_rows, T, column.m_V**2, grid.model_rate_scale,
                    8 * math.pi**2, a, b, c, splines, x0, dx, float(tables.ln_q[0]), float(tables.ln_q[-1]),
                    column.channels, _B_ST_1, _DB_ST_1, node_rates, np.ascontiguousarray(g_rows[:, band]), knots,
                    lx_lo, lx_hi, np.ascontiguousarray(column._r[band]), *out)
    if column.custom is not None:  # a model with its own rate integrals: numpy on the band, all nodes
        custom = column.kernels(nodes, band)
        out[:3] = _layout(custom.p_on, custom.p_off, custom.p_c)
    resolved = np.empty(hit.size)
    integrate: Any = segment_yields  # a numba dispatcher
    integrate(*out, *sm, np.ascontiguousarray(grid.prefactor[band]), W, node_of, offsets, rows,
              float(grid.lnz[1] - grid.lnz[0]), lam2[hit], gws[hit], width_terms, c2t, s2t, resolved)
    Y = Y.copy()
    Y[hit] = resolved
    return Y
