"""General gauged U(1)' (secretnu.models.gauged_u1): identity with L_mu - L_tau and B - L, L_e - L_mu counts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from secretnu import BminusL, InputError, LmuLtau, SterileNeutrino, constraints, keV
from secretnu.constants import M_E, M_MU, M_TAU
from secretnu.engine import column_omega
from secretnu.models import make_model, model_key
from secretnu.models.gauged_u1 import GaugedU1, LeLmu, LeLtau, u1_width

E = np.geomspace(1e-4, 30.0, 6)[:, None]
T = np.geomspace(1e-4, 30.0, 7)[None, :]
BL = {"e": -1, "mu": -1, "tau": -1, "quark": 1 / 3}


@pytest.mark.parametrize("m_V, g", [(0.01, 1e-5), (0.3, 1e-3), (5.0, 0.2)])
@pytest.mark.parametrize("counting", ["paper", "physical"])
def test_lmu_ltau_and_b_minus_l_bit_for_bit(m_V, g, counting):
    for flavor in ("mu", "tau"):
        old, new = LmuLtau(m_V, g, flavor, counting), GaugedU1(m_V, g, {"mu": 1, "tau": -1}, flavor, counting)
        assert new.gamma_V == old.gamma_V
        for method in ("rate", "potential", "on_shell_rate"):
            assert np.array_equal(getattr(new, method)(E, T), getattr(old, method)(E, T)), method
        for t in (0.5 * M_MU, 1.5 * M_MU, 3 * M_TAU):
            assert new.heavy_v_count(t) == old.heavy_v_count(t)
        assert all(np.array_equal(a, b) for a, b in zip(new.channel_weights(T), old.channel_weights(T), strict=True))
    for flavor in ("e", "mu", "tau"):
        old, new = BminusL(m_V, g, flavor, counting), GaugedU1(m_V, g, BL, flavor, counting)
        assert new.gamma_V == old.gamma_V
        for method in ("rate", "potential", "on_shell_rate"):
            assert np.array_equal(getattr(new, method)(E, T), getattr(old, method)(E, T)), method


def test_fast_engine_identical_through_general_class():
    dm = SterileNeutrino(7.1 * keV, 7e-11, "mu")
    g = np.array([3e-5, 1e-4])
    old = column_omega(dm, 0.03, g, model="lmu-ltau")
    new = column_omega(dm, 0.03, g, model=GaugedU1(0.03, 1e-4, {"mu": 1, "tau": -1}))
    assert np.array_equal(old[0], new[0]) and np.array_equal(old[1], new[1])


# L_e - L_mu, nu_e mixing, counted by hand from the channel table (units g^4 s/(12 pi m^4)):
# nu_e nu_e 6 + nu_e nubar_e 4; nu_mu: nu_e nubar_e -> nu_mu nubar_mu 1, nu_e nu_mu 3, nu_e nubar_mu 3 (paper)
# -> 17 below m_e; electrons as targets (T >= m_e) +8 -> 25; e+e- final state (T >= 2 m_e) +2 -> 27;
# muon targets +8 -> 35; mu+mu- final state +2 -> 37. Physical nu_e nubar_mu (1 instead of 3): 2 fewer.
LE_LMU_BANDS = [(0.5 * M_E, 17), (1.5 * M_E, 25), (0.5 * (2 * M_E + M_MU), 27), (1.5 * M_MU, 35), (3 * M_MU, 37)]


@pytest.mark.parametrize("T_band, N", LE_LMU_BANDS)
def test_le_lmu_heavy_v_counts_by_hand(T_band, N):
    g, m = 0.1, 1e4
    model = LeLmu(m, g, flavor="e")
    assert model.heavy_v_count(T_band) == N
    expected = 7 * math.pi * g**4 * T_band**5 / (540 * m**4) * N
    assert model.rate(T_band, T_band) == pytest.approx(expected, rel=1e-4)
    assert LeLmu(m, g, flavor="e", counting="physical").heavy_v_count(T_band) == N - 2


def test_le_ltau_counts_and_width():
    # nu_tau mixing in L_e - L_tau: electrons are "other" leptons -> targets at T >= m_e
    model = LeLtau(1e4, 0.1, flavor="tau")
    assert model.heavy_v_count(0.5 * M_E) == 17
    assert model.heavy_v_count(1.5 * M_E) == 25  # e targets (+8)
    assert model.heavy_v_count(3 * M_E) == 27  # and the e+e- final state (+2)
    assert model.heavy_v_count(1.5 * M_TAU) == 35
    g, m = 0.01, 1e3  # every pair open and relativistic: nu_e, nu_tau (1/2 each) + e, tau pairs
    assert u1_width(m, g, {"e": 1, "tau": -1}) == pytest.approx(3 * g**2 * m / (12 * math.pi), rel=1e-5)


def test_charge_scaling():
    # Q_a = 2: rate as a unit-charge model with coupling 2g; other channels weighted by Q_b^2/Q_a^2
    m, g, t = 1e4, 0.01, 0.5 * M_E
    model = GaugedU1(m, g, {"mu": 2, "tau": 1})
    assert model.coupling_scale == 2
    # 16 (10 + (1/4)(1 + 3 + 3)) at T < m_mu, in g^4 units
    assert model.heavy_v_count(t) == pytest.approx(16 * (10 + 7 / 4))
    assert model.rate(t, t) == pytest.approx(7 * math.pi * g**4 * t**5 / (540 * m**4) * model.heavy_v_count(t),
                                             rel=1e-4)
    assert np.array_equal(GaugedU1(0.02, g, {"mu": 2, "tau": 1}).potential(E, T),
                          LmuLtau(0.02, 2 * g).potential(E, T))


def test_registry_and_validation():
    assert model_key("Le_Lmu") == "le-lmu" and model_key("LeLtau") == "le-ltau"
    assert make_model("le-ltau", 0.01, 1e-4).flavor == "e"
    assert make_model("le-lmu", 0.01, 1e-4).flavor == "mu"
    with pytest.raises(InputError, match="does not couple"):
        LeLtau(0.01, 1e-4, flavor="mu")
    with pytest.raises(InputError, match="unknown charge"):
        GaugedU1(0.01, 1e-4, {"top": 1})
    with pytest.raises(InputError, match="lepton charge"):
        GaugedU1(0.01, 1e-4, {"quark": 1})
    with pytest.raises(InputError, match="fixed charges"):
        LeLmu(0.01, 1e-4, charges={"e": 2, "mu": -1})


def test_constraints_follow_charges():
    names = {c.name for c in constraints.for_model("le-ltau")}
    assert "(g-2)_e" in names and "CCFR trident" not in names and "(g-2)_mu" not in names and "BBN" in names
    names = {c.name for c in constraints.for_model("le-lmu")}
    assert {"(g-2)_e", "(g-2)_mu", "CCFR trident", "BBN"} <= names
    # charge 2 on the muon: (g-2)_mu and trident bounds on g are halved
    custom = {c.name: c for c in constraints.for_model(GaugedU1(1.0, 0.1, {"mu": 2, "tau": -2}))}
    unit = {c.name: c for c in constraints.for_model("lmu-ltau")}
    for name in ("(g-2)_mu", "CCFR trident"):
        assert custom[name].excluded([3.0]).lower[0] == pytest.approx(0.5 * unit[name].excluded([3.0]).lower[0])
    # BBN from the width: same width for {mu: 1, tau: -1} as L_mu - L_tau
    same = {c.name: c for c in constraints.for_model(GaugedU1(1.0, 0.1, {"mu": 1, "tau": -1}))}
    assert np.allclose(same["BBN"].excluded([1e-3]).lower, unit["BBN"].excluded([1e-3]).lower)


def test_custom_charges_through_scan_and_relic_curve():
    from secretnu import relic_curve, scan

    dm = SterileNeutrino(7.1 * keV, 7e-11, "mu")
    model = GaugedU1(0.03, 1e-4, {"mu": 1, "tau": -1})  # custom instance with L_mu - L_tau charges
    kwargs = dict(m_V=[0.03], coupling=[3e-5, 1e-4], executor="serial", points_per_decade=20, n_x=16)
    ds_custom, ds_named = scan(dm, model, **kwargs), scan(dm, "lmu-ltau", **kwargs)
    assert np.array_equal(ds_custom.omega_h2.values, ds_named.omega_h2.values)
    assert ds_custom.attrs["charges"] == "mu=1, tau=-1"
    curve = relic_curve(dm, GaugedU1(0.03, 1e-4, {"mu": 2, "tau": -2}), m_V=[0.03], n_bracket=20,
                        points_per_decade=20, n_x=16)
    unit = relic_curve(dm, "lmu-ltau", m_V=[0.03], n_bracket=20, points_per_decade=20, n_x=16)
    # charge 2 everywhere: g Q is what matters (rate, potential and width all scale with (g Q)^2)
    assert np.nanmin(curve.roots) == pytest.approx(0.5 * np.nanmin(unit.roots), rel=2e-3)
