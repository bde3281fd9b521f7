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
                         h: float, first: int = 0, stop: int = -1) -> float:  # pragma: no cover - compiled
    """Sum over unresolved intervals of (exact Lorentzian integral - trapezoid), one x column
    (intervals first .. stop - 1, default all; each reads the nodes next to it)."""
    n_z = det.size
    out = 0.0
    for i in range(first, n_z - 1 if stop < 0 else stop):
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
        centre = t - at_t / slope  # D's linearised zero: none within an interval, no Lorentzian here
        if not (-1.0 <= centre <= 2.0):
            continue
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


@njit(cache=True, nogil=True, fastmath={"contract"}, error_model="numpy", inline="always")
def _cell(p_on: float, p_off: float, p_c: float, p_v: float, d: float, gamma_sm: float, v_sm: float,
          prefactor: float, on: float, l4: float, off_c: float, l2: float, c2t: float,
          s2t: float) -> tuple[float, float, float, float]:  # pragma: no cover - compiled
    """F = N/(B^2 + D^2), D, B^2 and N of Eq. 2.5 at one cell (column_yields)."""
    gamma = gamma_sm + on * p_on + (l4 * p_off - off_c * p_c)
    mixing = d * d * s2t
    width2 = mixing + 0.25 * gamma * gamma
    dt = d * c2t - (v_sm + l2 * p_v)
    nu = prefactor * 0.25 * gamma * mixing
    return nu / (width2 + dt * dt), dt, width2, nu


@njit(cache=True, nogil=True, fastmath={"contract", "reassoc"}, error_model="numpy")
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
            a_on, a_off, a_c, a_v = p_on[j], p_off[j], p_c[j], p_v[j]
            a_d, a_g, a_s = delta[j], gamma_sm[j], v_sm[j]
            f0, d_prev, w_prev, _ = _cell(a_on[0], a_off[0], a_c[0], a_v[0], a_d[0], a_g[0], a_s[0], prefactor[0],
                                          on, l4, off_c, l2, c2t, s2t)
            acc = f0
            f = f0
            count = 0
            first = n_z
            last = 0
            # no stores, so that it vectorises: the sum, the crossings, and the first and last
            # intervals where the Lorentzian may be unresolved (_interval_correction's test)
            for i in range(1, n_z):
                f, dt, width2, _ = _cell(a_on[i], a_off[i], a_c[i], a_v[i], a_d[i], a_g[i], a_s[i], prefactor[i],
                                         on, l4, off_c, l2, c2t, s2t)
                acc += f
                dd = dt - d_prev
                count += (dt > 0) != (d_prev > 0)
                cand = (min(abs(d_prev), abs(dt)) < 2.0 * abs(dd)) & (dd * dd > min(w_prev, width2))
                first = min(first, i if cand else n_z)
                last = max(last, i if cand else 0)
                d_prev = dt
                w_prev = width2
            column = h * (acc - 0.5 * (f0 + f))
            if first < n_z:  # intervals first - 1 .. last - 1, which read nodes first - 2 .. last + 1
                for i in range(max(first - 2, 0), min(last + 2, n_z)):
                    F[i], det[i], wid[i], num[i] = _cell(a_on[i], a_off[i], a_c[i], a_v[i], a_d[i], a_g[i], a_s[i],
                                                         prefactor[i], on, l4, off_c, l2, c2t, s2t)
                column += _interval_correction(num, wid, det, F, h, first - 1, last)
            total += column * w[j]
            if j > 0 and abs(count - previous) >= 2 and x[j] >= x_lo and x[j - 1] <= x_hi:
                gap = True
            previous = count
        Y[k] = total
        gaps[k] = gap


