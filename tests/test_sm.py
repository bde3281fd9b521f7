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


# ---- sm="full" --------------------------------------------------------------------------------

from secretnu.constants import CKM, SIN2_THETA_W  # noqa: E402
from secretnu.sm import (  # noqa: E402
    blocking_components,
    massless_breakdown,
    pauli_blocking,
    qcd_fraction,
    rate_coefficient,
)
from secretnu.sm_channels import channel_rates, crossover_weight, group_rates  # noqa: E402

UNIT = 7 * math.pi / 27  # (7 pi/90)(10/3): one massless Dirac fermion with g_L^2 + g_R^2 = 1


def test_full_rate_reduces_to_notzold_raffelt_below_the_muon_mass():
    # Only nu, e+- present: the 2 -> 2 sum must give the paper's Eq. 2.7 coefficients
    T = 3e-3
    assert rate_coefficient(T, "mu", "full") == pytest.approx(0.92, rel=0.01)
    assert rate_coefficient(T, "tau", "full") == pytest.approx(0.92, rel=0.01)
    assert rate_coefficient(T, "e", "full") == pytest.approx(1.27, rel=0.02)
    # the same number from the Z couplings by hand: neutrinos 1, electrons g_L^2 + g_R^2
    g_l, g_r = -0.5 + SIN2_THETA_W, SIN2_THETA_W
    assert rate_coefficient(T, "mu", "full") == pytest.approx(UNIT * (1 + g_l**2 + g_r**2), rel=1e-3)


def test_full_rate_massless_limits_of_each_channel():
    T = 60.0  # every quark but top relativistic; below the W mass
    parts = massless_breakdown(T, "mu")
    assert parts["neutrinos"] == pytest.approx(UNIT)
    # W exchange with the e and tau doublets, weight 1 each
    assert parts["leptons_cc"] == pytest.approx(2 * UNIT, rel=2e-3)
    # three colours times the unitarity sums of the u and c rows of the CKM matrix
    rows = sum(v**2 for v in CKM.values())
    assert rows == pytest.approx(2.0, abs=2e-3)
    hadrons = qcd_fraction(T)
    assert parts["quarks_cc"] / hadrons == pytest.approx(3 * rows * UNIT, rel=2e-3)
    z2 = lambda t3, q: (t3 - q * SIN2_THETA_W) ** 2 + (q * SIN2_THETA_W) ** 2
    quarks_nc = 3 * (2 * z2(0.5, 2 / 3) + 3 * z2(-0.5, -1 / 3))
    assert parts["quarks_nc"] / hadrons == pytest.approx(quarks_nc * UNIT, rel=2e-3)
    leptons = z2(-0.5, -1) * 2 + (0.5 + SIN2_THETA_W) ** 2 + SIN2_THETA_W**2  # e, tau; mu with W interference
    assert parts["leptons_nc"] == pytest.approx(leptons * UNIT, rel=2e-3)
    # the channel-by-channel rates with masses (sm_channels) reduce to these, unscaled, at any x
    x = np.array([0.3, 3.0, 20.0])
    groups = group_rates(x, T, "mu")
    assert groups["neutrinos"] == pytest.approx(np.full(3, UNIT))
    assert groups["leptons"] == pytest.approx(np.full(3, parts["leptons_nc"] + parts["leptons_cc"]), rel=2e-3)
    assert groups["quarks"] == pytest.approx(np.full(3, (parts["quarks_nc"] + parts["quarks_cc"]) / hadrons), rel=2e-3)


def test_channel_cross_sections_against_closed_forms():
    from secretnu.constants import M_MU
    from secretnu.sm_channels import _sigma_integrand, channels

    by_name = {ch.name: ch for ch in channels("mu")}
    s = M_MU**2 * np.array([1.01, 1.5, 3.0, 10.0, 100.0])
    # nu_mu e -> mu nu_e (massless e): sigma = G_F^2 (s - m^2)^2/(pi s), averaged over the electron spin
    sigma = _sigma_integrand(by_name["nu e -> mu nu_e"], s) / s
    assert sigma == pytest.approx((s - M_MU**2) ** 2 / (math.pi * s), rel=1e-4)  # m_e kept in the channel
    # nu_mu nubar_mu -> mu+ mu- (Z and W): sigma/sigma_massless = beta [1 - m^2/s + 6 gL gR m^2/((gL^2 + gR^2) s)]
    s = 4 * M_MU**2 * np.array([1.01, 1.5, 3.0, 10.0])
    gl, gr = 0.5 + SIN2_THETA_W, SIN2_THETA_W
    beta = np.sqrt(1 - 4 * M_MU**2 / s)
    shape = beta * (1 - M_MU**2 / s + 6 * gl * gr * M_MU**2 / ((gl**2 + gr**2) * s))
    sigma = _sigma_integrand(by_name["nu nubar -> mu mubar"], s) / s
    assert sigma == pytest.approx(2 * (gl**2 + gr**2) * s / (3 * math.pi) * shape, rel=1e-10)
    # scalar (pion) vector current, massless limit: nu pi -> nu pi c^2 s/(4 pi), nu nubar -> pi pi c^2 s/(12 pi)
    c2 = (1 - 2 * SIN2_THETA_W) ** 2
    s = np.array([1e4, 1e6])
    assert _sigma_integrand(by_name["nu pi+- -> nu pi+-"], s) / s == pytest.approx(c2 * s / (4 * math.pi), rel=1e-5)
    assert _sigma_integrand(by_name["nu nubar -> pi+ pi-"], s) / s == pytest.approx(c2 * s / (12 * math.pi), rel=1e-4)


