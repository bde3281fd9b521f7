"""Energy units as plain floats relative to the base unit GeV (hepunits style).

Multiply to attach a unit, divide to read one: ``m4 = 7.1 * keV``; ``m4 / keV``.
:func:`parse_energy` turns strings such as ``"7.1keV"`` into GeV.
"""

from __future__ import annotations

import re

from .errors import InputError

__all__ = ["GeV", "MeV", "keV", "eV", "TeV", "parse_energy", "format_energy"]

GeV: float = 1.0
TeV: float = 1.0e3 * GeV
MeV: float = 1.0e-3 * GeV
keV: float = 1.0e-6 * GeV
eV: float = 1.0e-9 * GeV

_UNITS = {"ev": eV, "kev": keV, "mev": MeV, "gev": GeV, "tev": TeV}
_PATTERN = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]*)\s*$")


def parse_energy(text: str | float, default_unit: float = GeV) -> float:
    """Parse ``"7.1keV"``, ``"30 MeV"`` or a bare number (in ``default_unit``) into GeV.

    Raises :class:`~secretnu.errors.InputError` for anything else.
    """
    if isinstance(text, (int, float)):
        return float(text) * default_unit
    match = _PATTERN.match(str(text))
    if match is None:
        raise InputError(f"cannot parse energy {text!r}: expected a number with a unit such as 7.1keV, 30MeV or 2GeV")
    value, unit = match.groups()
    if not unit:
        return float(value) * default_unit
    try:
        return float(value) * _UNITS[unit.lower()]
    except KeyError:
        raise InputError(f"unknown energy unit {unit!r} in {text!r}: use eV, keV, MeV, GeV or TeV") from None


def format_energy(value: float) -> str:
    """Human-readable energy with the largest unit that keeps the mantissa >= 1."""
    for name, unit in (("TeV", TeV), ("GeV", GeV), ("MeV", MeV), ("keV", keV)):
        if abs(value) >= unit:
            return f"{value / unit:.4g} {name}"
    return f"{value / eV:.4g} eV"
