"""Pure Dodelson-Widrow with ``sm="full"`` against sterile-dm (issues 8, 20). Not a test: it prints.

    python benchmarks/bench_full_sm.py

nu_mu mixing, sin^2 2theta = 1e-9, zero lepton asymmetry, m4 = 1, 3, 7.1, 10, 50 keV. Columns:

* ``sdm default``: sterile-dm's published-here Omega h^2 (Venumadhav et al. 2016, default settings:
  rate-table columns at 250-750 MeV dropped and bridged by its spline, Laine-Schroder 2006 g*).
* ``like-for-like``: our kinetics fed sterile-dm's own inputs (its rate table with its default
  interpolation, its g*, T from 10 GeV to 10 MeV), over sterile-dm default: the kinetics check.
* ``sdm all cols``: the same with every column of its rate table (no spline bridge): what sterile-dm
  gives with its own table used in full (our kinetics, validated by the previous column).
* ``+ SS2018 g*``: that, with our g* (Saikawa & Shirai 2018) instead of its 2006 table.
* ``ours``: our physical default ``sm="full"``, Omega h^2 and over sterile-dm default, with the
  hadronic band (crossover midpoint 155-220 MeV, meson gas x1-x2, free quarks x1-1.1 for O(alpha_s));
  T_peak, <p/T_nu>, ms per point; ``paper``: the paper's inputs.

The like-for-like and sterile-dm columns need ../shared/reference/sterile-dm (skipped if absent).
Timings are wall-clock on whatever machine runs it.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import numpy as np

from secretnu import SMRateTable, SterileNeutrino, TabulatedGStar, keV, relic_density
from secretnu.sm_channels import CROSSOVER, combine, full_rate_scaled, group_rates
from secretnu.sm_tables import STERILE_DM_GAP

#: sterile-dm, default settings (issue 20).
STERILE_DM = {1.0: 1.729e-3, 3.0: 1.33949e-2, 7.1: 5.74668e-2, 10.0: 0.101210, 50.0: 1.73501}
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "sterile-dm"


def _band_tables() -> list[SMRateTable]:
    """``sm="full"`` with the hadronic ingredients varied, as rate tables."""
    x, T = np.geomspace(1e-3, 300.0, 45), np.geomspace(1e-5, 2e3, 133)
    X, TT = np.meshgrid(x, T, indexing="ij")
    groups = group_rates(X, TT, "mu")
    tables = []
    for t_mid, mesons, quarks in itertools.product((CROSSOVER["band_low"], CROSSOVER["T_mid"], CROSSOVER["band_high"]),
                                                   (1.0, 2.0), (1.0, 1.1)):
        varied = dict(groups, mesons=mesons * groups["mesons"], decays=groups["decays"], quarks=quarks * groups["quarks"])
        scaled = combine(varied, X, TT, t_mid)
        tables.append(SMRateTable(x, T, scaled * X, name=f"T_mid={t_mid},mesons x{mesons},quarks x{quarks}"))
    return tables


def main() -> None:
    have_reference = (REFERENCE / "rate_total_mu.dat").exists()
    if have_reference:
        g = np.loadtxt(REFERENCE / "SMgstar.dat", comments="#")
        their_gstar = TabulatedGStar(tuple(g[:, 0] * 1e-3), tuple(g[:, 1]), tuple(g[:, 2]))
        default = SMRateTable.from_file(REFERENCE / "rate_total_mu.dat", drop=STERILE_DM_GAP)
        every = SMRateTable.from_file(REFERENCE / "rate_total_mu.dat")
    else:
        print(f"(no sterile-dm tables at {REFERENCE}: like-for-like columns skipped)")
    full_rate_scaled(1.0, 0.1)  # build the channel table once (a few seconds)
    band = _band_tables()
    window = dict(T_max=10.0, T_final=0.01, spectrum=False)

    print(f"{'m4':>5} {'sdm default':>11} {'like-for-like':>13} {'sdm all cols':>12} {'+ SS2018 g*':>11} "
          f"{'ours':>9} {'ratio':>6} {'band':>13} {'T_peak':>8} {'<p/T>':>6} {'ms':>5} {'paper':>9}")
    ours_all, paper_all = [], []
    for m, reference in STERILE_DM.items():
        dm = SterileNeutrino(m * keV, 1e-9)
        cols = ["", "", ""]
        if have_reference:
            lfl = relic_density(dm, sm=default, gstar=their_gstar, **window).omega_h2
            allc = relic_density(dm, sm=every, gstar=their_gstar, **window).omega_h2
            ours_g = relic_density(dm, sm=every, **window).omega_h2
            cols = [f"{lfl / reference:.4f}", f"{allc / reference:.3f}", f"{ours_g / reference:.3f}"]
        start = time.perf_counter()
        r = relic_density(dm, sm="full")
        ms = 1e3 * (time.perf_counter() - start)
        spread = [relic_density(dm, sm=t, spectrum=False).omega_h2 / reference for t in band]
        p = relic_density(dm, spectrum=False).omega_h2
        ours_all.append(r.omega_h2)
        paper_all.append(p)
        print(f"{m:5.1f} {reference:11.5g} {cols[0]:>13} {cols[1]:>12} {cols[2]:>11} {r.omega_h2:9.4g} "
              f"{r.omega_h2 / reference:6.3f} {min(spread):6.3f}-{max(spread):5.3f} {1e3 * r.T_peak:4.0f} MeV "
              f"{r.mean_q:6.3f} {ms:5.0f} {p:9.3g}")
    lm = np.log(list(STERILE_DM))
    print(f"mass exponent: ours {np.polyfit(lm, np.log(ours_all), 1)[0]:.3f}, "
          f"sterile-dm default {np.polyfit(lm, np.log(list(STERILE_DM.values())), 1)[0]:.3f}, "
          f"paper {np.polyfit(lm, np.log(paper_all), 1)[0]:.3f}")
    print("ratios are over sterile-dm default; 'band': min-max over crossover midpoint 155/180/220 MeV, "
          "meson gas x1/x2, free quarks x1/x1.1")


if __name__ == "__main__":
    main()
