from __future__ import annotations

import math

import pytest

from secretnu import InputError, SterileNeutrino, keV


def test_valid():
    dm = SterileNeutrino(7.1 * keV, 7e-11)
    assert dm.flavor == "mu" and dm.mass == pytest.approx(7.1e-6)
    assert dm.cos_2theta == pytest.approx(math.sqrt(1 - 7e-11))
    assert "7.1 keV" in str(dm)


@pytest.mark.parametrize("mass, mix, flavor", [
    (0.0, 1e-9, "mu"), (-1e-6, 1e-9, "mu"), (float("nan"), 1e-9, "mu"), (float("inf"), 1e-9, "mu"),
    (1e-6, 0.0, "mu"), (1e-6, -1e-9, "mu"), (1e-6, 1.5, "mu"), (1e-6, float("nan"), "mu"),
    (1e-6, 1e-9, "sigma"), ("abc", 1e-9, "mu"),
])
def test_invalid(mass, mix, flavor):
    with pytest.raises(InputError):
        SterileNeutrino(mass, mix, flavor)


def test_frozen():
    dm = SterileNeutrino(7.1 * keV, 7e-11)
    with pytest.raises(AttributeError):
        dm.mass = 1.0
