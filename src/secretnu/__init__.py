"""secretnu: sterile-neutrino dark matter from oscillations with secret neutrino interactions.

Implements Kelly, Sen, Tangarife & Zhang, Phys. Rev. D 101, 115031 (2020), arXiv:2005.03681.
Energies are in GeV throughout; :mod:`secretnu.units` has ``keV``, ``MeV``, ``GeV``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from . import constraints
from .bminusl import BminusL
from .cosmology import ConstantGStar, SaikawaShirai2018, TabulatedGStar, entropy_density, hubble
from .diagnostics import Diagnostics, diagnose
from .errors import InputError
from .lmu_ltau import LmuLtau
from .neutrinophilic import Neutrinophilic
from .production import RelicResult, relic_density
from .scans import RelicCurve, relic_curve, scan
from .sterile import SterileNeutrino
from .units import GeV, MeV, eV, keV
from .verdict import verdict  # the function; the module stays importable as secretnu.verdict via from-imports

try:
    __version__ = version("secretnu")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "__version__",
    "SterileNeutrino", "Neutrinophilic", "LmuLtau", "BminusL", "relic_density", "RelicResult", "InputError",
    "diagnose", "Diagnostics", "scan", "relic_curve", "RelicCurve", "constraints",
    "SaikawaShirai2018", "TabulatedGStar", "ConstantGStar", "hubble", "entropy_density",
    "GeV", "MeV", "keV", "eV", "verdict",
]
