"""nu4 -> nu gamma, the g_a-gamma recast and the X-ray limit readers (secretnu.xray)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from secretnu import InputError, keV
from secretnu.constants import G_F, HBAR_GEV_S
from secretnu.xray import (
    ALPHA_EM,
    XrayLimit,
    axion_width,
    effective_sin2_2theta,
    g_from_sin2_2theta,
    load_xray_limits,
    radiative_lifetime_s,
    radiative_width,
    read_axionlimits,
    read_xray_csv,
    sin2_2theta_from_g,
    strongest,
)


def test_rate_is_the_closed_form_and_scales_as_m5_sin2():
    m, s = 7.1 * keV, 7e-11
    closed = 9 * ALPHA_EM * G_F**2 * m**5 * s / (1024 * math.pi**4)
    assert radiative_width(m, s) == pytest.approx(closed, rel=1e-14)
    assert radiative_width(2 * m, s) / radiative_width(m, s) == pytest.approx(32, rel=1e-12)
    assert radiative_width(m, 3 * s) / radiative_width(m, s) == pytest.approx(3, rel=1e-12)
    assert radiative_width(m, s, "dirac") == pytest.approx(0.5 * closed, rel=1e-14)


def test_rate_against_published_numbers():
    # Boyarsky, Drewes, Lasserre, Mertens, Ruchayskiy, Prog. Part. Nucl. Phys. 104 (2019) 1,
    # arXiv:1807.07938: Gamma = 5.5e-22 theta^2 (M/keV)^5 s^-1 with sin^2(2 theta) = 4 theta^2.
    theta2 = 1e-10
    per_s = radiative_width(1 * keV, 4 * theta2) / HBAR_GEV_S
    assert per_s == pytest.approx(5.5e-22 * theta2, rel=0.02)
    # the same in the form of the sterile-neutrino reviews: 1.36e-29 /s at sin^2 2theta = 1e-7, 1 keV
    assert radiative_width(1 * keV, 1e-7) / HBAR_GEV_S == pytest.approx(1.36e-29, rel=0.01)
    # 3.55 keV line (Bulbul et al. 2014, sin^2 2theta = 7e-11 at 7.1 keV): lifetime ~ 6e27 s
    assert radiative_lifetime_s(7.1 * keV, 7e-11) == pytest.approx(5.8e27, rel=0.03)


def test_recast_equates_photon_fluxes_at_the_same_line_energy():
    m = np.geomspace(1, 100, 7) * keV
    g = 1e-18
    s = sin2_2theta_from_g(m, g)
    # two photons per ALP decay, one per nu4 decay: equal flux means Gamma_nu = 2 Gamma_a
    np.testing.assert_allclose(radiative_width(m, s), 2 * axion_width(m, g), rtol=1e-12)
    np.testing.assert_allclose(g_from_sin2_2theta(m, s), g, rtol=1e-12)
    np.testing.assert_allclose(sin2_2theta_from_g(m, g, "dirac"), 2 * s, rtol=1e-12)
    # closed form 32 pi^3 g^2 / (9 alpha G_F^2 m^2)
    np.testing.assert_allclose(s, 32 * math.pi**3 * g**2 / (9 * ALPHA_EM * G_F**2 * m**2), rtol=1e-12)


def test_three_and_a_half_keV_line_as_an_alp_coupling():
    # sin^2 2theta = 7e-11 at 7.1 keV <-> g ~ 5.6e-18 GeV^-1, the size quoted for ALP explanations
    # of the line (e.g. Jaeckel, Redondo, Ringwald, arXiv:1402.7335: g ~ 1e-17 .. 1e-18 GeV^-1)
    g = float(g_from_sin2_2theta(7.1 * keV, 7e-11))
    assert 1e-18 < g < 1e-17
    assert g == pytest.approx(5.64e-18, rel=0.01)


def test_effective_mixing():
    assert effective_sin2_2theta(1e-10) == 1e-10
    assert effective_sin2_2theta(1e-10, "dirac", 0.5) == pytest.approx(2.5e-11)
    with pytest.raises(InputError, match="nature"):
        effective_sin2_2theta(1e-10, "weyl")


def _csv(tmp_path, text, name="lim.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_reader_and_interpolation(tmp_path):
    path = _csv(tmp_path, "# name: test line\n# citation: made up\nm4_keV,sin2_2theta\n1,1e-8\n10,1e-12\n100,1e-16\n")
    lim = read_xray_csv(path)
    assert lim.name == "test line" and lim.citation == "made up"
    assert lim.bound(10 * keV)[0] == pytest.approx(1e-12)
    assert lim.bound(math.sqrt(10) * keV)[0] == pytest.approx(1e-10, rel=1e-9)  # log-log
    assert np.isnan(lim.bound(0.5 * keV)[0]) and np.isnan(lim.bound(200 * keV)[0])
    assert lim.excludes(10 * keV, 2e-12)[0] and not lim.excludes(10 * keV, 5e-13)[0]
    assert not lim.excludes(500 * keV, 1.0)[0]  # untested is not excluded
    dirac = read_xray_csv(_csv(tmp_path, "# nature: dirac\nm4_eV,sin2_2theta\n1000,1e-8\n2000,1e-9\n", "d.csv"))
    assert dirac.bound(1 * keV)[0] == pytest.approx(0.5e-8)  # stored in the Majorana convention


@pytest.mark.parametrize("text, match", [
    ("mass,mix\n1,1e-8\n2,1e-9\n", "header"),
    ("m4_keV,sin2_2theta\n1,1e-8\n", "two data rows"),
    ("m4_keV,sin2_2theta\n1,1e-8\n2,abc\n", "row 3"),
    ("m4_keV,sin2_2theta\n1,1e-8\n-2,1e-9\n", "positive"),
    ("m4_keV,sin2_2theta\n1,3\n2,1e-9\n", "above 1"),
    ("# nature: weyl\nm4_keV,sin2_2theta\n1,1e-8\n2,1e-9\n", "nature"),
])
def test_csv_reader_refuses_malformed_files(tmp_path, text, match):
    with pytest.raises(InputError, match=match):
        read_xray_csv(_csv(tmp_path, text))


AXION = """# INTEGRAL-like decaying ALP limit
# mass [eV]\tg [GeV^-1]
20000\t1e0
20000\t 4e-19
30000\t 2e-19
30000\t 3e-19
40000 1e-19
"""


def test_axionlimits_reader(tmp_path):
    lim = read_axionlimits(_csv(tmp_path, AXION, "INTEGRAL.txt"))
    np.testing.assert_allclose(lim.m4, np.array([20, 30, 40]) * keV)
    # the closing point at g = 1 is dropped; a repeated mass keeps the smallest g
    np.testing.assert_allclose(lim.sin2_2theta, sin2_2theta_from_g(lim.m4, np.array([4e-19, 2e-19, 1e-19])))
    assert "INTEGRAL-like" in lim.citation


@pytest.mark.parametrize("text, match", [
    ("# nothing\n", "no data rows"),
    ("1 2 3\n4 5 6\n", "line 1"),
    ("1000 1e-18\nfoo bar\n", "line 2"),
    ("1000 1e-18\n2000 -1e-18\n", "positive"),
    ("1000 1\n2000 1e-18\n", "fewer than two"),
])
def test_axionlimits_reader_refuses_malformed_files(tmp_path, text, match):
    with pytest.raises(InputError, match=match):
        read_axionlimits(_csv(tmp_path, text, "bad.txt"))


def test_loading_folders_files_and_auto(tmp_path):
    _csv(tmp_path, AXION, "a.txt")
    _csv(tmp_path, "m4_keV,sin2_2theta\n1,1e-8\n100,1e-16\n", "b.csv")
    (tmp_path / "README.md").write_text("not a limit")
    limits = load_xray_limits([tmp_path])
    assert sorted(lim.name for lim in limits) == ["a", "b"]
    best, value = strongest(limits, 30 * keV)
    assert value == pytest.approx(min(lim.bound(30 * keV)[0] for lim in limits))
    assert best is not None
    assert strongest(limits, 1e3 * keV) == (None, pytest.approx(math.nan, nan_ok=True))
    with pytest.raises(InputError, match="does not exist"):
        load_xray_limits([tmp_path / "missing.csv"])
    assert isinstance(load_xray_limits(["auto"]), list)


def test_limit_validation():
    with pytest.raises(InputError):
        XrayLimit("x", np.array([1.0]), np.array([1e-9]))
    with pytest.raises(InputError):
        XrayLimit("x", np.array([1.0, 2.0]), np.array([1e-9, 0.0]))
