"""Shipped structure-formation bounds and the thermal half-mode scale (secretnu.structure)."""

from __future__ import annotations

import math

import pytest

from secretnu import InputError
from secretnu.structure import WDM_BOUNDS, half_mode, select_bounds


def test_shipped_bounds_are_the_cited_numbers():
    assert {k: b.m_th_min_keV for k, b in WDM_BOUNDS.items()} == {
        "lyman-alpha": 5.7, "mw-satellites": 6.5, "lensing": 6.1, "combined": 9.7}
    assert "2309.04533" in WDM_BOUNDS["lyman-alpha"].source
    assert "2008.00022" in WDM_BOUNDS["mw-satellites"].source
    for bound in WDM_BOUNDS.values():
        assert bound.excludes(0.99 * bound.m_th_min_keV) and not bound.excludes(1.01 * bound.m_th_min_keV)


def test_selection():
    assert len(select_bounds(None)) == len(select_bounds("all")) == 4
    assert [b.key for b in select_bounds("lyman-alpha, lensing")] == ["lyman-alpha", "lensing"]
    assert [b.key for b in select_bounds(["MW_satellites"])] == ["mw-satellites"]
    with pytest.raises(InputError, match="unknown structure-formation bound 'sdss'"):
        select_bounds(["sdss"])


@pytest.mark.parametrize("m_th, lambda_hm, m_hm, rel", [(6.048, 0.089, 3e7, 0.02), (2.552, 0.223, 4.8e8, 0.05)])
def test_half_mode_matches_enzi_et_al(m_th, lambda_hm, m_hm, rel):
    # Enzi et al. 2021 (arXiv:2010.13802), Planck cosmology: lambda_hm [Mpc/h] and M_hm [M_sun/h].
    # Their second pair follows a slightly shallower alpha(m) than Viel et al.'s m^-1.11 (4% in lambda).
    k_hm, mass = half_mode(m_th)
    assert 2 * math.pi / k_hm == pytest.approx(lambda_hm, rel=rel)
    assert mass == pytest.approx(m_hm, rel=4 * rel)


def test_half_mode_refuses_bad_mass():
    with pytest.raises(InputError):
        half_mode(-1.0)