@njit(cache=True, nogil=True)
def scaled_rows(x: np.ndarray, at_one: np.ndarray, power: int, out: np.ndarray) -> None:  # pragma: no cover - compiled
    """out[j, i] = at_one[i] x[j]^power (power 1 or -1): a term linear (or inverse) in x = E/T at fixed
    T, from its value at x = 1 (engine.FastGrid.sm_terms_laid), in one pass without temporaries."""
    for j in range(x.size):
        xj = x[j]
        if power == 1:
            for i in range(at_one.size):
                out[j, i] = xj * at_one[i]
        else:
            for i in range(at_one.size):
                out[j, i] = at_one[i] / xj


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
    k = int((lq - x0) * (1.0 / dx))  # 1/dx is hoisted out of the caller's loop
    k = min(max(k, 0), n - 1)
    t = lq - (x0 + k * dx)
    return ((coef[0, k] * t + coef[1, k]) * t + coef[2, k]) * t + coef[3, k]


@njit(cache=True, nogil=True, error_model="numpy")
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
    for i in range(n_z):
        for j in range(n_x):
            p_on[i, j], p_off[i, j], p_c[i, j] = _rate_cell(q[i, j], math.log(q[i, j]), rate_pref[i, j], a[i], b[i],
                                                            c[i], splines, x0, dx, lq_lo, lq_hi, channels, width_terms,
                                                            b_st, db_st)


_INV_12, _INV_24PI, _INV_2PI = 1.0 / 12.0, 1.0 / (24 * math.pi), 1.0 / (2 * math.pi)  # compile-time constants


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _thermal_log(inverse: float) -> tuple[float, float]:  # pragma: no cover - compiled
    """(e^{-1/q}, L = ln(1 + e^{-1/q})) at 1/q = ``inverse``: L/12 is J_on (on_shell_J)."""
    # e^{-1/q}; below e^{-708} (where libm's exp takes its slow underflow path) it is 0 for every sum here
    boltzmann = math.exp(-inverse) if inverse < 708.0 else 0.0
    # ln(1 + b): its series where b < 1e-5 (exact to rounding: the next term is b^4/4 < 3e-21 b),
    # which spares the logarithm on the cold rows (T << m_V, where q is small)
    L = boltzmann * (1.0 - boltzmann * (0.5 - boltzmann * (1.0 / 3.0))) if boltzmann < 1e-5 else math.log1p(boltzmann)
    return boltzmann, L


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _off_shell(qq: float, lq: float, splines: np.ndarray, x0: float, dx: float,
               channels: bool) -> tuple[float, float, float, float, float, float]:  # pragma: no cover - compiled
    """The tables' off-shell integrals at q (lq = ln q clipped to the table) with their norms:
    (N_j, J_off, N_s, s_off, J_LL, J_LR) as KernelTables.J_off and channel_J (zeros without channels)."""
    q3 = qq * qq * qq
    j_norm = q3 / (1 + qq)
    j_off = _ppoly(splines[0], x0, dx, lq) * j_norm
    if not channels:
        return j_norm, j_off, 0.0, 0.0, 0.0, 0.0
    s_norm = q3 / (1 + qq * qq)
    return (j_norm, j_off, s_norm, _ppoly(splines[1], x0, dx, lq) * s_norm, _ppoly(splines[2], x0, dx, lq) * j_norm,
            _ppoly(splines[3], x0, dx, lq) * j_norm)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _rate_cell(qq: float, log_q: float, pref: float, a: float, b: float, c: float, splines: np.ndarray, x0: float, dx: float,
               lq_lo: float, lq_hi: float, channels: bool, width_terms: bool, b_st: float,
               db_st: float) -> tuple[float, float, float]:  # pragma: no cover - compiled
    """(p_on, p_off, p_c) of rate_kernels at one cell (log_q = ln q)."""
    lq = min(max(log_q, lq_lo), lq_hi)
    inverse = 1.0 / qq  # the one division of J_on and C1
    _, j_off, _, s_off, j_ll, j_lr = _off_shell(qq, lq, splines, x0, dx, channels)
    boltzmann, L = _thermal_log(inverse)
    if width_terms:
        occupation = boltzmann / (1.0 + boltzmann)  # 1/(1 + e^{1/q})
        dL = -occupation * inverse
        d2L = occupation * (1 - occupation) * (inverse * inverse)
        residue = (2 * L + 4 * dL + d2L) * _INV_24PI
        c1 = residue - (dL * b_st + L * (db_st - b_st)) * _INV_2PI
    else:
        residue = 0.0
        c1 = 0.0
    if channels:
        j_off = j_off + a * s_off + b * j_ll + c * j_lr
        c1 = c1 + a * residue
    return pref * (1 + a) * (L * _INV_12), pref * j_off, pref * math.pi * c1


