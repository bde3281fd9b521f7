"""Gauged B - L (section V): derived channel counting, width, on-shell weights."""

from __future__ import annotations

import math

import pytest

from secretnu import BminusL, InputError, SterileNeutrino, keV, relic_density
from secretnu.constants import M_E, M_MU, M_TAU
from secretnu.models import make_model
from secretnu.models.bminusl import bminusl_width, hadronic_width

# spec section 5 (derived with the rules of secretnu.models.gauged; not recoverable from the printed paper)
BANDS = [(0.5 * M_E, 24), (1.5 * M_E, 32), (0.5 * M_MU, 34), (1.5 * M_MU, 42),
         (0.5 * (2 * M_MU + M_TAU), 44), (1.5 * M_TAU, 52), (3 * M_TAU, 54)]


@pytest.mark.parametrize("T, N", BANDS)
def test_heavy_v_counting(T, N):
    g, m = 0.1, 1e4
    expected = 7 * math.pi * g**4 * T**5 / (540 * m**4)
    assert BminusL(m, g).heavy_v_count(T) == N
    assert BminusL(m, g).rate(T, T) == pytest.approx(expected * N, rel=1e-4)
    assert BminusL(m, g, counting="physical").rate(T, T) == pytest.approx(expected * (N - 4), rel=1e-4)


def test_every_flavour_sees_the_same_count_above_all_thresholds():
    T = 3 * M_TAU
    counts = {f: BminusL(1e4, 0.1, flavor=f).heavy_v_count(T) for f in ("e", "mu", "tau")}
    assert set(counts.values()) == {54}


def test_width():
    g = 0.01
    m = 0.3  # neutrinos, e+e- and mu+mu- open; no hadrons below the 3 pi threshold
    r_e, r_mu = (M_E / m) ** 2, (M_MU / m) ** 2
    expected = g**2 * m / (12 * math.pi) * (1.5 + (1 + 2 * r_e) * math.sqrt(1 - 4 * r_e)
                                            + (1 + 2 * r_mu) * math.sqrt(1 - 4 * r_mu))
    assert hadronic_width(m, g) == 0.0
    assert bminusl_width(m, g) == pytest.approx(expected)
    # far above all thresholds: 3/2 (nu) + 3 (leptons) + 5 quarks x 3 colours x 1/9 = 6.17 g^2 m/(12 pi)
    big = 50.0
    assert bminusl_width(big, g) / (g**2 * big / (12 * math.pi)) == pytest.approx(1.5 + 3 + 5 / 3, rel=1e-2)


@pytest.mark.parametrize("T_over_m, m_V, weight", [(1.0, 5e-4, 1.5), (1.0, 0.05, 2.5), (1.0, 0.5, 3.5), (1.0, 5.0, 4.5)])
def test_on_shell_weights(T_over_m, m_V, weight):
    g = 1e-6
    model = BminusL(m_V, g)
    T = E = T_over_m * m_V
    w = m_V**2 / (4 * E * T)
    expected = g**4 * m_V**3 * T / (48 * math.pi**2 * model.gamma_V * E**2) * math.log1p(math.exp(-w)) * weight
    assert model.on_shell_rate(E, T) == pytest.approx(expected, rel=1e-12)
    assert model.rate(E, T) == pytest.approx(expected, rel=1e-4)


def test_relic_and_validation():
    dm = SterileNeutrino(7.1 * keV, 7e-11, "e")
    assert relic_density(dm, BminusL(0.03, 3e-6), spectrum=False).omega_h2 > 0
    assert make_model("B-L", 0.03, 1e-5).name == "b-l" and make_model("BminusL", 0.03, 1e-5).name == "b-l"
    with pytest.raises(InputError):
        BminusL(0.03, 1e-5, counting="wrong")
