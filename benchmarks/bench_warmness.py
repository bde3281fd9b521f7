"""Warmness from CLASS (issue 14): m_th, k_hm, M_hm at the paper's benchmarks and for pure DW, and the
time per point. Not a test: it prints.

    python benchmarks/bench_warmness.py [--points A B C DW DW10.75 thermal1 thermal2 thermal3 thermal5] [--fresh]

Benchmarks (m4 = 7.1 keV, flavour mu, sin^2 2theta = 7e-11, then rescaled to Omega h^2 = 0.12):
A neutrinophilic lambda = 0.11, m_V = 2.77 GeV; B lambda = 0.003, m_V = 0.88 GeV;
C lambda = 4.8e-6, m_V = 30 MeV. DW: no secret interaction (Saikawa-Shirai g*); DW10.75: constant
g* = 10.75, for which the DW spectrum is exactly Fermi-Dirac shaped (the assumption behind Viel et
al.'s m_s(m_th) relation). thermalM: a thermal relic of M keV through the same export.
``--fresh`` uses an empty CLASS cache (a temporary SECRETNU_CACHE_DIR) so that the CLASS time is measured.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", nargs="+", default=["A", "B", "C", "DW", "DW10.75", "thermal1", "thermal2", "thermal3", "thermal5"])
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    if args.fresh:
        tmp = tempfile.mkdtemp()
        # keep the kernel tables (not CLASS results) so that relic_density does not rebuild them
        from secretnu.tables import cache_dir

        for f in cache_dir().glob("*.npz"):
            shutil.copy(f, tmp)
        os.environ["SECRETNU_CACHE_DIR"] = tmp

    from secretnu import ConstantGStar, Neutrinophilic, SterileNeutrino, keV, relic_density
    from secretnu import transfer as tr
    from secretnu.spectrum import rescale_to_omega, thermal_wdm_result, warmness

    models = {"A": Neutrinophilic(2.77, 0.11), "B": Neutrinophilic(0.88, 0.003), "C": Neutrinophilic(0.03, 4.8e-6)}
    print(f"classy {tr.class_version()}; Planck 2018; nu4 = all of the dark matter (omega = 0.12)")
    print("m_th: CLASS-calibrated alpha(m_th) (secretnu.transfer.thermal_mass); m_Viel: Viel et al. 2005 Eq. 7")
    print(f"{'point':9s} {'sin2_2theta':>11s} {'<q>':>6s} {'m_th':>7s} {'m_Viel':>7s} {'moment':>7s} {'alpha':>8s} "
          f"{'k_hm':>7s} {'M_hm':>9s} {'k_max':>6s} {'CLASS s':>8s} {'total s':>8s}")
    for name in args.points:
        t0 = time.perf_counter()
        if name.startswith("thermal"):
            result = thermal_wdm_result(float(name[7:]))
        else:
            gstar = {"gstar": ConstantGStar(10.75, 10.75)} if name == "DW10.75" else {}
            mix = 1e-9 if name.startswith("DW") else 7e-11
            dm = SterileNeutrino(7.1 * keV, mix, "mu")
            result = rescale_to_omega(relic_density(dm, models.get(name), **gstar), 0.12)
        w = warmness(result, method="class")
        moment = warmness(result, method="moment")
        total = time.perf_counter() - t0
        print(f"{name:9s} {result.dm.sin2_2theta:11.4g} {w.mean_q:6.3f} {w.m_th_keV:7.3f} {w.m_th_viel_keV:7.3f} "
              f"{moment.m_th_keV:7.3f} "
              f"{w.alpha:8.5f} {w.k_hm:7.2f} {w.M_hm:9.3g} {w.transfer.k[-1]:6.0f} {w.transfer.seconds:8.1f} {total:8.1f}",
              flush=True)
        if w.relation != "class-calibrated":
            print(f"{'':9s} m_th relation: {w.relation}")
        if name.startswith("DW"):
            m_rel = tr.thermal_mass_from_dw(7.1)
            print(f"{'':9s} Viel et al. 2005 DW relation: m_th = {m_rel:.3f} keV (m_th / relation = "
                  f"{w.m_th_keV / m_rel:.3f}; with <q> matching, (3.151/<q>)^(3/4) = {(3.1514 / w.mean_q) ** 0.75:.3f})")
        if name.startswith("thermal"):
            print(f"{'':9s} input m_th = {name[7:]} keV")


if __name__ == "__main__":
    main()
