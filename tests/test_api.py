"""The public namespace is deliberate: pin it (hepunits/particle style)."""

from __future__ import annotations

import secretnu


def test_all_is_pinned():
    assert sorted(secretnu.__all__) == sorted([
        "__version__", "SterileNeutrino", "Neutrinophilic", "LmuLtau", "BminusL", "relic_density", "RelicResult", "InputError",
        "diagnose", "Diagnostics", "scan", "relic_curve", "RelicCurve", "constraints",
        "SaikawaShirai2018", "TabulatedGStar", "ConstantGStar", "hubble", "entropy_density",
        "SMRateTable",
        "GeV", "MeV", "keV", "eV",
        "GaugedU1", "LeLmu", "LeLtau", "Scalar",
        "warmness", "Warmness", "verdict",
    ])
    for name in secretnu.__all__:
        assert hasattr(secretnu, name)


def test_only_plotting_imports_matplotlib():
    import pathlib

    src = pathlib.Path(secretnu.__file__).parent
    users = sorted(p.name for p in src.glob("*.py") if "import matplotlib" in p.read_text())
    assert users == ["plotting.py"]
