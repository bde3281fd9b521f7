"""The numpy twins of the compiled primitives (secretnu._engine_numpy): the same numbers as numba's
on every branch of the engine, and the path a fresh process takes for a few points."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from secretnu import SterileNeutrino, keV
from secretnu._engine_numpy import numpy_only
from secretnu.engine import FastGrid, column_omega, fast_window, warm_up

DM = SterileNeutrino(7.1 * keV, 7e-11)


def _columns(n: int, seed: int) -> list[dict]:
    """Random columns over the box: every model, both sm, default, fixed (narrow and wide) and chiral
    widths, and couplings clustered where resonance onsets appear (the onset pass)."""
    rng = np.random.default_rng(seed)
    models = ("neutrinophilic", "lmu-ltau", "b-l", "scalar")
    out = []
    for k in range(n):
        model = models[k % len(models)]
        m_V = float(np.exp(rng.uniform(math.log(1e-3), math.log(10.0))))
        lo, hi = (1e-5, 3e-2) if k % 3 == 0 else (1e-7, 0.999 * math.sqrt(4 * math.pi))
        width = None
        if model == "neutrinophilic":
            width = (None, float(m_V * np.exp(rng.uniform(math.log(1e-8), 0.0))), "chiral", 0.05 * m_V)[k // 4 % 4]
        out.append({"model": model, "sm": ("paper", "full")[rng.integers(2)], "m_V": m_V, "width": width,
                    "couplings": np.sort(np.exp(rng.uniform(math.log(lo), math.log(hi), 6)))})
    return out


@pytest.mark.parametrize("column", _columns(24, 5), ids=lambda c: f"{c['model']}-{c['sm']}-{c['m_V']:.3g}")
def test_numpy_twins_give_the_compiled_numbers(column):
    warm_up()
    dm = SterileNeutrino(DM.mass, DM.sin2_2theta, "tau") if column["model"] == "scalar" else DM
    grid = FastGrid.build(dm, fast_window(column["m_V"]), sm=column["sm"])
    args = (dm, column["m_V"], column["couplings"])
    options = {"model": column["model"], "width": column["width"], "grid": grid}
    compiled, regimes = column_omega(*args, **options)
    with numpy_only():
        ours, our_regimes = column_omega(*args, **options)
    np.testing.assert_allclose(ours, compiled, rtol=1e-11, atol=0)
    np.testing.assert_array_equal(our_regimes, regimes)


def test_onset_couplings_take_the_one_coupling_path_on_numpy():
    """Couplings whose resonance closes inside the x range: numpy resolves them one at a time
    (engine._resolved_yield), numba in its batched pass; the results agree, and differ from the
    unresolved main pass."""
    import secretnu.engine as engine

    couplings = np.geomspace(3e-5, 3e-4, 12)
    warm_up()
    compiled, _ = column_omega(DM, 0.03, couplings)
    calls = []
    original = engine._resolved_yield

    def counting(*args, **kwargs):
        calls.append(args[2])
        return original(*args, **kwargs)

    engine._resolved_yield = counting
    try:
        with numpy_only():
            ours, _ = column_omega(DM, 0.03, couplings)
    finally:
        engine._resolved_yield = original
    assert calls, "no coupling of this column has an onset: the test does not test the onset path"
    np.testing.assert_allclose(ours, compiled, rtol=1e-11, atol=0)


def test_a_fresh_process_computes_a_few_points_without_numba():
    code = ("import sys\nfrom secretnu import SterileNeutrino, keV\nfrom secretnu.engine import column_omega\n"
            "dm = SterileNeutrino(7.1 * keV, 7e-11)\n"
            "a = column_omega(dm, 0.03, [4.8e-6])[0][0]\n"
            "b = column_omega(dm, 0.03, [1e-6, 2e-6, 3e-6, 4e-6, 5e-6])[0]\n"  # five couplings: compiled
            "print('numba' in sys.modules, repr(float(a)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "True"  # loaded by the second, larger call
    warm_up()
    assert float(out[1]) == pytest.approx(column_omega(DM, 0.03, [4.8e-6])[0][0], rel=1e-12)
    first_only = subprocess.run([sys.executable, "-c", code.replace("b = column_omega", "# b = column_omega")],
                                capture_output=True, text=True, check=True).stdout.split()
    assert first_only[0] == "False"  # one point: numba never loaded


@pytest.mark.parametrize("m_V", [0.004, 0.3, 3.0])
def test_numpy_twins_with_a_charged_u1(m_V):
    """A model instance with its own charges (channel weights, coupling scale) on both paths."""
    from secretnu import GaugedU1

    model = GaugedU1(m_V=m_V, coupling=1e-3, charges={"mu": 1, "tau": -0.5, "e": 0.3, "q": 0.2})
    couplings = np.geomspace(1e-6, 1.0, 9)
    warm_up()
    compiled, regimes = column_omega(DM, m_V, couplings, model=model)
    with numpy_only():
        ours, our_regimes = column_omega(DM, m_V, couplings, model=model)
    np.testing.assert_allclose(ours, compiled, rtol=1e-11, atol=0)
    np.testing.assert_array_equal(our_regimes, regimes)


def test_scans_run_compiled_whatever_their_size():
    """A scan's numbers must not depend on where it ran: its workers load the compiled kernels even
    for columns of a few couplings, which would otherwise take the numpy path in a fresh process."""
    code = ("import sys\nfrom secretnu import SterileNeutrino, keV, scan\n"
            "scan(SterileNeutrino(7.1 * keV, 7e-11), m_V=[0.01, 0.1], coupling=[1e-4, 1e-3], executor='serial')\n"
            "print('numba' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True"]
