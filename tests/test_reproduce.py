"""reproduce --quick end to end, the TOML configurations, and the spectrum export."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from secretnu import InputError, SterileNeutrino, keV, relic_density
from secretnu.cli import cli
from secretnu.config import builtin_configs, load_config
from secretnu.cosmology import ConstantGStar
from secretnu.spectrum import FD_MEAN_Q, warmness, write_class_psd


def test_reproduce_quick_writes_every_figure_and_its_data(tmp_path):
    res = CliRunner().invoke(cli, ["reproduce", "--quick", "--quiet", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    for fig in ("fig4", "fig5", "fig6", "fig7", "fig8"):
        png, pdf = tmp_path / f"{fig}.png", tmp_path / f"{fig}.pdf"
        assert png.stat().st_size > 40_000 and pdf.stat().st_size > 10_000, fig
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for nc in sorted(tmp_path.glob("*.nc")):
        ds = xr.load_dataset(nc)
        for name, var in ds.data_vars.items():
            if var.dtype.kind == "f":
                assert np.all(np.isfinite(var.values)), (nc.name, name)
    plane = xr.load_dataset(tmp_path / "fig4.nc")
    assert plane.omega_h2.shape == (60, 60) and float(plane.omega_h2.min()) > 0
    assert (tmp_path / "fig6_1.csv").stat().st_size > 10_000
    assert "wrote 28 files" in res.output


def test_builtin_configs_cover_figures_4_to_8():
    configs = {c.figure: c for c in builtin_configs()}
    assert sorted(configs) == ["fig4", "fig5", "fig6", "fig7", "fig8"]
    assert [p.name for p in configs["fig4"].points] == ["A", "B", "C"]
    assert {configs[f].model for f in ("fig6", "fig7", "fig8")} == {"neutrinophilic", "lmu-ltau", "b-l"}
    assert all(len(configs[f].sterile) == 2 for f in ("fig6", "fig7", "fig8"))


CONFIG = """figure = "mine"
kind = "omega-plane"
model = "lmu-ltau"
[[sterile]]
m4 = "7.1keV"
sin2_2theta = 7e-11
[plane]
m_V = ["10MeV", "1GeV"]
coupling = [1e-6, 1e-2]
n = [5, 7]
quick_n = [3, 4]
"""


def test_scan_config_round_trip(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(CONFIG)
    res = CliRunner().invoke(cli, ["scan", "--config", str(path), "--quiet", "--out", str(tmp_path / "out.nc")])
    assert res.exit_code == 0, res.output
    ds = xr.load_dataset(tmp_path / "out.nc")
    assert ds.omega_h2.shape == (5, 7) and ds.attrs["model"] == "lmu-ltau"
    assert (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("text, match", [
    ("figure = 'x'\nkind = 'contour'\n[[sterile]]\nm4 = '7keV'\nsin2_2theta = 1e-10\n", "kind must be"),
    ("model = 'dark-photon'\n[[sterile]]\nm4 = '7keV'\nsin2_2theta = 1e-10\n", "unknown model"),
    ("[[sterile]]\nm4 = '7keV'\n", "required"),
    ("[[sterile]]\nm4 = '7keV'\nsin2_2theta = 2.0\n", "sin"),
    ("[[sterile]]\nm4 = 'seven'\nsin2_2theta = 1e-10\n", "not an energy"),
    ("[[sterile]]\nm4 = '7keV'\nsin2_2theta = 1e-10\n[plane]\nm_V = ['1GeV', '1MeV']\n", "0 < lo < hi"),
    ("[[sterile]]\nm4 = '7keV'\nsin2_2theta = 1e-10\n[plane]\nresolution = 3\n", "unknown key"),
    ("this is = not toml [", "not valid TOML"),
])
def test_malformed_configs_are_refused_clearly(tmp_path, text, match):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=match):
        load_config(path)
    res = CliRunner().invoke(cli, ["scan", "--config", str(path)])
    assert res.exit_code == 2 and res.output.startswith("Error:") and len(res.output.splitlines()) == 1


def test_thermal_spectrum_and_published_dw_thermal_mass_relation(tmp_path):
    """Constant g*: the DW spectrum is thermal (<q> = 7 pi^4/(180 zeta 3)); and the same-<p>/m matching
    reproduces the standard DW <-> thermal-WDM relation m_DW = 4.43 keV (m_th/keV)^(4/3) (omega/0.1225)^(-1/3)."""
    r = relic_density(SterileNeutrino(7.1 * keV, 1e-9, "e"), gstar=ConstantGStar(10.75))
    w = warmness(r, method="moment")
    assert w.mean_q == pytest.approx(FD_MEAN_Q, rel=1e-3)
    m_dw_keV = 4.43 * w.thermal_wdm_mass_keV ** (4 / 3) * (r.omega_h2 / 0.1225) ** (-1 / 3)
    assert m_dw_keV == pytest.approx(7.1, rel=0.01)
    path = write_class_psd(r, tmp_path / "psd.dat")
    q, f = np.loadtxt(path, unpack=True)
    # the file, in CLASS's normalisation (deg_ncdm = 1), integrates back to the relic yield:
    # n4 = 4 pi T_nu^3 Int q^2 f0 dq (CLASS, background.c); CLASS itself reads it in tests/test_spectrum.py
    n_over_s = 4 * math.pi * np.trapezoid(q**2 * f, q) * 45 / (2 * math.pi**2 * 10.75)
    assert n_over_s == pytest.approx(r.relic_yield, rel=0.02)
    assert "T_ncdm = 0.713765" in path.with_suffix(".ini").read_text()  # (4/11)^(1/3)


def test_spectrum_command(tmp_path):
    res = CliRunner().invoke(cli, ["spectrum", "--model", "neutrinophilic", "--mV", "30MeV", "--coupling", "4.8e-6",
                                   "--sin2-2theta", "7e-11", "--out", str(tmp_path / "p.dat"), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert 0.05 < data["omega_h2"] < 0.15 and 1.0 < data["mean_p_over_Tnu"] < 3.2
    assert (tmp_path / "p.dat").stat().st_size > 1000


# --- issue 17: reproduce on one process pool, and the fast CSV writer -------------------------------

TWO_PLANES = [CONFIG.replace('"mine"', '"p1"'),
              CONFIG.replace('"mine"', '"p2"').replace('model = "lmu-ltau"', 'model = "neutrinophilic"')
              + '[[sterile]]\nm4 = "50keV"\nsin2_2theta = 1e-15\n']


def _configs(tmp_path, monkeypatch):
    """Two small plane configurations (three scans); drawing is stubbed out: these tests compare the
    data, and the figures are checked end to end above."""
    from secretnu import plotting

    monkeypatch.setattr(plotting, "plot_omega_plane", lambda *a, **k: None)
    monkeypatch.setattr(plotting, "save_figure", lambda fig, stem: [])
    out = []
    for k, text in enumerate(TWO_PLANES):
        path = tmp_path / f"c{k}.toml"
        path.write_text(text)
        out.append(load_config(path))
    return out


def test_run_configs_on_one_pool_gives_the_figure_by_figure_data(tmp_path, monkeypatch):
    """All scans queued at once on one pool (figures drawn meanwhile) write the same bytes as the
    serial figure-by-figure run, in configuration order, and leave no worker behind."""
    import multiprocessing

    from secretnu.reproduce import run_configs

    configs = _configs(tmp_path, monkeypatch)
    serial = list(run_configs(configs, tmp_path / "serial", quick=True, executor="serial"))
    pooled = list(run_configs(configs, tmp_path / "pool", quick=True))
    assert [c.figure for c, _, _ in pooled] == ["p1", "p2"] == [c.figure for c, _, _ in serial]
    names = sorted(p.name for _, files, _ in pooled for p in files)
    assert names == sorted(p.name for _, files, _ in serial for p in files)
    assert "p2_1.csv" in names and "p1.nc" in names
    for name in names:
        if name.endswith((".csv", ".nc")):
            assert (tmp_path / "pool" / name).read_bytes() == (tmp_path / "serial" / name).read_bytes(), name
    assert multiprocessing.active_children() == []


def test_run_configs_stopped_early_shuts_its_pool(tmp_path, monkeypatch):
    import multiprocessing

    from secretnu.reproduce import run_configs

    runs = run_configs(_configs(tmp_path, monkeypatch), tmp_path, quick=True)
    cfg, files, _ = next(runs)
    assert cfg.figure == "p1" and all(p.exists() for p in files)
    runs.close()
    assert multiprocessing.active_children() == []
