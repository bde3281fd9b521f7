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
    ("--model", "scalar", "--mV", "1GeV", "--coupling", "0.1"),
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
