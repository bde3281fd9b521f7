"""CLI with the models added in issue 19: le-lmu, le-ltau, scalar."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from secretnu.cli import cli


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args))


@pytest.mark.parametrize("model, flavor", [("le-lmu", "mu"), ("le-ltau", "e"), ("scalar", "tau")])
def test_relic_json(run, model, flavor):
    result = run("relic", "--model", model, "--flavor", flavor, "--mV", "30MeV", "--coupling", "1e-4",
                 "--sin2-2theta", "7e-11", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["omega_h2"] > 0 and data["flavor"] == flavor


def test_flavour_the_model_lacks_is_one_line_error(run):
    result = run("relic", "--model", "le-ltau", "--flavor", "mu", "--mV", "30MeV", "--coupling", "1e-4")
    assert result.exit_code == 2 and "does not couple to nu_mu" in result.output


def test_constraints_json(run):
    result = run("constraints", "--model", "le-ltau", "--flavor", "e", "--mV", "3MeV", "--json")
    names = [c["name"] for c in json.loads(result.output)["constraints"]]
    assert result.exit_code == 0 and "(g-2)_e" in names and "CCFR trident" not in names
    result = run("constraints", "--model", "scalar", "--flavor", "tau", "--mV", "3MeV", "--json")
    assert result.exit_code == 0 and json.loads(result.output)["model"] == "scalar"


def test_curve_scalar(run, tmp_path):
    out = tmp_path / "curve.csv"
    result = run("curve", "--model", "scalar", "--flavor", "tau", "--mV-min", "30MeV", "--mV-max", "30MeV",
                 "--n-mV", "1", "--coupling-min", "1e-6", "--coupling-max", "1e-1", "--n-coupling", "60",
                 "--sin2-2theta", "7e-11", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text().count("\n") >= 2  # a header and at least one root
