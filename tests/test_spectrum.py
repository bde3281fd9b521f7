"""The relic spectrum as CLASS sees it: rescaling to a target Omega, the CLASS ncdm export, warmness."""

from __future__ import annotations

import numpy as np
import pytest

from secretnu import InputError, Neutrinophilic, SterileNeutrino, keV, relic_density
from secretnu.spectrum import rescale_to_omega

BENCH_C = Neutrinophilic(0.03, 4.8e-6)  # the paper's benchmark C: m_V = 30 MeV, lambda = 4.8e-6


@pytest.fixture(scope="module")
def bench_c():
    return relic_density(SterileNeutrino(7.1 * keV, 7e-11, "mu"), BENCH_C)


def test_rescale_to_omega_matches_a_fresh_calculation(bench_c):
    # Omega is linear in sin^2 2theta at these mixings: a fresh relic_density at the rescaled
    # mixing lands on the target, with the same spectrum.
    scaled = rescale_to_omega(bench_c, 0.12)
    assert scaled.omega_h2 == 0.12
    assert scaled.dm.sin2_2theta == pytest.approx(7e-11 * 0.12 / bench_c.omega_h2, rel=1e-14)
    fresh = relic_density(scaled.dm, BENCH_C)
    assert fresh.omega_h2 == pytest.approx(0.12, rel=1e-6)
    np.testing.assert_allclose(scaled.f4, fresh.f4, rtol=1e-6, atol=1e-12 * fresh.f4.max())
    assert scaled.relic_yield == pytest.approx(fresh.relic_yield, rel=1e-6)


def test_rescale_to_omega_rejects_bad_targets(bench_c):
    for bad in (0.0, -1.0, float("nan"), "x"):
        with pytest.raises(InputError):
            rescale_to_omega(bench_c, bad)
    with pytest.raises(InputError, match="> 1"):
        rescale_to_omega(bench_c, 1e12)
