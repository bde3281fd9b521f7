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
from .gauged_u1 import GaugedU1, LeLmu, LeLtau
from .lmu_ltau import LmuLtau
from .neutrinophilic import Neutrinophilic
from .production import RelicResult, relic_density
from .scalar import Scalar
from .scans import RelicCurve, relic_curve, scan
from .sm_tables import SMRateTable
from .spectrum import Warmness, warmness
from .sterile import SterileNeutrino
from .units import GeV, MeV, eV, keV

try:
    __version__ = version("secretnu")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "__version__",
    "SterileNeutrino", "Neutrinophilic", "LmuLtau", "BminusL", "relic_density", "RelicResult", "InputError",
    "diagnose", "Diagnostics", "scan", "relic_curve", "RelicCurve", "constraints",
    "SaikawaShirai2018", "TabulatedGStar", "ConstantGStar", "hubble", "entropy_density",
    "SMRateTable",
    "GeV", "MeV", "keV", "eV",
    "GaugedU1", "LeLmu", "LeLtau", "Scalar",
    "warmness", "Warmness",
]
