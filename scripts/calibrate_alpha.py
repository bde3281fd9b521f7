"""Regenerate src/secretnu/data/class_alpha_calibration.txt: alpha(m_th) of thermal relics from CLASS.

    PYTHONPATH=src python scripts/calibrate_alpha.py [--out PATH] [--masses 0.3 0.45 ...]

Runs secretnu.transfer.write_alpha_calibration (thermal Fermi-Dirac spectra through the same export,
CLASS and fit path as secretnu.warmness). Needs classy. Each new mass costs one CLASS run: from ~15 s
at 0.3 keV to a few minutes at 30 keV (CLASS's cost grows with k_max); runs are cached on disk, so a
second call is fast. Keep 2, 3 and 5 keV out of the table: the tests use them as held-out points.
"""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

from secretnu import transfer as tr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = Path(str(resources.files("secretnu").joinpath("data", tr.ALPHA_CALIBRATION_FILE)))
    parser.add_argument("--out", type=Path, default=default)
    parser.add_argument("--masses", type=float, nargs="+", default=list(tr.CALIBRATION_MASSES_KEV))
    args = parser.parse_args()
    path = tr.write_alpha_calibration(args.out, args.masses, progress=True)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
