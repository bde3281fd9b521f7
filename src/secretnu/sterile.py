"""The dark-matter candidate: a sterile neutrino nu_4 mixing with one active flavour."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import InputError
from .sm import check_flavor
from .units import format_energy
from .validate import in_domain, real

__all__ = ["SterileNeutrino"]


@dataclass(frozen=True)
class SterileNeutrino:
    """Sterile neutrino of mass ``mass`` [GeV] and vacuum mixing ``sin2_2theta`` with ``flavor``.

    Parameters
    ----------
    mass:
        m4 in GeV (``7.1 * keV``), a real number in 1e-12 .. 1e3 GeV (:data:`secretnu.validate.DOMAINS`).
    sin2_2theta:
        sin^2(2 theta) of the active-sterile mixing (Eq. 2.3), in [1e-30, 1].
    flavor:
        Active flavour it mixes with: ``"e"``, ``"mu"`` (default, as in the paper) or ``"tau"``.
    """

    mass: float
    sin2_2theta: float
    flavor: str = "mu"

    def __post_init__(self) -> None:
        mass = real(self.mass, "sterile-neutrino mass m4", lo=0.0, lo_open=True)
        mix = real(self.sin2_2theta, "sin^2(2 theta)", lo=0.0, lo_open=True)
        if not 0 < mix <= 1:
            raise InputError(f"sin^2(2 theta) must lie in (0, 1], got {self.sin2_2theta!r}")
        in_domain(mass, "m4", "sterile-neutrino mass m4", " GeV")
        in_domain(mix, "sin2_2theta", "sin^2(2 theta)")
        object.__setattr__(self, "mass", mass)
        object.__setattr__(self, "sin2_2theta", mix)
        object.__setattr__(self, "flavor", check_flavor(self.flavor))

    @property
    def cos_2theta(self) -> float:
        return math.sqrt(1.0 - self.sin2_2theta)

    def __str__(self) -> str:
        return f"nu_4(m4 = {format_energy(self.mass)}, sin^2 2theta = {self.sin2_2theta:.3g}, nu_{self.flavor})"
