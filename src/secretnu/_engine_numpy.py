"""numpy twins of the compiled primitives of :mod:`secretnu._kernels` that a single point needs.

Loading numba and its cached kernels costs ~0.7 s, far more than a point (~1 ms compiled, ~4 ms
here). So while numba is not loaded, small jobs (:data:`secretnu.engine.NUMPY_PATH_COUPLINGS`
couplings or fewer, for the first :data:`~secretnu.engine.NUMPY_PATH_CALLS` calls of a process) run
on these: the same signatures, the same formulas, vectorised with numpy instead of compiled; the
numbers agree to rounding (tests/test_engine_numpy.py). :func:`primitives` picks the module: the
compiled one as soon as it is loaded.

``column_yields`` is :func:`secretnu.production.z_interval_integrals` per coupling (the reference
the compiled kernel mirrors) with :func:`~secretnu.production.onset_gaps`, and ``regime_codes`` is
:func:`secretnu.diagnostics.classify_regimes`. The batched onset pass has no twin: on this path the
engine resolves onsets one coupling at a time (engine._resolved_yield, its numpy reference).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

import numpy as np

__all__ = ["primitives", "numpy_only", "cubic_basis", "contract_rows", "rate_kernels", "column_yields",
           "regime_codes"]

_FORCED: list[bool] = [False]


def primitives() -> ModuleType:
    """secretnu._kernels (numba) if it is loaded in this process (and not inside :func:`numpy_only`),
    else this module."""
    this = sys.modules[__name__]
    return this if _FORCED[0] else sys.modules.get("secretnu._kernels") or this


def is_numpy(module: ModuleType) -> bool:
    return module is sys.modules[__name__]


@contextmanager
def numpy_only() -> Iterator[None]:
    """Within the block every engine call runs on these twins, numba loaded or not (tests, benchmarks)."""
    before = _FORCED[0]
    _FORCED[0] = True
    try:
        yield
    finally:
        _FORCED[0] = before


def cubic_basis(knots: np.ndarray, x: np.ndarray, spans: np.ndarray, values: np.ndarray) -> None:
    """The four non-zero cubic B-splines at each x (Cox-de Boor, as _kernels.cubic_basis)."""
    n_coef = knots.size - 4
    span = np.clip(np.searchsorted(knots, x, side="right") - 1, 3, n_coef - 1)
    out = np.zeros((x.size, 4))
    out[:, 0] = 1.0
    left, right = np.empty((x.size, 4)), np.empty((x.size, 4))
    for j in range(1, 4):
        left[:, j] = x - knots[span + 1 - j]
        right[:, j] = knots[span + j] - x
        saved = np.zeros(x.size)
        for r in range(j):
            temp = out[:, r] / (right[:, r + 1] + left[:, j - r])
            out[:, r] = saved + right[:, r + 1] * temp
            saved = left[:, j - r] * temp
        out[:, j] = saved
    spans[:] = span
    values[:] = out


def contract_rows(coef: np.ndarray, spans: np.ndarray, values: np.ndarray) -> np.ndarray:
    """sum_a values[m, a] coef[spans[m] - 3 + a, :] for each m."""
    out = values[:, 0:1] * coef[spans - 3]  # whole rows gathered: contiguous copies
    for a in range(1, 4):
        out += values[:, a:a + 1] * coef[spans - 3 + a]
    return out


def rate_kernels(q: np.ndarray, rate_pref: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray,
                 splines: np.ndarray, x0: float, dx: float, lq_lo: float, lq_hi: float, channels: bool,
                 width_terms: bool, b_st: float, db_st: float, p_on: np.ndarray, p_off: np.ndarray,
                 p_c: np.ndarray) -> None:
    """_kernels.rate_kernels from the closed forms of secretnu.models.neutrinophilic (which its
    _rate_cell restates; ``b_st``, ``db_st`` are theirs) and the tables' spline pieces."""
    from .models.neutrinophilic import on_shell_J, width_correction_C1, width_correction_residue
    from .tables import _j_norm, _s_norm, ppoly_at

    a, b, c = a[:, None], b[:, None], c[:, None]
    lq = np.clip(np.log(q), lq_lo, lq_hi)
    j_norm = _j_norm(q)
    j_off = ppoly_at(splines[0], x0, dx, lq) * j_norm
    c1 = width_correction_C1(q) if width_terms else np.zeros_like(q)
    if channels:
        s_off = ppoly_at(splines[1], x0, dx, lq) * _s_norm(q)
        j_off = (j_off + a * s_off + b * (ppoly_at(splines[2], x0, dx, lq) * j_norm)
                 + c * (ppoly_at(splines[3], x0, dx, lq) * j_norm))
        if width_terms:
            c1 = c1 + a * width_correction_residue(q)
    p_on[:] = rate_pref * (1 + a) * on_shell_J(q)
    p_off[:] = rate_pref * j_off
    p_c[:] = rate_pref * math.pi * c1