@njit(cache=True, nogil=True, error_model="numpy")
def wide_rates(T: np.ndarray, x: np.ndarray, m2: float, rate_scale: float, pi8: float, a: np.ndarray, b: np.ndarray,
               c: np.ndarray, splines: np.ndarray, x0: float, dx: float, lq_lo: float, lq_hi: float, channels: bool,
               knots_q: np.ndarray, wq_lo: float, wq_hi: float, own_gw: np.ndarray, s_gw: np.ndarray, gws: np.ndarray,
               out: np.ndarray) -> None:  # pragma: no cover - compiled
    """Gamma_V / c^4 on the (z, x) grid (T, x) at each width gws[k] >= GW_EXPANSION: out[k, i, j] as
    engine._Column.grid_wide_rates computes it in numpy (width_tables.PreparedWidths.at_many on the
    kernel tables' J_off and channel_J; the off-shell integrals and J_on as rate_kernels takes them).
    own_gw, s_gw: the width tables' ratio splines with their gw axis contracted at each width,
    (q coefficients, widths)."""
    n_z, n_x = T.size, x.size
    q_row = 4 * T * T / m2  # q = x q_row and the rate prefactor pref_row / x^2, as in segment_kernels
    pref_row = rate_scale * m2 / (pi8 * T)
    log_q = np.empty(n_z * n_x)
    for i in range(n_z):
        for j in range(n_x):
            log_q[i * n_x + j] = math.log(x[j] * q_row[i])
    spans = np.empty(log_q.size, dtype=np.int64)
    basis = np.empty((log_q.size, 4))
    cubic_basis(knots_q, np.minimum(np.maximum(log_q, wq_lo), wq_hi), spans, basis)  # the width tables' ln q axis
    blend_off = 1 / (1 + gws)  # _blend_own's and _blend_s's weights of the off-shell part and the scale N(q)
    blend_norm = gws / (1 + gws)
    for i in range(n_z):
        for j in range(n_x):
            cell = i * n_x + j
            qq = x[j] * q_row[i]
            j_norm, j_off, s_norm, s_off, j_ll, j_lr = _off_shell(qq, min(max(log_q[cell], lq_lo), lq_hi), splines, x0,
                                                                  dx, channels)
            j_on = _thermal_log(1.0 / qq)[1] * _INV_12
            t_channels = b[i] * j_ll + c[i] * j_lr
            s_scale = math.hypot(s_off, 0.2 * s_norm)
            span = spans[cell] - 3
            values = basis[cell]
            for k in range(gws.size):
                pole = j_on / gws[k]
                ratio = 0.0
                for m in range(4):
                    ratio += values[m] * own_gw[span + m, k]
                rate = ratio * (pole + blend_off[k] * j_off + blend_norm[k] * j_norm)
                if channels:
                    ratio = 0.0
                    for m in range(4):
                        ratio += values[m] * s_gw[span + m, k]
                    rate = rate + a[i] * (pole + ratio * (blend_off[k] * s_scale + blend_norm[k] * s_norm)) + t_channels
                out[k, i, j] = pref_row[i] / (x[j] * x[j]) * rate


# --- the onset-resolving path (engine._resolve_onsets): every onset coupling of a column at once ---


@njit(cache=True, nogil=True)
def _span_basis(knots: np.ndarray, xm: float, values: np.ndarray) -> int:  # pragma: no cover - compiled
    """cubic_basis at one point: fills values[0:4], returns the span."""
    n_coef = knots.size - 4
    left = np.empty(4)
    right = np.empty(4)
    lo = 3
    hi = n_coef
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if knots[mid] <= xm:
            lo = mid
        else:
            hi = mid
    i = lo
    values[0] = 1.0
    for j in range(1, 4):
        left[j] = xm - knots[i + 1 - j]
        right[j] = knots[i + j] - xm
        saved = 0.0
        for r in range(j):
            temp = values[r] / (right[r + 1] + left[j - r])
            values[r] = saved + right[r + 1] * temp
            saved = left[j - r] * temp
        values[j] = saved
    return i


