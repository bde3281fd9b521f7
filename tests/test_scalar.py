"""Lepton-number-charged scalar (secretnu.models.scalar): cross sections, width, kernel limits, model plumbing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from secretnu import InputError, SterileNeutrino, constraints, keV, relic_density
from secretnu.diagnostics import diagnose
from secretnu.models import make_model, model_key
from secretnu.models.neutrinophilic import Neutrinophilic
from secretnu.models.scalar import (
    Scalar,
    hat_exchange,
    scalar_potential_high_T,
    scalar_potential_low_T,
    scalar_rate_high_T,
    scalar_rate_low_T,
    scalar_rate_on_shell,
    scalar_width,
    sigma_nunu_scalar,
    sigma_nunubar_scalar,
)


def test_exchange_cross_section_from_matrix_element():
    # sigma = 1/(16 pi s^2) Int_{-s}^0 dt lambda^4 t^2/(t - m^2)^2: |M|^2 of one phi exchange
    m, lam = 1.0, 0.3
    for s in (1e-3, 0.05, 0.7, 3.0, 250.0):
        integral = quad(lambda t: t * t / (t - m * m) ** 2, -s, 0.0, epsabs=0, epsrel=1e-12)[0]
        expected = lam**4 * integral / (16 * math.pi * s * s)
        assert sigma_nunubar_scalar(s, m, lam) == pytest.approx(expected, rel=1e-9)
    # low and high s: y/(48 pi) and 1/(16 pi y); the series branch joins the closed form
    assert hat_exchange(1e-6) == pytest.approx(1e-6 / (48 * math.pi), rel=1e-5)
    assert hat_exchange(1e12) == pytest.approx(1 / (16 * math.pi * 1e12), rel=1e-9)
    assert hat_exchange(0.0499999) == pytest.approx(hat_exchange(0.0500001), rel=1e-5)


def test_s_channel_narrow_width_is_inverse_decay():
    # Int ds sigma(nu nu -> nu nu) over the peak = pi lambda^2 (sigma(nu nu -> phi) = pi lambda^2 delta(s - m^2))
    # exactly when gamma = lambda^2 m/(32 pi): the width and the s-channel residue are consistent
    m, lam = 1.0, 0.05
    gamma = scalar_width(m, lam)
    assert gamma == pytest.approx(lam**2 * m / (32 * math.pi))
    half = 2000 * gamma * m
    area = quad(lambda s: sigma_nunu_scalar(s, m, lam), m * m - half, m * m + half, points=[m * m], limit=400)[0]
    assert area == pytest.approx(math.pi * lam**2, rel=2e-3)


@pytest.mark.parametrize("E_over_T", [0.5, 3.0])
def test_rate_limits(E_over_T):
    m, lam = 1.0, 0.1
    model = Scalar(m, lam)
    T = np.array([1e-3, 3e-3])
    E = E_over_T * T
    assert np.allclose(model.rate(E, T) / scalar_rate_low_T(E, T, m, lam), 1, rtol=2e-4)  # T << m
    T = np.array([3e3, 3e4])
    E = E_over_T * T
    off = model.rate(E, T) - model.on_shell_rate(E, T)  # T >> m: sigma -> 3 lambda^4/(32 pi s)
    assert np.allclose(off / scalar_rate_high_T(E, T, m, lam), 1, rtol=1e-3)


def test_narrow_width_rate_is_on_shell():
    m, lam = 0.01, 1e-3
    E, T = np.array([0.004, 0.02]), np.array([0.003, 0.01])
    for width in (1e-6 * m, 1e-8 * m):  # on-shell ~ 1/width dominates everything else
        model = Scalar(m, lam, width=width)
        assert np.allclose(model.rate(E, T) / model.on_shell_rate(E, T), 1, rtol=10 * width / m + 1e-6)
    # own width: lambda^2 m^2 T/(8 pi E^2) ln(1 + e^{-m^2/4ET}), the same as a vector's on-shell rate
    # with the paper's width (Eq. 3.12)
    ref = Neutrinophilic(m, lam).on_shell_rate(E, T)
    assert np.allclose(scalar_rate_on_shell(E, T, m, lam), ref, rtol=1e-12)


def test_potential_limits():
    m, lam = 1.0, 0.1
    model = Scalar(m, lam)
    T = np.array([1e-3, 1e-2])
    for x in (0.3, 3.0):
        assert np.allclose(model.potential(x * T, T) / scalar_potential_low_T(x * T, T, m, lam), 1, rtol=1e-3)
    T = np.array([1e3, 1e4])
    for x in (0.3, 3.0):
        assert np.allclose(model.potential(x * T, T) / scalar_potential_high_T(x * T, T, m, lam), 1, rtol=2e-3)
    # T >> m: m_inf^2 = 2 E V = lambda^2 T^2/8, half the chiral-vector value (Yukawa vs gauge vertex algebra)
    assert 2 * 1e4 * scalar_potential_high_T(1e4, 1e4, m, lam) == pytest.approx(lam**2 * 1e8 / 8)


def test_model_plumbing_and_validation():
    model = make_model("scalar", 0.01, 1e-3, flavor="tau")
    assert isinstance(model, Scalar) and model.m_V == model.m_phi == 0.01 and model_key("phi") == "scalar"
    with pytest.raises(InputError):
        Scalar(-1.0, 1e-3)
    with pytest.raises(InputError):
        Scalar(0.01, 1e-3, width=-1.0)
    with pytest.raises(InputError, match="does not couple"):
        relic_density(SterileNeutrino(7.1 * keV, 7e-11, "mu"), Scalar(0.01, 1e-3))
    names = [c.name for c in constraints.for_model("scalar", SterileNeutrino(7.1 * keV, 7e-11, "tau"))]
    assert names[:3] == ["Z invisible", "BBN", "nu4 lifetime"]


def test_relic_and_diagnose_run():
    dm = SterileNeutrino(7.1 * keV, 7e-11, "tau")
    weak = relic_density(dm, Scalar(0.01, 1e-13), points_per_decade=30, n_x=20).omega_h2
    dw = relic_density(dm, None, points_per_decade=30, n_x=20).omega_h2
    assert weak == pytest.approx(dw, rel=1e-3)  # a negligible coupling is Dodelson-Widrow
    strong = relic_density(dm, Scalar(0.01, 1e-4), points_per_decade=30, n_x=20).omega_h2
    assert strong > 10 * dw
    diag = diagnose(dm, Scalar(0.01, 1e-4), points_per_decade=30)
    assert diag.regime in ("A", "B", "C")


@pytest.mark.parametrize("lam", [1e-9, 1e-13])
def test_extremely_narrow_pole_is_on_shell(lam):
    # regression: next to the pole 1 + u - 1 lost u below 1e-16, so a width under ~1e-16 m made
    # the exact s-integral wrong by orders of magnitude (both the scalar and the vector)
    E, T = np.array([0.004, 0.1]), np.array([0.003, 0.1])
    for model in (Scalar(0.01, lam), Neutrinophilic(0.01, lam)):
        assert np.allclose(model.rate(E, T) / model.on_shell_rate(E, T), 1, rtol=1e-9)


@pytest.mark.slow
def test_fast_engine_matches_exact_path():
    from secretnu.engine import column_omega

    dm = SterileNeutrino(7.1 * keV, 7e-11, "tau")
    for m_phi, lam in ((0.01, 1e-4), (0.1, 1e-2)):
        exact = relic_density(dm, Scalar(m_phi, lam)).omega_h2
        fast = column_omega(dm, m_phi, [lam], model="scalar")[0][0]
        assert fast == pytest.approx(exact, rel=1e-3)


def test_exchange_spline_against_direct_integral():
    from secretnu.models.scalar import exchange_J
    from secretnu.models.vector_mediator import s_integral

    q = np.array([3e-5, 0.02, 0.7, 5.0, 1e3, 1e9])
    assert np.allclose(exchange_J(q), s_integral(q, smooth=hat_exchange), rtol=1e-6)


def test_fast_rate_integrals_assemble_the_rate():
    # Gamma = c^4 T m^2/(8 pi^2 E^2) (J_on/gw + J_off - pi gw C1), c = lambda/sqrt 2 (engine convention)
    from secretnu.tables import kernel_tables

    m, lam = 0.02, 3e-3
    model = Scalar(m, lam)
    T = np.array([1e-3, 5e-3, 0.02, 0.1, 1.0])
    E = 2.2 * T
    q = 4 * E * T / m**2
    j_on, j_off, c1 = model.fast_rate_integrals(q, kernel_tables())
    gw = model.gamma_V / m
    c = model.coupling_scale * lam
    fast = c**4 * T * m**2 / (8 * math.pi**2 * E**2) * (j_on / gw + j_off - math.pi * gw * c1)
    assert np.allclose(fast, model.rate(E, T), rtol=2e-4)


def test_z_invisible_width():
    from secretnu.constraints.scalar import _LN_R, _R_TABLE, z_invisible_R, z_invisible_ratio

    # the shipped table is the numeric Dalitz integral (recomputed at lower order here)
    for i in (4, 12, 16):
        assert z_invisible_ratio(math.exp(_LN_R[i]), n=40) == pytest.approx(_R_TABLE[i], rel=1e-4)
    # m_phi << m_Z: collinear log, lambda^2/(16 pi^2) per e-fold per neutrino leg, two legs
    slope = (_R_TABLE[1] - _R_TABLE[0]) / (_LN_R[0] - _LN_R[1])
    assert slope == pytest.approx(1 / (8 * math.pi**2), rel=1e-3)
    assert z_invisible_R(np.array([1e-9]))[0] > z_invisible_R(np.array([1e-5]))[0] > 0
    assert z_invisible_R(np.array([95.0]))[0] == 0.0  # closed above m_Z
    bound = {c.name: c for c in constraints.for_model("scalar")}["Z invisible"].excluded([0.01, 1.0, 100.0])
    assert 0.2 < bound.lower[0] < bound.lower[1] < 1.0 and np.isnan(bound.lower[2])


def test_engine_takes_a_scalar_instance():
    from secretnu.engine import column_omega

    dm = SterileNeutrino(7.1 * keV, 7e-11, "tau")
    by_name = column_omega(dm, 0.05, [1e-5, 1e-3], model="scalar")
    by_instance = column_omega(dm, 0.05, [1e-5, 1e-3], model=Scalar(1.0, 0.1))
    assert np.array_equal(by_name[0], by_instance[0])
