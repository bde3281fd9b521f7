"""Fast engine, scans and relic curves (issue 4)."""

from __future__ import annotations

import numpy as np
import pytest

from secretnu import InputError, Neutrinophilic, SterileNeutrino, keV, relic_density
from secretnu import scans as scan_module
from secretnu.engine import column_omega
from secretnu.scans import relic_curve, scan

DM = SterileNeutrino(7.1 * keV, 7e-11)
BENCHMARKS = {"A": (0.11, 2.77), "B": (0.003, 0.88), "C": (4.8e-6, 0.03)}


@pytest.mark.parametrize("m_V, lam", [(2.77, 0.11), (0.88, 0.003), (0.03, 4.8e-6), (6.0, 0.9), (0.005, 1e-4),
                                      (0.2, 3e-5), (0.218, 9.67e-5)])
def test_fast_matches_exact(m_V, lam):
    # (0.218, 9.67e-5): a resonance closes at x ~ 2.95, both paths resolve it (was 0.66% apart)
    fast, _ = column_omega(DM, m_V, [lam])
    exact = relic_density(DM, Neutrinophilic(m_V, lam), spectrum=False).omega_h2
    assert fast[0] == pytest.approx(exact, rel=5e-3)


@pytest.mark.parametrize("m_V, lam", [(2.77, 0.11), (0.88, 0.003), (0.03, 4.8e-6), (0.01, 1e-7)])
def test_fast_matches_exact_full_sm(m_V, lam):
    from secretnu.engine import FastGrid, fast_window

    grid = FastGrid.build(DM, fast_window(m_V), sm="full")
    fast, _ = column_omega(DM, m_V, [lam], grid=grid)
    exact = relic_density(DM, Neutrinophilic(m_V, lam), sm="full", spectrum=False).omega_h2
    assert fast[0] == pytest.approx(exact, rel=5e-3)


def test_scan_records_sm_and_weak_coupling_corner_follows_full_dw():
    ds = scan(DM, "neutrinophilic", m_V=[0.01, 1.0], coupling=[1e-9, 1e-2], executor="serial", sm="full")
    assert ds.attrs["sm"] == "full"
    # lower left: V negligible, so Omega is pure DW with the full SM rates
    dw = relic_density(DM, sm="full", spectrum=False).omega_h2
    assert float(ds.omega_h2[0, 0]) == pytest.approx(dw, rel=0.01)
    with pytest.raises(InputError):
        scan(DM, "neutrinophilic", m_V=[0.01], coupling=[1e-7], executor="serial", sm="both")


def test_column_shares_lookups():
    lams = np.geomspace(1e-6, 1e-2, 7)
    together, _ = column_omega(DM, 0.5, lams)
    alone = [column_omega(DM, 0.5, [lam])[0][0] for lam in lams]
    np.testing.assert_allclose(together, alone, rtol=1e-12)


@pytest.mark.parametrize("label", BENCHMARKS)
def test_fast_regime_labels(label):
    lam, m_V = BENCHMARKS[label]
    _, code = column_omega(DM, m_V, [lam])
    assert "ABCD"[int(code[0])] == label


def small_scan(**kw):
    return scan(DM, "neutrinophilic", m_V=np.geomspace(0.01, 5, 6), coupling=np.geomspace(1e-6, 0.3, 5), **kw)


def test_scan_dataset():
    ds = small_scan(executor="serial")
    assert ds.omega_h2.dims == ("m_V", "coupling") and ds.omega_h2.shape == (6, 5)
    assert np.all(np.isfinite(ds.omega_h2)) and np.all(ds.omega_h2 > 0)
    assert set(np.unique(ds.regime.values)) <= {"A", "B", "C", "DW"}
    assert ds.attrs["m4_GeV"] == DM.mass and ds.attrs["model"] == "neutrinophilic" and ds.attrs["secretnu_version"]
    one, _ = column_omega(DM, float(ds.m_V[2]), [float(ds.coupling[3])])
    assert float(ds.omega_h2[2, 3]) == pytest.approx(one[0], rel=1e-12)


def test_scan_resumes_after_interruption(tmp_path, monkeypatch):
    reference = small_scan(executor="serial", chunk=1)
    real = scan_module._columns
    calls = []

    def dies_on_fourth(*args):
        calls.append(args[1])
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(scan_module, "_columns", dies_on_fourth)
    with pytest.raises(KeyboardInterrupt):
        small_scan(executor="serial", chunk=1, store=tmp_path / "store")
    assert len(list((tmp_path / "store").glob("chunk-*.npz"))) == 3
    calls.clear()
    monkeypatch.setattr(scan_module, "_columns", lambda *args: (calls.append(args[1]), real(*args))[1])
    resumed = small_scan(executor="serial", chunk=1, store=tmp_path / "store")
    assert len(calls) == 3  # only the missing chunks were computed
    np.testing.assert_array_equal(resumed.omega_h2.values, reference.omega_h2.values)
    np.testing.assert_array_equal(resumed.regime.values, reference.regime.values)
    # a corrupt chunk is recomputed, not trusted
    (tmp_path / "store" / "chunk-00000.npz").write_bytes(b"garbage")
    with pytest.warns(scan_module.StoreWarning, match="chunk-00000.npz"):
        again = small_scan(executor="serial", chunk=1, store=tmp_path / "store")
    np.testing.assert_array_equal(again.omega_h2.values, reference.omega_h2.values)


