"""The dark-matter candidate: a sterile neutrino nu_4 mixing with one active flavour."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import InputError
from .sm import check_flavor
from .units import format_energy

__all__ = ["SterileNeutrino"]


@dataclass(frozen=True)
class SterileNeutrino:
    """Sterile neutrino of mass ``mass`` [GeV] and vacuum mixing ``sin2_2theta`` with ``flavor``.

    Parameters
    ----------
    mass:
        m4 in GeV (``7.1 * keV``). Must be positive and finite.
    sin2_2theta:
        sin^2(2 theta) of the active-sterile mixing (Eq. 2.3), in (0, 1].
    flavor:
        Active flavour it mixes with: ``"e"``, ``"mu"`` (default, as in the paper) or ``"tau"``.
    """

    mass: float
    sin2_2theta: float
    flavor: str = "mu"

    def __post_init__(self) -> None:
        try:
            mass, mix = float(self.mass), float(self.sin2_2theta)
        except (TypeError, ValueError):
            raise InputError("mass and sin2_2theta must be numbers") from None
        if not math.isfinite(mass) or mass <= 0:
            raise InputError(f"sterile-neutrino mass must be positive and finite, got {self.mass!r} GeV")
        if not math.isfinite(mix) or not 0 < mix <= 1:
            raise InputError(f"sin^2(2 theta) must lie in (0, 1], got {self.sin2_2theta!r}")
        object.__setattr__(self, "mass", mass)
        object.__setattr__(self, "sin2_2theta", mix)
        object.__setattr__(self, "flavor", check_flavor(self.flavor))

    @property
    def cos_2theta(self) -> float:
        return math.sqrt(1.0 - self.sin2_2theta)

    def __str__(self) -> str:
        return f"nu_4(m4 = {format_energy(self.mass)}, sin^2 2theta = {self.sin2_2theta:.3g}, nu_{self.flavor})"
