"""Registry of secret-interaction models by name (used by the CLI, scans and configs)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from ..errors import InputError
from .bminusl import BminusL
from .gauged_u1 import GaugedU1, LeLmu, LeLtau
from .lmu_ltau import LmuLtau
from .neutrinophilic import Neutrinophilic
from .scalar import Scalar

__all__ = ["MODELS", "make_model", "model_key",
           "Neutrinophilic", "LmuLtau", "BminusL", "GaugedU1", "LeLmu", "LeLtau", "Scalar"]

MODELS: dict[str, type] = {"neutrinophilic": Neutrinophilic, "lmu-ltau": LmuLtau, "b-l": BminusL,
                           "le-lmu": LeLmu, "le-ltau": LeLtau, "u1": GaugedU1, "scalar": Scalar}


def model_key(name: str) -> str:
    """Registry key of a model name, accepting aliases ("B-L", "bminusl", "Lmu_Ltau", ...)."""
    key = str(name).lower().replace("_", "-")
    key = {"bminusl": "b-l", "lmultau": "lmu-ltau", "lelmu": "le-lmu", "leltau": "le-ltau",
           "gaugedu1": "u1", "phi": "scalar"}.get(key.replace("-", ""), key)
    if key not in MODELS:
        raise InputError(f"unknown model {name!r}: choose one of {', '.join(MODELS)}")
    return key


def make_model(name: str, m_V: float, coupling: float, **options: Any) -> Any:
    """Build a model from its registry name, e.g. ``make_model("neutrinophilic", 0.03, 4.8e-6)``.

    Options set to ``None`` mean the model's default; other options the model does not have are refused.
    """
    key = model_key(name)
    cls = MODELS[key]
    accepted = {f.name for f in fields(cls)}
    options = {k: v for k, v in options.items() if v is not None}  # None: the model's default
    for option in options:
        if option not in accepted:
            raise InputError(f"model {key!r} has no option {option!r}")
    return cls(m_V, coupling, **options)
