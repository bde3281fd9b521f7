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
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..quadrature import clustered_nodes, gauss_legendre, panel

__all__ = ["thermal_potential", "rate_from_cross_section", "s_integral", "potential_low_T", "potential_high_T",
           "fermi", "bose"]

FloatArray = NDArray[np.float64]
_U_MAX = 60.0  # p/T beyond which Fermi/Bose tails are below 1e-26
_FIXED_BREAKS = (1.0, 4.0, 12.0)


def fermi(x: ArrayLike) -> FloatArray:
    return 0.5 * (1.0 - np.tanh(0.5 * np.asarray(x, dtype=float)))


def bose(x: ArrayLike) -> FloatArray:
    e = np.exp(-np.asarray(x, dtype=float))
    return e / -np.expm1(-np.asarray(x, dtype=float))


def _a_minus_artanh(a: FloatArray) -> FloatArray:
    """a - (1/2) ln|(1+a)/(1-a)|, with the series -(a^3/3 + a^5/5 + ...) where it cancels."""
    a = np.asarray(a, dtype=float)
    small = np.abs(a) < 0.1
    a_s = np.where(small, a, 0.0)
    series = -sum(a_s ** (2 * k + 1) / (2 * k + 1) for k in range(1, 9))
    a_l = np.where(small, 2.0, a)
    with np.errstate(divide="ignore"):
        direct = a_l - 0.5 * np.log(np.abs((1 + a_l) / (1 - a_l)))
    return np.where(small, series, direct)


def thermal_potential(E: ArrayLike, T: ArrayLike, m: float, coupling: float, n: int = 24) -> FloatArray:
    """V_V(E, T) of Eq. 3.3 [GeV] for a vector of mass m coupled with strength ``coupling``.

    V = c^2/(8 pi^2 E^2) Int_0^inf dp { [4Ep - (m^2/2) L1] f_F(p) + [4Ep^2/w - (m^2 p/2w) L2] f_B(w) }
    with the logs L1, L2 of spec section 3.1. The integrable log singularities of L1 at
    p = m^2/(4E) and of L2 at p = |E - m^2/(4E)| are panel end points; the fermion bracket is
    written as m^2 (a - artanh a), a = 4pE/m^2, whose series avoids the cancellation at T << m.
    Limits (Eq. 3.4): -7 pi^2 c^2 E T^4/(45 m^4) for T << m, +c^2 T^2/(8E) for T >> m.
    """
    E, T = np.broadcast_arrays(np.asarray(E, dtype=float), np.asarray(T, dtype=float))
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
        u, wu = panel(edges[..., k], edges[..., k + 1], nodes, weights)
        # coinciding break points make empty panels whose nodes sit on a log singularity
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = wu * _potential_integrand(u, e_t[..., None], mt[..., None])
        total += np.sum(np.where(wu > 0, terms, 0.0), -1)
    # integrand is in units of T^2 (u = p/T, E/T): V = c^2 T^2 total / (8 pi^2 E^2) * T
    return coupling**2 * T**3 * total / (8 * math.pi**2 * E**2)


def _potential_integrand(u: FloatArray, e: FloatArray, mt: FloatArray) -> FloatArray:
    """Eq. 3.3 integrand in units of T^2 with u = p/T, e = E/T, mt = m/T."""
    a = 4 * u * e / mt**2
    fermion = mt**2 * _a_minus_artanh(a) * fermi(u)
    w = np.sqrt(u**2 + mt**2)
    m2 = mt**2
    with np.errstate(divide="ignore", invalid="ignore"):
        l2 = np.log(np.abs((2 * u * e + 2 * e * w + m2) * (2 * u * e - 2 * e * w + m2))
                    / np.abs((-2 * u * e + 2 * e * w + m2) * (-2 * u * e - 2 * e * w + m2)))
    l2 = np.where(np.isfinite(l2), l2, 0.0)  # only ever hit exactly at a panel end (zero weight)
    boson = (4 * e * u**2 / w - m2 * u / (2 * w) * l2) * bose(w)
    return fermion + boson


def potential_low_T(E: ArrayLike, T: ArrayLike, m: float, coupling: float) -> FloatArray:
    """Eq. 3.4, T << m: -7 pi^2 c^2 E T^4/(45 m^4)."""
    return -7 * math.pi**2 * coupling**2 * np.asarray(E) * np.asarray(T) ** 4 / (45 * m**4)


