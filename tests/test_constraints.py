"""Constraints: widths against independent integrals and their limits, bounds against published numbers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from secretnu import InputError, SterileNeutrino, constraints
from secretnu import constants as C
from secretnu.constraints import cosmological, gauged
from secretnu.constraints import neutrinophilic as nphil
from secretnu.units import MeV, keV


def _dalitz_higgs_width(m_V: float) -> float:
    """h -> nu nubar V from |M|^2 = (1/v)^2 [s12 + (s13 - m^2)(s23 - m^2)/m^2] over the Dalitz plot."""
    M, m, v = C.M_H, m_V, C.V_HIGGS

    def msq(s23, s13):
        s12 = M * M + m * m - s13 - s23
        return (s12 + (s13 - m * m) * (s23 - m * m) / m**2) / v**2

    def limits(s13):
        rs = np.sqrt(s13)
        e2, e3, p3 = (M * M - s13) / (2 * rs), (s13 + m * m) / (2 * rs), (s13 - m * m) / (2 * rs)
        return (e2 + e3) ** 2 - (e2 + p3) ** 2, (e2 + e3) ** 2 - (e2 - p3) ** 2

    val = integrate.dblquad(msq, m * m, M * M, lambda s: limits(s)[0], lambda s: limits(s)[1],
                            epsabs=0, epsrel=1e-9)[0]
    return val / (256 * np.pi**3 * M**3)


@pytest.mark.parametrize("m_V", [1.0, 10.0, 60.0])
def test_eq_3_19_with_one_power_of_G_F_is_the_dalitz_integral(m_V):
    assert nphil.higgs_width(m_V) == pytest.approx(_dalitz_higgs_width(m_V), rel=1e-7)
    assert nphil.higgs_width(m_V, normalisation="operator") == pytest.approx(4 * nphil.higgs_width(m_V))


def test_phase_space_functions_limits():
    assert nphil.higgs_function(0.0) == pytest.approx(1.0)
    assert nphil.higgs_function(1.0) == pytest.approx(0.0, abs=1e-12)
    assert nphil.w_function(0.0) == pytest.approx(1.0)
    assert nphil.w_function(1.0) == pytest.approx(0.0, abs=1e-12)
    assert nphil.higgs_width(C.M_H * 1.01) == 0.0


def test_higgs_bound_matches_the_spec_figure():
    """Paper's BR < 0.24 with one G_F: lambda < ~2e-3 at m_V = 100 MeV (spec section 3.5)."""
    c = nphil.constraints(inputs="paper")[0]
    assert c.excluded(0.1).lower[0] == pytest.approx(2.2e-3, rel=0.05)


@pytest.mark.parametrize("meson", ["pi", "K"])
def test_eq_3_22_massless_lepton_is_closed_form_and_its_small_mV_limit_is_eq_3_23(meson):
    m = np.array([1e-4, 1e-3, 0.01, 0.05]) * (1 if meson == "pi" else 3)
    exact = nphil.meson_width(m, meson, m_lepton=0.0)
    assert exact == pytest.approx(nphil.meson_width_massless_lepton(m, meson), rel=1e-7)
    M, F, V, _ = nphil.MESONS[meson]
    eq_3_23 = V**2 * C.G_F**2 * F**2 * M**5 / (768 * np.pi**3 * m[0] ** 2)
    assert exact[0] == pytest.approx(eq_3_23, rel=1e-4)
    assert nphil.meson_width(m[0], meson, normalisation="standard") == pytest.approx(
        nphil.meson_width(m[0], meson) / 4)


def test_lepton_mass_suppresses_the_meson_rate():
    assert nphil.meson_width(0.01, "pi") < 0.2 * nphil.meson_width(0.01, "pi", m_lepton=0.0)
    assert nphil.meson_width(C.M_PI_CHARGED - C.M_MU + 1e-4, "pi") == 0.0


@pytest.mark.parametrize("name", ["Higgs invisible", "W width", "K -> mu nu V", "pi -> mu nu V"])
def test_bounds_scale_as_lambda_proportional_to_mV_at_small_mV(name):
    c = next(c for c in constraints.for_model("neutrinophilic") if c.name == name)
    m = np.array([1e-5, 1e-4, 1e-3])
    ratio = c.excluded(m).lower / m
    assert ratio == pytest.approx(ratio[0], rel=0.01)


def test_lifetime_bound_scales_as_mV():
    dm = SterileNeutrino(7.1 * keV, 7e-11)
    c = cosmological.lifetime("neutrinophilic", dm)
    m = np.array([1e-3, 1e-2, 1.0])
    assert c.excluded(m).lower / m == pytest.approx(c.excluded(m[:1]).lower[0] / m[0], rel=1e-12)


