from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from secretnu.cli import cli


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args))


def test_relic_default(run):
    res = run("relic")
    assert res.exit_code == 0, res.output
    assert "Omega h^2" in res.output and "peak production" in res.output


def test_relic_json(run):
    res = run("relic", "--m4", "7.1keV", "--sin2-2theta", "1e-9", "--flavor", "mu", "--json")
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert 0.005 < data["omega_h2"] < 0.01 and data["m4_GeV"] == pytest.approx(7.1e-6)


def test_units(run):
    a = json.loads(run("relic", "--m4", "0.0071MeV", "--json").output)["omega_h2"]
    b = json.loads(run("relic", "--m4", "7.1e-6", "--json").output)["omega_h2"]
    assert a == pytest.approx(b)


@pytest.mark.parametrize("args", [
    ("--m4", "-7keV"), ("--m4", "0keV"), ("--m4", "7.1parsec"), ("--m4", "abc"),
    ("--sin2-2theta", "0"), ("--sin2-2theta", "1.5"), ("--sin2-2theta", "nan"), ("--flavor", "sigma"),
])
def test_bad_input_one_line_exit_2(run, args):
    res = run("relic", *args)
    assert res.exit_code == 2
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:")
    assert "Traceback" not in res.output


def test_relic_with_model(run):
    res = run("relic", "--model", "neutrinophilic", "--mV", "30MeV", "--coupling", "4.8e-6",
              "--m4", "7.1keV", "--sin2-2theta", "7e-11", "--json")
    assert res.exit_code == 0, res.output
    assert 0.08 < json.loads(res.output)["omega_h2"] < 0.1


def test_diagnose_writes_figure(run, tmp_path):
    path = tmp_path / "fig5.png"
    res = run("diagnose", "--mV", "30MeV", "--coupling", "4.8e-6", "--m4", "7.1keV",
              "--sin2-2theta", "7e-11", "--plot", str(path))
    assert res.exit_code == 0, res.output
    assert "regime" in res.output and " C" in res.output
    assert path.stat().st_size > 20_000


@pytest.mark.parametrize("args", [
    ("--model", "tensor", "--mV", "1GeV", "--coupling", "0.1"),  # unknown model ("scalar" exists now)
    ("--model", "neutrinophilic", "--mV", "1GeV", "--coupling", "10"),
    ("--model", "neutrinophilic", "--mV", "0GeV", "--coupling", "0.1"),
    ("--model", "neutrinophilic", "--mV", "1GeV"),
    ("--mV", "1GeV", "--coupling", "0.1"),
    ("--model", "neutrinophilic", "--mV", "1GeV", "--coupling", "0.1", "--width", "huge"),
])
def test_model_bad_input(run, args):
    res = run("relic", *args)
    assert res.exit_code == 2
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), res.output


def test_scan_and_curve_commands(run, tmp_path):
    import xarray as xr

    out = tmp_path / "plane.nc"
    res = run("scan", "--m4", "7.1keV", "--sin2-2theta", "7e-11", "--mV-min", "10MeV", "--mV-max", "3GeV",
              "--n-mV", "4", "--coupling-min", "1e-6", "--coupling-max", "0.1", "--n-coupling", "5",
              "--out", str(out), "--quiet")
    assert res.exit_code == 0, res.output
    ds = xr.open_dataset(out)
    assert ds.omega_h2.shape == (4, 5)
    ds.close()
    assert (tmp_path / "plane.csv").read_text().startswith("m_V,coupling,omega_h2,regime")
    curve_csv = tmp_path / "curve.csv"
    res = run("curve", "--m4", "7.1keV", "--sin2-2theta", "7e-11", "--mV-min", "0.88GeV", "--mV-max", "0.88GeV",
              "--n-mV", "1", "--out", str(curve_csv))
    assert res.exit_code == 0, res.output
    lines = curve_csv.read_text().splitlines()
    assert lines[0] == "m_V_GeV,coupling,regime" and [line.split(",")[2] for line in lines[1:]] == ["C", "B", "A"]


