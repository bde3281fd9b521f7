"""Benchmarks of the fast engine (issue 17). Not a test: it prints.

    python benchmarks/bench_engine.py                 # everything (the 500-point exact sample takes ~15 min)
    python benchmarks/bench_engine.py --quick         # timings, a 30-point sample, no `reproduce`
    python benchmarks/bench_engine.py --sample 120    # sample size of the fast-vs-exact check
    python benchmarks/bench_engine.py --skip-timings  # accuracy only
    python benchmarks/bench_engine.py --exact-cache exact.json  # keep the exact results for reruns

Every timing is given as wall and CPU (user + sys) seconds, with the load average before it, so a
figure from a busy machine can be told from a quiet one:

* whole-process times (shell to result, a fresh interpreter each, start-up and imports included; the
  source tree byte-compiled first, as an installed package is):
  ``secretnu scan`` of the 200 x 200 neutrinophilic plane at m4 = 7.1 keV, sin^2 2theta = 7e-11;
  ``secretnu relic`` at benchmark C (m_V = 30 MeV, lambda = 4.8e-6); ``secretnu reproduce``;
  ``python -c "import secretnu"``;
* in-process times: a cold point (fresh process, kernel tables from their disk cache, imports
  excluded: a process that has not loaded numba computes a few points on numpy, engine.NUMPY_PATH_*),
  warm points (same process, other m_V and couplings, median of 40 on a built grid) on that numpy
  path and, after ``warm_up()`` has loaded numba (timed too), compiled, plus one compiled point that
  needs a new T window (a new grid); the plane through :func:`secretnu.scan` in one process that has
  everything loaded;
* the fast engine against the exact path (:func:`secretnu.relic_density`) on a random sample of the
  whole box the CLI accepts: m_V log-uniform in [1 MeV, 10 GeV], coupling log-uniform in
  [1e-7, sqrt(4 pi)), model uniform over neutrinophilic, lmu-ltau, b-l, sm uniform over paper, full
  (m4 = 7.1 keV, sin^2 2theta = 7e-11, nu_mu): percentiles of |fast/exact - 1| and the worst points.
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("neutrinophilic", "lmu-ltau", "b-l")
SMS = ("paper", "full")


def _env() -> dict[str, str]:
    src = str(ROOT / "src")
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": src + (os.pathsep + path if path else "")}


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def shell(args: list[str], cwd: str, repeat: int = 1) -> tuple[float, float, str]:
    """Best-of-``repeat`` wall and CPU (children's user + sys) seconds of a fresh process."""
    best = (math.inf, math.inf, "")
    for _ in range(repeat):
        before = os.times()
        start = time.perf_counter()
        done = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = os.times()
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr}")
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        if wall < best[0]:
            best = (wall, cpu, done.stdout)
    return best


def report(label: str, wall: float, cpu: float, target: str = "", load: str = "") -> None:
    print(f"  {label:44s} wall {wall:8.3f} s   cpu {cpu:8.3f} s   {target:14s} {load}")


_COLD = """
import time
t0, c0 = time.perf_counter(), time.process_time()
import numpy as np
from secretnu import SterileNeutrino, keV
from secretnu.engine import column_omega, warm_up
dm = SterileNeutrino(7.1 * keV, 7e-11)
t1, c1 = time.perf_counter(), time.process_time()
column_omega(dm, 0.88, [0.003])  # the cold point: tables from disk, numba not loaded (the numpy path)
t2, c2 = time.perf_counter(), time.process_time()

def median_point():
    # 40 masses and couplings on a grid already built (every m_V <= 0.67 GeV shares the 20 GeV window)
    walls = []
    for m_V, g in zip(np.geomspace(2e-3, 0.6, 40), np.geomspace(1e-6, 1e-2, 40)):
        t = time.perf_counter()
        column_omega(dm, float(m_V), [float(g)])
        walls.append(time.perf_counter() - t)
    return float(np.median(walls))

numpy_warm = median_point()
t3 = time.perf_counter()
warm_up()  # numba and its cached kernels: every later call is compiled
t4 = time.perf_counter()
column_omega(dm, 1.7, [0.01])  # another T window: a new grid
t5 = time.perf_counter()
compiled_warm = median_point()
print(t1 - t0, c1 - c0, t2 - t1, c2 - c1, numpy_warm, t4 - t3, t5 - t4, compiled_warm)
"""


