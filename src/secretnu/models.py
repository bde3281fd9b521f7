"""Registry of secret-interaction models by name (used by the CLI, scans and configs)."""

from __future__ import annotations

from typing import Any

from .errors import InputError
from .neutrinophilic import Neutrinophilic

__all__ = ["MODELS", "make_model"]

MODELS: dict[str, type] = {"neutrinophilic": Neutrinophilic}


def make_model(name: str, m_V: float, coupling: float, **options: Any) -> Any:
    """Build a model from its registry name, e.g. ``make_model("neutrinophilic", 0.03, 4.8e-6)``."""
    key = str(name).lower().replace("_", "-")
    if key not in MODELS:
        raise InputError(f"unknown model {name!r}: choose one of {', '.join(MODELS)}")
    return MODELS[key](m_V, coupling, **options)