def test_muon_thresholds_shape_the_rate_in_momentum():
    # at T = 20 MeV nu_mu e -> mu nu_e needs s > m_mu^2: open for energetic neutrinos only
    rates = channel_rates(np.array([0.3, 3.0, 15.0]), 0.02, "mu")
    cc = rates["nu e -> mu nu_e"]
    assert cc[0] < 1e-3 * cc[2] and cc[0] < cc[1] < cc[2]
    # electrons are always open: the same channel for nu_e has no threshold (massless limit)
    assert channel_rates(np.array([0.3, 15.0]), 0.02, "e")["nu mu -> e nu_mu"][0] > 0


def test_crossover_weight_limits():
    assert crossover_weight(0.05) < 0.01 and crossover_weight(1.0) > 1 - 1e-10
    T = np.geomspace(0.05, 1.0, 100)
    assert np.all(np.diff(crossover_weight(T)) > 0)
    assert crossover_weight(0.18) == pytest.approx(0.5)


def test_full_rate_grows_through_the_qcd_crossover():
    T = np.array([0.01, 0.1, 0.2, 0.3, 1.0])
    c = rate_coefficient(T, "mu", "full")
    assert np.all(np.diff(c) > 0)
    assert c[-1] / c[0] == pytest.approx(9.8, rel=0.05)  # ~10x more channels open at 1 GeV
    assert 6 < rate_coefficient(0.3, "mu", "full") / rate_coefficient(0.3, "mu", "paper") < 8


def test_full_rate_against_sterile_dm_table(shared_reference):
    # comparison with another code: sterile-dm's nu_mu rate table (every column), thermally averaged.
    # Above 300 MeV both are free quarks and leptons with masses: agreement to 2%; below, the
    # hadronic models differ (the band of docs/physics.md).
    from secretnu.sm_tables import SMRateTable

    path = shared_reference / "sterile-dm" / "rate_total_mu.dat"
    if not path.exists():
        pytest.skip("sterile-dm tables absent")
    table = SMRateTable.from_file(path)
    x = np.linspace(0.2, 12.0, 120)
    w = x**3 / (np.exp(x) + 1)
    for T in (0.3, 0.5, 1.0, 3.0, 10.0):
        ours = np.sum(sm_rate(x * T, T, "mu", "full") / (G_F**2 * x * T**5) * w)
        theirs = np.sum(table.scaled_rate(x, T) * w)
        assert ours / theirs == pytest.approx(1.0, abs=0.02), T
    for T in (0.04, 0.07, 0.1, 0.15, 0.2):
        ours = np.sum(sm_rate(x * T, T, "mu", "full") / (G_F**2 * x * T**5) * w)
        assert 0.85 < ours / np.sum(table.scaled_rate(x, T) * w) < 1.1, T
    # the inverse decay nu_mu mu+ -> pi+ dominates both at small x: same size
    T, x_small = 0.1, 0.1
    ours = sm_rate(x_small * T, T, "mu", "full") / (G_F**2 * x_small * T**5)
    assert ours == pytest.approx(float(table.scaled_rate(x_small, T)), rel=0.15)