def timings(args: argparse.Namespace) -> None:
    exe = sys.executable
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, {_load()}")
    # the source tree's modules byte-compiled, as `pip install .` leaves an installed package: where
    # PYTHONDONTWRITEBYTECODE is set (as on the machine these figures were taken on) every process would
    # otherwise compile them from source, about 0.2 s of each shell command
    compileall.compile_dir(str(ROOT / "src" / "secretnu"), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"\nwhole process (shell to result; best of {args.repeat}):")
        load = _load()
        wall, cpu, _ = shell([exe, "-c", "import secretnu"], tmp, args.repeat)
        report("python -c 'import secretnu'", wall, cpu, "", load)
        load = _load()
        wall, cpu, _ = shell([exe, "-c", "import secretnu.cli"], tmp, args.repeat)
        report("python -c 'import secretnu.cli'", wall, cpu, "", load)
        # warm the caches (tables, compiled kernels) once, outside the timings
        shell([exe, "-m", "secretnu", "scan", "--n-mV", "4", "--n-coupling", "4", "--quiet", "--out", "w.nc"], tmp)
        n = args.n
        load = _load()
        wall, cpu, _ = shell([exe, "-m", "secretnu", "scan", "--sin2-2theta", "7e-11", "--n-mV", str(n),
                                "--n-coupling", str(n), "--quiet", "--out", "plane.nc"], tmp, args.repeat)
        report(f"secretnu scan {n} x {n} (7.1 keV, 7e-11)", wall, cpu, "target 2.5 s", load)
        load = _load()
        wall, cpu, _ = shell([exe, "-m", "secretnu", "relic", "--sin2-2theta", "7e-11", "--model", "neutrinophilic",
                              "--mV", "30MeV", "--coupling", "4.8e-6"], tmp, args.repeat)
        report("secretnu relic at benchmark C", wall, cpu, "target 1.5 s", load)
        if args.reproduce:
            load = _load()
            wall, cpu, _ = shell([exe, "-m", "secretnu", "reproduce", "--quiet", "--out", "figs"], tmp)
            report("secretnu reproduce", wall, cpu, "target 30 s", load)

        print(f"\nin process (median of {args.repeat} fresh processes):")
        load = _load()
        runs = [[float(v) for v in subprocess.run([exe, "-c", _COLD], env=_env(), capture_output=True, text=True,
                                                  check=True).stdout.split()] for _ in range(args.repeat)]
        imp_w, imp_c, cold_w, cold_c, numpy_warm, load_numba, new_grid, compiled_warm = np.median(runs, axis=0)
        report("imports of the cold-point process", imp_w, imp_c, "", load)
        report("cold point (tables from disk, numpy path)", cold_w, cold_c, "target 0.020 s", load)
        print(f"  {'warm point, numpy path (median of 40)':44s} wall {1e3 * numpy_warm:8.3f} ms")
        print(f"  {'warm_up(): numba and its cached kernels':44s} wall {load_numba:8.3f} s")
        print(f"  {'warm point, compiled, new T window':44s} wall {1e3 * new_grid:8.3f} ms")
        print(f"  {'warm point, compiled (median of 40)':44s} wall {1e3 * compiled_warm:8.3f} ms   target 1 ms")

    from secretnu import SterileNeutrino, keV, scan
    from secretnu.engine import column_omega, warm_up

    dm = SterileNeutrino(7.1 * keV, 7e-11)
    warm_up()  # everything loaded: numba (a single point alone would take the numpy path) and the tables
    column_omega(dm, 0.5, [0.01])
    m_axis, c_axis = np.geomspace(1e-3, 10, args.n), np.geomspace(1e-7, 1, args.n)
    for label, executor in (("processes", None), ("serial", "serial")):
        load = _load()
        t0, c0 = time.perf_counter(), time.process_time()
        before = os.times()
        ds = scan(dm, m_V=m_axis, coupling=c_axis, executor=executor)
        after = os.times()
        cpu = time.process_time() - c0 + (after.children_user - before.children_user
                                          + after.children_system - before.children_system)
        report(f"scan() {args.n} x {args.n}, {label}", time.perf_counter() - t0, cpu,
               f"{1e6 * (time.perf_counter() - t0) / args.n**2:.1f} us/pt", load)
    counts = {r: int((ds.regime.values == r).sum()) for r in ("A", "B", "C", "DW")}
    print(f"  regimes on the plane: {counts}; Omega h^2 from {float(ds.omega_h2.min()):.3g} "
          f"to {float(ds.omega_h2.max()):.3g} (negative: {int((ds.omega_h2.values < 0).sum())})")


