"""Kernel tables: accuracy against the exact kernels, on-disk cache behaviour."""

from __future__ import annotations

import math

import numpy as np
import pytest

from secretnu import tables as tables_module
from secretnu.models.neutrinophilic import on_shell_J, rate_integral
from secretnu.models.vector_mediator import thermal_potential
from secretnu.tables import KernelTables, _grid_key, kernel_tables


@pytest.fixture(scope="module")
def tables():
    return kernel_tables()


def test_potential_table_against_exact(tables):
    rng = np.random.default_rng(7)
    x = np.exp(rng.uniform(math.log(0.05), math.log(150), 500))
    r = np.exp(rng.uniform(math.log(1e-4), math.log(1e3), 500))
    T = 1 / r
    exact = thermal_potential(x * T, T, 1.0, 1.0) / T
    high, low = 1 / (8 * x), 7 * math.pi**2 * x / (45 * r**4)
    scale = np.minimum(high, low)  # the size of |G| away from its sign change
    fast = tables.potential_G(x, r)
    assert np.max(np.abs(fast - exact) / scale) < 1e-4
    away = np.abs(exact) > 0.1 * scale
    assert np.max(np.abs(fast[away] / exact[away] - 1)) < 1e-4


@pytest.mark.parametrize("gw", [1e-12, 1e-6, 1e-3, 0.03])
def test_rate_table_against_exact(tables, gw):
    q = np.geomspace(1e-4, 1e10, 300)
    # the O(gw^2) remainder shows only at gw ~ 0.03 (coupling ~ 1): 1e-3 there
    tol = 2e-5 if gw < 0.01 else 1.5e-3
    assert np.max(np.abs(tables.J(q, gw) / rate_integral(q, gw) - 1)) < tol


def test_table_limits(tables):
    # J_off tends to the off-shell limits of Eqs. 3.8 and 3.10
    assert tables.J_off(1e-4) / 1e-12 == pytest.approx(35 * math.pi**3 / 2160, rel=1e-3)
    assert tables.J_off(1e11) / 1e22 == pytest.approx(3 * 1.2020569031595942 / (8 * math.pi), rel=1e-3)
    assert on_shell_J(1e9) == pytest.approx(math.log(2) / 12, rel=1e-8)


def test_cache_roundtrip_and_corruption(tmp_path, monkeypatch):
    tables_module._cached.cache_clear()
    monkeypatch.setenv("SECRETNU_CACHE_DIR", str(tmp_path))
    first = kernel_tables()
    path = tmp_path / _grid_key()
    assert path.exists() and f"v{tables_module.TABLE_VERSION}" in path.name
    loaded = KernelTables.load(path)
    np.testing.assert_array_equal(loaded.g_ratio, first.g_ratio)
    # a corrupt file is rebuilt, not trusted
    path.write_bytes(b"not a table")
    tables_module._cached.cache_clear()
    rebuilt = kernel_tables()
    np.testing.assert_allclose(rebuilt.j_ratio, first.j_ratio)
    assert KernelTables.load(path).g_ratio.shape == first.g_ratio.shape
    # a well-formed file with wrong numbers fails its checks and is rebuilt too
    np.savez(path, ln_x=first.ln_x, ln_r=first.ln_r, g_ratio=np.full_like(first.g_ratio, np.nan),
             ln_q=first.ln_q, j_ratio=first.j_ratio)
    with pytest.raises(ValueError):
        KernelTables.load(path)
    tables_module._cached.cache_clear()
    assert np.all(np.isfinite(kernel_tables().g_ratio))
    tables_module._cached.cache_clear()


def test_outer_product_lookup_matches_pointwise(tables):
    x = np.array([3.0, 0.1, 1.0, 50.0, 500.0, 900.0])   # unsorted, two beyond the table (clipped)
    r = np.geomspace(1e-7, 1e4, 50)[::-1]
    # the two spline evaluations may round differently (1 ulp on some machines): compare to 1e-13
    expected = tables.potential_G(x[:, None], r[None, :])
    np.testing.assert_allclose(tables.potential_G_outer(x, r), expected, rtol=1e-13,
                               atol=1e-15 * np.abs(expected).max())


def test_stored_spline_coefficients_are_scipys(tables):
    """The engine reads the splines' coefficients from the cache file (no scipy.interpolate): they
    must be the very numbers scipy computes from the tabulated ratios, and the numpy evaluation of
    the 1-D splines must equal scipy's CubicSpline."""
    from scipy.interpolate import CubicSpline, RectBivariateSpline

    tx, ty, coef = RectBivariateSpline(tables.ln_x, tables.ln_r, tables.g_ratio, kx=3, ky=3).tck
    for stored, fresh in zip(tables.g_tck, (tx, ty, coef), strict=True):
        np.testing.assert_array_equal(stored, fresh)
    q = np.geomspace(1e-6, 1e13, 777)  # beyond both ends: clipped to the table
    lq = np.clip(np.log(q), tables.ln_q[0], tables.ln_q[-1])
    ratios = [CubicSpline(tables.ln_q, r)(lq) for r in (tables.j_ratio, tables.s_ratio, tables.ll_ratio, tables.lr_ratio)]
    q3 = q**3
    np.testing.assert_allclose(tables.J_off(q), ratios[0] * q3 / (1 + q), rtol=1e-13)
    for ours, ratio, norm in zip(tables.channel_J(q), ratios[1:], (q3 / (1 + q * q), q3 / (1 + q), q3 / (1 + q)), strict=True):
        np.testing.assert_allclose(ours, ratio * norm, rtol=1e-13)


def test_width_tables_store_scipys_coefficients():
    from scipy.interpolate import RectBivariateSpline

    from secretnu.width_tables import width_tables

    widths = width_tables()
    for which, ratio in enumerate((widths.own_ratio, widths.s_ratio)):
        fresh = RectBivariateSpline(widths.ln_q, widths.ln_gw, ratio, kx=3, ky=3).tck
        for stored, value in zip(widths.spline_tck(which), fresh, strict=True):
            np.testing.assert_array_equal(stored, value)


def test_engine_runs_without_scipy_interpolate():
    """A scan's workers load the tables from disk and evaluate every model (wide widths included)
    without importing scipy.interpolate or scipy.special (about 0.5 s of start-up)."""
    import subprocess
    import sys

    code = """
import sys
import numpy as np
from secretnu import SterileNeutrino, keV
from secretnu.engine import column_omega
dm = SterileNeutrino(7.1 * keV, 7e-11)
for model in ("neutrinophilic", "lmu-ltau", "b-l"):
    for m_V in (0.003, 0.3, 3.0):
        column_omega(dm, m_V, np.geomspace(1e-7, 3.0, 40), model=model)
print(sorted(m for m in sys.modules if m in ("scipy.interpolate", "scipy.special", "scipy.optimize")))
"""
    kernel_tables()  # on disk in the cache directory the subprocess uses (built here if it was not)
    from secretnu.width_tables import width_tables

    width_tables()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
