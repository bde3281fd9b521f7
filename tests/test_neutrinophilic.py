"""Neutrinophilic V (section III): Eqs. 3.3-3.12 against their limits and matrix elements."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from secretnu import InputError, Neutrinophilic
from secretnu.models.neutrinophilic import (
    chiral_width,
    paper_width,
    potential_high_T,
    potential_low_T,
    rate_high_T,
    rate_low_T,
    rate_on_shell,
    sigma_high_s,
    sigma_nunu,
    sigma_nunu_low_s,
    sigma_nunubar,
    sigma_nunubar_low_s,
)
from secretnu.models.vector_mediator import thermal_potential

M, LAM = 1.0, 0.1


class TestPotential:
    @pytest.mark.parametrize("x", [0.1, 1.0, 5.0])
    def test_low_T_limit(self, x):
        T = 1e-3 * M
        v = thermal_potential(x * T, T, M, LAM)
        assert v == pytest.approx(potential_low_T(x * T, T, M, LAM), rel=1e-3)

    @pytest.mark.parametrize("x", [0.1, 1.0, 5.0])
    def test_high_T_limit(self, x):
        T = 1e4 * M  # corrections are O(m/T)
        v = thermal_potential(x * T, T, M, LAM)
        assert v == pytest.approx(potential_high_T(x * T, T, M, LAM), rel=1e-3)

    def test_sign_change_near_T_equal_m(self):
        T = np.geomspace(0.03, 30, 400) * M
        v = thermal_potential(T, T, M, LAM)
        flips = np.nonzero(np.diff(np.sign(v)))[0]
        assert flips.size == 1
        assert 0.2 < T[flips[0]] / M < 2.0

    def test_scales_as_coupling_squared(self):
        assert thermal_potential(0.3, 0.5, M, 2 * LAM) == pytest.approx(4 * thermal_potential(0.3, 0.5, M, LAM))


class TestCrossSections:
    @staticmethod
    def matrix_element_sigma(s, m, lam, width, channel):
        """sigma = 1/(16 pi s^2) Int_{-s}^0 dt |M|^2 from the amplitudes of spec section 3.2."""
        def msq(t):
            u = -s - t
            pt, pu = 1 / (t - m**2), 1 / (u - m**2)
            if channel == "nunubar":
                ps = 1 / complex(s - m**2, m * width)
                return 4 * lam**4 * u**2 * abs(ps + pt) ** 2
            return 0.5 * 4 * lam**4 * s**2 * (pt + pu) ** 2
        val, _ = quad(msq, -s, 0, epsabs=0, epsrel=1e-11, limit=200)
        return val / (16 * math.pi * s**2)

    @pytest.mark.parametrize("y", [0.01, 0.3, 0.9, 1.0, 1.2, 5.0, 200.0])
    def test_against_matrix_elements(self, y):
        width = paper_width(M, LAM)
        s = y * M**2
        assert sigma_nunu(s, M, LAM) == pytest.approx(self.matrix_element_sigma(s, M, LAM, 0, "nunu"), rel=1e-8)
        assert sigma_nunubar(s, M, LAM, width) == pytest.approx(
            self.matrix_element_sigma(s, M, LAM, width, "nunubar"), rel=1e-8)

    @pytest.mark.parametrize("y", [0.3, 3.0, 40.0])
    def test_printed_eq_3_5(self, y):
        s, m = y, 1.0
        printed = LAM**4 / (4 * math.pi * (s - m**2) ** 2) * (
            s**2 / m**2 - 4 * m**2 + 4 * (m**4 - s**2) / s * math.log(1 + s / m**2) + 10 * s / 3)
        assert sigma_nunubar(s, m, LAM) == pytest.approx(printed, rel=1e-10)
        printed_nunu = LAM**4 / (4 * math.pi * m**2) * (s / (s + m**2) + 2 * m**2 / (s + 2 * m**2) * math.log(1 + s / m**2))
        assert sigma_nunu(s, m, LAM) == pytest.approx(printed_nunu, rel=1e-12)

    @pytest.mark.parametrize("y", [1e-12, 1e-9, 1e-6, 1e-3])
    def test_low_s_limit_eq_3_7(self, y):
        s = y * M**2
        assert sigma_nunu(s, M, LAM) == pytest.approx(sigma_nunu_low_s(s, M, LAM), rel=max(2 * y, 1e-12))
        assert sigma_nunubar(s, M, LAM, paper_width(M, LAM)) == pytest.approx(
            sigma_nunubar_low_s(s, M, LAM), rel=max(3 * y, 1e-10))

    @pytest.mark.parametrize("y", [1e8, 1e10, 1e12])
    def test_high_s_limit_eq_3_9(self, y):
        # corrections are O(ln y / y)
        s = y * M**2
        assert sigma_nunu(s, M, LAM) == pytest.approx(sigma_high_s(M, LAM), rel=50 / y**0.5)
        assert sigma_nunubar(s, M, LAM, paper_width(M, LAM)) == pytest.approx(sigma_high_s(M, LAM), rel=1e-6)

    def test_stable_and_positive_everywhere(self):
        s = np.geomspace(1e-12, 1e12, 2001)
        for sig in (sigma_nunu(s, M, LAM), sigma_nunubar(s, M, LAM, paper_width(M, LAM))):
            assert np.all(np.isfinite(sig)) and np.all(sig > 0)


class TestRate:
    @pytest.mark.parametrize("lam", [1e-5, 0.1])
    @pytest.mark.parametrize("x", [0.3, 1.0, 4.0])
    def test_low_T_off_shell_eq_3_8(self, lam, x):
        model = Neutrinophilic(M, lam)
        T = 1e-2 * M
        off = model.rate(x * T, T) - model.on_shell_rate(x * T, T)
        assert off == pytest.approx(rate_low_T(x * T, T, M, lam), rel=1e-2)  # O(T^2/m^2) corrections
        T = 1e-3 * M
        off = model.rate(x * T, T) - model.on_shell_rate(x * T, T)
        assert off == pytest.approx(rate_low_T(x * T, T, M, lam), rel=1e-3)

    @pytest.mark.parametrize("lam", [1e-5, 0.1])
    @pytest.mark.parametrize("x", [0.3, 1.0, 4.0])
    def test_high_T_off_shell_eq_3_10(self, lam, x):
        model = Neutrinophilic(M, lam)
        T = 1e3 * M
        off = model.rate(x * T, T) - model.on_shell_rate(x * T, T)
        assert off == pytest.approx(rate_high_T(x * T, T, M, lam), rel=1e-3)

    @pytest.mark.parametrize("tm", [0.3, 1.0, 3.0])
    def test_on_shell_dominates_at_small_coupling_eq_3_12(self, tm):
        # lambda^4/gamma_V ~ lambda^2 >> lambda^4: the on-shell part is the whole rate to O(lambda^2)
        model = Neutrinophilic(M, 1e-6)
        T = tm * M
        assert model.rate(T, T) == pytest.approx(rate_on_shell(T, T, M, 1e-6), rel=1e-6)

    def test_on_shell_closed_form_for_paper_width(self):
        E, T = 0.7, 0.4
        w = M**2 / (4 * E * T)
        expected = LAM**2 * M**2 * T / (8 * math.pi * E**2) * math.log(1 + math.exp(-w))
        assert rate_on_shell(E, T, M, LAM) == pytest.approx(expected, rel=1e-12)
        assert math.log(1 + math.exp(w)) - w == pytest.approx(math.log(1 + math.exp(-w)))

    def test_chiral_width_doubles_on_shell(self):
        paper = Neutrinophilic(M, 1e-5)
        chiral = Neutrinophilic(M, 1e-5, width="chiral")
        assert chiral.gamma_V == pytest.approx(chiral_width(M, 1e-5)) == pytest.approx(paper.gamma_V / 2)
        assert chiral.rate(1.0, 1.0) == pytest.approx(2 * paper.rate(1.0, 1.0), rel=1e-6)


def test_no_nan_or_inf_on_the_grid():
    x = np.geomspace(1e-3, 30, 40)[None, :]
    T = np.geomspace(1e-3, 1e3, 60)[:, None]
    for lam in (1e-7, 1e-3, 1.0):
        model = Neutrinophilic(M, lam)
        assert np.all(np.isfinite(model.potential(x * T, T)))
        rate = model.rate(x * T, T)
        assert np.all(np.isfinite(rate)) and np.all(rate >= 0)


@pytest.mark.parametrize("kwargs", [
    dict(m_V=0.0, coupling=0.1), dict(m_V=-1.0, coupling=0.1), dict(m_V=1.0, coupling=0.0),
    dict(m_V=1.0, coupling=-0.1), dict(m_V=1.0, coupling=4.0), dict(m_V=float("nan"), coupling=0.1),
    dict(m_V=1.0, coupling=0.1, flavor="x"), dict(m_V=1.0, coupling=0.1, width=-1.0),
    dict(m_V=1.0, coupling=0.1, width="wide"),
])
def test_validation(kwargs):
    with pytest.raises(InputError):
        Neutrinophilic(**kwargs)


def test_potential_finite_where_break_points_coincide():
    # E = 7.5 MeV, T = 10 MeV, m = 30 MeV: m^2/(4ET) = m/T, so two break points of the p-integral
    # coincide and an empty panel sits on the log singularity (once gave NaN)
    V = thermal_potential(np.array([0.0075, 0.0076]), 0.01, 0.03, 1.0)
    assert np.all(np.isfinite(V)) and V[0] == pytest.approx(V[1], rel=0.05)


def test_width_corrections_are_the_derivatives_they_define():
    """C1 = R''(1)/2 + P'(1) with R = y^2 L/(12 pi), P = -L B_st(y)/(2 pi y), L = ln(1 + e^{-y/q})."""
    from secretnu.models.neutrinophilic import _st_bracket, width_correction_C1, width_correction_residue

    q = np.geomspace(0.05, 1e6, 40)
    h = 1e-4

    def L(y):
        return np.log1p(np.exp(-y / q))

    def R(y):
        return y**2 * L(y) / (12 * math.pi)

    def P(y):
        return -L(y) * _st_bracket(np.full_like(q, y)) / (2 * math.pi * y)

    residue = 0.5 * (R(1 + h) - 2 * R(1.0) + R(1 - h)) / h**2
    c1 = residue + (P(1 + h) - P(1 - h)) / (2 * h)
    scale = np.abs(R(1.0)) + 1e-30
    np.testing.assert_allclose(width_correction_residue(q), residue, atol=1e-5 * scale.max(), rtol=1e-5)
    np.testing.assert_allclose(width_correction_C1(q), c1, rtol=1e-5, atol=1e-8)
    # large q: L -> ln 2, so C1 -> (2 ln 2)/(24 pi) - ln 2/(4 pi)
    assert width_correction_C1(1e9) == pytest.approx(math.log(2) * (1 / (12 * math.pi) - 1 / (4 * math.pi)), rel=1e-6)
