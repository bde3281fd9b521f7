"""Vectorised fixed-node quadrature on element-dependent intervals (shared by the kernels)."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["gauss_legendre", "gauss_laguerre", "expit", "clustered_nodes", "panel", "panel_rule", "map_row_blocks"]

FloatArray = NDArray[np.float64]


@cache
@cache
def gauss_legendre(n: int) -> tuple[FloatArray, FloatArray]:
    """Gauss-Legendre nodes and weights on [-1, 1] (cached; the arrays are read-only)."""
    t, w = np.polynomial.legendre.leggauss(n)
    t.flags.writeable = False
    w.flags.writeable = False
    return t, w


@cache
def clustered_nodes(n: int) -> tuple[FloatArray, FloatArray]:
    """Nodes/weights on [0, 1] clustered as t^3 at both ends.

    The map g(t) = (15t - 10t^3 + 3t^5)/8 from [-1, 1] has g' = g'' = 0 at the ends, so an
    integrable log singularity at an end point becomes (1-t)^2 ln(1-t), which Gauss-Legendre
    integrates to high accuracy with a few dozen nodes.
    """
    t, w = gauss_legendre(n)
    g = (15 * t - 10 * t**3 + 3 * t**5) / 8
    dg = (15 - 30 * t**2 + 15 * t**4) / 8
    return 0.5 * (g + 1), 0.5 * w * dg


def panel(lo: FloatArray, hi: FloatArray, nodes: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Map [0, 1] nodes onto per-element intervals [lo, hi] (broadcast on a new last axis)."""
    lo, hi = np.asarray(lo, dtype=float)[..., None], np.asarray(hi, dtype=float)[..., None]
    width = hi - lo
    return lo + width * nodes, width * weights


def panel_rule(edges: FloatArray, singular: NDArray[np.bool_], n: int) -> tuple[FloatArray, FloatArray]:
    """Composite n-point Gauss-Legendre rule on the panels between ascending ``edges``.

    An edge flagged ``singular`` may carry an integrable (x - b)^(-1/2) cusp from either side: the
    panels next to it are mapped so that x - b ~ t^2 there (x = lo + L t^2, x = hi - L (1-t)^2, or
    x = lo + L (1 - cos pi t)/2 when both ends are flagged), which makes such a cusp smooth in t.
    Returns ascending nodes and their weights.
    """
    edges = np.asarray(edges, dtype=float)
    singular = np.asarray(singular, dtype=bool)
    t, w = gauss_legendre(n)
    t, w = 0.5 * (t + 1), 0.5 * w
    xs, ws = [], []
    for lo, hi, s_lo, s_hi in zip(edges[:-1], edges[1:], singular[:-1], singular[1:], strict=False):
        length = hi - lo
        if s_lo and s_hi:
            xs.append(lo + 0.5 * length * (1 - np.cos(math.pi * t)))
            ws.append(0.5 * math.pi * length * np.sin(math.pi * t) * w)
        elif s_lo:
            xs.append(lo + length * t**2)
            ws.append(2 * length * t * w)
        elif s_hi:
            xs.append(hi - length * (1 - t) ** 2)
            ws.append(2 * length * (1 - t) * w)
        else:
            xs.append(lo + length * t)
            ws.append(length * w)
    return np.concatenate(xs), np.concatenate(ws)



def expit(x: ArrayLike) -> FloatArray:
    """The logistic function 1/(1 + e^-x) (as scipy.special.expit, without importing scipy.special,
    which costs ~0.3 s of start-up)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(over="ignore"):  # e^-x = inf for x < -709 gives the correct 0
        return 1.0 / (1.0 + np.exp(-x))


def _laguerre_pair(n: int, alpha: float, x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """L_n^alpha(x), L_{n-1}^alpha(x) up to a common per-node factor e^scale, and that scale (the
    three-term recurrence, rescaled so that large n and x do not overflow)."""
    p_prev, p = np.ones_like(x), 1 + alpha - x
    scale = np.zeros_like(x)
    for k in range(1, n):
        p_prev, p = p, ((2 * k + 1 + alpha - x) * p - (k + alpha) * p_prev) / (k + 1)
        big = np.abs(p) > 1e150
        if big.any():
            factor = np.where(big, 1e-150, 1.0)
            p, p_prev = p * factor, p_prev * factor
            scale = scale - np.log(factor)
    return p, p_prev, scale


@cache
def gauss_laguerre(n: int, alpha: float = 0.0) -> tuple[FloatArray, FloatArray]:
    """Nodes and weights of the n-point Gauss rule for Int_0^inf x^alpha e^-x f(x) dx (generalised
    Gauss-Laguerre; cached, read-only).

    The method of scipy.special.roots_genlaguerre with numpy only (importing scipy.special costs
    ~0.3 s of start-up): eigenvalues of the Jacobi matrix, two Newton steps on L_n^alpha, weights
    proportional to 1/(L_{n-1}^alpha(x_i) dL_n^alpha/dx(x_i)) (in logs, so that they underflow
    gracefully) normalised to Gamma(alpha + 1).
    """
    if n < 1 or alpha <= -1:
        raise ValueError(f"need n >= 1 and alpha > -1, got n={n}, alpha={alpha}")
    k = np.arange(1, n, dtype=float)
    jacobi = np.diag(2 * np.arange(n) + alpha + 1.0) + np.diag(np.sqrt(k * (k + alpha)), 1)
    x = np.linalg.eigvalsh(jacobi, UPLO="U")
    if n > 1:
        for _ in range(2):  # eigvalsh leaves ~1e-14 relative errors in the smallest nodes
            ln, ln1, _ = _laguerre_pair(n, alpha, x)
            x = x - ln / ((n * ln - (n + alpha) * ln1) / x)
        ln, ln1, scale = _laguerre_pair(n, alpha, x)
        log_w = -(np.log(np.abs(ln1)) + np.log(np.abs((n * ln - (n + alpha) * ln1) / x)) + 2 * scale)
        w = np.exp(log_w - log_w.max())
        w = w * (math.gamma(alpha + 1) / w.sum())
    else:
        w = np.array([math.gamma(alpha + 1)])
    x.flags.writeable = False
    w.flags.writeable = False
    return x, w


def map_row_blocks(func: Callable[[int, int], FloatArray], n_rows: int, block: int) -> FloatArray:
    """concatenate(func(start, stop) for consecutive blocks of ``block`` rows covering range(n_rows)).

    For row-independent kernels: blocks keep numpy's temporaries small enough to stay in cache
    (the result does not depend on the block size).
    """
    block = max(1, int(block))
    if n_rows <= block:
        return np.asarray(func(0, n_rows), dtype=float)
    return np.concatenate([func(start, min(start + block, n_rows)) for start in range(0, n_rows, block)])