@njit(cache=True, nogil=True, error_model="numpy")
def potential_column(x: float, g_rows: np.ndarray, knots: np.ndarray, lx_lo: float, lx_hi: float, T: np.ndarray,
                     r: np.ndarray, start: int, stop: int, out: np.ndarray) -> None:  # pragma: no cover - compiled
    """P_V = T G(x, m/T) at one x for rows start..stop-1 (engine._Column.potential: the G spline with
    its r axis contracted per row, ``g_rows`` (x coefficients, z), times tables._potential_norm)."""
    values = np.empty(4)
    lx = min(max(math.log(x), lx_lo), lx_hi)
    span = _span_basis(knots, lx, values)
    high = 1 / (8 * x)
    for i in range(start, stop):
        ratio = 0.0
        for a in range(4):
            ratio += values[a] * g_rows[span - 3 + a, i]
        low = 7 * math.pi**2 * x / (45 * r[i] ** 4)
        out[i] = T[i] * ratio * (high * low / (high + low))


@njit(cache=True, nogil=True)
def _peak(col: np.ndarray, start: int, stop: int, sign: float) -> float:  # pragma: no cover - compiled
    """production._peak(sign * col[start:stop])."""
    best = start
    value = sign * col[start]
    for i in range(start + 1, stop):
        v = sign * col[i]
        if v > value:
            value = v
            best = i
    if start < best < stop - 1:
        left = sign * col[best - 1]
        right = sign * col[best + 1]
        curvature = left - 2 * value + right
        if curvature < 0:
            return value - (right - left) ** 2 / (8 * curvature)
    return value