def box_sample(size: int, seed: int) -> list[tuple[str, str, float, float]]:
    rng = np.random.default_rng(seed)
    points = []
    for _ in range(size):
        model = MODELS[rng.integers(len(MODELS))]
        sm = SMS[rng.integers(len(SMS))]
        m_V = float(np.exp(rng.uniform(math.log(1e-3), math.log(10.0))))
        coupling = float(np.exp(rng.uniform(math.log(1e-7), math.log(0.999 * math.sqrt(4 * math.pi)))))
        points.append((model, sm, m_V, coupling))
    return points


def accuracy(args: argparse.Namespace) -> None:
    from secretnu import SterileNeutrino, keV, relic_density
    from secretnu.engine import REGIMES, FastGrid, column_omega, fast_window
    from secretnu.models import make_model

    dm = SterileNeutrino(7.1 * keV, 7e-11)
    points = box_sample(args.sample, args.seed)
    print(f"\nfast vs exact on {len(points)} random points of the box (seed {args.seed}; exact path ~1.5 s a point):")
    rows = []
    start = time.perf_counter()
    cache: dict[str, float] = {}
    if args.exact_cache and Path(args.exact_cache).exists():
        cache = json.loads(Path(args.exact_cache).read_text())
    for model, sm, m_V, coupling in points:
        grid = FastGrid.build(dm, fast_window(m_V), sm=sm)
        fast, code = column_omega(dm, m_V, [coupling], model=model, grid=grid)
        key = f"{model} {sm} {m_V!r} {coupling!r}"
        if key not in cache:
            model_obj = make_model(model, m_V, coupling, flavor=dm.flavor)
            cache[key] = relic_density(dm, model_obj, sm=sm, spectrum=False).omega_h2
            if args.exact_cache:
                Path(args.exact_cache).write_text(json.dumps(cache))
        exact = cache[key]
        rows.append((abs(fast[0] / exact - 1), model, sm, m_V, coupling, exact, fast[0], REGIMES[int(code[0])]))
        if len(rows) % 10 == 0:
            print(f"  ... {len(rows)} points, worst so far {max(r[0] for r in rows):.2e}", flush=True)
    errors = np.array([r[0] for r in rows])
    print(f"  ({time.perf_counter() - start:.0f} s)")
    for q in (50, 90, 99, 99.9):
        print(f"  |fast/exact - 1| {q:5.1f}th percentile: {np.percentile(errors, q):.2e}")
    print(f"  maximum: {errors.max():.2e}   (targets: 99.9th <= 5e-3, max <= 1e-2)")
    print(f"  above 5e-3: {int((errors > 5e-3).sum())}, above 1e-3: {int((errors > 1e-3).sum())}")
    print(f"  {'model':>14} {'sm':>5} {'m_V [GeV]':>10} {'coupling':>10} {'exact':>11} {'fast':>11} {'regime':>6} {'rel diff':>9}")
    for err, model, sm, m_V, coupling, exact, fast, label in sorted(rows, reverse=True)[:8]:
        print(f"  {model:>14} {sm:>5} {m_V:10.4g} {coupling:10.3g} {exact:11.4g} {fast:11.4g} {label:>6} {err:9.2e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="30-point sample, no `secretnu reproduce`")
    parser.add_argument("--sample", type=int, default=None, help="points in the fast-vs-exact sample (default 500)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--n", type=int, default=200, help="plane size n x n")
    parser.add_argument("--repeat", type=int, default=None, help="best of this many shell runs (default 3, quick 1)")
    parser.add_argument("--no-reproduce", dest="reproduce", action="store_false", default=None)
    parser.add_argument("--skip-timings", action="store_true")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--exact-cache", default=None,
                        help="JSON file of exact-path results, read and extended (reruns then cost only the fast path)")
    args = parser.parse_args()
    args.sample = args.sample if args.sample is not None else (30 if args.quick else 500)
    args.repeat = args.repeat if args.repeat is not None else (1 if args.quick else 3)
    args.reproduce = (not args.quick) if args.reproduce is None else args.reproduce
    sys.path.insert(0, str(ROOT / "src"))
    if not args.skip_timings:
        timings(args)
    if not args.skip_accuracy and args.sample > 0:
        accuracy(args)


if __name__ == "__main__":
    main()
