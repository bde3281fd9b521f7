"""Standard Model terms, Eqs. 2.6 and 2.7."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import kn

from secretnu.constants import G_F, M_MU, M_W, M_Z
from secretnu.errors import InputError
from secretnu.sm import check_flavor, fermion_energy_density, sm_potential, sm_rate

STANDARD = 7 * math.sqrt(2) * math.pi**2 / 45  # 2.171, spec section 2


def test_fermion_energy_density_limits():
    assert fermion_energy_density(0.0) == pytest.approx(7 * math.pi**2 / 240, rel=1e-8)
    # Boltzmann limit (Fermi-Dirac corrections ~ e^-r): rho/T^4 = r^2 [3 K2(r) + r K1(r)] / (2 pi^2)
    for r in (15.0, 40.0):
        boltzmann = r**2 * (3 * kn(2, r) + r * kn(1, r)) / (2 * math.pi**2)
        assert fermion_energy_density(r) == pytest.approx(boltzmann, rel=1e-5)


def test_potential_massless_limit():
    E, T = 0.2, 10.0  # T >> m_mu: both species relativistic
    expected = -STANDARD * G_F * E * T**4 * (1 / M_Z**2 + 2 / M_W**2)
    assert sm_potential(E, T, "mu") == pytest.approx(expected, rel=1e-4)
    assert sm_potential(E, T, "e") == pytest.approx(expected, rel=1e-8)


def test_potential_lepton_switches_off():
    E, T = 1e-3, M_MU / 30
    only_neutrinos = -STANDARD * G_F * E * T**4 / M_Z**2
    assert sm_potential(E, T, "mu") == pytest.approx(only_neutrinos, rel=1e-6)
    T = np.geomspace(1e-3, 1.0, 200)
    ratio = sm_potential(1.0, T, "mu") / (-STANDARD * G_F * T**4)
    assert np.all(np.diff(ratio) >= -1e-12 * ratio[1:])  # monotone switch-on of the muon term
    assert ratio[0] == pytest.approx(1 / M_Z**2, rel=1e-6)


def test_potential_printed_coefficient_is_not_used():
    # Eq. 2.6 as printed has 3.72 = 12/7 of the standard coefficient
    E, T = 1.0, 5.0
    printed = -3.72 * G_F * E * T**4 * (1 / M_Z**2 + 2 / M_W**2)
    assert sm_potential(E, T, "e") / printed == pytest.approx(7 / 12, rel=1e-3)


def test_rate_coefficients():
    assert sm_rate(2.0, 3.0, "e") == pytest.approx(1.27 * G_F**2 * 2 * 81)
    assert sm_rate(2.0, 3.0, "tau") == pytest.approx(0.92 * G_F**2 * 2 * 81)


def test_flavor_names():
    assert check_flavor("nu_mu") == "mu"
    with pytest.raises(InputError):
        check_flavor("sigma")
    with pytest.raises(InputError):
        sm_rate(1.0, 1.0, "mu", sm="nonsense")