@njit(cache=True, nogil=True)
def onset_search(p_on: np.ndarray, p_off: np.ndarray, p_c: np.ndarray, p_v: np.ndarray, delta: np.ndarray,
                 gamma_sm: np.ndarray, v_sm: np.ndarray, prefactor: np.ndarray, w: np.ndarray, x: np.ndarray,
                 lam2: np.ndarray, gw: np.ndarray, c2t: float, s2t: float, x_lo: float, x_hi: float, refine: int,
                 floor: float, pad: int, g_rows: np.ndarray, knots: np.ndarray, lx_lo: float, lx_hi: float,
                 T: np.ndarray, r: np.ndarray, onsets: np.ndarray, n_onsets: np.ndarray,
                 rows: np.ndarray) -> None:  # pragma: no cover - compiled
    """For each coupling k: its resonance onsets (production.resonance_onsets with detuning_at, sorted,
    n_onsets[k] of them in onsets[k]) and the z rows carrying its production (engine._active_rows,
    rows[k] = start, stop). (x, z) arrays on the grid's nodes, the last node x = 1 (zero weight)."""
    n_x1, n_z = p_on.shape
    n_x = n_x1 - 1
    det = np.empty((n_x1, n_z))
    profile = np.zeros(n_z)
    counts = np.empty(n_x, dtype=np.int64)
    column = np.empty(n_z)
    flips = np.empty(n_z + 1, dtype=np.int64)
    found = np.empty(n_x)
    for k in range(lam2.size):
        l2 = lam2[k]
        g = gw[k]
        profile[:] = 0.0
        for j in range(n_x1):
            for i in range(n_z):
                gamma = gamma_sm[j, i] + l2 * l2 * (p_on[j, i] / g + p_off[j, i] - g * p_c[j, i])
                d = delta[j, i]
                dt = d * c2t - v_sm[j, i] - l2 * p_v[j, i]
                mixing = d * d * s2t
                det[j, i] = dt
                profile[i] += prefactor[i] * 0.25 * gamma * mixing / (mixing + 0.25 * gamma * gamma + dt * dt) * w[j]
        # active rows
        top = profile[0]
        for i in range(1, n_z):
            if profile[i] > top:
                top = profile[i]
        first = -1
        last = -1
        for i in range(n_z):
            keep = profile[i] > floor * top
            if not keep and i < n_z - 1:
                for j in range(n_x1):
                    if (det[j, i + 1] > 0) != (det[j, i] > 0):
                        keep = True
                        break
            if keep:
                if first < 0:
                    first = i
                last = i
        if first < 0:
            rows[k, 0] = 0
            rows[k, 1] = n_z
        else:
            rows[k, 0] = max(first - pad, 0)
            rows[k, 1] = min(last + pad + 2, n_z)
        # crossings per x column and the gaps that hold an onset
        for j in range(n_x):
            c = 0
            for i in range(1, n_z):
                if (det[j, i] > 0) != (det[j, i - 1] > 0):
                    c += 1
            counts[j] = c
        n_found = 0
        for j in range(n_x - 1):
            if not (abs(counts[j + 1] - counts[j]) >= 2 and x[j + 1] >= x_lo and x[j] <= x_hi):
                continue
            lo = x[j]
            hi = x[j + 1]
            more = j if counts[j] > counts[j + 1] else j + 1
            # runs of one sign of the detuning at `more`: bounds -1, flips..., n_z - 1
            n_b = 1
            flips[0] = -1
            for i in range(n_z - 1):
                if (det[more, i + 1] > 0) != (det[more, i] > 0):
                    flips[n_b] = i
                    n_b += 1
            flips[n_b] = n_z - 1
            n_b += 1
            n_runs = n_b - 1
            best = -1
            shallowest = 0.0
            for m in range(1, n_runs - 1):  # interior runs are lobes; the shallowest closes
                a = flips[m] + 1
                b = flips[m + 1]
                sign = 1.0 if det[more, b] > 0 else -1.0
                depth = _peak(det[more], a, b + 1, sign)
                if best < 0 or depth < shallowest:
                    best = m
                    shallowest = depth
            b = flips[best + 1]
            sign = 1.0 if det[more, b] > 0 else -1.0
            start = flips[best - 1] + 1
            stop = flips[best + 2] + 1
            e_lo = _peak(det[j], start, stop, sign)
            e_hi = _peak(det[j + 1], start, stop, sign)
            if not e_lo * e_hi < 0:
                continue
            x_c = lo + (hi - lo) * e_lo / (e_lo - e_hi)
            for _ in range(refine):  # Illinois steps
                potential_column(x_c, g_rows, knots, lx_lo, lx_hi, T, r, start, stop, column)
                for i in range(start, stop):
                    column[i] = delta[n_x, i] * (c2t / x_c) - x_c * v_sm[n_x, i] - l2 * column[i]
                e_c = _peak(column, start, stop, sign)
                if e_c == 0:
                    break
                if (e_c < 0) == (e_lo < 0):
                    lo, e_lo, e_hi = x_c, e_c, 0.5 * e_hi
                else:
                    hi, e_hi, e_lo = x_c, e_c, 0.5 * e_lo
                x_c = lo + (hi - lo) * e_lo / (e_lo - e_hi)
            if x_lo <= x_c <= x_hi:
                found[n_found] = x_c
                n_found += 1
        found[:n_found].sort()
        n_onsets[k] = n_found
        onsets[k, :n_found] = found[:n_found]


