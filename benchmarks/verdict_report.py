"""The verdict at benchmarks A, B, C and along the paper's Omega h^2 = 0.12 curves (issue 16). Prints.

    python benchmarks/verdict_report.py [--xray DIR] [--limits DIR] [--warmness auto|class|moment]
                                        [--n-m-V 40] [--n-nodes 4] [--validate 2] [--figures OUT]

For each of A, B, C (neutrinophilic, m4 = 7.1 keV, mixing rescaled to Omega h^2 = 0.12) the full
table; for each model and each paper point (7.1 keV, 7e-11; 50 keV, 1e-15) the relic curve on
m_V in [1 MeV, 10 GeV], how many points survive and what excludes the rest first, and (with
``--figures``) the viability figure. X-ray limits: ``--xray`` (a folder of AxionLimits files or
sterile CSVs; default: the fetched sets, if any). Laboratory data: ``--limits`` (Darkcast folders).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from secretnu import Neutrinophilic, SterileNeutrino, keV
from secretnu import constraints as cons
from secretnu.scans import relic_curve
from secretnu.viability import verdict

POINTS = {"A": (2.77, 0.11), "B": (0.88, 0.003), "C": (0.030, 4.8e-6)}
STERILE = [(7.1 * keV, 7e-11, "7.1 keV, 7e-11"), (50 * keV, 1e-15, "50 keV, 1e-15")]
MODELS = ("neutrinophilic", "lmu-ltau", "b-l")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--xray", action="append", default=None)
    parser.add_argument("--limits", action="append", default=[])
    parser.add_argument("--warmness", default="auto")
    parser.add_argument("--n-m-V", type=int, default=40)
    parser.add_argument("--n-nodes", type=int, default=4)
    parser.add_argument("--validate", type=int, default=0)
    parser.add_argument("--figures", default=None)
    parser.add_argument("--skip-points", action="store_true")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--masses", default="7.1,50", help="which paper points (m4 in keV)")
    args = parser.parse_args()
    xray = args.xray or ["auto"]

    if not args.skip_points:
        dm = SterileNeutrino(7.1 * keV, 7e-11)
        for name, (m_V, g) in POINTS.items():
            start = time.perf_counter()
            v = verdict(dm, Neutrinophilic(m_V, g), omega=0.12, xray=xray, limits=args.limits,
                        warmness_method=args.warmness)
            print(f"\n=== benchmark {name} ({time.perf_counter() - start:.1f} s)")
            print(v.table())

    m_axis = np.geomspace(1e-3, 10.0, args.n_m_V)
    verdicts = {}
    models = args.models.split(",")
    sterile = [s for s in STERILE if f"{s[0] / keV:g}" in args.masses.split(",")]
    for model in models:
        for m4, mix, label in sterile:
            start = time.perf_counter()
            curve = relic_curve(SterileNeutrino(m4, mix), model, m_V=m_axis, coupling_range=(1e-7, 1.0))
            cv = curve.verdict(xray=xray, limits=args.limits, n_nodes=args.n_nodes, validate=args.validate,
                               warmness_method=args.warmness)
            verdicts[(model, label)] = cv
            present = cv.status != ""
            print(f"\n=== {model}, {label}: {cv.summary()} ({time.perf_counter() - start:.1f} s)")
            print(f"    X-ray: {cv.common[0].status} ({cv.common[0].value} vs {cv.common[0].bound}, "
                  f"{cv.common[0].source})")
            m_th = cv.m_th_keV[present]
            print(f"    m_th along the curve ({cv.warmness_method}): {np.nanmin(m_th):.3g} .. {np.nanmax(m_th):.3g} keV;"
                  f" validation of the interpolation: {cv.validation:.3g}")
            for label_r in ("C", "B", "A", "DW"):
                mask = curve.regimes == label_r
                if mask.any():
                    names = np.where(cv.status == "allowed", "allowed", cv.excluded_by)[mask]
                    uniq, counts = np.unique(names, return_counts=True)
                    mths = cv.m_th_keV[mask]
                    print(f"    branch {label_r}: {int(mask.sum())} points, m_th {np.nanmin(mths):.3g}..{np.nanmax(mths):.3g}"
                          f" keV; " + ", ".join(f"{u} {c}" for u, c in zip(uniq, counts, strict=True)))
            n = int(present.sum())
            for name in sorted(cv.masks):
                print(f"    excluded by {name}: {int(cv.masks[name].sum())} of {n}")
            lab = [k for k in cv.masks if k not in {b.name for b in cv.bounds} | {"X-ray line"}]
            structure = [b.name for b in cv.bounds]
            print(f"    survive without 'lensing + MW satellites': {int(cv.surviving(['lensing + MW satellites']).sum())};"
                  f" with the Lyman-alpha bound only: "
                  f"{int(cv.surviving([s for s in structure if s != 'Lyman-alpha forest']).sum())};"
                  f" without any structure bound: {int(cv.surviving(structure).sum())};"
                  f" without the laboratory/BBN limits: {int(cv.surviving(lab).sum())}")
            mm_all = np.broadcast_to(curve.m_V[:, None], curve.roots.shape)
            relaxed = cv.surviving(["lensing + MW satellites"])
            for i, j in zip(*np.nonzero(relaxed), strict=True):
                print(f"    only the combined bound excludes: m_V = {mm_all[i, j]:.4g} GeV, g = {curve.roots[i, j]:.3g}, "
                      f"regime {curve.regimes[i, j]}, m_th = {cv.m_th_keV[i, j]:.3g} keV")
            alive = (cv.status == "allowed")
            if alive.any():
                mm = np.broadcast_to(curve.m_V[:, None], curve.roots.shape)[alive]
                print(f"    survivors: m_V {mm.min():.3g}..{mm.max():.3g} GeV, couplings "
                      f"{curve.roots[alive].min():.3g}..{curve.roots[alive].max():.3g}")
    if args.figures:
        from secretnu.plotting import plot_viability, save_figure

        out = Path(args.figures)
        out.mkdir(parents=True, exist_ok=True)
        for model in models:
            pair = [verdicts[(model, label)] for *_, label in sterile]
            fig = plot_viability(pair, [label for *_, label in sterile],
                                 cons.for_model(model, limits=args.limits), m_range=(1e-3, 10.0),
                                 title=f"{model}: does anything survive?")
            print("wrote", save_figure(fig, out / f"verdict_{model}"))


if __name__ == "__main__":
    main()
