"""Fixed-node quadrature helpers, including the cusp-resolving panels of the momentum rule."""

from __future__ import annotations

import math

import numpy as np
import pytest

from secretnu.quadrature import panel_rule


def test_panel_rule_integrates_polynomials_exactly():
    x, w = panel_rule(np.array([0.0, 0.7, 2.0]), np.array([False, False, False]), 5)
    assert np.all(np.diff(x) > 0)
    for k in range(10):  # 5-point Gauss-Legendre per panel: exact to degree 9
        assert np.sum(w * x**k) == pytest.approx(2.0 ** (k + 1) / (k + 1), rel=1e-13)


@pytest.mark.parametrize("flags, n, tol", [((False, True, False), 8, 1e-12), ((False, False, False), 8, 1e-2)])
def test_panel_rule_makes_inverse_sqrt_cusps_smooth(flags, n, tol):
    # Int_0^2 |x - 1|^(-1/2) dx = 4: exact with the cusp flagged, poor without
    x, w = panel_rule(np.array([0.0, 1.0, 2.0]), np.array(flags), n)
    error = abs(np.sum(w / np.sqrt(np.abs(x - 1))) / 4 - 1)
    assert error < tol if flags[1] else error > tol


def test_panel_rule_both_ends_flagged():
    # cosine map on a panel between two cusps: Int_1^3 dx / sqrt((x-1)(3-x)) = pi
    x, w = panel_rule(np.array([1.0, 3.0]), np.array([True, True]), 6)
    assert np.sum(w / np.sqrt((x - 1) * (3 - x))) == pytest.approx(math.pi, rel=1e-12)