def test_z_invisible_has_no_longitudinal_enhancement():
    """Eq. 3.21 grows only like log^2 m_V: the bound barely moves over a decade (paper section III D)."""
    c = next(c for c in constraints.for_model("neutrinophilic") if c.name == "Z invisible")
    lo = c.excluded([1e-4, 1e-3]).lower
    assert 0.7 < lo[0] / lo[1] < 1.0
    # collinear emission: Gamma(Z -> nu nu V) / Gamma(Z -> nu nu) is O(lambda^2/(4 pi^2) ln^2)
    gamma_nunu = C.G_F * C.M_Z**3 / (12 * np.sqrt(2) * np.pi)
    assert 0.01 < nphil.z_width(1e-3) / gamma_nunu < 10


@pytest.mark.parametrize("inputs", ["current", "paper"])
def test_higgs_invisible_is_the_strongest_neutrinophilic_bound_above_5_MeV(inputs):
    m = np.geomspace(5 * MeV, 10.0, 120)
    cs = [c for c in constraints.for_model("neutrinophilic", inputs=inputs) if c.kind == "limit"]
    lower = np.array([np.nan_to_num(c.excluded(m).lower, nan=np.inf) for c in cs])
    assert cs[0].name == "Higgs invisible"
    assert np.all(lower.argmin(axis=0) == 0)


def test_g2_loop_light_and_heavy_limits():
    m = np.array([1e-9, 1e-7])
    assert gauged.delta_a(m, 1.0) == pytest.approx(1 / (8 * np.pi**2), rel=1e-5)
    heavy = np.array([50.0, 500.0])
    assert gauged.delta_a(heavy, 1.0) == pytest.approx(C.M_MU**2 / (12 * np.pi**2 * heavy**2), rel=1e-4)
    assert gauged.delta_a(0.2, 0.5) == pytest.approx(0.25 * gauged.delta_a(0.2, 1.0))


def test_ccfr_heavy_limit_reproduces_the_published_scale():
    """Altmannshofer et al. quote m_V/g > ~540 GeV at 95% CL from CCFR."""
    assert gauged.trident_scale_limit() == pytest.approx(540.0, rel=0.03)
    c = gauged.trident("lmu-ltau")
    assert np.isnan(c.excluded(0.5).lower[0])
    assert c.excluded(5.0).lower[0] == pytest.approx(5.0 / gauged.trident_scale_limit())
    assert gauged.trident_ratio(5.0, c.excluded(5.0).lower[0]) == pytest.approx(0.82 + 1.96 * 0.28)


def test_bbn_excludes_thermalised_light_V_only():
    c = cosmological.bbn("lmu-ltau")
    r = c.excluded([1 * MeV, 10 * MeV])
    assert 1e-11 < r.lower[0] < 1e-9 and np.isnan(r.lower[1])
    assert c.is_excluded(1 * MeV, 1e-6) and not c.is_excluded(1 * MeV, 1e-12)


def test_for_model_lists_and_refuses():
    names = {c.name for c in constraints.for_model("b-l", SterileNeutrino(7.1 * keV, 7e-11))}
    assert {"(g-2)_mu", "(g-2)_e", "CCFR trident", "BBN", "nu4 lifetime"} <= names
    with pytest.raises(InputError, match="unknown model"):
        constraints.for_model("dark-photon")
    with pytest.raises(InputError, match="neutrinophilic"):
        constraints.for_model("lmu-ltau", higgs_br=0.1)
    with pytest.raises(InputError):
        constraints.for_model("neutrinophilic", higgs_br=1.5)
    with pytest.raises(InputError):
        constraints.Constraint("x", "excluded", "b-l", "upper", "", lambda m: (m, m))


# --- data-driven limits ----------------------------------------------------------------------------

def test_g2_loop_agrees_with_darkcast_recast(shared_reference):
    """Darkcast's (g-2)_mu curves are lines of constant Delta a_mu: ours must be constant along them,
    and the upper curve is the paper's 2 sigma band edge 279e-11 + 2 x 76e-11."""
    mass, lower, _ = constraints.read_lmt(
        shared_reference / "darkcast/limits/Lmu-Ltau_boson/AMMmu_Bodas2021fsy_2u.lmt")
    ok = np.isfinite(lower)
    da = gauged.delta_a(mass[ok], lower[ok])
    assert da == pytest.approx(279e-11 + 2 * 76e-11, rel=2e-3)


