"""Benchmark of the exact path (issue 17): ``secretnu relic`` and :func:`secretnu.relic_density`. Prints.

    python benchmarks/bench_exact.py                        # this tree, best of 3
    python benchmarks/bench_exact.py --repeat 5
    python benchmarks/bench_exact.py --reference /tmp/old/src   # also time another source tree

Every timing is wall and CPU (user + sys) seconds, with the load average before it:

* whole process (shell to result, a fresh interpreter, start-up and imports included): ``secretnu
  relic`` at benchmark C (7.1 keV, sin^2 2theta = 7e-11, neutrinophilic m_V = 30 MeV, lambda =
  4.8e-6; target 1.5 s) and the gauged L_mu - L_tau and B - L bosons at the same m_V and coupling;
* in process (imports excluded): the model's rate and potential on the relic grid (361 x 40) and
  the whole :func:`~secretnu.relic_density`.

With ``--reference`` the same is run on another source tree (e.g. ``git archive`` of an older
commit) and Omega h^2 of both is printed, so that a speed-up can be checked not to move the result.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POINT = ["--sin2-2theta", "7e-11", "--mV", "30MeV", "--coupling", "4.8e-6"]
MODELS = ("neutrinophilic", "lmu-ltau", "b-l")

_INPROC = """
import time, json
import numpy as np
from secretnu import SterileNeutrino, relic_density
from secretnu.models import make_model
from secretnu.production import momentum_rule
model = make_model({model!r}, 0.03, 4.8e-6)
dm = SterileNeutrino(7.1e-6, 7e-11, "mu")
T = np.geomspace(100.0, 1e-4, 361)[:, None]
E = momentum_rule(40)[0] * T
out = {{}}
for name, f in (("rate", lambda: model.rate(E, T)), ("potential", lambda: model.potential(E, T)),
                ("relic_density", lambda: relic_density(dm, model, spectrum=False).omega_h2)):
    best = (1e9, 1e9, None)
    for _ in range({repeat}):
        w, c = time.perf_counter(), time.process_time()
        value = f()
        best = min(best, (time.perf_counter() - w, time.process_time() - c, None))
    out[name] = best[:2]
    if name == "relic_density":
        out["omega_h2"] = value
print(json.dumps(out))
"""


def _env(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src)}


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def shell(args: list[str], src: Path, repeat: int) -> tuple[float, float, str]:
    """Best-of-``repeat`` wall and CPU (children's user + sys) seconds of a fresh process."""
    best = (math.inf, math.inf, "")
    for _ in range(repeat):
        before = os.times()
        start = time.perf_counter()
        done = subprocess.run(args, env=_env(src), capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = os.times()
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr}")
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        best = min(best, (wall, cpu, done.stdout))
    return best


def run(src: Path, repeat: int) -> None:
    import json

    print(f"source tree {src}")
    print("  whole process: secretnu relic, best of", repeat)
    for model in MODELS:
        load = _load()
        wall, cpu, out = shell([sys.executable, "-m", "secretnu", "relic", "--model", model, *POINT], src, repeat)
        omega = next(line for line in out.splitlines() if line.startswith("Omega"))
        target = "target 1.5 s" if model == "neutrinophilic" else ""
        print(f"    {model:16s} wall {wall:6.2f} s  cpu {cpu:6.2f} s  {target:13s} {load}   {omega}")
    print("  in process (imports excluded), best of", repeat)
    for model in MODELS:
        load = _load()
        done = subprocess.run([sys.executable, "-c", _INPROC.format(model=model, repeat=repeat)], env=_env(src),
                              capture_output=True, text=True, check=True)
        res = json.loads(done.stdout)
        parts = "  ".join(f"{k} {res[k][0]:.3f}/{res[k][1]:.3f} s" for k in ("rate", "potential", "relic_density"))
        print(f"    {model:16s} (wall/cpu) {parts}  Omega h^2 = {res['omega_h2']:.15g}  {load}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reference", type=Path, default=None, help="another src/ directory to time the same way")
    args = parser.parse_args()
    run(ROOT / "src", args.repeat)
    if args.reference is not None:
        run(args.reference.resolve(), args.repeat)


if __name__ == "__main__":
    main()
