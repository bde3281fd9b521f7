"""Scan files written without xarray (secretnu.scanfiles): read back by xarray as the Dataset that
xarray's own writer stores, and the CSV text pandas writes."""

from __future__ import annotations

import numpy as np
import pytest

from secretnu import SterileNeutrino, keV
from secretnu.scanfiles import write_csv, write_netcdf
from secretnu.scans import save_scan, scan_plane

xr = pytest.importorskip("xarray")
DM = SterileNeutrino(7.1 * keV, 7e-11)


@pytest.fixture(scope="module")
def plane():
    # 0.03-3 GeV x 1e-6-1: regimes A, B, C and DW all appear, so the labels are 1 and 2 characters wide
    return scan_plane(DM, "neutrinophilic", m_V=np.geomspace(0.03, 3.0, 3), coupling=np.geomspace(1e-6, 1.0, 7),
                      executor="serial")


def test_plane_files_read_back_as_xarrays_own(plane, tmp_path):
    ds = plane.to_dataset()
    assert {"DW", "C"} <= set(ds.regime.values.ravel())
    ds.to_netcdf(tmp_path / "theirs.nc")  # xarray's own netCDF writer and pandas' CSV
    ds.to_dataframe().reset_index().to_csv(tmp_path / "theirs.csv", index=False)
    ours = plane.save(tmp_path / "ours.nc")
    assert [p.name for p in ours] == ["ours.nc", "ours.csv"]
    assert save_scan(ds, tmp_path / "again") == [tmp_path / "again.nc", tmp_path / "again.csv"]
    for nc, csv in (ours, (tmp_path / "again.nc", tmp_path / "again.csv")):
        with xr.open_dataset(tmp_path / "theirs.nc") as theirs, xr.open_dataset(nc) as mine:
            xr.testing.assert_identical(mine.load(), theirs.load())
            xr.testing.assert_identical(mine, ds)  # and the scan's own Dataset, attributes and all
        assert csv.read_text() == (tmp_path / "theirs.csv").read_text()
    with pytest.raises(ValueError, match="not a scan"):
        save_scan(ds.rename({"omega_h2": "other"}), tmp_path / "bad")


@pytest.mark.parametrize("labels", [["C", "C"], ["DW", "é"]])
def test_string_and_attribute_encoding_as_xarray(tmp_path, labels):
    """Single-character labels (a string1 dimension), a non-ASCII label (utf-8, two bytes) and every
    attribute kind: what xarray's writer would store reads back the same from ours."""
    values = np.array(labels)
    attrs = {"note": "naïve", "n_x": 60, "m4_GeV": 7.1e-6, "resolved": True}
    variables = {"label": (("n",), values, {"long_name": "a label"}),
                 "value": (("n",), np.array([1.5, np.nan]), {"units": "GeV"})}
    write_netcdf(tmp_path / "ours.nc", variables, attrs)
    expected = xr.Dataset({k: (dims, v, a) for k, (dims, v, a) in variables.items()}, attrs=attrs)
    expected.to_netcdf(tmp_path / "theirs.nc")
    with xr.open_dataset(tmp_path / "ours.nc") as ours, xr.open_dataset(tmp_path / "theirs.nc") as theirs:
        xr.testing.assert_identical(ours.load(), theirs.load())


def test_bad_inputs_refused_and_nothing_written(tmp_path):
    with pytest.raises(ValueError, match="dimension n"):
        write_netcdf(tmp_path / "a.nc", {"a": (("n",), np.ones(2), {}), "b": (("n",), np.ones(3), {})}, {})
    with pytest.raises(TypeError, match="dtype"):
        write_netcdf(tmp_path / "a.nc", {"a": (("n",), np.arange(2), {})}, {})
    with pytest.raises(TypeError, match="attribute when"):
        write_netcdf(tmp_path / "a.nc", {"a": (("n",), np.ones(2), {})}, {"when": object()})
    with pytest.raises(ValueError, match="quoting"):
        write_csv(tmp_path / "a.csv", {"label": np.array(["a,b"])})
    with pytest.raises(ValueError, match="lengths"):
        write_csv(tmp_path / "a.csv", {"x": np.ones(2), "y": np.ones(3)})
    assert not list(tmp_path.iterdir())