def test_lmt_sentinels_become_gaps(shared_reference):
    path = shared_reference / "darkcast/limits/Lmu-Ltau_boson/BaBar_Lees2014xha.lmt"
    raw = np.loadtxt(path)
    mass, lower, _upper = constraints.read_lmt(path)
    sentinel = raw[:, 1] >= 1e5
    assert sentinel.any() and np.all(np.isnan(lower[sentinel])) and np.all(lower[~sentinel] > 0)
    c = next(c for c in constraints.load_limits("lmu-ltau", [shared_reference / "darkcast"])
             if c.name.startswith("BaBar Lees2014xha"))
    r = c.excluded(mass[sentinel][:3])
    assert np.all(np.isnan(r.lower)) and not np.any(c.is_excluded(mass[sentinel][:3], 1.0))


def test_darkcast_folders_and_env_path(shared_reference, monkeypatch):
    root = shared_reference / "darkcast"
    direct = constraints.load_limits("b-l", [root])
    kinds = {c.kind for c in direct}
    assert kinds == {"limit", "projection", "preferred"} and all(not c.computed for c in direct)
    monkeypatch.setenv("SECRETNU_LIMITS_PATH", str(root))
    assert len(constraints.for_model("b-l")) == len(constraints.for_model("b-l", limits=[])) \
        and len(constraints.for_model("b-l")) > len(direct)
    band = [c for c in direct if c.bound == "band"]
    assert band and np.any(np.isfinite(band[0].excluded(np.geomspace(1e-3, 10, 400)).upper))


def test_csv_limits_round_trip_and_errors(tmp_path):
    good = tmp_path / "mine.csv"
    good.write_text("# name: Toy\n# kind: projection\n# model: neutrinophilic\n# citation: none\n"
                    "m_V_GeV,lower,upper\n0.01,1e-4,\n0.1,1e-3,\n1.0,,\n")
    (tmp_path / "other.csv").write_text("# model: b-l\nm_V_GeV,lower\n0.01,1\n0.1,1\n")
    found = constraints.load_limits("neutrinophilic", [tmp_path])
    assert [c.name for c in found] == ["Toy"] and found[0].kind == "projection"
    r = found[0].excluded([0.01, np.sqrt(0.01 * 0.1), 0.5, 2.0])
    assert r.lower[:2] == pytest.approx([1e-4, np.sqrt(1e-4 * 1e-3)])
    assert np.isnan(r.lower[2]) and np.isnan(r.lower[3]) and np.isinf(r.upper[0])
    bad = tmp_path / "bad" / "bad.csv"
    bad.parent.mkdir()
    bad.write_text("mass,lower\n1,2\n")
    with pytest.raises(InputError, match="header"):
        constraints.read_csv_limit(bad)
    bad.write_text("m_V_GeV,lower\n1,abc\n2,3\n")
    with pytest.raises(InputError, match="line 2"):
        constraints.read_csv_limit(bad)
    with pytest.raises(InputError, match="does not exist"):
        constraints.load_limits("b-l", [tmp_path / "nowhere"])
    lmt = tmp_path / "x.lmt"
    lmt.write_text("# mass lower\n0.1 oops\n")
    with pytest.raises(InputError, match="numbers"):
        constraints.read_lmt(lmt)


def test_z_width_integral_against_adaptive_quadrature():
    y = (1.0 / C.M_Z) ** 2
    top = (1 - 1.0 / C.M_Z) ** 2
    ref = integrate.quad(lambda w: float(nphil._g_z(y, np.asarray(w))), 0, top, limit=400,
                         points=[y, 1e-3, 0.5, top - 0.05])[0]
    pref = C.G_F * C.M_Z**3 / (48 * np.sqrt(2) * np.pi**3)
    assert nphil.z_width(1.0) == pytest.approx(pref * ref, rel=1e-7)


def test_darkcast_g2_band_edges_are_a_preferred_band_not_limits(shared_reference):
    # AMMmu_*_2l/_2u are the 2-sigma edges of the (g-2)_mu preferred region: one "preferred" band
    # between them, never two exclusions (which would wrongly exclude the band itself)
    folder = shared_reference / "darkcast/limits/Lmu-Ltau_boson"
    found = [c for c in constraints.load_limits("lmu-ltau", [shared_reference / "darkcast"]) if "AMMmu" in c.name]
    bands = [c for c in found if c.kind == "preferred"]
    assert len(bands) == 1 and bands[0].bound == "band"
    lo_file, up_file = np.loadtxt(folder / "AMMmu_Bodas2021fsy_2l.lmt"), np.loadtxt(folder / "AMMmu_Bodas2021fsy_2u.lmt")
    m = lo_file[10, 0]
    lower, upper = bands[0].edges(np.array([m]))
    assert lower[0] == pytest.approx(lo_file[10, 1], rel=1e-6)
    assert upper[0] == pytest.approx(np.interp(m, up_file[:, 0], up_file[:, 1]), rel=1e-3)
    assert not any(c.kind == "limit" and c.name.endswith(("2l", "2u")) for c in found)
