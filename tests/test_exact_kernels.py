"""The exact path's kernels evaluate the same quadrature as their direct (unoptimised) form.

The rate s-integral, the thermal potential and the cross-section brackets were rewritten for speed
(shared thermal weights, the pole region as a matrix-vector product, series by Horner on their own
elements, row blocks, skipped nodes whose weight underflows to zero). The direct forms below are
the previous implementation, written for clarity: one integrand call per term and node, every
branch evaluated everywhere. Both must give the same numbers to rounding (asserted at 1e-10).
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from secretnu import SterileNeutrino, relic_density
from secretnu.models import gauged, make_model
from secretnu.models import neutrinophilic as nphil
from secretnu.models import scalar as sc
from secretnu.models import vector_mediator as vm
from secretnu.models.gauged_u1 import GaugedU1
from secretnu.quadrature import clustered_nodes, expit, gauss_laguerre, gauss_legendre, panel

RTOL = 1e-10


# --- direct forms -----------------------------------------------------------------------------

def direct_s_integral(q, smooth, pole_residue=None, pole_pv=None, gw=0.0, n=40):
    """J(q) with the integrand y ln(1 + e^{-y/q}) sigma_hat(y) evaluated term by term at every node."""
    q = np.asarray(q, dtype=float)

    def integrand(y, qq, fn):
        weight = y * np.log1p(np.exp(-y / qq))
        return weight * fn(y) if fn is not None else 0.0 * y

    qq = q[..., None]
    delta = 0.5
    nodes, weights = clustered_nodes(n)
    t_gl, w_gl = gauss_legendre(n)

    def full_sigma(y, d=None):
        d = y - 1 if d is None else d
        denom = d**2 + gw**2
        return (integrand(y, qq, smooth) + integrand(y, qq, pole_residue) / denom
                + d * integrand(y, qq, pole_pv) / denom)

    total = np.zeros(q.shape)
    y, wy = panel(np.zeros_like(q), np.minimum(1 - delta, 60 * q), nodes, weights)
    total += np.sum(wy * full_sigma(y), -1)
    a, b = math.log(1 + delta), np.log(1 + delta + 60 * q)
    n_sub = max(1, math.ceil((float(np.max(b, initial=a)) - a) / 6.0))
    for k in range(n_sub):
        lo, hi = (a + (b - a) * k / n_sub)[..., None], (a + (b - a) * (k + 1) / n_sub)[..., None]
        y = np.exp(lo + (hi - lo) * 0.5 * (t_gl + 1))
        total += np.sum(0.5 * (hi - lo) * w_gl * y * full_sigma(y), -1)
    u_split = min(20.0 * gw, delta) if gw > 0 else 0.0
    if u_split > 0:
        phi_max = math.atan(u_split / gw)
        u = gw * np.tan(0.5 * phi_max * (t_gl + 1))
        yp, ym = 1 + u, 1 - u
        res = integrand(yp, qq, pole_residue) + integrand(ym, qq, pole_residue)
        pv = u * (integrand(yp, qq, pole_pv) - integrand(ym, qq, pole_pv))
        smooth_part = (integrand(yp, qq, smooth) + integrand(ym, qq, smooth)) * (u**2 + gw**2)
        total += np.sum(0.5 * phi_max * w_gl * (res + pv + smooth_part), -1) / gw
    if u_split < delta:
        a, b = math.log(u_split if u_split > 0 else 1e-14), math.log(delta)
        n_pole = max(1, math.ceil((b - a) / 6.0))
        for k in range(n_pole):
            lo, hi = a + (b - a) * k / n_pole, a + (b - a) * (k + 1) / n_pole
            u = np.exp(lo + (hi - lo) * 0.5 * (t_gl + 1))
            total += np.sum(0.5 * (hi - lo) * w_gl * u * (full_sigma(1 + u, u) + full_sigma(1 - u, -u)), -1)
    return total


def direct_potential(E, T, m, coupling, n=24):
    """Eq. 3.3 panel by panel over the whole grid, series and logs evaluated everywhere."""
    E, T = np.broadcast_arrays(np.asarray(E, dtype=float), np.asarray(T, dtype=float))
    mt, e_t = m / T, E / T
    u1 = m**2 / (4 * E * T)
    u2 = np.abs(E - m**2 / (4 * E)) / T
    fixed = [np.full(E.shape, b) for b in (1.0, 4.0, 12.0)]
    breaks = np.sort(np.stack([np.minimum(u1, 60.0), np.minimum(u2, 60.0), np.minimum(mt, 60.0), *fixed], -1), -1)
    edges = np.concatenate([np.zeros((*E.shape, 1)), breaks, np.full((*E.shape, 1), 60.0)], -1)
    nodes, weights = clustered_nodes(n)
    total = np.zeros(E.shape)

    def a_minus_artanh(a):
        small = np.abs(a) < 0.1
        a_s = np.where(small, a, 0.0)
        series = -sum(a_s ** (2 * k + 1) / (2 * k + 1) for k in range(1, 9))
        a_l = np.where(small, 2.0, a)
        return np.where(small, series, a_l - 0.5 * np.log(np.abs((1 + a_l) / (1 - a_l))))

    for k in range(edges.shape[-1] - 1):
        u, wu = panel(edges[..., k], edges[..., k + 1], nodes, weights)
        e, mm = e_t[..., None], mt[..., None]
        with np.errstate(divide="ignore", invalid="ignore"):
            fermion = mm**2 * a_minus_artanh(4 * u * e / mm**2) * 0.5 * (1 - np.tanh(0.5 * u))
            w = np.sqrt(u**2 + mm**2)
            m2 = mm**2
            l2 = np.log(np.abs((2 * u * e + 2 * e * w + m2) * (2 * u * e - 2 * e * w + m2))
                        / np.abs((-2 * u * e + 2 * e * w + m2) * (-2 * u * e - 2 * e * w + m2)))
            l2 = np.where(np.isfinite(l2), l2, 0.0)
            boson = (4 * e * u**2 / w - m2 * u / (2 * w) * l2) * np.exp(-w) / -np.expm1(-w)
            terms = wu * (fermion + boson)
        total += np.sum(np.where(wu > 0, terms, 0.0), -1)
    return coupling**2 * T**3 * total / (8 * math.pi**2 * E**2)


def close(new, old, rtol=RTOL):
    new, old = np.asarray(new), np.asarray(old)
    assert new.shape == old.shape
    np.testing.assert_allclose(new, old, rtol=rtol, atol=0.0)


# --- kernels ----------------------------------------------------------------------------------

Q = np.geomspace(1e-6, 1e13, 400)


@pytest.mark.parametrize("gw", [1e-30, 1e-12, 1e-4, 0.05, 2.0])
def test_neutrinophilic_and_scalar_rate_integrals_equal_direct_form(gw):
    close(nphil.rate_integral(Q, gw), direct_s_integral(Q, nphil._hat_smooth, nphil._hat_ss_residue,
                                                         nphil._hat_st_pv, gw))
    close(sc.scalar_rate_integral(Q, gw), direct_s_integral(Q, sc.hat_exchange, sc.hat_s_residue, None, gw))


def test_pole_free_integrals_equal_direct_form():
    for smooth in (nphil._hat_tt, gauged.hat_t_channel_LL, sc.hat_exchange):
        close(vm.s_integral(Q, smooth=smooth), direct_s_integral(Q, smooth))


@pytest.mark.parametrize("model", [make_model("lmu-ltau", 0.02, 5e-5), make_model("b-l", 1.27, 2.45),
                                   make_model("lmu-ltau", 0.3, 1e-2, counting="physical"),
                                   GaugedU1(0.03, 1e-4, charges={"e": 1, "mu": -1}, flavor="mu")])
def test_gauged_channel_sum_equals_four_direct_integrals(model):
    rng = np.random.default_rng(3)
    T = model.m_V * np.exp(rng.uniform(-6, 4, 300))
    E = T * np.exp(rng.uniform(math.log(0.02), math.log(40), 300))
    m, gw = model.m_V, model.gamma_V / model.m_V
    q = 4 * E * T / m**2
    a, b, c = model.channel_weights(T)
    J = (direct_s_integral(q, nphil._hat_smooth, nphil._hat_ss_residue, nphil._hat_st_pv, gw)
         + a * direct_s_integral(q, np.zeros_like, nphil._hat_ss_residue, None, gw)
         + b * direct_s_integral(q, gauged.hat_t_channel_LL) + c * direct_s_integral(q, nphil._hat_tt))
    g = getattr(model, "coupling_scale", 1.0) * model.coupling
    close(model.rate(E, T), g**4 * T * m**2 * J / (8 * math.pi**2 * E**2))


def test_rate_and_potential_on_a_relic_grid_equal_direct_form():
    # the (T, x) grid of relic_density at benchmark C, 2-d as there, with both branches of every series
    model = make_model("neutrinophilic", 0.03, 4.8e-6)
    T = np.geomspace(100.0, 1e-4, 61)[:, None]
    E = np.geomspace(0.02, 60.0, 12)[None, :] * T
    gw = model.gamma_V / model.m_V
    J = direct_s_integral(4 * E * T / model.m_V**2, nphil._hat_smooth, nphil._hat_ss_residue, nphil._hat_st_pv, gw)
    close(model.rate(E, T), model.coupling**4 * T * model.m_V**2 * J / (8 * math.pi**2 * E**2))
    close(model.potential(E, T), direct_potential(E, T, model.m_V, model.coupling))


def test_potential_equals_direct_form_over_a_wide_range():
    rng = np.random.default_rng(5)
    for m in (1e-3, 0.03, 5.0):
        T = m * np.exp(rng.uniform(-7, 7, 500))
        E = T * np.exp(rng.uniform(math.log(0.01), math.log(50), 500))
        close(vm.thermal_potential(E, T, m, 0.3), direct_potential(E, T, m, 0.3))


def test_brackets_equal_their_direct_series_and_closed_forms():
    y = np.concatenate([np.geomspace(1e-12, 1e6, 400), np.linspace(0.0, 0.2, 301)[1:], [0.05]])
    small = y < 0.05
    ys = np.where(small, y, 0.0)
    tt = np.where(small, sum(2 * (-1) ** (k + 1) / (k * (k - 1)) * ys**k for k in range(3, 16)),
                  y**2 + 2 * y - 2 * (1 + y) * np.log1p(y))
    st = np.where(small, sum(2 * (-1) ** (k + 1) / (k * (k - 1) * (k - 2)) * ys**k for k in range(3, 16)),
                  (1 + y) ** 2 * np.log1p(y) - 1.5 * y**2 - y)
    ex = np.where(small, sum((-1) ** (k + 1) * (1 - 2 / k) * ys**k for k in range(3, 18)),
                  y - 2 * np.log1p(y) + y / (1 + y))
    close(nphil._tt_bracket(y), tt, 1e-13)
    close(nphil._st_bracket(y), st, 1e-13)
    close(sc._exchange_bracket(y), ex, 1e-13)
    parts = nphil._hat_parts(y[y >= 0.05])  # the fused evaluator is bit for bit the three functions
    for got, fn in zip(parts, (nphil._hat_smooth, nphil._hat_ss_residue, nphil._hat_st_pv), strict=True):
        np.testing.assert_array_equal(got, fn(y[y >= 0.05]))
    assert np.shape(nphil._tt_bracket(0.01)) == ()  # scalars stay scalars


def test_row_blocks_do_not_change_the_result(monkeypatch):
    q = np.geomspace(1e-4, 1e9, 3000).reshape(60, 50)
    whole = nphil.rate_integral(q, 1e-6)
    monkeypatch.setattr(vm, "_BLOCK_ELEMENTS", 5000)  # many small blocks
    np.testing.assert_array_equal(nphil.rate_integral(q, 1e-6), whole)


# --- numpy replacements of scipy.special --------------------------------------------------------

@pytest.mark.parametrize("n", [1, 4, 24, 40, 48, 100])
@pytest.mark.parametrize("alpha", [0.0, 0.5, 2.0, 3.0])
def test_gauss_laguerre_matches_scipy(n, alpha):
    from scipy.special import roots_genlaguerre

    x0, w0 = roots_genlaguerre(n, alpha)
    x, w = gauss_laguerre(n, alpha)
    np.testing.assert_allclose(x, x0, rtol=1e-13)
    np.testing.assert_allclose(w, w0, rtol=1e-11 if n <= 48 else 1e-10, atol=1e-300)


def test_gauss_laguerre_is_exact_for_moments_and_works_at_the_largest_n_x():
    for n in (40, 400):  # scipy.special.roots_genlaguerre returns NaN weights at n = 400
        x, w = gauss_laguerre(n, 2.0)
        assert np.all(np.isfinite(w)) and np.all(w >= 0)
        for k in range(6):
            assert np.sum(w * x**k) == pytest.approx(math.gamma(3 + k), rel=1e-11)


def test_expit_matches_scipy():
    from scipy.special import expit as scipy_expit

    x = np.linspace(-800, 800, 20001)
    np.testing.assert_allclose(expit(x), scipy_expit(x), rtol=1e-14, atol=1e-300)


# --- whole relic density ------------------------------------------------------------------------

class _Direct:
    """A model whose rate and potential are the direct forms (same physics, previous evaluation)."""

    def __init__(self, model):
        self._m = model
        self.name = model.name

    def __getattr__(self, attr):
        return getattr(self._m, attr)

    def potential(self, E, T):
        c = self._m.coupling / math.sqrt(2) if self._m.name == "scalar" else self._m.coupling
        return direct_potential(E, T, self._m.m_V, c)

    def rate(self, E, T):
        m, model = self._m.m_V, self._m
        E, T = np.broadcast_arrays(np.asarray(E, dtype=float), np.asarray(T, dtype=float))
        q, gw = 4 * E * T / m**2, model.gamma_V / m
        if model.name == "neutrinophilic":
            J = direct_s_integral(q, nphil._hat_smooth, nphil._hat_ss_residue, nphil._hat_st_pv, gw)
        elif model.name == "scalar":
            J = direct_s_integral(q, sc.hat_exchange, sc.hat_s_residue, None, gw)
        else:
            a, b, c = model.channel_weights(T)
            J = (direct_s_integral(q, nphil._hat_smooth, nphil._hat_ss_residue, nphil._hat_st_pv, gw)
                 + a * direct_s_integral(q, np.zeros_like, nphil._hat_ss_residue, None, gw)
                 + b * direct_s_integral(q, gauged.hat_t_channel_LL) + c * direct_s_integral(q, nphil._hat_tt))
        # GaugedU1 works with |Q_a| g; the scalar's coupling_scale is for the fast engine only
        g = model.coupling * (1.0 if model.name == "scalar" else getattr(model, "coupling_scale", 1.0))
        return g**4 * T * m**2 * J / (8 * math.pi**2 * E**2)


CASES = [("neutrinophilic", 0.03, 4.8e-6, {}, 7e-11, "paper"),
         ("neutrinophilic", 0.01, 1e-3, {"width": 1e-27}, 1e-10, "paper"),
         ("neutrinophilic", 0.1, 0.3, {"width": 0.05}, 1e-12, "full"),
         ("lmu-ltau", 0.02, 5e-5, {}, 7e-11, "paper"),
         ("b-l", 0.05, 2e-5, {}, 7e-11, "full"),
         ("scalar", 0.01, 1e-4, {}, 1e-10, "paper"),
         ("le-lmu", 0.03, 1e-4, {}, 7e-11, "full")]


@pytest.mark.parametrize("case", CASES[:2] + CASES[3:4])
def test_omega_equals_direct_form_on_a_coarse_grid(case):
    name, m_V, g, options, s2, sm = case
    model = make_model(name, m_V, g, **options)
    dm = SterileNeutrino(7.1e-6, s2, "tau" if name == "scalar" else "mu")
    kw = dict(sm=sm, spectrum=False, points_per_decade=15, n_x=12)
    new, old = relic_density(dm, model, **kw), relic_density(dm, _Direct(model), **kw)
    assert new.omega_h2 == pytest.approx(old.omega_h2, rel=RTOL)
    close(new.dY_dlnz, old.dY_dlnz, 1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_omega_equals_direct_form_at_default_resolution(case):
    name, m_V, g, options, s2, sm = case
    model = make_model(name, m_V, g, **options)
    dm = SterileNeutrino(7.1e-6, s2, "tau" if name == "scalar" else "mu")
    new, old = relic_density(dm, model, sm=sm, spectrum=False), relic_density(dm, _Direct(model), sm=sm, spectrum=False)
    assert new.omega_h2 == pytest.approx(old.omega_h2, rel=RTOL)
    assert new.mean_q == pytest.approx(old.mean_q, rel=RTOL)


def test_relic_command_does_not_import_scipy():
    # scipy.special and scipy.interpolate cost ~0.6 s of the command's start-up; the exact path needs neither
    code = ("import sys; from secretnu.cli import cli\n"
            "try:\n    cli.main(['relic', '--sin2-2theta', '7e-11', '--model', 'neutrinophilic', '--mV', '30MeV',"
            " '--coupling', '4.8e-6'], standalone_mode=False)\n"
            "finally:\n    print(sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'numba', 'xarray', 'dask')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "Omega h^2" in out
    assert out.strip().splitlines()[-1] == "[]"
