"""Compiled engine kernels, finite-width rates, lazy imports (issue 17; negative Omega of issue 18)."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from secretnu import BminusL, Neutrinophilic, SterileNeutrino, keV, relic_density
from secretnu.engine import column_omega
from secretnu.production import z_interval_integrals

DM = SterileNeutrino(7.1 * keV, 7e-11)


def test_compiled_column_matches_numpy_quadrature():
    """The fused kernel is Eq. 2.5 on the grid plus production.z_interval_integrals, term by term."""
    from secretnu._kernels import column_yields

    rng = np.random.default_rng(5)
    n_z, n_x = 90, 7
    lnz = np.linspace(-3.0, 4.0, n_z)
    x = np.sort(rng.uniform(0.1, 10, n_x))
    w = rng.uniform(0.1, 1.0, n_x)
    shape = (n_z, n_x)
    p_on, p_off, p_c = (rng.uniform(0.1, 1.0, shape) * 1e-3 for _ in range(3))
    delta = np.outer(np.exp(-lnz), 1 / x)
    gamma_sm = 1e-3 * rng.uniform(0.5, 1.0, shape)
    v_sm = -0.2 * np.outer(np.exp(-lnz), x)
    p_v = np.outer(np.cos(lnz), np.ones(n_x))  # crosses zero: resonances, some of them unresolved
    prefactor = rng.uniform(0.5, 1.0, n_z)
    lam2, gw, c2t, s2t = np.array([0.3, 1.0]), np.array([0.01, 0.002]), 0.99, 1e-3
    expected = []
    for l2, g in zip(lam2, gw, strict=True):
        gamma = gamma_sm + l2 * l2 * p_on / g + l2 * l2 * (p_off - g * p_c)
        mixing = delta**2 * s2t
        numerator = prefactor[:, None] * 0.25 * gamma * mixing
        detuning = delta * c2t - (v_sm + l2 * p_v)
        expected.append(z_interval_integrals(numerator, mixing + 0.25 * gamma**2, detuning, lnz) @ w)
    Y, gaps = np.empty(2), np.zeros(2, dtype=np.bool_)
    arrays = [np.ascontiguousarray(a.T) for a in (p_on, p_off, p_c, p_v, delta, gamma_sm, v_sm)]
    column_yields(*arrays, prefactor, w, x, float(lnz[1] - lnz[0]), lam2, gw, c2t, s2t, 0.05, 15.0, Y, gaps)
    np.testing.assert_allclose(Y, expected, rtol=1e-12)


def test_cubic_basis_matches_fitpack():
    from secretnu._kernels import contract_rows, cubic_basis
    from secretnu.tables import kernel_tables

    tables = kernel_tables()
    tx, ty, coef = tables._g_spline.tck
    lx = np.log(np.array([1e-3, 0.05, 0.7, 3.3, 299.0, 300.0]))
    lr = np.linspace(tables.ln_r[0], tables.ln_r[-1], 50)
    spans, values = np.empty(lr.size, dtype=np.int64), np.empty((lr.size, 4))
    cubic_basis(ty, lr, spans, values)
    rows = contract_rows(np.ascontiguousarray(coef.reshape(len(tx) - 4, len(ty) - 4).T), spans, values)
    spans, values = np.empty(lx.size, dtype=np.int64), np.empty((lx.size, 4))
    cubic_basis(tx, lx, spans, values)
    ours = contract_rows(np.ascontiguousarray(rows.T), spans, values)
    np.testing.assert_allclose(ours, tables._g_spline(lx, lr, grid=True), rtol=0, atol=1e-13)


@pytest.mark.parametrize("gw", [0.012, 0.33, 2.0, 8.0, 3e3])
def test_width_table_against_exact_integrals(gw):
    from secretnu import width_tables as wt
    from secretnu.tables import kernel_tables

    q = np.geomspace(1e-3, 1e9, 60)
    kt = kernel_tables()
    own, s_only = wt.width_tables().J(q, gw, kt.J_off(q), kt.channel_J(q)[0])
    exact_own = wt.exact_own(q, gw)
    np.testing.assert_allclose(own, exact_own, rtol=2e-4)
    assert np.max(np.abs(s_only - wt.exact_s_only(q, gw)) / exact_own) < 1e-3


def test_wide_fixed_width_gives_positive_omega_matching_exact():
    """Issue 18: `scan --width 10MeV` gave negative Omega at m_V ~ 1 MeV (gw ~ 10), where the O(gw)
    expansion turns Gamma_V negative."""
    couplings = np.geomspace(1e-7, 1, 60)
    for m_V in (1e-3, 1.5e-3, 3e-3):
        omega, _ = column_omega(DM, m_V, couplings, width=0.01)
        assert np.all(omega > 0)
    fast, _ = column_omega(DM, 1.2e-3, [0.3], width=0.01)
    exact = relic_density(DM, Neutrinophilic(1.2e-3, 0.3, width=0.01), spectrum=False).omega_h2
    assert fast[0] == pytest.approx(exact, rel=2e-3)


@pytest.mark.slow
@pytest.mark.parametrize("m_V, g", [(1.27, 2.45), (0.05, 3.0)])
def test_strong_coupling_bminusl_matches_exact(m_V, g):
    # the O(gw) expansion was 5% off at B-L 1.27 GeV, g = 2.45 (issue 17)
    fast, _ = column_omega(DM, m_V, [g], model="b-l")
    exact = relic_density(DM, BminusL(m_V, g), spectrum=False).omega_h2
    assert fast[0] == pytest.approx(exact, rel=5e-3)


def test_import_secretnu_is_light():
    code = ("import sys, secretnu; heavy = [m for m in ('scipy', 'xarray', 'numba', 'dask', 'pandas') if m in sys.modules];"
            "print(','.join(heavy)); secretnu.SterileNeutrino; print(secretnu.__version__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == ""
    assert out[1]


def test_without_dask_restores_xarray():
    import xarray as xr

    from secretnu._lazy import without_dask
    from secretnu.scans import scan

    if "dask" in sys.modules:
        pytest.skip("dask already imported in this test process")
    ds = scan(DM, m_V=[0.01, 0.1], coupling=[1e-4, 1e-3], executor="serial")
    assert "dask" not in sys.modules
    with without_dask():
        assert float(ds.omega_h2.max()) > 0
    from xarray.namedarray import pycompat

    assert "dask" not in pycompat._cached_duck_array_modules
    dask_array = pytest.importorskip("dask.array")
    wrapped = xr.DataArray(dask_array.zeros(3))
    assert type(wrapped.data).__module__.startswith("dask")


def test_relic_curve_processes_match_serial():
    from concurrent.futures import ProcessPoolExecutor

    from secretnu.scans import relic_curve

    m_V = np.geomspace(0.01, 1.0, 4)
    serial = relic_curve(DM, m_V=m_V, executor="serial", n_bracket=30)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = relic_curve(DM, m_V=m_V, executor=pool, chunk=1, n_bracket=30)
    np.testing.assert_array_equal(serial.roots, pooled.roots)
    np.testing.assert_array_equal(serial.regimes, pooled.regimes)
    assert math.isfinite(float(np.nanmax(serial.roots)))


def test_allocator_is_tuned_once_and_results_do_not_depend_on_it():
    from secretnu.engine import tune_allocator

    tuned = tune_allocator()
    assert tune_allocator() is tuned  # once per process
    if sys.platform.startswith("linux"):
        import platform

        if platform.libc_ver()[0] == "glibc":
            assert tuned
    # the same column in a process that never tunes its allocator
    code = ("import numpy as np, secretnu.engine as E\n"
            "E.tune_allocator = lambda: False\n"
            "E.warm_up()\n"  # the compiled kernels, as this process has them
            "from secretnu import SterileNeutrino, keV\n"
            "print(repr(E.column_omega(SterileNeutrino(7.1 * keV, 7e-11), 0.03, [1e-6, 4.8e-6, 1e-3])[0].tolist()))")
    untuned = eval(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    from secretnu.engine import warm_up

    warm_up()
    ours = column_omega(DM, 0.03, [1e-6, 4.8e-6, 1e-3])[0].tolist()
    assert ours == untuned


@pytest.mark.parametrize("sm", ["paper", "full"])
def test_sm_terms_laid_are_sm_terms(sm):
    """The onset pass's SM terms, scaled from the grid's x = 1 column where linear in x, are
    m4^2/(2E), Gamma_SM and V_SM of sm.py at the same nodes (laid out (x, z))."""
    from secretnu.engine import FastGrid

    grid = FastGrid.build(DM, 20.0, sm=sm)
    x = np.array([0.05, 0.3, 1.7, 4.0, 11.0, 60.0])
    rows = slice(40, 200)
    for laid, plain in zip(grid.sm_terms_laid(x, rows), grid.sm_terms(x, rows), strict=True):
        np.testing.assert_allclose(laid, plain.T, rtol=1e-13, atol=0)
