"""Pure Dodelson-Widrow with ``sm="full"`` against sterile-dm (issue 8). Not a test: it prints.

    python benchmarks/bench_full_sm.py

For nu_mu mixing, sin^2 2theta = 1e-9, zero lepton asymmetry: Omega h^2, its ratio to sterile-dm
(Venumadhav et al. 2016), the peak temperature and <p/T_nu> at m4 = 1, 3, 7.1, 10, 50 keV; the
fitted mass exponent; the time per point; the same with sm="paper"; and how each ingredient of
the full treatment moves the 7.1 keV value (rates only, + Pauli blocking, + nu and nubar, + entropy
heating), switched on one at a time.
"""

from __future__ import annotations

import time

import numpy as np

import secretnu.sm as sm
from secretnu import SterileNeutrino, keV, relic_density
from secretnu.production import KINETICS, Kinetics

STERILE_DM = {1.0: 0.00173, 3.0: 0.0134, 7.1: 0.0575, 10.0: 0.101, 50.0: 1.735}


def main() -> None:
    relic_density(SterileNeutrino(7.1 * keV, 1e-9), sm="full")  # warm the blocking table
    print(f"{'m4 [keV]':>8} {'sterile-dm':>11} {'full':>10} {'ratio':>7} {'T_peak':>9} {'<p/T>':>6} "
          f"{'ms':>6} {'paper':>10}")
    full, paper = [], []
    for m, reference in STERILE_DM.items():
        dm = SterileNeutrino(m * keV, 1e-9)
        start = time.perf_counter()
        r = relic_density(dm, sm="full")
        ms = 1e3 * (time.perf_counter() - start)
        p = relic_density(dm, spectrum=False).omega_h2
        full.append(r.omega_h2)
        paper.append(p)
        print(f"{m:8.1f} {reference:11.4g} {r.omega_h2:10.4g} {r.omega_h2 / reference:7.3f} "
              f"{1e3 * r.T_peak:6.0f} MeV {r.mean_q:6.3f} {ms:6.1f} {p:10.4g}")
    lm = np.log(list(STERILE_DM))
    print(f"mass exponent: full {np.polyfit(lm, np.log(full), 1)[0]:.3f}, "
          f"sterile-dm {np.polyfit(lm, np.log(list(STERILE_DM.values())), 1)[0]:.3f}, "
          f"paper {np.polyfit(lm, np.log(paper), 1)[0]:.3f}")

    # one ingredient at a time at 7.1 keV
    dm = SterileNeutrino(7.1 * keV, 1e-9)
    blocking = sm.pauli_blocking
    steps = [("paper inputs", "paper", Kinetics(1, False), False),
             ("full rates C(T), no blocking", "full", Kinetics(1, False), False),
             ("+ Pauli blocking", "full", Kinetics(1, False), True),
             ("+ nu and nubar counted", "full", Kinetics(2, False), True),
             ("+ entropy heating (= sm='full')", "full", Kinetics(2, True), True)]
    saved = dict(KINETICS)
    try:
        for label, which, kinetics, block in steps:
            KINETICS["full"] = kinetics
            sm.pauli_blocking = blocking if block else (lambda x: np.ones_like(np.asarray(x, dtype=float)))
            omega = relic_density(dm, sm=which, spectrum=False).omega_h2
            print(f"  {label:34s} Omega h^2 = {omega:.4g}  ({omega / 0.0575:.3f} x sterile-dm)")
    finally:
        KINETICS.update(saved)
        sm.pauli_blocking = blocking


if __name__ == "__main__":
    main()
