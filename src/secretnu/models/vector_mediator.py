"""Thermal potential and thermal rate of an active neutrino from a vector mediator V.

Kernels shared by all three models (neutrinophilic, L_mu - L_tau, B - L):

* :func:`thermal_potential` - Eq. 3.3, the V-loop self-energy of Fig. 2 (spec section 3.1),
  with its both limits of Eq. 3.4.
* :func:`rate_from_cross_section` - Eq. 3.6 reduced exactly to one integral over s (spec 3.3)::

      Gamma(E, T) = T/(8 pi^2 E^2) Int_0^inf ds s sigma(s) ln(1 + e^{-s/(4ET)})

  which for a cross section written as sigma = (g^4/m^2) sigma_hat(y = s/m^2) is
  g^4 T m^2/(8 pi^2 E^2) J(q), q = 4ET/m^2. The s-channel pole of nu nubar -> nu nubar is a
  Breit-Wigner of relative width gw = gamma_V/m; the integral is folded about the pole
  (u = |y - 1|), with a tan map on |u| < K gw and log-spaced nodes beyond, so that the on-shell
  (~ g^4/gw) and off-shell (~ g^4) parts are both exact at every T/m and every width.

All functions are pure and vectorised: E, T broadcast against each other; energies in GeV.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..quadrature import clustered_nodes, gauss_legendre, map_row_blocks, panel

__all__ = ["thermal_potential", "rate_from_cross_section", "s_integral", "potential_low_T", "potential_high_T",
           "fermi", "bose", "s_integral_sum", "register_fused"]

FloatArray = NDArray[np.float64]
_U_MAX = 60.0  # p/T beyond which Fermi/Bose tails are below 1e-26
_FIXED_BREAKS = (1.0, 4.0, 12.0)


def fermi(x: ArrayLike) -> FloatArray:
    return 0.5 * (1.0 - np.tanh(0.5 * np.asarray(x, dtype=float)))


def bose(x: ArrayLike) -> FloatArray:
    e = np.exp(-np.asarray(x, dtype=float))
    return e / -np.expm1(-np.asarray(x, dtype=float))


#: -1/(2k+1), k = 1..8: the series a - artanh(a) = -(a^3/3 + a^5/5 + ... + a^17/17)
_ARTANH_SERIES = tuple(-1.0 / (2 * k + 1) for k in range(1, 9))


def odd_series(a: FloatArray, coefficients: tuple[float, ...]) -> FloatArray:
    """sum_k c_k a^(2k+1), k = 1.. (Horner in a^2)."""
    a2 = a * a
    acc = np.full_like(a, coefficients[-1])
    for c in coefficients[-2::-1]:
        acc = acc * a2 + c
    return acc * a2 * a


def split_eval(x: FloatArray, small: NDArray[np.bool_], series: Callable[[FloatArray], FloatArray],
               direct: Callable[[FloatArray], FloatArray]) -> FloatArray:
    """series(x) where ``small``, direct(x) elsewhere; each branch is evaluated only on its own elements."""
    if small.all():
        return series(x)
    if not small.any():
        return direct(x)
    out = np.empty(x.shape)
    out[small] = series(x[small])
    large = ~small
    out[large] = direct(x[large])
    return out


def _artanh_direct(a: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore"):
        return a - 0.5 * np.log(np.abs((1 + a) / (1 - a)))


def _a_minus_artanh(a: FloatArray) -> FloatArray:
    """a - (1/2) ln|(1+a)/(1-a)|, with the series -(a^3/3 + a^5/5 + ...) where it cancels."""
    a = np.asarray(a, dtype=float)
    return split_eval(a, np.abs(a) < 0.1, lambda s: odd_series(s, _ARTANH_SERIES), _artanh_direct)


def thermal_potential(E: ArrayLike, T: ArrayLike, m: float, coupling: float, n: int = 24) -> FloatArray:
    """V_V(E, T) of Eq. 3.3 [GeV] for a vector of mass m coupled with strength ``coupling``.

    V = c^2/(8 pi^2 E^2) Int_0^inf dp { [4Ep - (m^2/2) L1] f_F(p) + [4Ep^2/w - (m^2 p/2w) L2] f_B(w) }
    with the logs L1, L2 of spec section 3.1. The integrable log singularities of L1 at
    p = m^2/(4E) and of L2 at p = |E - m^2/(4E)| are panel end points; the fermion bracket is
    written as m^2 (a - artanh a), a = 4pE/m^2, whose series avoids the cancellation at T << m.
    Limits (Eq. 3.4): -7 pi^2 c^2 E T^4/(45 m^4) for T << m, +c^2 T^2/(8E) for T >> m.
    """
    E, T = np.broadcast_arrays(np.asarray(E, dtype=float), np.asarray(T, dtype=float))
    flat_E, flat_T = E.reshape(-1), T.reshape(-1)
    n_panels = len(_FIXED_BREAKS) + 4

    def block(start: int, stop: int) -> FloatArray:
        return _potential_block(flat_E[start:stop], flat_T[start:stop], m, n)

    total = map_row_blocks(block, flat_E.size, _BLOCK_ELEMENTS // (n * n_panels)).reshape(E.shape)
    # integrand is in units of T^2 (u = p/T, E/T): V = c^2 T^2 total / (8 pi^2 E^2) * T
    return coupling**2 * T**3 * total / (8 * math.pi**2 * E**2)


def _potential_block(E: FloatArray, T: FloatArray, m: float, n: int) -> FloatArray:
    """The dimensionless integral of :func:`thermal_potential` on 1-d E, T."""
    mt = m / T
    e_t = E / T
    # break points in u = p/T: the two log singularities and the boson mass scale
    u1 = m**2 / (4 * E * T)
    u2 = np.abs(E - m**2 / (4 * E)) / T
    fixed = [np.full(E.shape, b) for b in _FIXED_BREAKS]  # resolve the thermal peak at p ~ 3T
    breaks = np.sort(np.stack([np.minimum(u1, _U_MAX), np.minimum(u2, _U_MAX), np.minimum(mt, _U_MAX), *fixed], -1), -1)
    edges = np.concatenate([np.zeros((*E.shape, 1)), breaks, np.full((*E.shape, 1), _U_MAX)], -1)
    nodes, weights = clustered_nodes(n)
    total = np.zeros(E.shape)
    for k in range(edges.shape[-1] - 1):
        lo, hi = edges[:, k], edges[:, k + 1]
        nonempty = hi > lo  # coinciding break points (e.g. all at _U_MAX): zero weights, nothing to add
        rows: Any = slice(None) if nonempty.all() else np.nonzero(nonempty)[0]
        u, wu = panel(lo[rows], hi[rows], nodes, weights)
        # an empty panel's nodes sit on a log singularity: the where() drops any such node
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = wu * _potential_integrand(u, e_t[rows, None], mt[rows, None])
        total[rows] += np.sum(np.where(wu > 0, terms, 0.0), -1)
    return total


def _potential_integrand(u: FloatArray, e: FloatArray, mt: FloatArray) -> FloatArray:
    """Eq. 3.3 integrand in units of T^2 with u = p/T, e = E/T, mt = m/T."""
    m2 = mt**2
    a = 4 * u * e / m2
    fermion = m2 * _a_minus_artanh(a) * fermi(u)
    w = np.sqrt(u**2 + m2)
    ue2 = 2 * u * e  # shared factors of the four logs' arguments (same operations, same rounding)
    ew2 = 2 * e * w
    with np.errstate(divide="ignore", invalid="ignore"):
        l2 = np.log(np.abs((ue2 + ew2 + m2) * (ue2 - ew2 + m2))
                    / np.abs((-ue2 + ew2 + m2) * (-ue2 - ew2 + m2)))
    l2[~np.isfinite(l2)] = 0.0  # only ever hit exactly at a panel end (zero weight)
    boson = (4 * e * u**2 / w - m2 * u / (2 * w) * l2) * bose(w)
    return fermion + boson


def potential_low_T(E: ArrayLike, T: ArrayLike, m: float, coupling: float) -> FloatArray:
    """Eq. 3.4, T << m: -7 pi^2 c^2 E T^4/(45 m^4)."""
    return -7 * math.pi**2 * coupling**2 * np.asarray(E) * np.asarray(T) ** 4 / (45 * m**4)


def potential_high_T(E: ArrayLike, T: ArrayLike, m: float, coupling: float) -> FloatArray:
    """Eq. 3.4, T >> m: +c^2 T^2/(8E)."""
    return coupling**2 * np.asarray(T) ** 2 / (8 * np.asarray(E))


SigmaHat = Callable[[FloatArray], FloatArray]
#: exp(-t) is exactly 0.0 in double precision for t above this: thermal weights there vanish exactly
_EXP_UNDERFLOW = 746.0


def rate_from_cross_section(E: ArrayLike, T: ArrayLike, m: float, coupling: float,
                            smooth: SigmaHat, pole_residue: SigmaHat | None = None,
                            pole_pv: SigmaHat | None = None, gw: float = 0.0, n: int = 40) -> FloatArray:
    """Thermal rate of Eq. 3.6 as the one-dimensional s-integral of spec section 3.3 [GeV].

    The dimensionless cross section (sigma = coupling^4/m^2 * sigma_hat, y = s/m^2) is given as
    sigma_hat(y) = smooth(y) + pole_residue(y)/((y-1)^2 + gw^2) + (y-1) pole_pv(y)/((y-1)^2 + gw^2),
    with ``smooth``, ``pole_residue`` and ``pole_pv`` regular at y = 1.
    """
    E, T = np.broadcast_arrays(np.asarray(E, dtype=float), np.asarray(T, dtype=float))
    q = 4 * E * T / m**2
    J = s_integral(q, smooth, pole_residue, pole_pv, gw, n)
    return coupling**4 * T * m**2 * J / (8 * math.pi**2 * E**2)


def s_integral(q: ArrayLike, smooth: SigmaHat, pole_residue: SigmaHat | None = None,
               pole_pv: SigmaHat | None = None, gw: float = 0.0, n: int = 40) -> FloatArray:
    """J(q) = Int_0^inf dy y sigma_hat(y) ln(1 + e^{-y/q}): the dimensionless rate integral.

    sigma_hat = smooth + pole_residue/((y-1)^2 + gw^2) + (y-1) pole_pv/((y-1)^2 + gw^2).
    """
    if gw <= 0 and pole_residue is not None:
        raise ValueError("a Breit-Wigner pole needs a positive width")
    return s_integral_sum(q, [(1.0, smooth, pole_residue, pole_pv)], gw, n)


#: Evaluators of (smooth, pole_residue, pole_pv) at once, keyed by those three functions: a model
#: registers one when the three share costly pieces (see :func:`register_fused`)
_FUSED: dict[tuple[Any, Any, Any], Callable[[FloatArray], tuple[FloatArray, FloatArray, FloatArray]]] = {}


def register_fused(parts: tuple[SigmaHat, SigmaHat | None, SigmaHat | None],
                   fused: Callable[[FloatArray], tuple[FloatArray, FloatArray, FloatArray]]) -> None:
    """Let :func:`s_integral_sum` evaluate the cross-section parts (smooth, pole_residue, pole_pv)
    with one call of ``fused(y)``, which must return the same three arrays (e.g. sharing ln(1+y))."""
    _FUSED[parts] = fused


#: One term of :func:`s_integral_sum`: (coefficient, smooth, pole_residue, pole_pv).
Channel = tuple[Any, SigmaHat, SigmaHat | None, SigmaHat | None]


def s_integral_sum(q: ArrayLike, channels: Sequence[Channel], gw: float = 0.0, n: int = 40) -> FloatArray:
    """Sum over ``channels`` of coefficient * :func:`s_integral` (q, smooth, pole_residue, pole_pv, gw, n).

    The coefficients broadcast against q (e.g. per-temperature channel weights). All channels share
    the width and hence the nodes, so the thermal weight y ln(1 + e^{-y/q}) is computed once per
    node, and in the pole region, whose nodes y = 1 +- u do not depend on q, the y-integral is a
    matrix-vector product of ln(1 + e^{-y/q}) with the q-independent y sigma_hat(y) w(y).

    Nodes (the same for every q): [0, min(1 - delta, 60 q)] with t^3-clustered Gauss-Legendre;
    [1 + delta, 1 + delta + 60 q] log-spaced in panels of <= 6 e-folds; the pole folded about
    y = 1 (u = |y - 1| <= delta): a tan map on u < 20 gw (du/(u^2 + gw^2) = dphi/gw) and
    log-spaced panels of <= 6 e-folds beyond. Nodes where e^{-y/q} underflows to zero contribute
    exactly nothing and are skipped.
    """
    q = np.asarray(q, dtype=float)
    if gw <= 0 and any(res is not None for _, _, res, _ in channels):
        raise ValueError("a Breit-Wigner pole needs a positive width")
    flat_q = q.reshape(-1)
    flat_c = [np.broadcast_to(np.asarray(c, dtype=float), q.shape).reshape(-1) for c, _, _, _ in channels]
    delta = 0.5
    t_gl, w_gl = gauss_legendre(n)
    # above the pole: log-spaced panels on [1 + delta, 1 + delta + 60 q]; their number is set by the largest q
    a = math.log(1 + delta)
    n_sub = max(1, math.ceil((float(np.max(np.log(1 + delta + 60 * flat_q), initial=a)) - a) / 6.0))
    # pole region, folded about y = 1: u = |y - 1| in [0, delta]. Its nodes do not depend on q, so
    # y sigma_hat(y) w(y) is computed once per channel: pole[i] = (y nodes, [vector per channel])
    pole: list[tuple[FloatArray, list[FloatArray]]] = []

    def pole_nodes(u: FloatArray, wu: FloatArray, scale: float, tan_map: bool) -> None:
        for sign in (1.0, -1.0):
            y = 1 + sign * u
            # with the tan map the weights carry 1/(u^2 + gw^2): sigma comes multiplied by it
            pole.append((y, [wu * y * _pole_sigma(ch, y, sign * u, gw, tan_map) / scale for ch in channels]))

    k_tan = 20.0
    u_split = min(k_tan * gw, delta) if gw > 0 else 0.0
    if u_split > 0:  # tan map: du/(u^2 + gw^2) = dphi/gw
        phi_max = math.atan(u_split / gw)
        phi = 0.5 * phi_max * (t_gl + 1)
        pole_nodes(gw * np.tan(phi), 0.5 * phi_max * w_gl, gw, tan_map=True)
    if u_split < delta:
        u_lo = u_split if u_split > 0 else 1e-14
        a_, b_ = math.log(u_lo), math.log(delta)
        # the Lorentzian tail ~ 1/u^2 falls by e^-2 per e-fold: panels of <= 6 e-folds keep Gauss-
        # Legendre exact to ~1e-12 however narrow the width (one panel lost accuracy below gw ~ 1e-9)
        n_pole = max(1, math.ceil((b_ - a_) / 6.0))
        for k in range(n_pole):
            lo_, hi_ = a_ + (b_ - a_) * k / n_pole, a_ + (b_ - a_) * (k + 1) / n_pole
            u = np.exp(lo_ + (hi_ - lo_) * 0.5 * (t_gl + 1))
            pole_nodes(u, 0.5 * (hi_ - lo_) * w_gl * u, 1.0, tan_map=False)

    def block(start: int, stop: int) -> FloatArray:
        return _s_block(flat_q[start:stop], [c[start:stop] for c in flat_c], channels, gw, n, n_sub, pole)

    return map_row_blocks(block, flat_q.size, _BLOCK_ELEMENTS // (n * (1 + n_sub))).reshape(q.shape)


#: Elements per work array: row blocks this size keep numpy's temporaries in cache (~2x faster than
#: whole-grid arrays at 14k rows x 40 nodes); rows are independent, so the result does not depend on it
_BLOCK_ELEMENTS = 2**15


def _s_block(q: FloatArray, coefs: list[FloatArray], channels: Sequence[Channel], gw: float, n: int, n_sub: int,
             pole: list[tuple[FloatArray, list[FloatArray]]]) -> FloatArray:
    """:func:`s_integral_sum` on a block of rows (1-d q and coefficients)."""
    total = np.zeros(q.size)
    delta = 0.5
    nodes, weights = clustered_nodes(n)
    t_gl, w_gl = gauss_legendre(n)

    def q_panel(rows: Any, y: FloatArray, wy: FloatArray) -> None:
        """Add the sum over nodes y (rows x n, depending on q) with weights wy."""
        qq = q[rows][:, None]
        thermal = y * np.log1p(np.exp(-y / qq))
        d = y - 1
        denom = d * d + gw * gw
        sigma: Any = 0.0
        for coef, (_, smooth, res, pv) in zip(coefs, channels, strict=True):
            fused = _FUSED.get((smooth, res, pv))
            if fused is not None:
                part, res_y, pv_y = fused(y)
                part = part + (res_y + d * pv_y) / denom
            else:
                part = smooth(y)
                if res is not None or pv is not None:
                    num = res(y) if res is not None else 0.0
                    if pv is not None:
                        num = num + d * pv(y)
                    part = part + num / denom
            sigma = sigma + coef[rows][:, None] * part
        total[rows] += np.sum(wy * thermal * sigma, -1)

    # below the pole: y in [0, 1 - delta], cut at the thermal tail (every node has y/q < 60)
    lo_top = np.minimum(1 - delta, 60 * q)
    y, wy = panel(np.zeros_like(lo_top), lo_top, nodes, weights)
    q_panel(slice(None), y, wy)
    # above the pole: log-spaced nodes on [1 + delta, y_hi], in n_sub sub-panels
    a, b = math.log(1 + delta), np.log(1 + delta + 60 * q)
    for k in range(n_sub):
        lo = a + (b - a) * k / n_sub
        rows = np.nonzero(np.exp(lo) < _EXP_UNDERFLOW * q)[0]  # beyond: e^{-y/q} = 0 at every node
        if rows.size == 0:
            continue
        lo_r = lo[rows][:, None]
        hi_r = (a + (b[rows] - a) * (k + 1) / n_sub)[:, None]
        y = np.exp(lo_r + (hi_r - lo_r) * 0.5 * (t_gl + 1))
        q_panel(rows, y, 0.5 * (hi_r - lo_r) * w_gl * y)
    # pole region: y >= 1 - delta, so rows with (1 - delta)/q beyond the underflow add exactly nothing
    rows = np.nonzero((1 - delta) < _EXP_UNDERFLOW * q)[0]
    if rows.size:
        qq = q[rows][:, None]
        for y, vectors in pole:
            L = np.log1p(np.exp(-y / qq))
            for coef, vector in zip(coefs, vectors, strict=True):
                total[rows] += coef[rows] * (L @ vector)
    return total


def _pole_sigma(channel: Channel, y: FloatArray, d: FloatArray, gw: float, tan_map: bool) -> FloatArray:
    """sigma_hat of one channel at pole-region nodes; with ``tan_map`` times (d^2 + gw^2)."""
    _, smooth, res, pv = channel
    denom = d * d + gw * gw
    num: Any = 0.0
    if res is not None:
        num = res(y)
    if pv is not None:
        num = num + d * pv(y)
    if tan_map:
        return num + smooth(y) * denom
    return smooth(y) + num / denom if (res is not None or pv is not None) else smooth(y)
