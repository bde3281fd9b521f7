"""User tables of the Standard Model collision rate Gamma(p/T, T) of an active neutrino.

A :class:`SMRateTable` stands in for the built-in rates wherever ``sm=`` is accepted
(:func:`secretnu.relic_density`, the fast engine, scans): ``sm=SMRateTable.from_file(path)``.
It replaces only the collision rate; the thermal potential stays Eq. 2.6 (the complete
CP-symmetric potential, as in every Dodelson-Widrow code) and the kinetics is that of
``sm="full"`` (nu and nubar counted, entropy heating, PDG critical density).

Table: ``rate[i, j] = Gamma(p = x_i T_j, T_j)/(G_F^2 T_j^5)`` on rows x = p/T and columns T, the format of
sterile-dm's ``rate_*_mu.dat`` (Venumadhav et al. 2016, arXiv:1507.06655): ``#`` comment lines,
the last of which lists the temperatures after ``->``, then one row per p/T with that value first.

Interpolation (the scheme of sterile-dm): an interpolating bicubic spline (FITPACK, s = 0) of
ln(Gamma/(G_F^2 p T^4)) = ln(rate/(p/T)) in (ln p/T, ln T). Beyond the table the scaled rate
Gamma/(G_F^2 p T^4) is held at its edge value, i.e. Gamma ~ p T^4 there. Columns can be dropped
(``drop=(T_lo, T_hi)``): sterile-dm's default drops every column strictly between 150 MeV and
1 GeV and lets the spline bridge the gap (:data:`STERILE_DM_GAP`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .constants import G_F
from .errors import InputError

if TYPE_CHECKING:
    from scipy.interpolate import RectBivariateSpline

__all__ = ["SMRateTable", "STERILE_DM_GAP"]

FloatArray = NDArray[np.float64]

#: Temperatures [GeV] between which sterile-dm's default settings (qcdtemp = 150 MeV, Tc = 1 GeV)
#: drop the columns of its rate table.
STERILE_DM_GAP: tuple[float, float] = (0.150, 1.0)


def _temperatures_from_header(lines: list[str]) -> FloatArray | None:
    """The temperatures listed in the last comment line (after '->' if present)."""
    for line in reversed(lines):
        text = line.lstrip("#")
        if "->" in text:
            text = text.split("->", 1)[1]
        try:
            values = np.array(text.split(), dtype=float)
        except ValueError:
            continue
        if values.size >= 2:
            return values
    return None


@dataclass(frozen=True, eq=False)
class SMRateTable:
    """Collision rate of one active flavour from a table, Gamma = G_F^2 T^5 rate(p/T, T).

    Parameters
    ----------
    p_over_T: ascending p/T of the rows.
    T: ascending temperatures of the columns [GeV].
    rate: Gamma/(G_F^2 T^5), shape (len(p_over_T), len(T)), all positive.
    flavor: the active flavour the table is for (``e``, ``mu``, ``tau``).
    name: label used in results and dataset attributes.
    """

    p_over_T: FloatArray
    T: FloatArray
    rate: FloatArray
    flavor: str = "mu"
    name: str = "table"
    _spline: RectBivariateSpline = field(init=False, repr=False)

    def __post_init__(self) -> None:
        try:
            x = np.asarray(self.p_over_T, dtype=float)
            T = np.asarray(self.T, dtype=float)
            rate = np.asarray(self.rate, dtype=float)
        except (TypeError, ValueError):
            raise InputError("rate table p/T, T and rate must be arrays of numbers") from None
        if x.ndim != 1 or T.ndim != 1 or x.size < 4 or T.size < 4:
            raise InputError("a rate table needs at least 4 values of p/T and 4 temperatures")
        if rate.shape != (x.size, T.size):
            raise InputError(f"rate table shape {rate.shape} does not match (p/T, T) = ({x.size}, {T.size})")
        if np.any(x <= 0) or np.any(np.diff(x) <= 0) or np.any(T <= 0) or np.any(np.diff(T) <= 0):
            raise InputError("rate table p/T and T must be positive and strictly increasing")
        if not np.all(np.isfinite(rate)) or np.any(rate <= 0):
            raise InputError("rate table values must be positive and finite (the spline is in ln rate)")
        from .sm import check_flavor  # sm imports this module

        object.__setattr__(self, "flavor", check_flavor(self.flavor))
        for name, value in (("p_over_T", x), ("T", T), ("rate", rate)):
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        from scipy.interpolate import RectBivariateSpline  # here: scipy.interpolate costs ~0.3 s to import

        scaled = np.log(rate / x[:, None])  # ln(Gamma/(G_F^2 p T^4))
        object.__setattr__(self, "_spline", RectBivariateSpline(np.log(x), np.log(T), scaled, kx=3, ky=3, s=0))

    @classmethod
    def from_file(cls, path: str | Path, *, flavor: str = "mu", T_unit: float = 1e-3,
                  drop: tuple[float, float] | None = None, name: str | None = None) -> SMRateTable:
        """Read a table in sterile-dm's format (module docstring).

        T_unit: the header temperatures in GeV (default 1e-3: MeV, as sterile-dm).
        drop: (T_lo, T_hi) [GeV]: drop the columns with T_lo < T < T_hi (sterile-dm's default
            interpolation is ``drop=STERILE_DM_GAP``).
        """
        try:
            with open(path) as handle:
                header = [line for line in handle if line.lstrip().startswith("#")]
            data = np.loadtxt(path, comments="#", ndmin=2)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read rate table {path}: {exc}") from None
        T = _temperatures_from_header(header)
        if T is None:
            raise InputError(f"rate table {path} has no comment line listing the temperatures")
        if data.shape[1] != T.size + 1:
            raise InputError(f"rate table {path}: {data.shape[1] - 1} rate columns for {T.size} temperatures")
        table = cls(data[:, 0], T * T_unit, data[:, 1:], flavor=flavor, name=name or Path(path).stem)
        return table if drop is None else table.without_columns(*drop)

    def without_columns(self, T_lo: float, T_hi: float) -> SMRateTable:
        """The table without the temperature columns strictly between T_lo and T_hi [GeV]."""
        keep = (self.T <= T_lo) | (self.T >= T_hi)
        return SMRateTable(self.p_over_T, self.T[keep], self.rate[:, keep], flavor=self.flavor,
                           name=f"{self.name} (no columns in {T_lo:g}-{T_hi:g} GeV)")

    @property
    def digest(self) -> str:
        """SHA-256 of the table's numbers and flavour (identifies it in scan stores and attributes)."""
        h = hashlib.sha256(self.flavor.encode())
        for array in (self.p_over_T, self.T, self.rate):
            h.update(np.ascontiguousarray(array).tobytes())
        return h.hexdigest()

    def scaled_rate(self, x: ArrayLike, T: ArrayLike) -> FloatArray:
        """Gamma/(G_F^2 p T^4) at p/T = x and T [GeV] (broadcast), held at the table's edges."""
        x, T = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(T, dtype=float))
        lx = np.clip(np.log(x), np.log(self.p_over_T[0]), np.log(self.p_over_T[-1]))
        lt = np.clip(np.log(T), np.log(self.T[0]), np.log(self.T[-1]))
        return np.exp(self._spline.ev(lx, lt))

    def gamma(self, E: ArrayLike, T: ArrayLike, flavor: str | None = None) -> FloatArray:
        """Collision rate Gamma [GeV] of an active neutrino of energy E at temperature T."""
        if flavor is not None:
            from .sm import check_flavor

            if check_flavor(flavor) != self.flavor:
                raise InputError(f"rate table {self.name!r} is for nu_{self.flavor}, not nu_{check_flavor(flavor)}")
        E, T = np.asarray(E, dtype=float), np.asarray(T, dtype=float)
        return self.scaled_rate(E / T, T) * G_F**2 * E * T**4

    def __repr__(self) -> str:
        return (f"SMRateTable(name={self.name!r}, flavor={self.flavor!r}, p/T {self.p_over_T[0]:g}-"
                f"{self.p_over_T[-1]:g}, T {self.T[0]:g}-{self.T[-1]:g} GeV, {self.T.size} columns)")