def _monte_carlo_blocking(x: float, n: int = 200_000, seed: int = 3) -> tuple[float, float]:
    """B_s, B_t from explicit events: FD target, final state isotropic in the CM frame, boosted back."""
    rng = np.random.default_rng(seed)
    p = rng.gamma(3.0, 1.0, n)                     # p^2 e^-p, reweighted to p^2 f_FD(p)
    w = 1 / (1 + np.exp(-p))
    ct = rng.uniform(-1, 1, n)
    p2 = np.stack([p * np.sqrt(1 - ct**2), np.zeros(n), p * ct])
    P = p2 + np.array([0.0, 0.0, x])[:, None]
    P0 = x + p
    s = P0**2 - (P**2).sum(0)
    beta = P / P0
    cz, phi = rng.uniform(-1, 1, n), rng.uniform(0, 2 * np.pi, n)
    n3 = np.stack([np.sqrt(1 - cz**2) * np.cos(phi), np.sqrt(1 - cz**2) * np.sin(phi), cz])
    e = np.sqrt(s) / 2
    b2 = (beta**2).sum(0)
    gamma = 1 / np.sqrt(1 - b2)
    bn = (beta * n3).sum(0)
    E3 = gamma * e * (1 + bn)
    p3z = e * n3[2] + ((gamma - 1) * e * bn / b2 + gamma * e) * beta[2]
    t = -2 * x * (E3 - p3z)
    fermi = lambda e_: 1 / (np.exp(e_) + 1)
    block = (1 - fermi(E3)) * (1 - fermi(P0 - E3))
    flux = w / p                                   # f(p2) p2^2 dp2 with the 1/(E1 E2) flux factor
    b_s = (flux * s**2 * block).sum() / (flux * s**2).sum()      # |M|^2 ~ s^2
    b_t = (flux * t**2 * block).sum() / (flux * t**2).sum()      # |M|^2 ~ t^2
    return float(b_s), float(b_t)


@pytest.mark.parametrize("x", [0.3, 1.0, 3.0, 10.0])
def test_pauli_blocking_against_monte_carlo(x):
    b_s, b_t = blocking_components(x)
    mc_s, mc_t = _monte_carlo_blocking(x)
    assert b_s[0] == pytest.approx(mc_s, rel=3e-3)
    assert b_t[0] == pytest.approx(mc_t, rel=3e-3)
    assert pauli_blocking(x) == pytest.approx(0.6 * b_s[0] + 0.4 * b_t[0], rel=1e-3)


def test_pauli_blocking_limits():
    assert pauli_blocking(1e3) == pytest.approx(1.0, abs=1e-3)   # final states far above T
    low = pauli_blocking(1e-3)
    assert 0.6 < low < 0.7                                         # both final states ~T
    x = np.geomspace(1e-2, 1e2, 50)
    assert np.all(np.diff(pauli_blocking(x)) > 0)


def test_full_rate_is_blocked_and_linear_at_large_energy():
    # T = 60 GeV: every channel massless, so Gamma = C B(E/T) G_F^2 E T^4 with the massless C
    T = 60.0
    E = np.array([0.3, 3.0, 100.0]) * T
    massless = sum(massless_breakdown(T, "mu").values()) - (1 - 1 / qcd_fraction(T)) * (
        massless_breakdown(T, "mu")["quarks_nc"] + massless_breakdown(T, "mu")["quarks_cc"])
    ratio = sm_rate(E, T, "mu", "full") / (massless * G_F**2 * E * T**4)
    assert ratio == pytest.approx(pauli_blocking(E / T), rel=2e-3)
    assert sm_potential(1.0, 0.3, "mu", "full") == sm_potential(1.0, 0.3, "mu", "paper")


def test_channel_table_disk_cache_is_the_built_table_and_refuses_edits(tmp_path, monkeypatch):
    # sm="full" tabulates its channel rates once (3-4 s); the disk copy must give the same numbers
    # and an edited copy must be rebuilt, not used
    from secretnu import sm_channels

    monkeypatch.setenv("SECRETNU_CACHE_DIR", str(tmp_path))
    x, T = np.array([0.3, 3.0, 20.0]), np.array([0.005, 0.15, 3.0])
    sm_channels._table.cache_clear()
    try:
        built = sm_channels.full_rate_scaled(x, T, "e")
        (path,) = tmp_path.glob("sm-channels-*-e-*.npz")
        sm_channels._table.cache_clear()
        np.testing.assert_array_equal(sm_channels.full_rate_scaled(x, T, "e"), built)
        from secretnu import _atomic

        fields, stored = _atomic._read_packed(path)
        fields["log_total"] = fields["log_total"] + 1.0  # well-formed, 2.7x every rate
        _atomic._write_packed(path, fields, stored)  # with the hash of the unaltered table
        sm_channels._table.cache_clear()
        np.testing.assert_array_equal(sm_channels.full_rate_scaled(x, T, "e"), built)
        path.write_bytes(path.read_bytes()[:200])  # truncated (an interrupted copy): not a zip any more
        sm_channels._table.cache_clear()
        np.testing.assert_array_equal(sm_channels.full_rate_scaled(x, T, "e"), built)
    finally:
        sm_channels._table.cache_clear()
