"""Regression check of the fast engine against stored numbers of an earlier version (issue 17).

    python benchmarks/engine_regression.py --save base.json   # record (run on the reference version)
    python benchmarks/engine_regression.py --check base.json  # compare, print the worst relative diffs
    python benchmarks/engine_regression.py --check benchmarks/engine_regression_ff421bd.json  # vs main at ff421bd
    python benchmarks/engine_regression.py --check benchmarks/engine_regression_4a850a8.json  # vs main at 4a850a8

Against 4a850a8 the maximum is 6.3e-3 (median 5e-14): the z quadrature no longer applies
its Lorentzian correction where the detuning has no zero (production.z_interval_integrals, commit 91005ea).

Exit status 1 if any value moved by more than 1e-10 (relative) or any regime label changed.

Columns of 8 couplings at random (model, sm, m_V, width option) over the whole box the CLI accepts:
models neutrinophilic, lmu-ltau, b-l, scalar; sm paper and full; the default width, a fixed width
(``width=...`` in GeV, narrow and wide, gw up to 1) and the chiral width; couplings log-uniform in
[1e-7, sqrt(4 pi)) plus, in a third of the columns, a cluster around the couplings where resonance
onsets appear (1e-4 .. 1e-2), so the onset-resolving path is exercised. Not a test: it prints.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("neutrinophilic", "lmu-ltau", "b-l", "scalar")


#: the grid the recorded files were made with (the engine's defaults were 40 and 30 until issue 17)
PPD = 40
N_X = 30


def columns(n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        model = MODELS[k % len(MODELS)]
        sm = ("paper", "full")[rng.integers(2)]
        m_V = float(np.exp(rng.uniform(math.log(1e-3), math.log(10.0))))
        if k % 3 == 0:
            couplings = np.exp(rng.uniform(math.log(1e-5), math.log(3e-2), 8))
        else:
            couplings = np.exp(rng.uniform(math.log(1e-7), math.log(0.999 * math.sqrt(4 * math.pi)), 8))
        width: float | str | None = None
        if model == "neutrinophilic":
            choice = rng.integers(4)
            if choice == 1:
                width = float(m_V * np.exp(rng.uniform(math.log(1e-8), math.log(1.0))))  # narrow .. gw = 1
            elif choice == 2:
                width = "chiral"
            elif choice == 3:
                width = float(m_V * 0.05)  # wide, every coupling through the exact width integrals
        out.append({"model": model, "sm": sm, "m_V": m_V, "couplings": sorted(float(c) for c in couplings),
                    "width": width})
    return out


def evaluate(cols: list[dict]) -> list[dict]:
    sys.path.insert(0, str(ROOT / "src"))
    from secretnu import SterileNeutrino, keV
    from secretnu.engine import FastGrid, column_omega, fast_window

    dm = SterileNeutrino(7.1 * keV, 7e-11)
    grids: dict[tuple[str, float], FastGrid] = {}
    out = []
    for col in cols:
        key = (col["sm"], fast_window(col["m_V"]))
        if key not in grids:
            grids[key] = FastGrid.build(dm, key[1], sm=col["sm"], points_per_decade=PPD, n_x=N_X)
        model = col["model"]
        model_dm = SterileNeutrino(dm.mass, dm.sin2_2theta, flavor="tau") if model == "scalar" else dm
        grid = grids[key] if model != "scalar" else FastGrid.build(model_dm, key[1], sm=col["sm"], points_per_decade=PPD,
                                                                   n_x=N_X)
        omega, regime = column_omega(model_dm, col["m_V"], col["couplings"], model=model, width=col["width"],
                                     grid=grid)
        out.append({**col, "omega": [float(v) for v in omega], "regime": [int(r) for r in regime]})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--columns", type=int, default=60)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--save", default=None)
    parser.add_argument("--check", default=None)
    args = parser.parse_args()
    if args.check:
        stored = json.loads(Path(args.check).read_text())
        start = time.perf_counter()
        now = evaluate([{k: v for k, v in c.items() if k not in ("omega", "regime")} for c in stored])
        print(f"{sum(len(c['couplings']) for c in now)} points in {time.perf_counter() - start:.2f} s")
        rows = []
        for old, new in zip(stored, now, strict=True):
            for c, a, b, ra, rb in zip(old["couplings"], old["omega"], new["omega"], old["regime"], new["regime"],
                                       strict=True):
                rows.append((abs(b / a - 1) if a else abs(b), old["model"], old["sm"], old["m_V"], c,
                             old["width"], a, b, ra == rb))
        errors = np.array([r[0] for r in rows])
        print(f"max |new/old - 1| = {errors.max():.3e}, median {np.median(errors):.3e}; "
              f"regime changes: {sum(not r[-1] for r in rows)}")
        for row in sorted(rows, key=lambda r: -r[0])[:6]:
            print("  ", row)
        sys.exit(0 if errors.max() <= 1e-10 and all(r[-1] for r in rows) else 1)
    cols = columns(args.columns, args.seed)
    start = time.perf_counter()
    result = evaluate(cols)
    print(f"{sum(len(c['couplings']) for c in cols)} points in {time.perf_counter() - start:.2f} s")
    if args.save:
        Path(args.save).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
