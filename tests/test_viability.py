"""One verdict per point and along relic curves (secretnu.verdict, secretnu check)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from secretnu import InputError, Neutrinophilic, SterileNeutrino, keV
from secretnu.cli import cli
from secretnu.constraints import for_model
from secretnu.production import RelicResult
from secretnu.scans import RelicCurve, _branches
from secretnu.spectrum import OMEGA_NU_EV
from secretnu.structure import WDM_BOUNDS
from secretnu.viability import OMEGA_DM_H2, curve_verdict, verdict
from secretnu.xray import XrayLimit, effective_sin2_2theta


def thermal_result(m_keV: float, omega: float = 0.12, sin2: float = 1e-10) -> RelicResult:
    """A thermal Fermi-Dirac relic (2 states) of mass m with Omega h^2 = omega: temperature
    T_w/T_nu = (omega * 93.14 eV / m)^(1/3), f(q) = 1/(exp(q T_nu/T_w) + 1)."""
    tau = (omega * OMEGA_NU_EV / (m_keV * 1e3)) ** (1 / 3)
    q = np.geomspace(1e-3, 60, 800) * tau
    f = 1 / (np.exp(q / tau) + 1)
    empty = np.empty(0)
    return RelicResult(omega_h2=omega, relic_yield=1.0, z=empty, T=empty, dY_dlnz=empty, T_peak=1.0, q=q, f4=f,
                       mean_q=3.15 * tau, dm=SterileNeutrino(m_keV * keV, sin2), states=2)


@pytest.mark.parametrize("key", list(WDM_BOUNDS))
def test_structure_verdict_flips_at_each_bound_on_a_thermal_spectrum(key):
    bound = WDM_BOUNDS[key].m_th_min_keV
    for factor, status in ((0.97, "excluded"), (1.03, "allowed")):
        m = factor * bound
        v = verdict(thermal_result(m).dm, result=thermal_result(m), structure=[key], warmness_method="moment")
        row = next(c for c in v.checks if c.category == "structure")
        assert v.m_th_keV == pytest.approx(m, rel=5e-3)  # the thermal spectrum gives back its mass
        assert row.status == status, (key, factor, row)
        assert (v.status == "excluded") == (status == "excluded")


def test_injected_thermal_mass_and_half_mode():
    res = thermal_result(7.1)
    v = verdict(res.dm, result=res, m_th_keV=2.0)
    rows = [c for c in v.checks if c.category == "structure"]
    assert len(rows) == 4 and all(c.status == "excluded" for c in rows)
    assert "M_hm" in rows[0].note and "given" in rows[0].value
    allowed = verdict(res.dm, result=res, m_th_keV=10.0)
    assert allowed.status == "allowed so far"  # X-ray not tested
    table = allowed.table()
    assert "verdict: ALLOWED by every test run; not tested: X-ray line" in table
    assert table.count("\n") == 2 + 1 + 6  # header, rule, relic, 4 structure, X-ray, verdict


def test_xray_verdict_flips_at_the_limit_and_follows_nature_and_fraction():
    limit = XrayLimit("flat", np.array([1.0, 100.0]) * keV, np.array([1e-10, 1e-10]), "test")
    for sin2, status in ((0.9e-10, "allowed"), (1.1e-10, "excluded")):
        res = thermal_result(20.0, sin2=sin2)
        row = next(c for c in verdict(res.dm, result=res, m_th_keV=20, xray=[limit]).checks if c.category == "x-ray")
        assert row.status == status
    res = thermal_result(20.0, sin2=1.5e-10)
    dirac = verdict(res.dm, result=res, m_th_keV=20, xray=[limit], nature="dirac")
    assert next(c for c in dirac.checks if c.category == "x-ray").status == "allowed"  # half the flux
    under = thermal_result(20.0, omega=0.06, sin2=1.5e-10)
    row = next(c for c in verdict(under.dm, result=under, m_th_keV=20, xray=[limit]).checks if c.category == "x-ray")
    assert row.status == "allowed"  # nu4 is half of the dark matter: half the flux
    assert effective_sin2_2theta(1.5e-10, "majorana", 0.5) == pytest.approx(0.75e-10)
    far = thermal_result(500.0, sin2=1e-5)
    row = next(c for c in verdict(far.dm, result=far, m_th_keV=20, xray=[limit]).checks if c.category == "x-ray")
    assert row.status == "not tested" and "covers" in row.note


def test_relic_row_flags_overclosure():
    over = thermal_result(20.0, omega=0.2)
    v = verdict(over.dm, result=over, m_th_keV=20)
    assert v.checks[0].category == "relic" and v.checks[0].status == "excluded"
    assert verdict(over.dm, result=thermal_result(20.0, omega=OMEGA_DM_H2), m_th_keV=20).checks[0].status == "allowed"


def test_laboratory_verdict_flips_at_a_computed_bound():
    m_V = 0.03
    kaon = next(c for c in for_model("neutrinophilic") if c.name.startswith("K "))
    edge = float(kaon.excluded([m_V]).lower[0])
    res = thermal_result(7.1)
    for factor, status in ((0.9, "allowed"), (1.1, "excluded")):
        model = Neutrinophilic(m_V, factor * edge)
        v = verdict(res.dm, model, result=res, m_th_keV=20, regime="C")
        row = next(c for c in v.checks if c.test == kaon.name)
        assert row.status == status
    lifetime = next(c for c in v.checks if c.test == "nu4 lifetime")
    assert lifetime.category == "cosmology" and "tau(nu4 -> 3 nu)" in lifetime.note


def test_bad_inputs():
    res = thermal_result(7.1)
    with pytest.raises(InputError, match="unknown structure-formation bound"):
        verdict(res.dm, result=res, structure=["nope"])
    with pytest.raises(InputError, match="nature"):
        verdict(res.dm, result=res, nature="weyl")
    with pytest.raises(InputError, match="does not exist"):
        verdict(res.dm, result=res, xray=["/nonexistent/xray.csv"])
    with pytest.raises(InputError, match="SterileNeutrino"):
        verdict("7.1keV")


def _curve():
    dm = SterileNeutrino(7.1 * keV, 7e-11)
    m_V = np.geomspace(1e-2, 0.3, 6)
    roots = np.full((6, 3), np.nan)
    roots[:, 0] = 1e-6
    roots[:, 1] = 1e-2
    regimes = np.where(np.isfinite(roots), "C", "").astype("<U2")
    regimes[:, 1] = "B"
    return RelicCurve(m_V=m_V, roots=roots, regimes=regimes, target=0.12, dm=dm, model="neutrinophilic",
                      branches=_branches(m_V, roots, regimes))


def test_curve_verdict_colours_each_point_by_its_first_exclusion():
    curve = _curve()
    # m_th grows with m_V: below 5.7 keV at the lightest masses only
    cv = curve_verdict(curve, structure=["lyman-alpha"], m_th_keV=lambda m, c: 50 * m ** 0.5)
    assert cv.status.shape == curve.roots.shape
    small = curve.m_V < (5.7 / 50) ** 2
    assert np.all(cv.excluded_by[small, 0] == "Lyman-alpha forest")
    assert np.all(cv.status[~small, 0] == "allowed")
    # g = 1e-2 is above the meson bounds at these masses: the laboratory excludes the upper root
    assert np.all(cv.status[:, 1] == "excluded")
    assert not np.any(cv.excluded_by[~small, 1] == "")
    assert np.all(cv.status[:, 2] == "")
    counts = cv.fractions()
    assert sum(counts.values()) == 12 and counts.get("allowed") == int((~small).sum())
    assert "survive" in cv.summary()
    xr = XrayLimit("low", np.array([1.0, 100.0]) * keV, np.array([1e-12, 1e-12]))
    assert np.all(curve_verdict(curve, xray=[xr], m_th_keV=20.0).status[:, :2] == "excluded")


def test_relic_curve_method():
    curve = _curve()
    assert curve.verdict(m_th_keV=20.0).status.shape == curve.roots.shape


def test_check_cli_bad_inputs(tmp_path):
    runner = CliRunner()
    bad = tmp_path / "bad.csv"
    bad.write_text("mass,mix\n1,2\n")
    base = ["check", "--model", "neutrinophilic", "--mV", "30MeV", "--coupling", "4.8e-6", "--m4", "7.1keV"]
    for extra, match in ((["--structure", "bogus"], "unknown structure-formation bound"),
                         (["--xray", str(bad)], "header")):
        out = runner.invoke(cli, [*base, *extra])
        assert out.exit_code == 2, out.output
        assert match in out.output and "Traceback" not in out.output


def test_check_cli_benchmark_c(tmp_path):
    """Done-when command (with an injected m_th so it needs no CLASS): table, verdict, JSON."""
    limit = tmp_path / "line.csv"
    limit.write_text("# name: toy line limit\nm4_keV,sin2_2theta\n5,1e-11\n10,1e-11\n")
    runner = CliRunner()
    args = ["check", "--model", "neutrinophilic", "--mV", "30MeV", "--coupling", "4.8e-6", "--m4", "7.1keV",
            "--sin2-2theta", "7e-11", "--omega", "0.12", "--m-th", "2.0", "--xray", str(limit)]
    out = runner.invoke(cli, [*args, "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["summary"].startswith("EXCLUDED by Lyman-alpha forest")
    assert data["omega_h2"] == pytest.approx(0.12, rel=2e-3)
    # Omega is linear in the mixing: the input 7e-11 gives 0.0879, so 0.12 needs 7e-11 * 0.12 / 0.0879
    assert data["sin2_2theta"] == pytest.approx(7e-11 * 0.12 / 0.0879, rel=5e-3)
    xray = next(c for c in data["checks"] if c["category"] == "x-ray")
    assert xray["status"] == "excluded"
    assert math.isfinite(data["m_th_keV"])


@pytest.mark.slow
def test_linear_rescaling_matches_the_exact_path_at_benchmark_c():
    from secretnu.viability import rescale_mixing

    dm, model = SterileNeutrino(7.1 * keV, 7e-11), Neutrinophilic(0.03, 4.8e-6)
    linear = rescale_mixing(dm, model, 0.12)
    exact = rescale_mixing(dm, model, 0.12, exact=True)
    assert linear.dm.sin2_2theta == pytest.approx(exact.dm.sin2_2theta, rel=1e-3)
    np.testing.assert_allclose(linear.f4, exact.f4, rtol=1e-3, atol=1e-3 * exact.f4.max())


def test_dm_plane_line_has_the_target_abundance_and_flips_where_m_th_crosses():
    from secretnu import relic_density
    from secretnu.viability import dm_plane

    model = Neutrinophilic(0.03, 4.8e-6)
    m4 = np.geomspace(5, 80, 6) * keV
    plane = dm_plane(model, m4, structure=["lyman-alpha"], m_th_keV=lambda m: 5.7 * m / (20 * keV))
    assert np.all(np.isfinite(plane.sin2_model)) and np.all(np.diff(plane.sin2_model) < 0)
    assert np.all(plane.sin2_dw > 10 * plane.sin2_model)  # the mediator boosts production
    np.testing.assert_array_equal(plane.status == "excluded", m4 < 20 * keV)
    assert set(plane.excluded_by[m4 < 20 * keV]) == {"Lyman-alpha forest"}
    assert plane.structure_edges["lyman-alpha"] == pytest.approx(m4[m4 < 20 * keV].max())
    # the fast-engine line is Omega h^2 = 0.12 on the exact path too
    i = 2
    omega = relic_density(SterileNeutrino(m4[i], plane.sin2_model[i]), model, spectrum=False).omega_h2
    assert omega == pytest.approx(0.12, rel=0.01)
    xr = XrayLimit("wall", np.array([1.0, 100.0]) * keV, np.full(2, 1e-30))
    assert set(dm_plane(model, m4[:2], m_th_keV=50.0, xray=[xr]).excluded_by) == {"X-ray line"}
    with pytest.raises(InputError, match="model instance"):
        dm_plane(None, m4)


@pytest.mark.slow
def test_dm_plane_dw_line_is_pure_dodelson_widrow():
    from secretnu import relic_density
    from secretnu.viability import dm_plane

    m4 = np.array([7.1, 20.0]) * keV
    plane = dm_plane(Neutrinophilic(0.03, 4.8e-6), m4, m_th_keV=10.0)
    for m, s in zip(m4, plane.sin2_dw, strict=True):
        assert relic_density(SterileNeutrino(m, s), None, spectrum=False).omega_h2 == pytest.approx(0.12, rel=0.01)


def test_viability_and_plane_figures(tmp_path):
    from secretnu.plotting import plot_dm_plane, plot_viability
    from secretnu.viability import dm_plane

    cv = curve_verdict(_curve(), structure=["lyman-alpha"], m_th_keV=lambda m, c: 50 * m ** 0.5)
    fig = plot_viability([cv, cv], ["a", "b"], for_model("neutrinophilic"), path=tmp_path / "v.png")
    labels = fig.legends[0].get_texts()
    assert {t.get_text() for t in labels} >= {"allowed", "excluded: Lyman-alpha forest"}
    plane = dm_plane(Neutrinophilic(0.03, 4.8e-6), np.geomspace(5, 80, 4) * keV, m_th_keV=6.0)
    plot_dm_plane(plane, path=tmp_path / "p.png")
    assert (tmp_path / "v.png").stat().st_size > 10_000 and (tmp_path / "p.png").stat().st_size > 10_000


def test_xray_auto_reads_fetched_sets_with_their_labels(tmp_path, monkeypatch):
    limitdata = pytest.importorskip("secretnu.limitdata")
    from secretnu.xray import load_xray_limits

    xset = next(s for s in limitdata.LIMIT_SETS.values() if s.kind == "xray")
    for f in xset.files:
        path = tmp_path / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# test\n1000 1e-18\n100000 1e-19\n")
    monkeypatch.setattr(limitdata, "set_path", lambda name, **_: tmp_path if name == xset.name else None)
    limits = load_xray_limits(["auto"])
    wanted = [f for f in xset.files if f.kind in ("", "limit")]
    assert sorted(lim.name for lim in limits) == sorted(f.label or f.path for f in wanted)
    assert all("projection" not in lim.name.lower() for lim in limits)


@pytest.mark.slow
def test_reproduce_verdict_writes_the_viability_figure(tmp_path):
    from secretnu.config import builtin_configs
    from secretnu.reproduce import run_verdict

    cfg = next(c for c in builtin_configs() if c.figure == "fig6")
    files = run_verdict(cfg, tmp_path, quick=True, xray=(), m_th_keV=3.0)
    assert sorted(p.name for p in files) == ["fig6_verdict.csv", "fig6_verdict.pdf", "fig6_verdict.png"]
    rows = (tmp_path / "fig6_verdict.csv").read_text().splitlines()
    assert rows[0].startswith("sterile,m_V_GeV") and len(rows) > 10
    assert all(r.endswith(",excluded,Lyman-alpha forest") for r in rows[1:])  # m_th = 3 keV everywhere
    omega = next(c for c in builtin_configs() if c.kind == "omega-plane")
    assert run_verdict(omega, tmp_path) == []


@pytest.mark.slow
def test_structure_verdict_with_the_class_fit_on_a_thermal_spectrum():
    """The CLASS path (issue 14) gives a thermal spectrum back its mass, so the flips sit at the bounds."""
    import inspect

    from secretnu import spectrum

    if "method" not in inspect.signature(spectrum.warmness).parameters:
        pytest.skip("this secretnu.spectrum.warmness has no CLASS fit")
    pytest.importorskip("classy")
    bound = WDM_BOUNDS["lyman-alpha"].m_th_min_keV
    for factor, status in ((0.9, "excluded"), (1.1, "allowed")):
        res = thermal_result(factor * bound)
        v = verdict(res.dm, result=res, structure=["lyman-alpha"], warmness_method="class")
        assert v.warmness_method == "class"
        assert v.m_th_keV == pytest.approx(factor * bound, rel=0.03)
        assert next(c for c in v.checks if c.category == "structure").status == status


def test_curve_verdict_keeps_every_exclusion_mask():
    cv = curve_verdict(_curve(), structure=["lyman-alpha"], m_th_keV=lambda m, c: 50 * m ** 0.5)
    assert set(cv.masks) >= {"Lyman-alpha forest"}
    np.testing.assert_array_equal(cv.surviving(), cv.status == "allowed")
    lab = [k for k in cv.masks if k != "Lyman-alpha forest"]
    freed = cv.surviving(["Lyman-alpha forest"])
    assert np.array_equal(freed[:, 0], np.ones(6, bool))  # only Lyman-alpha excluded the lower root
    assert not freed[:, 1].any() and lab
