"""Z invisible width bound on the lepton-number-charged scalar (docs/scalar.md, arXiv:1910.04901).

phi is radiated off a neutrino from Z -> nu nubar: Z -> nubar nubar phi and nu nu phi*, two diagrams
each (identical neutrinos, relative sign -1). With sum |M|^2 from explicit two-component spinor
amplitudes (checked against the four-component Majorana form of Denner et al. and for Lorentz
invariance) and the Dalitz integral done numerically, the extra invisible width is

    Delta Gamma_inv = lambda^2 R(m_phi/m_Z) Gamma(Z -> nu_a nubar_a),
    R -> [ln(m_Z/m_phi) - 1.83]/(8 pi^2) for m_phi << m_Z,

the log's coefficient being the collinear splitting nu -> nubar phi (lambda^2/16 pi^2 per e-fold of
virtuality per leg, two legs). Bound: Delta N_nu = lambda^2 R < N_nu + 1.96 sigma - 3 with
N_nu = 2.9963 +- 0.0074 (Janot & Jadach, PLB 803 (2020) 135319).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.polynomial.legendre import leggauss
from scipy.interpolate import CubicSpline

from .. import constants as C
from .base import Constraint, Measurement

__all__ = ["z_invisible_ratio", "z_invisible_R", "z_invisible", "N_NU"]

N_NU = Measurement(2.9963, "+- 0.0074", "Janot & Jadach, PLB 803 (2020) 135319 (LEP lineshape, updated)")
_N_NU_SIGMA = 0.0074

_S = np.array([np.eye(2), [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=complex)
_SBAR = _S * np.array([1, -1, -1, -1])[:, None, None]
_EPS = np.array([[0, 1], [-1, 0]], dtype=complex)
_G = np.diag([1.0, -1.0, -1.0, -1.0])


def _dsig(p: np.ndarray, s: np.ndarray) -> np.ndarray:
    return np.einsum("...m,mab->...ab", p * np.array([1, -1, -1, -1.0]), s)


def _y(p: np.ndarray) -> np.ndarray:
    """Two-component wave function with y y^dagger = p.sigma (massless p: rank one)."""
    w, v = np.linalg.eigh(_dsig(p, _S))
    return v[..., :, 1] * np.sqrt(np.clip(w[..., 1], 0, None))[..., None]


def _msq(k1: np.ndarray, k2: np.ndarray, k: np.ndarray, m_z: float) -> np.ndarray:
    """sum |M|^2 / ((g_Z/2) lambda)^2 for Z -> nubar(k1) nubar(k2) phi(k), Z polarisations summed."""
    y1, y2 = _y(k1), _y(k2)
    p1, p2 = k2 + k, k1 + k
    d1 = np.einsum("...m,mn,...n", p1, _G, p1)
    d2 = np.einsum("...m,mn,...n", p2, _G, p2)
    l1, l2 = np.einsum("ab,...b->...a", _EPS, y1), np.einsum("ab,...b->...a", _EPS, y2)
    amp = (np.einsum("...a,mab,...bc,...c->...m", l1, _S, _dsig(p1, _SBAR), y2) / d1[..., None]
           - np.einsum("...a,mab,...bc,...c->...m", l2, _S, _dsig(p2, _SBAR), y1) / d2[..., None])
    q = k1 + k2 + k
    aa = np.real(np.einsum("...m,mn,...n", amp.conj(), _G, amp))
    qa = np.einsum("...m,mn,...n", q, _G, amp)
    return -aa + np.abs(qa) ** 2 / m_z**2


def z_invisible_ratio(r: float, n: int = 40) -> float:
    """R(r = m_phi/m_Z): Gamma(Z -> nu nu phi + c.c.) = lambda^2 R Gamma(Z -> nu_a nubar_a), by a Dalitz
    integral (Gauss-Legendre in m12^2, log maps at both collinear ends in m23^2)."""
    if not 0 < r < 1:
        return 0.0
    t, w = leggauss(n)
    x, wx = 0.5 * (t + 1), 0.5 * w
    hi12 = (1 - r) ** 2
    total = 0.0
    for a, wa in zip(hi12 * x, hi12 * wx, strict=True):
        m = math.sqrt(a)
        e2, e3 = m / 2, (1 - a - r * r) / (2 * m)
        p3 = math.sqrt(max(e3 * e3 - r * r, 0.0))
        lo, hi = max((e2 + e3) ** 2 - (e2 + p3) ** 2, r * r), (e2 + e3) ** 2 - (e2 - p3) ** 2
        mid, eps = 0.5 * (lo + hi), r * r * 1e-9
        span = math.log(mid - lo + eps) - math.log(eps)
        u = np.exp(math.log(eps) + span * x)
        b = np.concatenate([lo + u - eps, hi - u + eps])
        wb = np.concatenate([span * wx * u, span * wx * u])
        e3z, e1 = (1 + r * r - a) / 2, (1 - b) / 2
        e2z = 1 - e1 - e3z
        p3z = math.sqrt(max(e3z**2 - r * r, 0.0))
        c = np.clip((e2z**2 - e1**2 - p3z**2) / (2 * e1 * p3z), -1, 1)
        s, z = np.sqrt(1 - c * c), np.zeros_like(e1)
        k1 = np.stack([e1, z, z, e1], -1)
        kk = np.stack([e3z + z, p3z * s, z, p3z * c], -1)
        k2 = np.concatenate([e2z[:, None], -(k1[:, 1:] + kk[:, 1:])], -1)
        total += wa * float(np.sum(wb * _msq(k1, k2, kk, 1.0)))
    # x 2 (nu nu phi*), x 1/2 (identical), x 1/3 (Z spin), over 256 pi^3 m^3, over g_Z^2 m/(96 pi), x 1/4
    return total / (32 * math.pi**2)


#: ln r and R(r) from z_invisible_ratio(r, n=80) on 19 log-spaced r in [1e-6, 0.95] (tests recompute points).
_LN_R = np.log(np.geomspace(1e-6, 0.95, 19))
_R_TABLE = np.array([0.15175629, 0.14207129, 0.13238651, 0.12270174, 0.11301697, 0.1033322, 0.09364744,
                     0.083962699, 0.074278047, 0.064593761, 0.054910956, 0.045234023, 0.035579755, 0.02600958,
                     0.016732917, 0.0083776446, 0.0023698428, 0.0001280738, 3.1725821e-12])
_SPLINE = CubicSpline(_LN_R, np.log(_R_TABLE))


def z_invisible_R(m_phi: np.ndarray) -> np.ndarray:
    """R(m_phi/m_Z) from the table; below r = 1e-6 the collinear log with slope 1/(8 pi^2); 0 above 0.95."""
    r = np.asarray(m_phi, dtype=float) / C.M_Z
    ln_r = np.log(np.clip(r, 1e-300, None))
    inside = np.exp(_SPLINE(np.clip(ln_r, _LN_R[0], _LN_R[-1])))
    below = _R_TABLE[0] + (_LN_R[0] - ln_r) / (8 * math.pi**2)
    return np.where(ln_r < _LN_R[0], below, np.where(ln_r > _LN_R[-1], 0.0, inside))


def z_invisible(model: str = "scalar") -> Constraint:
    """lambda^2 R(m_phi/m_Z) < N_nu + 1.96 sigma - 3 (module docstring)."""
    delta_max = N_NU.value + 1.96 * _N_NU_SIGMA - 3

    def edges(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        R = z_invisible_R(m)
        with np.errstate(divide="ignore"):
            lower = np.where(R > 0, np.sqrt(delta_max / np.where(R > 0, R, 1.0)), np.nan)
        return lower, np.where(R > 0, np.inf, np.nan)

    return Constraint("Z invisible", "limit", model, "upper", N_NU.source, edges,
                      {"N_nu": N_NU, "Delta N_nu max": Measurement(delta_max, "", "95% CL, one-sided")},
                      note="Z -> nu nu phi (+ c.c.) off the neutrino lines; computed here")
