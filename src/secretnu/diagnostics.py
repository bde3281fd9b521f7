"""Production diagnostics of Fig. 5 and the regimes A, B, C of section III A."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .constants import MU_REF, T_FINAL
from .cosmology import DEFAULT_GSTAR, GStarModel, hubble
from .errors import InputError
from .production import Model, active_rates, sin2_2theta_eff, _validate_model
from .sterile import SterileNeutrino

__all__ = ["Diagnostics", "diagnose"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Diagnostics:
    """Fig. 5 rows at fixed x = E/T, and the time scales of section III A.

    z0: last time Gamma/H = 1 (active neutrinos leave equilibrium).
    z1: time after which D = m4^2/(2E) exceeds max(|V_T|, Gamma/2), so theta_eff ~ theta.
    z2: mu/m_V (V becomes too heavy to be produced).
    z_peak: maximum of d f4/d ln z.
    regime: "A" (off-shell V exchange dominates the rate at the production peak, T << m_V),
        "B" (on-shell V dominates while theta_eff is still suppressed, z_peak < z1),
        "C" (on-shell V with theta_eff ~ theta, z_peak > z1), or "DW" (V negligible at the peak).
    hierarchy: the ordering of z0, z1, z2 as defined in the paper (A: z2<z1<z0, B: z2<z0<z1,
        C: z1<z2<z0). At benchmark B, Gamma/H stays above 1 down to T ~ 1 MeV (off-shell + SM
        scattering), so the literal ordering reads z2<z1<z0; the regime label therefore follows
        the paper's physical description of each case rather than this ordering.
    """

    x: float
    z: FloatArray = field(repr=False)
    T: FloatArray = field(repr=False)
    gamma_over_H: FloatArray = field(repr=False)
    theta_eff_over_theta: FloatArray = field(repr=False)
    df4_dlnz: FloatArray = field(repr=False)
    z0: float
    z1: float
    z2: float
    z_peak: float
    regime: str
    hierarchy: str
    dm: SterileNeutrino = field(repr=False)
    model: Any = field(repr=False, default=None)

    def to_dict(self) -> dict[str, Any]:
        return {"x": self.x, "z0": self.z0, "z1": self.z1, "z2": self.z2, "z_peak": self.z_peak,
                "regime": self.regime, "hierarchy": self.hierarchy}


def _hierarchy(z0: float, z1: float, z2: float) -> str:
    names = sorted((("z0", z0), ("z1", z1), ("z2", z2)), key=lambda p: p[1])
    return " < ".join(n for n, _ in names)


def diagnose(dm: SterileNeutrino, model: Model, x: float = 1.0, *, sm: str = "paper",
             gstar: GStarModel = DEFAULT_GSTAR, T_max: float | None = None, T_final: float = T_FINAL,
             points_per_decade: int = 100) -> Diagnostics:
    """Gamma/H, theta_eff/theta and d f4/d ln z versus z at fixed x (Fig. 5), with z0, z1, z2 and
    the production regime (section III A)."""
    if model is None:
        raise InputError("diagnose needs a model with a vector boson")
    _validate_model(dm, model)
    if not (isinstance(x, (int, float)) and math.isfinite(x) and x > 0):
        raise InputError(f"x = E/T must be positive, got {x!r}")
    if T_max is None:
        T_max = min(1e3, max(10.0, 30.0 * model.default_t_max()))
    n = int(math.ceil(points_per_decade * math.log10(T_max / T_final))) + 1
    T = np.geomspace(T_max, T_final, n)
    z = MU_REF / T
    E = x * T
    gamma, pot = active_rates(dm, model, E, T, sm)
    H = hubble(T, gstar)
    s2 = sin2_2theta_eff(dm, E, gamma, pot)
    df4 = gamma / (4 * H) * s2 / (1 + math.exp(x))
    delta = dm.mass**2 / (2 * E)

    above = np.nonzero(gamma >= H)[0]
    z0 = float(z[above[-1]]) if above.size else float(z[0])
    suppressed = np.nonzero(delta < np.maximum(np.abs(pot), 0.5 * gamma))[0]
    z1 = float(z[min(suppressed[-1] + 1, n - 1)]) if suppressed.size else float(z[0])
    z2 = MU_REF / model.m_V
    i = int(np.argmax(df4))
    z_peak = float(z[i])

    rate_v = model.rate(E[i], T[i])
    on_shell = getattr(model, "on_shell_rate", None)
    on = float(on_shell(E[i], T[i])) if on_shell is not None else 0.0
    v_pot = model.potential(E[i], T[i])
    if rate_v < 0.1 * (gamma[i] - rate_v) and abs(v_pot) < 0.1 * abs(pot[i] - v_pot):
        regime = "DW"
    elif on < 0.5 * rate_v:
        regime = "A"
    else:
        regime = "B" if z_peak < z1 else "C"
    return Diagnostics(x=float(x), z=z, T=T, gamma_over_H=gamma / H,
                       theta_eff_over_theta=np.sqrt(s2 / dm.sin2_2theta), df4_dlnz=df4,
                       z0=z0, z1=z1, z2=z2, z_peak=z_peak, regime=regime,
                       hierarchy=_hierarchy(z0, z1, z2), dm=dm, model=model)
