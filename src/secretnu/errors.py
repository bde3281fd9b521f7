"""Exception types. Bad user input raises :class:`InputError` (a ``ValueError``)."""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
    """Invalid physical input: a mass, mixing, coupling, flavour, unit or config the code cannot accept."""
