"""The example script runs and prints the physics it promises."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "quickstart.py"


def test_quickstart_example_output():
    out = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=300, check=True).stdout
    omega = float(re.search(r"benchmark C: Omega h\^2 = ([\d.]+)", out).group(1))
    assert abs(omega - 0.088) < 0.003  # the spec's independent quadrature at benchmark C
    assert "regime: C" in out
    roots = re.search(r"couplings at m_V = 0.5 GeV: (.*)", out).group(1)
    assert roots.count("(") == 3 and "(C)" in roots and "(A)" in roots  # the S-shape: three branches
    assert "benchmark C excluded by: nothing" in out