@njit(cache=True, nogil=True)
def onset_rules(onsets: np.ndarray, n_onsets: np.ndarray, default_edges: np.ndarray, t: np.ndarray,
                w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """production.momentum_rule(n_x, onsets[k, :n_onsets[k]]) for each k, concatenated: nodes, weights
    and offsets (k's nodes are offsets[k]..offsets[k+1]-1). ``t``, ``w``: the panels' Gauss-Legendre
    rule mapped to [0, 1]; ``default_edges``: production._X_EDGES."""
    n_k = n_onsets.size
    n_e = default_edges.size
    edges = np.empty((n_k, n_e + onsets.shape[1]))
    singular = np.zeros((n_k, n_e + onsets.shape[1]), dtype=np.bool_)
    n_edges = np.empty(n_k, dtype=np.int64)
    offsets = np.zeros(n_k + 1, dtype=np.int64)
    for k in range(n_k):
        b = np.unique(onsets[k, :n_onsets[k]])
        candidates = [default_edges[0], default_edges[n_e - 1]]
        for e in default_edges[1:n_e - 1]:
            if np.all(np.abs(b - e) > 0.25 * e):
                candidates.append(e)
        merged = np.unique(np.concatenate((np.array(candidates), b)))
        n_edges[k] = merged.size
        edges[k, :merged.size] = merged
        for m in range(merged.size):
            for v in b:
                if merged[m] == v:
                    singular[k, m] = True
        offsets[k + 1] = offsets[k] + (merged.size - 1) * t.size
    xs = np.empty(offsets[n_k])
    ws = np.empty(offsets[n_k])
    n = t.size
    for k in range(n_k):
        at = offsets[k]
        for m in range(n_edges[k] - 1):
            lo = edges[k, m]
            hi = edges[k, m + 1]
            s_lo = singular[k, m]
            s_hi = singular[k, m + 1]
            length = hi - lo
            for i in range(n):
                ti = t[i]
                if s_lo and s_hi:
                    xi = lo + 0.5 * length * (1 - math.cos(math.pi * ti))
                    wi = 0.5 * math.pi * length * math.sin(math.pi * ti) * w[i]
                elif s_lo:
                    xi = lo + length * ti**2
                    wi = 2 * length * ti * w[i]
                elif s_hi:
                    xi = hi - length * (1 - ti) ** 2
                    wi = 2 * length * (1 - ti) * w[i]
                else:
                    xi = lo + length * ti
                    wi = length * w[i]
                xs[at + m * n + i] = xi
                ws[at + m * n + i] = wi * xi**2 * (1.0 / (1.0 + math.exp(xi)))
    return xs, ws, offsets


@njit(cache=True, nogil=True, error_model="numpy")
def segment_kernels(X: np.ndarray, offsets: np.ndarray, rows: np.ndarray, T: np.ndarray, m2: float, rate_scale: float,
                    pi8: float, a: np.ndarray, b: np.ndarray, c: np.ndarray, splines: np.ndarray, x0: float, dx: float,
                    lq_lo: float, lq_hi: float, channels: bool, b_st: float, db_st: float, rates: np.ndarray,
                    g_rows: np.ndarray, knots: np.ndarray, lx_lo: float, lx_hi: float, r: np.ndarray,
                    p_on: np.ndarray, p_off: np.ndarray, p_c: np.ndarray, p_v: np.ndarray) -> None:  # pragma: no cover
    """rate_kernels and the potential (potential_column) at the nodes X of each coupling k
    (offsets[k]..offsets[k+1]-1) on its own rows[k] only, (x, z) outputs. rates[k]: 0 potential only,
    1 rates without the width terms (p_c = 0), 2 with them. q = 4 E T/m^2 and the rate prefactor as
    engine._Column._q."""
    q_row = 4 * T * T / m2  # q = x q_row, ln q = ln x + ln q_row
    log_row = np.log(q_row)
    pref_row = rate_scale * m2 / (pi8 * T)  # the rate prefactor T m^2/(8 pi^2 E^2) = pref_row / x^2
    for k in range(offsets.size - 1):
        start, stop = rows[k, 0], rows[k, 1]
        for j in range(offsets[k], offsets[k + 1]):
            xj = X[j]
            potential_column(xj, g_rows, knots, lx_lo, lx_hi, T, r, start, stop, p_v[j])
            if rates[k] == 0:
                continue
            width_terms = rates[k] == 2
            log_x = math.log(xj)
            inv_x2 = 1.0 / (xj * xj)
            for i in range(start, stop):
                p_on[j, i], p_off[j, i], p_c[j, i] = _rate_cell(xj * q_row[i], log_x + log_row[i], pref_row[i] * inv_x2,
                                                                a[i], b[i], c[i], splines, x0, dx, lq_lo, lq_hi, channels,
                                                                width_terms, b_st, db_st)


@njit(cache=True, nogil=True, fastmath={"contract"})
def segment_yields(p_on: np.ndarray, p_off: np.ndarray, p_c: np.ndarray, p_v: np.ndarray, delta: np.ndarray,
                   gamma_sm: np.ndarray, v_sm: np.ndarray, prefactor: np.ndarray, w: np.ndarray, node_of: np.ndarray,
                   offsets: np.ndarray, rows: np.ndarray, h: float, lam2: np.ndarray, gw: np.ndarray,
                   width_terms: np.ndarray, c2t: float, s2t: float, Y: np.ndarray) -> None:  # pragma: no cover
    """column_yields of each coupling k on its own nodes j = offsets[k]..offsets[k+1]-1 (weights w[j],
    stored in row node_of[j] of the (x, z) arrays, which couplings share) and rows (rows[k]); the O(gw)
    term dropped where not width_terms[k]."""
    n_z = p_on.shape[1]
    F = np.empty(n_z)
    det = np.empty(n_z)
    wid = np.empty(n_z)
    num = np.empty(n_z)
    for k in range(lam2.size):
        l2 = lam2[k]
        l4 = l2 * l2
        g = gw[k]
        on = l4 / g
        off_c = l4 * g if width_terms[k] else 0.0
        start, stop = rows[k, 0], rows[k, 1]
        m = stop - start
        total = 0.0
        for j in range(offsets[k], offsets[k + 1]):
            n = node_of[j]
            acc = 0.0
            for i in range(m):
                s = start + i
                f, det[i], wid[i], num[i] = _cell(p_on[n, s], p_off[n, s], p_c[n, s], p_v[n, s], delta[n, s],
                                                  gamma_sm[n, s], v_sm[n, s], prefactor[s], on, l4, off_c, l2, c2t, s2t)
                F[i] = f
                acc += f
            column = h * (acc - 0.5 * (F[0] + F[m - 1])) + _interval_correction(num[:m], wid[:m], det[:m], F[:m], h)
            total += column * w[j]
        Y[k] = total


@njit(cache=True, nogil=True)
def regime_codes(p_on: np.ndarray, p_off: np.ndarray, p_c: np.ndarray, p_v: np.ndarray, delta: np.ndarray,
                 gamma_sm: np.ndarray, v_sm: np.ndarray, hubble: np.ndarray, lam2: np.ndarray, gw: np.ndarray,
                 gamma_v1: np.ndarray, wide: np.ndarray, c2t: float, s2t: float, code_a: int, code_b: int, code_c: int,
                 code_dw: int, codes: np.ndarray) -> None:  # pragma: no cover - compiled
    """Regime code of each coupling from the x = 1 column (z,) arrays: diagnostics.classify_regimes on
    the Fig. 5 diagnostics as engine._regimes computes them (same formulas, same order)."""
    n_z = delta.size
    for k in range(lam2.size):
        l2 = lam2[k]
        g = gw[k]
        best = 0
        top = 0.0
        nan = False
        last = -1
        for i in range(n_z):
            gamma_on = l2 * l2 * p_on[i] / g
            gamma_v = l2 * l2 * gamma_v1[k, i] if wide[k] else gamma_on + l2 * l2 * (p_off[i] - g * p_c[i])
            gamma = gamma_sm[i] + gamma_v
            pot = v_sm[i] + l2 * p_v[i]
            d = delta[i]
            mixing = d * d * s2t
            t = d * c2t - pot
            df4 = 0.25 * gamma * mixing / (mixing + 0.25 * gamma * gamma + t * t) / hubble[i]
            if not nan and (i == 0 or df4 > top or df4 != df4):  # np.argmax: the first maximum, or first NaN
                best = i
                top = df4
                nan = df4 != df4
            if d < max(abs(pot), 0.5 * gamma):
                last = i
        i1 = min(last + 1, n_z - 1) if last >= 0 else 0
        i = best
        gamma_on = l2 * l2 * p_on[i] / g
        gv = l2 * l2 * gamma_v1[k, i] if wide[k] else gamma_on + l2 * l2 * (p_off[i] - g * p_c[i])
        vv = l2 * p_v[i]
        g_sm = (gamma_sm[i] + gv) - gv
        v_sm_peak = (v_sm[i] + vv) - vv
        code = code_b if i < i1 else code_c
        if gamma_on < 0.5 * gv:
            code = code_a
        if gv < 0.1 * g_sm and abs(vv) < 0.1 * abs(v_sm_peak):
            code = code_dw
        codes[k] = code

