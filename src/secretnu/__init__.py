"""secretnu: sterile-neutrino dark matter from oscillations with secret neutrino interactions.

Implements Kelly, Sen, Tangarife & Zhang, Phys. Rev. D 101, 115031 (2020), arXiv:2005.03681.
Energies are in GeV throughout; :mod:`secretnu.units` has ``keV``, ``MeV``, ``GeV``.

Public names are imported lazily (PEP 562): ``import secretnu`` loads nothing heavy, and the first
use of a name imports only the submodule that defines it (scipy, xarray and dask only when needed).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: public name -> submodule that defines it (a name equal to its submodule is the submodule itself)
_LAZY: dict[str, str] = {
    "SterileNeutrino": "sterile",
    "Neutrinophilic": "models.neutrinophilic",
    "LmuLtau": "models.lmu_ltau",
    "BminusL": "models.bminusl",
    "relic_density": "production",
    "RelicResult": "production",
    "InputError": "errors",
    "diagnose": "diagnostics",
    "Diagnostics": "diagnostics",
    "scan": "scans",
    "relic_curve": "scans",
    "RelicCurve": "scans",
    "constraints": "constraints",
    "SaikawaShirai2018": "cosmology",
    "TabulatedGStar": "cosmology",
    "ConstantGStar": "cosmology",
    "hubble": "cosmology",
    "entropy_density": "cosmology",
    "GeV": "units",
    "MeV": "units",
    "keV": "units",
    "eV": "units",
    "SMRateTable": "sm_tables",
    "GaugedU1": "models.gauged_u1",
    "LeLmu": "models.gauged_u1",
    "LeLtau": "models.gauged_u1",
    "Scalar": "models.scalar",
    "warmness": "spectrum",
    "Warmness": "spectrum",
    "verdict": "viability",
}

__all__ = [
    "__version__",
    "SterileNeutrino", "Neutrinophilic", "LmuLtau", "BminusL", "relic_density", "RelicResult", "InputError",
    "diagnose", "Diagnostics", "scan", "relic_curve", "RelicCurve", "constraints",
    "SaikawaShirai2018", "TabulatedGStar", "ConstantGStar", "hubble", "entropy_density",
    "SMRateTable",
    "GeV", "MeV", "keV", "eV",
    "GaugedU1", "LeLmu", "LeLtau", "Scalar",
    "warmness", "Warmness", "verdict",
]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("secretnu")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _version()
        globals()[name] = value
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'secretnu' has no attribute {name!r}")
    sub = importlib.import_module(f".{module}", __name__)
    value = sub if module == name else getattr(sub, name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # static checkers see the eager imports
    __version__: str
    from . import constraints
    from .cosmology import ConstantGStar, SaikawaShirai2018, TabulatedGStar, entropy_density, hubble
    from .diagnostics import Diagnostics, diagnose
    from .errors import InputError
    from .models.bminusl import BminusL
    from .models.gauged_u1 import GaugedU1, LeLmu, LeLtau
    from .models.lmu_ltau import LmuLtau
    from .models.neutrinophilic import Neutrinophilic
    from .models.scalar import Scalar
    from .production import RelicResult, relic_density
    from .scans import RelicCurve, relic_curve, scan
    from .sm_tables import SMRateTable
    from .spectrum import Warmness, warmness
    from .sterile import SterileNeutrino
    from .units import GeV, MeV, eV, keV
    from .viability import verdict