def _cells(p_on: np.ndarray, p_off: np.ndarray, p_c: np.ndarray, p_v: np.ndarray, delta: np.ndarray,
           gamma_sm: np.ndarray, v_sm: np.ndarray, prefactor: np.ndarray, l2: float, gw: float, c2t: float,
           s2t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """N, B^2 and D of Eq. 2.5 on (x, z) arrays, as _kernels._cell."""
    l4 = l2 * l2
    gamma = gamma_sm + (l4 / gw) * p_on + (l4 * p_off - (l4 * gw) * p_c)
    mixing = delta * delta * s2t
    return prefactor * 0.25 * gamma * mixing, mixing + 0.25 * gamma * gamma, delta * c2t - (v_sm + l2 * p_v)


def column_yields(p_on: np.ndarray, p_off: np.ndarray, p_c: np.ndarray, p_v: np.ndarray, delta: np.ndarray,
                  gamma_sm: np.ndarray, v_sm: np.ndarray, prefactor: np.ndarray, w: np.ndarray, x: np.ndarray,
                  h: float, lam2: np.ndarray, gw: np.ndarray, c2t: float, s2t: float, x_lo: float,
                  x_hi: float, Y: np.ndarray, gaps: np.ndarray) -> None:
    """_kernels.column_yields: the yield and the onset flag of each coupling."""
    from .production import crossing_counts, onset_gaps, z_interval_integrals

    lnz = np.arange(prefactor.size, dtype=np.float64) * h  # only its step enters
    for k in range(lam2.size):
        num, width2, det = _cells(p_on, p_off, p_c, p_v, delta, gamma_sm, v_sm, prefactor[None, :], lam2[k], gw[k],
                                  c2t, s2t)
        Y[k] = z_interval_integrals(num.T, width2.T, det.T, lnz) @ w
        gaps[k] = bool(onset_gaps(crossing_counts(det.T), x, (x_lo, x_hi)).any())


def regime_codes(p_on: np.ndarray, p_off: np.ndarray, p_c: np.ndarray, p_v: np.ndarray, delta: np.ndarray,
                 gamma_sm: np.ndarray, v_sm: np.ndarray, hubble: np.ndarray, lam2: np.ndarray, gw: np.ndarray,
                 gamma_v1: np.ndarray, wide: np.ndarray, c2t: float, s2t: float, code_a: int, code_b: int, code_c: int,
                 code_dw: int, codes: np.ndarray) -> None:
    """_kernels.regime_codes: diagnostics.classify_regimes on the x = 1 column of each coupling."""
    from .diagnostics import REGIMES, classify_regimes

    l2, g = lam2[:, None], gw[:, None]
    l4 = l2 * l2
    gamma_on = l4 * p_on[None, :] / g
    gamma_v = np.where(wide[:, None], l4 * gamma_v1, gamma_on + l4 * (p_off[None, :] - g * p_c[None, :]))
    gamma = gamma_sm[None, :] + gamma_v
    pot = v_sm[None, :] + l2 * p_v[None, :]
    mixing = delta * delta * s2t
    t = delta[None, :] * c2t - pot
    df4 = 0.25 * gamma * mixing / (mixing + 0.25 * gamma * gamma + t * t) / hubble[None, :]
    found, _, _ = classify_regimes(df4, gamma, pot, gamma_v, gamma_on, l2 * p_v[None, :],
                                   np.broadcast_to(delta, df4.shape))
    lookup = {REGIMES.index("A"): code_a, REGIMES.index("B"): code_b, REGIMES.index("C"): code_c,
              REGIMES.index("DW"): code_dw}
    codes[:] = [lookup[int(v)] for v in found]