@pytest.mark.parametrize("args", [
    ("scan", "--mV-min", "1GeV", "--mV-max", "1MeV"),
    ("scan", "--coupling-min", "-1"),
    ("scan", "--model", "axion"),
    ("curve", "--target", "-0.1", "--n-mV", "1"),
])
def test_plane_bad_input(run, args, tmp_path):
    res = run(*args, "--out", str(tmp_path / "x.nc"))
    assert res.exit_code == 2
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), res.output


def test_constraints_command(run):
    res = run("constraints", "--model", "neutrinophilic", "--mV", "100MeV", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    higgs = next(c for c in data["constraints"] if c["name"] == "Higgs invisible")
    assert 1e-3 < higgs["excluded"][0][1] < 2e-3 and higgs["excluded"][0][2] is None
    res = run("constraints", "--model", "b-l")
    assert res.exit_code == 0 and "(g-2)_e" in res.output
    res = run("constraints", "--model", "b-l", "--inputs", "paper")  # neutrinophilic only: refused, not ignored
    assert res.exit_code == 2 and "neutrinophilic model only" in res.output
    res = run("constraints", "--model", "dark-photon")
    assert res.exit_code == 2 and res.output.startswith("Error: unknown model")


def test_curve_plot_with_limits(run, tmp_path):
    (tmp_path / "lim.csv").write_text("# name: Toy\n# model: lmu-ltau\nm_V_GeV,lower\n0.001,1e-4\n10,1e-2\n")
    png = tmp_path / "c.png"
    res = run("curve", "--model", "lmu-ltau", "--n-mV", "6", "--n-coupling", "40", "--out", str(tmp_path / "c.csv"),
              "--plot", str(png), "--limits", str(tmp_path))
    assert res.exit_code == 0, res.output
    assert png.stat().st_size > 20_000 and "constraints written" in res.output


def test_relic_and_spectrum_with_full_sm(run, tmp_path):
    res = run("relic", "--m4", "7.1keV", "--sin2-2theta", "1e-9", "--sm", "full", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["sm"] == "full" and out["states"] == 2
    assert out["omega_h2"] == pytest.approx(0.0575, rel=0.2)  # sterile-dm default; 1.17x (docs/physics.md)
    psd = tmp_path / "psd.dat"
    res = run("spectrum", "--m4", "7.1keV", "--sin2-2theta", "1e-9", "--sm", "full", "--out", str(psd), "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["states"] == 2 and "deg_ncdm = 1" in psd.with_suffix(".ini").read_text()
    assert not psd.read_text().startswith("#")  # CLASS reads bare numbers only
    assert run("relic", "--sm", "everything").exit_code == 2


def test_spectrum_omega_and_warmness_fallback(run, tmp_path, monkeypatch):
    from secretnu import transfer

    monkeypatch.setattr(transfer, "class_available", lambda: False)  # the labelled fallback
    out = tmp_path / "nu4.dat"
    res = run("spectrum", "--m4", "7.1keV", "--sin2-2theta", "1e-9", "--out", str(out), "--omega", "0.12", "--warmness")
    assert res.exit_code == 0, res.output
    assert "sin^2 2theta = 1.63e-08" in res.output and "moment estimate" in res.output and "M_hm" in res.output
    assert out.with_suffix(".ini").exists()
    assert run("spectrum", "--omega", "-1", "--out", str(out)).exit_code == 2


def test_console_entry_point_ends_fast_and_writes_everything(tmp_path):
    """`python -m secretnu` (the console script's main) ends the process with os._exit after a
    command that loaded numba: its exit status is still 0, its output complete and both files whole;
    a failing command keeps its status 2."""
    import subprocess
    import sys

    import numpy as np
    import xarray as xr

    out = tmp_path / "plane.nc"
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "secretnu", "scan", "--n-mV", "3", "--n-coupling",
                           "4", "--quiet", "--out", str(out)], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert imported and not {"xarray", "pandas", "dask"} & imported  # the plane is written without them
    assert "3 x 4 points" in done.stdout and done.stdout.rstrip().endswith("plane.csv")
    with xr.open_dataset(out) as ds:
        assert ds.omega_h2.shape == (3, 4) and np.all(np.isfinite(ds.omega_h2.values))
    assert len((tmp_path / "plane.csv").read_text().splitlines()) == 1 + 12
    bad = subprocess.run([sys.executable, "-m", "secretnu", "scan", "--m4", "-1keV"], capture_output=True, text=True,
                         cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("Error:")
