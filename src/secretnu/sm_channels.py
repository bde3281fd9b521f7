"""Weak collision rates of an active neutrino, channel by channel, with masses (``sm="full"``).

Every channel is a 2 -> 2 process nu(p1) + a(p2) -> b(p3) + c(p4) on a thermal target a (Fermi-Dirac
or Bose-Einstein, no chemical potential), or an inverse decay nu + lbar -> meson. With Boltzmann
kinematics for the final states (their Pauli blocking is the separate factor of
:func:`secretnu.sm.pauli_blocking`) the rate of a neutrino of energy E is

    Gamma(E) = g_a/(16 pi^2 E^2) Int_{m_a}^inf dE2 f_a(E2) Int_{s-}^{s+} ds (s - m_a^2) sigma(s),
    s+- = m_a^2 + 2E(E2 +- p2),   sigma(s) = Int dt <|M|^2>/(16 pi (s - m_a^2)^2),

with <|M|^2> averaged over the spins of a (summed over b, c). The t integral is exact (|M|^2 is
quadratic in t: 3-point Gauss-Legendre), the s integral is a tabulated cumulative integral and the
E2 integral Gauss-Laguerre. In the massless limit this gives the coefficients of
:func:`secretnu.sm.rate_breakdown` (a test).

Matrix elements (G_F normalisation, dot products (ij) = p_i.p_j):

* neutral current on a fermion f (Z couplings g_L, g_R; g_L -> g_L + 1 for the charged lepton of
  the neutrino's flavour, W exchange Fierzed): nu f -> nu f: 64 G_F^2 [g_L^2 (12)(34) + g_R^2 (14)(23)
  - g_L g_R m^2 (13)]; nu fbar -> nu fbar: g_L <-> g_R; nu nubar -> f fbar (single-helicity nubar):
  128 G_F^2 [g_L^2 (14)(23) + g_R^2 (13)(24) + g_L g_R m^2 (12)].
* charged current through a doublet (U, D) (nu_e, e), (u, d), ...: nu D -> l U: 64 (12)(34);
  nu Ubar -> l Dbar: 64 (14)(23) (128 for a single-helicity nubar); nu lbar -> U Dbar: 64 (14)(23);
  times N_c |V_UD|^2 G_F^2.
* mesons below the QCD crossover (leading-order chiral perturbation theory): the vector current
  <P(p')|V^mu|P(p)> = c (p + p')^mu of pions and kaons, with c = 1 - 2 s_W^2 (Z on pi+-, K+-) and
  c = sqrt(2) V_ud (W: pi0 <-> pi+-): |M|^2 = 4 G_F^2 c^2 [2(a.P)(b.P) - (a.b) P^2] with a, b the
  lepton momenta and P the meson current (sum for scattering, difference for pair creation); and the
  axial current (pion pole) through the inverse decays nu_l lbar -> pi+, K+, whose rate follows from
  the measured widths:
      Gamma(E) = m_M^3 Gamma(M -> l nu) T ln(1 + exp(-E_min/T)) / ((m_M^2 - m_l^2) E^2),
      E_min = (a^2 + m_l^2)/(2a),  a = (m_M^2 - m_l^2)/(2E).

Quarks and mesons are joined by :func:`crossover_weight`: hadrons = w quarks + (1 - w) mesons.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.interpolate import RectBivariateSpline

from .constants import (
    BR_K_MU_NU,
    BR_PI_E_NU,
    CKM,
    G_F,
    HBAR_GEV_S,
    LEPTON_MASS,
    M_K_CHARGED,
    M_PI_CHARGED,
    M_PI_NEUTRAL,
    QUARK_MASS,
    SIN2_THETA_W,
    TAU_K_CHARGED,
    TAU_PI_CHARGED,
    V_UD,
)
from .quadrature import gauss_laguerre, gauss_legendre

__all__ = ["Channel", "channels", "channel_rates", "group_rates", "crossover_weight", "CROSSOVER",
           "GROUPS", "inverse_decay_rate", "full_rate_scaled", "combine"]

FloatArray = NDArray[np.float64]
_N_C = 3
_QUARK_CHARGE = {"u": 2 / 3, "c": 2 / 3, "d": -1 / 3, "s": -1 / 3, "b": -1 / 3}
#: Channel groups: Gamma = B(x) [neutrinos + leptons + w quarks + (1 - w) mesons] + (1 - w) decays.
GROUPS: tuple[str, ...] = ("neutrinos", "leptons", "quarks", "mesons", "decays")
#: Crossover of :func:`crossover_weight`: midpoint and width in T [GeV], and the shifts of the midpoint
#: that bound the hadronic uncertainty band (docs/physics.md).
CROSSOVER: dict[str, float] = {"T_mid": 0.18, "width": 0.025, "band_low": 0.155, "band_high": 0.22}


def crossover_weight(T: ArrayLike, T_mid: float = CROSSOVER["T_mid"], width: float = CROSSOVER["width"]) -> FloatArray:
    """Weight w(T) of the free-quark rates (1 - w: the meson gas): a logistic step in T.

    Modelled on the light-quark number susceptibility of lattice QCD (HotQCD, Bazavov et al. 2012,
    arXiv:1203.0784), which measures how far the weak currents see free quarks: w = 0.04 at 100 MeV,
    0.23 at 150 MeV, 0.77 at 210 MeV, 0.96 at 260 MeV, 0.998 at 350 MeV. Below the crossover the
    small free-quark share stands in for the hadrons heavier than pi and K, which the meson gas
    omits. The free-quark rates are not scaled by the QCD pressure deficit: the weak rates in the
    plasma differ from free quarks by O(alpha_s/pi), a few to ~10% at 1-10 GeV, not included.
    """
    T = np.asarray(T, dtype=float)
    return 0.5 * (1.0 + np.tanh((T - T_mid) / (2.0 * width)))


@dataclass(frozen=True)
class Channel:
    """One process nu(p1) + target(p2) -> (p3) + (p4).

    m: masses (target, p3, p4) [GeV]; boson: target statistics; g: target states counted
    (spin x colour x charge); amplitude: <|M|^2>/G_F^2 from the dot products
    (p1p2, p1p3, p1p4, p2p3, p2p4, p3p4) and the masses; group: one of :data:`GROUPS`.
    """

    name: str
    group: str
    m: tuple[float, float, float]
    boson: bool
    g: float
    amplitude: Callable[..., FloatArray]


def _fermion_nc(gl: float, gr: float, m: float) -> tuple[Callable[..., FloatArray], ...]:
    def scatter(d12, d13, d14, d23, d24, d34):
        return 64 * (gl**2 * d12 * d34 + gr**2 * d14 * d23 - gl * gr * m**2 * d13)

    def scatter_bar(d12, d13, d14, d23, d24, d34):
        return 64 * (gr**2 * d12 * d34 + gl**2 * d14 * d23 - gl * gr * m**2 * d13)

    def annihilate(d12, d13, d14, d23, d24, d34):
        return 128 * (gl**2 * d14 * d23 + gr**2 * d13 * d24 + gl * gr * m**2 * d12)

    return scatter, scatter_bar, annihilate


def _s_type(weight: float) -> Callable[..., FloatArray]:
    return lambda d12, d13, d14, d23, d24, d34: 64 * weight * d12 * d34


def _u_type(weight: float) -> Callable[..., FloatArray]:
    return lambda d12, d13, d14, d23, d24, d34: 64 * weight * d14 * d23


def _meson_scatter(c2: float, m2: float, m4: float) -> Callable[..., FloatArray]:
    # a = p1, b = p3, P = p2 + p4
    def amp(d12, d13, d14, d23, d24, d34):
        aP, bP, P2 = d12 + d14, d23 + d34, m2**2 + m4**2 + 2 * d24
        return 4 * c2 * (2 * aP * bP - d13 * P2)

    return amp


def _meson_pair(c2: float, m3: float, m4: float, average: float) -> Callable[..., FloatArray]:
    # a = p1, b = p2 (incoming antilepton), P = p3 - p4; average = 1/2 over a two-state target
    def amp(d12, d13, d14, d23, d24, d34):
        aP, bP, P2 = d13 - d14, d23 - d24, m3**2 + m4**2 - 2 * d34
        return 4 * average * c2 * (2 * aP * bP - d12 * P2)

    return amp


@cache
def channels(flavor: str) -> tuple[Channel, ...]:
    """Every 2 -> 2 channel of nu_flavor (module docstring)."""
    out: list[Channel] = []
    s2w = SIN2_THETA_W
    m_a = LEPTON_MASS[flavor]
    for beta, m in LEPTON_MASS.items():
        gl, gr = -0.5 + s2w + (beta == flavor), s2w
        sc, sb, an = _fermion_nc(gl, gr, m)
        out += [Channel(f"nu {beta} -> nu {beta}", "leptons", (m, 0.0, m), False, 2, sc),
                Channel(f"nu {beta}bar -> nu {beta}bar", "leptons", (m, 0.0, m), False, 2, sb),
                Channel(f"nu nubar -> {beta} {beta}bar", "leptons", (0.0, m, m), False, 1, an)]
        if beta != flavor:  # charged current through the (nu_beta, beta) doublet
            out += [Channel(f"nu {beta} -> {flavor} nu_{beta}", "leptons", (m, m_a, 0.0), False, 2, _s_type(1.0)),
                    Channel(f"nu nubar_{beta} -> {flavor} {beta}bar", "leptons", (0.0, m_a, m), False, 1,
                            _u_type(2.0)),
                    Channel(f"nu {flavor}bar -> nu_{beta} {beta}bar", "leptons", (m_a, 0.0, m), False, 2,
                            _u_type(1.0))]
    for q, m in QUARK_MASS.items():
        t3 = 0.5 if q in "uc" else -0.5
        gl, gr = t3 - _QUARK_CHARGE[q] * s2w, -_QUARK_CHARGE[q] * s2w
        sc, sb, an = _fermion_nc(gl, gr, m)
        out += [Channel(f"nu {q} -> nu {q}", "quarks", (m, 0.0, m), False, 2 * _N_C, sc),
                Channel(f"nu {q}bar -> nu {q}bar", "quarks", (m, 0.0, m), False, 2 * _N_C, sb),
                Channel(f"nu nubar -> {q} {q}bar", "quarks", (0.0, m, m), False, _N_C, an)]
    for (up, down), v in CKM.items():
        mu_, md = QUARK_MASS[up], QUARK_MASS[down]
        w = v**2
        out += [Channel(f"nu {down} -> {flavor} {up}", "quarks", (md, m_a, mu_), False, 2 * _N_C, _s_type(w)),
                Channel(f"nu {up}bar -> {flavor} {down}bar", "quarks", (mu_, m_a, md), False, 2 * _N_C, _u_type(w)),
                Channel(f"nu {flavor}bar -> {up} {down}bar", "quarks", (m_a, mu_, md), False, 2 * _N_C, _u_type(w))]
    c_nc, c_cc = (1 - 2 * s2w) ** 2, 2 * V_UD**2
    mpc, mp0, mk = M_PI_CHARGED, M_PI_NEUTRAL, M_K_CHARGED
    out += [Channel("nu pi+- -> nu pi+-", "mesons", (mpc, 0.0, mpc), True, 2, _meson_scatter(c_nc, mpc, mpc)),
            Channel("nu K+- -> nu K+-", "mesons", (mk, 0.0, mk), True, 2, _meson_scatter(c_nc, mk, mk)),
            Channel("nu nubar -> pi+ pi-", "mesons", (0.0, mpc, mpc), False, 1, _meson_pair(c_nc, mpc, mpc, 1.0)),
            Channel(f"nu pi0 -> {flavor} pi+", "mesons", (mp0, m_a, mpc), True, 1, _meson_scatter(c_cc, mp0, mpc)),
            Channel(f"nu pi- -> {flavor} pi0", "mesons", (mpc, m_a, mp0), True, 1, _meson_scatter(c_cc, mpc, mp0)),
            Channel(f"nu {flavor}bar -> pi+ pi0", "mesons", (m_a, mpc, mp0), False, 2,
                    _meson_pair(c_cc, mpc, mp0, 0.5))]
    return tuple(out)


_GL3 = gauss_legendre(3)


def _sigma_integrand(ch: Channel, s: FloatArray) -> FloatArray:
    """(s - m_a^2) sigma(s) G_F^-2 = Int dt <|M|^2> / (16 pi (s - m_a^2)) over the physical t range."""
    m2, m3, m4 = ch.m
    rs = np.sqrt(s)
    p1 = (s - m2**2) / (2 * rs)  # massless neutrino: E1* = p1*
    lam34 = np.clip((s - (m3 + m4) ** 2) * (s - (m3 - m4) ** 2), 0.0, None)
    e3, p3 = (s + m3**2 - m4**2) / (2 * rs), np.sqrt(lam34) / (2 * rs)
    t_mid, t_half = m3**2 - 2 * p1 * e3, 2 * p1 * p3
    nodes, weights = _GL3
    total = np.zeros_like(s)
    for z, wz in zip(nodes, weights, strict=True):
        t = t_mid + t_half * z
        u = m2**2 + m3**2 + m4**2 - s - t
        d12, d34 = 0.5 * (s - m2**2), 0.5 * (s - m3**2 - m4**2)
        d13, d24 = 0.5 * (m3**2 - t), 0.5 * (m2**2 + m4**2 - t)
        d14, d23 = 0.5 * (m4**2 - u), 0.5 * (m2**2 + m3**2 - u)
        total += wz * ch.amplitude(d12, d13, d14, d23, d24, d34)
    return total * t_half / (16 * math.pi * (s - m2**2))


@cache
def _cumulative(ch: Channel) -> tuple[FloatArray, FloatArray, float]:
    """ln(s - s_th), ln of the cumulative Int_{s_th}^s ds (s - m_a^2) sigma, and s_th."""
    m2, m3, m4 = ch.m
    s_th = max(m2**2, (m3 + m4) ** 2)
    scale = max(s_th, 1e-6)
    y = np.geomspace(1e-9 * scale, 1e9, 4000)  # s - s_th
    s = s_th + y
    f = np.where(s > s_th, _sigma_integrand(ch, s), 0.0)
    f = np.clip(f, 0.0, None)
    # trapezoid in ln y; the first interval from 0 as a power law ~ y^k (k from the first two nodes)
    g = f * y
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (g[1:] + g[:-1]) * np.diff(np.log(y)))])
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.log(f[1] / f[0]) / np.log(y[1] / y[0]) if f[0] > 0 and f[1] > 0 else 1.0
    cum += g[0] / (k + 1) if np.isfinite(k) and k > -1 else 0.0
    with np.errstate(divide="ignore"):
        return np.log(y), np.log(np.maximum(cum, 1e-300)), s_th


def _cum_at(ch: Channel, s: FloatArray) -> FloatArray:
    ly, lc, s_th = _cumulative(ch)
    y = s - s_th
    out = np.zeros_like(s)
    on = y > 0
    lv = np.log(y[on])
    val = np.interp(lv, ly, lc)
    # beyond the table the massless power law (sigma ~ s: cumulative ~ s^3)
    high = lv > ly[-1]
    val[high] = lc[-1] + 3 * (lv[high] - ly[-1])
    out[on] = np.exp(val)
    return out


_N_E2 = 40


def _rate(ch: Channel, E: FloatArray, T: FloatArray) -> FloatArray:
    """Gamma/G_F^2 [GeV^-3... i.e. Gamma = G_F^2 x this] of one channel (module docstring)."""
    m2 = ch.m[0]
    y, w = gauss_laguerre(_N_E2)
    E2 = m2 + T[..., None] * y  # Laguerre weight e^-y carries the Boltzmann tail
    p2 = np.sqrt(np.clip(E2**2 - m2**2, 0.0, None))
    boltz = np.exp(-m2 / T)[..., None]
    occupation = boltz / (1 + (-1 if ch.boson else 1) * boltz * np.exp(-y))  # f e^{y}
    e = E[..., None]
    inner = _cum_at(ch, m2**2 + 2 * e * (E2 + p2)) - _cum_at(ch, m2**2 + 2 * e * (E2 - p2))
    return ch.g * T * np.sum(w * occupation * inner, axis=-1) / (16 * math.pi**2 * E**2)


def inverse_decay_rate(E: ArrayLike, T: ArrayLike, m_meson: float, m_lepton: float, width: float) -> FloatArray:
    """Rate [GeV] of nu(E) + lbar -> meson from the partial width Gamma(meson -> l nu) [GeV] (module
    docstring; Fermi-Dirac antileptons, the Bose enhancement of the meson neglected)."""
    E, T = np.asarray(E, dtype=float), np.asarray(T, dtype=float)
    delta = m_meson**2 - m_lepton**2
    a = delta / (2 * E)
    e_min = (a**2 + m_lepton**2) / (2 * a)
    return m_meson**3 * width * T * np.log1p(np.exp(-e_min / T)) / (delta * E**2)


def _inverse_decays(flavor: str, E: FloatArray, T: FloatArray) -> FloatArray:
    gamma_pi, gamma_k = HBAR_GEV_S / TAU_PI_CHARGED, HBAR_GEV_S / TAU_K_CHARGED
    if flavor == "mu":
        return (inverse_decay_rate(E, T, M_PI_CHARGED, LEPTON_MASS["mu"], (1 - BR_PI_E_NU) * gamma_pi)
                + inverse_decay_rate(E, T, M_K_CHARGED, LEPTON_MASS["mu"], BR_K_MU_NU * gamma_k))
    if flavor == "e":
        return inverse_decay_rate(E, T, M_PI_CHARGED, LEPTON_MASS["e"], BR_PI_E_NU * gamma_pi)
    return np.zeros(np.broadcast_shapes(E.shape, T.shape))  # tau: m_tau > m_pi, m_K (not included)


def channel_rates(x: ArrayLike, T: ArrayLike, flavor: str = "mu") -> dict[str, FloatArray]:
    """Gamma/(G_F^2 E T^4) of every channel at E = xT (x, T broadcast), without Pauli blocking.

    Keys are the channel names plus ``inverse decays`` (mesons) and ``nu nu`` (the three neutrino
    flavours, massless: 7 pi/27)."""
    x, T = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(T, dtype=float))
    E = x * T
    norm = G_F**2 * E * T**4
    out = {"nu nu": np.full(x.shape, 7 * math.pi / 27)}
    for ch in channels(flavor):
        out[ch.name] = G_F**2 * _rate(ch, E, T) / norm
    out["inverse decays"] = _inverse_decays(flavor, E, T) / norm
    return out


def group_rates(x: ArrayLike, T: ArrayLike, flavor: str = "mu") -> dict[str, FloatArray]:
    """:func:`channel_rates` summed over :data:`GROUPS` (``decays``: the inverse decays)."""
    rates = channel_rates(x, T, flavor)
    groups = {name: np.zeros(np.shape(rates["nu nu"])) for name in GROUPS}
    groups["neutrinos"] = rates["nu nu"]
    groups["decays"] = rates["inverse decays"]
    for ch in channels(flavor):
        groups[ch.group] = groups[ch.group] + rates[ch.name]
    return groups


def combine(groups: dict[str, FloatArray], x: ArrayLike, T: ArrayLike, T_mid: float = CROSSOVER["T_mid"],
            blocking: bool = True) -> FloatArray:
    """B(x) [neutrinos + leptons + w quarks + (1 - w) mesons] + (1 - w) decays, with w from
    :func:`crossover_weight` and B the Pauli-blocking factor of the 2 -> 2 channels
    (:func:`secretnu.sm.pauli_blocking`; the inverse decays end in a meson and are not blocked)."""
    from .sm import pauli_blocking  # sm imports this module

    w = crossover_weight(T, T_mid)
    two_body = groups["neutrinos"] + groups["leptons"] + w * groups["quarks"] + (1 - w) * groups["mesons"]
    block = pauli_blocking(x) if blocking else 1.0
    return block * two_body + (1 - w) * groups["decays"]


_TABLE_X = np.geomspace(1e-3, 300.0, 45)
_TABLE_T = np.geomspace(1e-5, 2e3, 133)


#: Version of the channel-rate table: bump it whenever group_rates or combine change a number,
#: so that cached files of an older version are not read.
CHANNEL_TABLE_VERSION = 2  # 2: packed cache file (_atomic._write_packed)


@lru_cache(maxsize=8)
def _table(flavor: str, T_mid: float) -> RectBivariateSpline:
    """The tabulated log-rate, from the disk cache when it is there (building it costs 3-4 s, and
    every scan worker process would otherwise pay that again), else built now and cached."""
    from ._atomic import load_hashed_arrays, load_or_build, save_hashed_arrays
    from .tables import cache_dir

    grid = hashlib.sha256(_TABLE_X.tobytes() + _TABLE_T.tobytes()).hexdigest()[:12]
    key = f"sm-channels-v{CHANNEL_TABLE_VERSION}-{flavor}-{T_mid:.9g}-{grid}"

    def load(path: Path) -> FloatArray:
        table = load_hashed_arrays(path, key, ("log_total",), "channel-rate table")["log_total"]
        if table.shape != (_TABLE_X.size, _TABLE_T.size):
            raise ValueError(f"channel-rate table {path} has the wrong shape")
        return table

    def build() -> FloatArray:
        x, T = np.meshgrid(_TABLE_X, _TABLE_T, indexing="ij")
        table = np.log(combine(group_rates(x, T, flavor), x, T, T_mid))
        if not np.all(np.isfinite(table)):
            raise ValueError("the channel-rate table is not finite")
        return table

    log_total = load_or_build(cache_dir() / f"{key}.npz", load, build,
                              lambda table, path: save_hashed_arrays(path, key, {"log_total": table}))
    return RectBivariateSpline(np.log(_TABLE_X), np.log(_TABLE_T), log_total, kx=3, ky=3, s=0)


def full_rate_scaled(x: ArrayLike, T: ArrayLike, flavor: str = "mu", T_mid: float = CROSSOVER["T_mid"]) -> FloatArray:
    """Gamma/(G_F^2 E T^4) of ``sm="full"``: :func:`combine` of the channel groups (with Pauli
    blocking), tabulated once per flavour on (ln x, ln T) (x 1e-3..300, T 10 keV..2 TeV, held beyond)
    and interpolated by a bicubic spline of its logarithm."""
    spline = _table(flavor, float(T_mid))
    x, T = np.asarray(x, dtype=float), np.asarray(T, dtype=float)
    bounds_x, bounds_t = (math.log(_TABLE_X[0]), math.log(_TABLE_X[-1])), (math.log(_TABLE_T[0]), math.log(_TABLE_T[-1]))
    if x.ndim == 2 and T.ndim == 2 and T.shape[1] == 1 and x.shape[0] == T.shape[0] and x.shape[0] > 1:
        # the production grid: x = E/T the same in every row up to rounding -> tensor-product evaluation
        lt, it = np.unique(np.clip(np.log(T[:, 0]), *bounds_t), return_inverse=True)
        it = it.ravel()
        row = x[0]
        if np.allclose(x, row, rtol=1e-12, atol=0.0):
            lx, ix = np.unique(np.clip(np.log(row), *bounds_x), return_inverse=True)
            return np.exp(spline(lx, lt, grid=True).T[np.ix_(it, ix.ravel())])
    x, T = np.broadcast_arrays(x, T)
    lx = np.clip(np.log(x), *bounds_x)
    lt = np.clip(np.log(T), *bounds_t)
    return np.exp(spline.ev(lx, lt))