def potential_high_T(E: ArrayLike, T: ArrayLike, m: float, coupling: float) -> FloatArray:
    """Eq. 3.4, T >> m: +c^2 T^2/(8E)."""
    return coupling**2 * np.asarray(T) ** 2 / (8 * np.asarray(E))


SigmaHat = Callable[[FloatArray], FloatArray]


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
    q = np.asarray(q, dtype=float)
    if gw <= 0 and pole_residue is not None:
        raise ValueError("a Breit-Wigner pole needs a positive width")

    def integrand(y: FloatArray, qq: FloatArray, kind: str) -> FloatArray:
        weight = y * np.log1p(np.exp(-y / qq))
        if kind == "smooth":
            return weight * smooth(y)
        if kind == "residue":
            return weight * pole_residue(y) if pole_residue is not None else 0.0 * y
        return weight * pole_pv(y) if pole_pv is not None else 0.0 * y

    qq = q[..., None]
    delta = 0.5
    y_hi = 1 + delta + 60 * q
    nodes, weights = clustered_nodes(n)
    t_gl, w_gl = gauss_legendre(n)

    def full_sigma(y: FloatArray, d: FloatArray | None = None) -> FloatArray:
        # d = y - 1 passed exactly next to the pole, where 1 + u - 1 loses u below 1e-16
        res = integrand(y, qq, "smooth")
        d = y - 1 if d is None else d
        denom = d**2 + gw**2
        return res + integrand(y, qq, "residue") / denom + d * integrand(y, qq, "pv") / denom

    total = np.zeros(q.shape)
    # below the pole: y in [0, 1 - delta], cut at the thermal tail
    lo_top = np.minimum(1 - delta, 60 * q)
    y, wy = panel(np.zeros_like(q), lo_top, nodes, weights)
    total += np.sum(wy * full_sigma(y), -1)
    # above the pole: log-spaced nodes on [1 + delta, y_hi], in sub-panels of <= 6 e-folds
    a, b = math.log(1 + delta), np.log(y_hi)
    n_sub = max(1, math.ceil((float(np.max(b, initial=a)) - a) / 6.0))
    for k in range(n_sub):
        lo = (a + (b - a) * k / n_sub)[..., None]
        hi = (a + (b - a) * (k + 1) / n_sub)[..., None]
        y = np.exp(lo + (hi - lo) * 0.5 * (t_gl + 1))
        total += np.sum(0.5 * (hi - lo) * w_gl * y * full_sigma(y), -1)
    # pole region, folded: u = |y - 1| in [0, delta]
    k_tan = 20.0
    u_split = min(k_tan * gw, delta) if gw > 0 else 0.0
    if u_split > 0:  # tan map: du/(u^2 + gw^2) = dphi/gw
        phi_max = math.atan(u_split / gw)
        phi = 0.5 * phi_max * (t_gl + 1)
        wphi = 0.5 * phi_max * w_gl
        u = gw * np.tan(phi)
        yp, ym = 1 + u, 1 - u
        res = integrand(yp, qq, "residue") + integrand(ym, qq, "residue")
        pv = u * (integrand(yp, qq, "pv") - integrand(ym, qq, "pv"))
        smooth_part = (integrand(yp, qq, "smooth") + integrand(ym, qq, "smooth")) * (u**2 + gw**2)
        total += np.sum(wphi * (res + pv + smooth_part), -1) / gw
    if u_split < delta:
        u_lo = u_split if u_split > 0 else 1e-14
        a, b = math.log(u_lo), math.log(delta)  # type: ignore[assignment]
        # the Lorentzian tail ~ 1/u^2 falls by e^-2 per e-fold: panels of <= 6 e-folds keep Gauss-
        # Legendre exact to ~1e-12 however narrow the width (one panel lost accuracy below gw ~ 1e-9)
        n_pole = max(1, math.ceil((b - a) / 6.0))
        for k in range(n_pole):
            lo, hi = a + (b - a) * k / n_pole, a + (b - a) * (k + 1) / n_pole
            u = np.exp(lo + (hi - lo) * 0.5 * (t_gl + 1))
            wu = 0.5 * (hi - lo) * w_gl * u
            total += np.sum(wu * (full_sigma(1 + u, u) + full_sigma(1 - u, -u)), -1)
    return total
