"""Compiled (numba) inner loops of the fast engine: the column arithmetic of Eq. 2.5 fused with the
ln z quadrature of :func:`secretnu.production.z_interval_integrals`.

The kernels know nothing about a model: a model enters only through its coupling-independent
kernels on the (x, z) grid (``p_on``, ``p_off``, ``p_c``, ``p_v``, see :mod:`secretnu.engine`), so a
new model plugs in by providing those. For each coupling c (lam2 = c^2, gw = gamma_V/m_V):

    Gamma_V = c^4 (p_on/gw + p_off - gw p_c),   V_V = c^2 p_v,

and the yield is sum_x w(x) Int d ln z N/(B^2 + D^2), the trapezoid rule with the Lorentzian of every
unresolved resonance crossing integrated exactly, as in ``z_interval_integrals`` (same formulas,
same order of operations up to rounding). Arrays are laid out (x, z) so that the z loop is contiguous;
nothing of size (couplings, z, x) is ever allocated.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _interval_correction(num: np.ndarray, wid: np.ndarray, det: np.ndarray, F: np.ndarray,
                         h: float) -> float:  # pragma: no cover - compiled
    """Sum over unresolved intervals of (exact Lorentzian integral - trapezoid), one x column."""
    n_z = det.size
    out = 0.0
    for i in range(n_z - 1):
        d0 = det[i]
        d1 = det[i + 1]
        dd = d1 - d0
        if not min(abs(d0), abs(d1)) < 2.0 * abs(dd):
            continue
        if not dd * dd > min(wid[i], wid[i + 1]):
            continue
        if i >= 1 and i + 2 <= n_z - 1:
            dm1 = det[i - 1]
            d2 = det[i + 2]
            c1 = -d2 / 6 + d1 - d0 / 2 - dm1 / 3
            c2 = (d1 + dm1) / 2 - d0
            c3 = (d2 - dm1) / 6 + (d0 - d1) / 2
        else:
            c1 = d1 - d0
            c2 = 0.0
            c3 = 0.0
        t = d0 / (d0 - d1)
        t = min(max(t, 0.0), 1.0)
        for _ in range(4):  # Newton on the cubic, kept inside the interval
            value = d0 + t * (c1 + t * (c2 + t * c3))
            slope = c1 + t * (2 * c2 + 3 * t * c3)
            if slope != 0:
                t = t - value / slope
            t = min(max(t, 0.0), 1.0)
        slope = c1 + t * (2 * c2 + 3 * t * c3)
        if slope == 0:
            continue
        at_t = d0 + t * (c1 + t * (c2 + t * c3))
        n_i = num[i]
        n_j = num[i + 1]
        if n_i > 0 and n_j > 0:
            n_star = n_i * (n_j / n_i) ** t
        else:
            n_star = (1 - t) * n_i + t * n_j
        b_star = math.sqrt(wid[i] * (wid[i + 1] / wid[i]) ** t)
        lo = at_t - slope * t
        hi = at_t + slope * (1 - t)
        exact = n_star * h / slope * (math.atan(hi / b_star) - math.atan(lo / b_star)) / b_star
        if math.isfinite(exact):
            out += exact - 0.5 * h * (F[i] + F[i + 1])
    return out


@njit(cache=True, nogil=True, fastmath={"contract"})
def column_yields(p_on: np.ndarray, p_off: np.ndarray, p_c: np.ndarray, p_v: np.ndarray, delta: np.ndarray,
                  gamma_sm: np.ndarray, v_sm: np.ndarray, prefactor: np.ndarray, w: np.ndarray, x: np.ndarray,
                  h: float, lam2: np.ndarray, gw: np.ndarray, c2t: float, s2t: float, x_lo: float,
                  x_hi: float, Y: np.ndarray, gaps: np.ndarray) -> None:  # pragma: no cover - compiled
    """Yield Y[k] (before the states and Omega factors) of each coupling k, and gaps[k] = True when
    some pair of neighbouring x columns inside [x_lo, x_hi] differs by two or more resonance
    crossings (an onset, :func:`secretnu.production.onset_gaps`).

    (x, z) arrays: p_on, p_off, p_c, p_v, delta, gamma_sm, v_sm; (z,): prefactor = T^3/(2 pi^2 H s);
    (x,): weights w and nodes x (ascending); h the ln z step.
    """
    n_x, n_z = p_on.shape
    F = np.empty(n_z)
    det = np.empty(n_z)
    wid = np.empty(n_z)
    num = np.empty(n_z)
    for k in range(lam2.size):
        l2 = lam2[k]
        l4 = l2 * l2
        g = gw[k]
        on = l4 / g  # one division per coupling, not per cell
        off_c = l4 * g
        total = 0.0
        previous = -1
        gap = False
        for j in range(n_x):
            acc = 0.0
            for i in range(n_z):  # branch-free, so that it vectorises
                gamma = gamma_sm[j, i] + on * p_on[j, i] + (l4 * p_off[j, i] - off_c * p_c[j, i])
                d = delta[j, i]
                mixing = d * d * s2t
                width2 = mixing + 0.25 * gamma * gamma
                dt = d * c2t - (v_sm[j, i] + l2 * p_v[j, i])
                nu = prefactor[i] * 0.25 * gamma * mixing
                f = nu / (width2 + dt * dt)
                F[i] = f
                det[i] = dt
                wid[i] = width2
                num[i] = nu
                acc += f
            count = 0
            for i in range(1, n_z):
                if (det[i] > 0) != (det[i - 1] > 0):
                    count += 1
            column = h * (acc - 0.5 * (F[0] + F[n_z - 1])) + _interval_correction(num, wid, det, F, h)
            total += column * w[j]
            if j > 0 and abs(count - previous) >= 2 and x[j] >= x_lo and x[j - 1] <= x_hi:
                gap = True
            previous = count
        Y[k] = total
        gaps[k] = gap


@njit(cache=True, nogil=True)
def cubic_basis(knots: np.ndarray, x: np.ndarray, spans: np.ndarray, values: np.ndarray) -> None:  # pragma: no cover - compiled
    """Non-zero cubic B-spline basis functions at each x (inside the knots' base interval): the
    coefficient index of the first of the four is spans[i] - 3 (Cox-de Boor, as FITPACK)."""
    n_coef = knots.size - 4
    left = np.empty(4)
    right = np.empty(4)
    for m in range(x.size):
        xm = x[m]
        lo = 3
        hi = n_coef  # find lo with knots[lo] <= xm < knots[lo + 1], lo in [3, n_coef - 1]
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if knots[mid] <= xm:
                lo = mid
            else:
                hi = mid
        i = lo
        spans[m] = i
        values[m, 0] = 1.0
        for j in range(1, 4):
            left[j] = xm - knots[i + 1 - j]
            right[j] = knots[i + j] - xm
            saved = 0.0
            for r in range(j):
                temp = values[m, r] / (right[r + 1] + left[j - r])
                values[m, r] = saved + right[r + 1] * temp
                saved = left[j - r] * temp
            values[m, j] = saved


@njit(cache=True, nogil=True)
def contract_rows(coef: np.ndarray, spans: np.ndarray, values: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """sum_a values[m, a] coef[spans[m] - 3 + a, :] for each m: a tensor-product spline with one
    axis evaluated, shape (len(spans), coef.shape[1])."""
    out = np.zeros((spans.size, coef.shape[1]))
    for m in range(spans.size):
        for a in range(4):
            v = values[m, a]
            row = spans[m] - 3 + a
            for n in range(coef.shape[1]):
                out[m, n] += v * coef[row, n]
    return out


@njit(cache=True, nogil=True)
def _ppoly(coef: np.ndarray, x0: float, dx: float, lq: float) -> float:  # pragma: no cover - compiled
    """A cubic piecewise polynomial (scipy PPoly layout, uniform breakpoints x0 + k dx) at lq."""
    n = coef.shape[1]
    k = int((lq - x0) / dx)
    k = min(max(k, 0), n - 1)
    t = lq - (x0 + k * dx)
    return ((coef[0, k] * t + coef[1, k]) * t + coef[2, k]) * t + coef[3, k]


@njit(cache=True, nogil=True)
def rate_kernels(q: np.ndarray, rate_pref: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray,
                 splines: np.ndarray, x0: float, dx: float, lq_lo: float, lq_hi: float, channels: bool,
                 width_terms: bool, b_st: float, db_st: float, p_on: np.ndarray, p_off: np.ndarray,
                 p_c: np.ndarray) -> None:  # pragma: no cover - compiled
    """The coupling-independent rate kernels of the narrow-width expansion on a (z, x) grid:
    p_on = pref (1 + a) J_on, p_off = pref (J_off + a s_off + b J_LL + c J_LR), p_c = pref pi (C1 + a R),
    with J_on, C1 and the residue term R in closed form (secretnu.models.neutrinophilic) and the off-shell
    integrals from the kernel tables' cubic splines in ln q (``splines``: their PPoly coefficients,
    (4 integrals, 4, n) on uniform breakpoints x0 + k dx; the same numbers as KernelTables.J_off and
    channel_J). a, b, c are per row (z)."""
    n_z, n_x = q.shape
    pi = math.pi
    for i in range(n_z):
        for j in range(n_x):
            qq = q[i, j]
            lq = min(max(math.log(qq), lq_lo), lq_hi)
            q3 = qq * qq * qq
            j_off = _ppoly(splines[0], x0, dx, lq) * (q3 / (1 + qq))
            L = math.log1p(math.exp(-1.0 / qq))
            if width_terms:
                occupation = 1.0 / (1.0 + math.exp(1.0 / qq))
                dL = -occupation / qq
                d2L = occupation * (1 - occupation) / (qq * qq)
                residue = (2 * L + 4 * dL + d2L) / (24 * pi)
                c1 = residue - (dL * b_st + L * (db_st - b_st)) / (2 * pi)
            else:
                residue = 0.0
                c1 = 0.0
            pref = rate_pref[i, j]
            if channels:
                s_off = _ppoly(splines[1], x0, dx, lq) * (q3 / (1 + qq * qq))
                j_ll = _ppoly(splines[2], x0, dx, lq) * (q3 / (1 + qq))
                j_lr = _ppoly(splines[3], x0, dx, lq) * (q3 / (1 + qq))
                j_off = j_off + a[i] * s_off + b[i] * j_ll + c[i] * j_lr
                c1 = c1 + a[i] * residue
            p_on[i, j] = pref * (1 + a[i]) * (L / 12.0)
            p_off[i, j] = pref * j_off
            p_c[i, j] = pref * pi * c1
