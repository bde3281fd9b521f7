"""secretnu.transfer: the thermal-WDM fit, the half mode, Viel et al.'s relations, the CLASS cache."""

from __future__ import annotations

import math

import numpy as np
import pytest

from secretnu import InputError
from secretnu import transfer as tr


def test_fit_recovers_alpha_of_the_thermal_form():
    k = tr.k_grid(64.0)
    for alpha in (0.01, 0.03, 0.08):
        T = tr.thermal_wdm_transfer(k, alpha)
        assert tr.fit_alpha(k, T) == pytest.approx(alpha, rel=1e-4)
        # the closed-form half mode of the fitted form
        assert tr.half_mode(k, T) == pytest.approx((2 ** (tr.VIEL_NU / 5) - 1) ** (1 / (2 * tr.VIEL_NU)) / alpha, rel=2e-3)


def test_fit_refuses_a_transfer_without_cutoff():
    k = tr.k_grid(64.0)
    with pytest.raises(InputError):
        tr.fit_alpha(k, np.ones_like(k))


def test_viel_relations():
    h, omega = 0.7, 0.25 * 0.49  # Viel et al.'s reference point: Omega = 0.25, h = 0.7
    assert tr.viel_alpha(1.0, omega, h) == pytest.approx(0.049)
    assert tr.viel_alpha(2.0, omega, h) == pytest.approx(0.049 * 2**-1.11)
    assert tr.dw_mass_from_thermal(1.0, 0.1225) == pytest.approx(4.43)
    # 4.43 keV is m_th (m_th / (94 eV omega))^(1/3): same velocity distribution for Fermi-Dirac shapes
    assert tr.dw_mass_from_thermal(1.0, 0.1225) == pytest.approx((1000 / (94 * 0.1225)) ** (1 / 3), rel=2e-3)


def test_half_mode_mass_convention():
    # M_hm = 4 pi/3 rho_m (lambda/2)^3, lambda = 2 pi/k: for k_hm = pi h/Mpc, (lambda/2) = 1 Mpc/h
    assert tr.half_mode_mass(math.pi, 0.3) == pytest.approx(4 * math.pi / 3 * 0.3 * 2.775366e11)


def test_class_results_are_cached_by_content(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRETNU_CACHE_DIR", str(tmp_path))
    calls = []

    def fake_run(params, k):  # a stand-in for CLASS: records what would be run
        calls.append(params)
        cut = 1.0 if params.get("N_ncdm") else 0.0
        return 1e4 * k**-1.5 * tr.thermal_wdm_transfer(k, 0.02 * cut) ** 2, 0.12 * cut, 1000.0 * cut

    monkeypatch.setattr(tr, "_run_class", fake_run)
    q = np.geomspace(1e-2, 30, 50)
    f0 = 1 / (np.exp(q) + 1) / (2 * math.pi) ** 3
    first = tr.class_transfer(q, f0, 1000.0, T_ncdm=0.7, k_max=64.0)
    assert len(calls) == 2 and not first.cached
    np.testing.assert_allclose(first.T, tr.thermal_wdm_transfer(first.k, 0.02), rtol=1e-12)
    again = tr.class_transfer(q, f0, 1000.0, T_ncdm=0.7, k_max=64.0)
    assert len(calls) == 2 and again.cached and again.seconds == 0
    np.testing.assert_array_equal(first.T, again.T)
    tr.class_transfer(q, 2 * f0, 1000.0, T_ncdm=0.7, k_max=64.0)  # other table: new relic run, same CDM
    assert len(calls) == 3
    for path in (tmp_path / "class").glob("ncdm-*.npz"):
        path.write_bytes(b"garbage")  # a damaged file is recomputed, not trusted
    tr.class_transfer(q, f0, 1000.0, T_ncdm=0.7, k_max=64.0)
    assert len(calls) == 4