def test_store_refuses_other_scan(tmp_path):
    small_scan(executor="serial", store=tmp_path)
    with pytest.raises(InputError):
        scan(DM, m_V=[0.1, 0.2], coupling=[1e-3], executor="serial", store=tmp_path)


def test_process_pool_and_dask_match_serial():
    serial = small_scan(executor="serial")
    pooled = small_scan()  # default: local processes
    np.testing.assert_array_equal(pooled.omega_h2.values, serial.omega_h2.values)
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        on_dask = small_scan(executor=client)
        # relic_curve runs on the same executor (issue 17): the roots must not depend on where they ran
        m_axis = np.geomspace(0.01, 1.0, 4)
        curve_dask = relic_curve(DM, m_V=m_axis, coupling_range=(1e-6, 1.0), n_bracket=20, executor=client, chunk=1)
    np.testing.assert_array_equal(on_dask.omega_h2.values, serial.omega_h2.values)
    curve_serial = relic_curve(DM, m_V=m_axis, coupling_range=(1e-6, 1.0), n_bracket=20, executor="serial")
    np.testing.assert_array_equal(curve_dask.roots, curve_serial.roots)


def test_netcdf_roundtrip(tmp_path):
    xr = pytest.importorskip("xarray")
    ds = small_scan(executor="serial")
    ds.to_netcdf(tmp_path / "scan.nc")
    back = xr.open_dataset(tmp_path / "scan.nc")
    np.testing.assert_allclose(back.omega_h2.values, ds.omega_h2.values)
    assert list(back.regime.values.ravel()) == list(ds.regime.values.ravel())
    back.close()


def test_relic_curve_through_benchmarks():
    masses = np.array([BENCHMARKS[k][1] for k in "ABC"])
    curve = relic_curve(DM, "neutrinophilic", m_V=masses, coupling_range=(1e-7, 1.0))
    for k, label in enumerate("ABC"):
        lam = BENCHMARKS[label][0]
        roots = curve.roots[k][np.isfinite(curve.roots[k])]
        assert np.min(np.abs(roots / lam - 1)) < 0.2, (label, roots)
    # the S-shape: three couplings at m_V = 0.88 GeV, one on each branch
    assert np.isfinite(curve.roots[1]).sum() == 3
    assert list(curve.regimes[1]) == ["C", "B", "A"]
    for k in range(3):
        for root in curve.roots[k][np.isfinite(curve.roots[k])]:
            value, _ = column_omega(DM, masses[k], [root])
            assert value[0] == pytest.approx(0.12, rel=2e-3)  # 1e-3 in ln coupling, slope <= 2


@pytest.mark.parametrize("kwargs", [dict(model="tensor"), dict(m_V=[-1.0]), dict(coupling=[0.0]),
                                    dict(coupling=[5.0]), dict(m_V=[])])
def test_scan_bad_input(kwargs):
    args = dict(model="neutrinophilic", m_V=[0.1], coupling=[1e-3], executor="serial")
    with pytest.raises(InputError):
        scan(DM, **{**args, **kwargs})


@pytest.mark.parametrize("model", ["lmu-ltau", "b-l"])
@pytest.mark.parametrize("m_V, g", [(2.77, 0.11), (0.88, 0.003), (0.03, 4.8e-6), (8.0, 0.05)])
def test_gauged_fast_matches_exact(model, m_V, g):
    from secretnu.models import make_model

    fast, _ = column_omega(DM, m_V, [g], model=model)
    exact = relic_density(DM, make_model(model, m_V, g), spectrum=False).omega_h2
    # instantaneous-decoupling steps at m_l and 2 m_l fall differently on the two z grids: 0.4% at most
    assert fast[0] == pytest.approx(exact, rel=5e-3)


@pytest.mark.parametrize("model", ["lmu-ltau", "b-l"])
def test_gauged_relic_curve_is_s_shaped(model):
    curve = relic_curve(DM, model, m_V=np.array([0.01, 0.88, 5.0]), coupling_range=(1e-7, 1.0))
    assert list(curve.regimes[0][:1]) == ["C"] and list(curve.regimes[2][:1]) == ["A"]
    assert list(curve.regimes[1]) == ["C", "B", "A"]
    ds = scan(DM, model, m_V=[0.01, 5.0], coupling=[1e-6, 1e-2], executor="serial")
    assert ds.attrs["model"] == model and np.all(np.isfinite(ds.omega_h2))
