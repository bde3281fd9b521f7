"""The constraint interface: what a limit excludes in the (m_V, coupling) plane, and where its numbers come from.

A constraint maps a vector mass m_V [GeV] to the excluded coupling interval ``[lower, upper]``:
an upper bound on the coupling has ``upper = inf``; a band (e.g. a preferred region or a beam-dump
window) has both edges finite; NaN in both edges means "no bound at this mass".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InputError

__all__ = ["Measurement", "Constraint", "ExcludedRange", "KINDS", "BOUNDS"]

#: ``limit``: excluded today; ``projection``: a future reach; ``preferred``: a region that explains an anomaly.
KINDS = ("limit", "projection", "preferred")
#: Shape of the excluded coupling interval at fixed m_V.
BOUNDS = ("upper", "lower", "band")


@dataclass(frozen=True)
class Measurement:
    """An experimental or external number a constraint uses, with its unit and source."""

    value: float
    unit: str
    source: str

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit} ({self.source})".replace("  ", " ")


@dataclass(frozen=True)
class ExcludedRange:
    """Excluded couplings ``lower <= coupling <= upper`` at each mass; NaN edges mean no bound there."""

    m_V: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    def contains(self, coupling: ArrayLike) -> np.ndarray:
        c = np.asarray(coupling, dtype=float)
        with np.errstate(invalid="ignore"):
            return (c >= self.lower) & (c <= self.upper)


@dataclass(frozen=True)
class Constraint:
    """One laboratory, astrophysical or cosmological constraint on a model's (m_V, coupling) plane.

    ``edges(m_V) -> (lower, upper)`` is the physics; everything else describes it.
    """

    name: str
    kind: str
    model: str
    bound: str
    citation: str
    edges: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] = field(repr=False)
    inputs: Mapping[str, Measurement] = field(default_factory=dict)
    note: str = ""
    computed: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InputError(f"constraint kind must be one of {KINDS}, not {self.kind!r}")
        if self.bound not in BOUNDS:
            raise InputError(f"constraint bound must be one of {BOUNDS}, not {self.bound!r}")

    def excluded(self, m_V: ArrayLike) -> ExcludedRange:
        """Excluded coupling interval at each mass m_V [GeV]."""
        m = np.atleast_1d(np.asarray(m_V, dtype=float))
        if np.any(~np.isfinite(m)) or np.any(m <= 0):
            raise InputError("m_V must be positive and finite")
        lower, upper = self.edges(m)
        lower = np.broadcast_to(np.asarray(lower, dtype=float), m.shape).copy()
        upper = np.broadcast_to(np.asarray(upper, dtype=float), m.shape).copy()
        gap = np.isnan(lower) | np.isnan(upper)
        lower[gap] = np.nan
        upper[gap] = np.nan
        return ExcludedRange(m, lower, upper)

    def is_excluded(self, m_V: ArrayLike, coupling: ArrayLike) -> np.ndarray:
        """True where (m_V, coupling) lies in the excluded (or, for ``preferred``, the favoured) region."""
        m, c = np.broadcast_arrays(np.asarray(m_V, dtype=float), np.asarray(coupling, dtype=float))
        return self.excluded(m.ravel()).contains(c.ravel()).reshape(m.shape)

    def describe(self) -> str:
        lines = [f"{self.name} [{self.kind}, {self.bound} bound, {self.model}]", f"  {self.citation}"]
        lines += [f"  {key}: {value}" for key, value in self.inputs.items()]
        if self.note:
            lines.append(f"  note: {self.note}")
        return "\n".join(lines)
