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
from .production import Model, _validate_model, effective_hubble, kinetics_of, sin2_2theta_eff
from .sm import SMInput, check_sm, sm_potential, sm_rate
from .sterile import SterileNeutrino
from .validate import MAX_POINTS_PER_DECADE, in_domain, integer

__all__ = ["Diagnostics", "diagnose", "classify_regimes", "REGIMES"]

#: Regime labels; codes are indices into this tuple.
REGIMES: tuple[str, ...] = ("A", "B", "C", "DW")

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


def classify_regimes(df4: FloatArray, gamma: FloatArray, pot: FloatArray, gamma_v: FloatArray,
                     gamma_on: FloatArray, v_v: FloatArray, delta: FloatArray) -> tuple[NDArray[np.int_], ...]:
    """Production regime from arrays along z (last axis, z increasing) at fixed x; leading axes batch.

    Rules (see :class:`Diagnostics`), evaluated at the peak of d f4/d ln z: DW if V changes neither
    Gamma nor V_T by 10%; A if the off-shell part dominates Gamma_V; else B before z1, C after it.
    Returns (codes into :data:`REGIMES`, index of the peak, index of z1).
    """
    n_z = df4.shape[-1]
    i_peak = np.argmax(df4, axis=-1)
    suppressed = delta < np.maximum(np.abs(pot), 0.5 * gamma)
    last = n_z - 1 - np.argmax(suppressed[..., ::-1], axis=-1)
    i1 = np.where(suppressed.any(axis=-1), np.minimum(last + 1, n_z - 1), 0)

    def at_peak(arr: FloatArray) -> FloatArray:
        return np.take_along_axis(arr, i_peak[..., None], axis=-1)[..., 0]

    gv, gon, vv = at_peak(gamma_v), at_peak(gamma_on), at_peak(v_v)
    g_sm, v_sm = at_peak(gamma) - gv, at_peak(pot) - vv
    code = np.where(i_peak < i1, REGIMES.index("B"), REGIMES.index("C"))
    code = np.where(gon < 0.5 * gv, REGIMES.index("A"), code)
    code = np.where((gv < 0.1 * g_sm) & (np.abs(vv) < 0.1 * np.abs(v_sm)), REGIMES.index("DW"), code)
    return code, i_peak, i1


def _hierarchy(z0: float, z1: float, z2: float) -> str:
    names = sorted((("z0", z0), ("z1", z1), ("z2", z2)), key=lambda p: p[1])
    return " < ".join(n for n, _ in names)


def diagnose(dm: SterileNeutrino, model: Model, x: float = 1.0, *, sm: SMInput = "paper",
             gstar: GStarModel = DEFAULT_GSTAR, T_max: float | None = None, T_final: float = T_FINAL,
             points_per_decade: int = 100) -> Diagnostics:
    """Gamma/H, theta_eff/theta and d f4/d ln z versus z at fixed x (Fig. 5), with z0, z1, z2 and
    the production regime (section III A).

    Raises :class:`~secretnu.errors.InputError` for a bad argument, before computing (x in
    1e-3 .. 300, T_final < T_max within 1e-6 .. 1e4 GeV, see :mod:`secretnu.validate`)."""
    if not isinstance(dm, SterileNeutrino):
        raise InputError(f"dm must be a SterileNeutrino, got {type(dm).__name__}")
    if model is None:
        raise InputError("diagnose needs a model with a vector boson")
    _validate_model(dm, model)
    x = in_domain(x, "x", "x = E/T")
    sm = check_sm(sm)
    if T_max is None:
        T_max = min(1e3, max(10.0, 30.0 * model.default_t_max()))
    T_max = in_domain(T_max, "T", "T_max", " GeV")
    T_final = in_domain(T_final, "T", "T_final", " GeV")
    if not T_final < T_max:
        raise InputError(f"need T_final < T_max, got T_final={T_final}, T_max={T_max}")
    points_per_decade = integer(points_per_decade, "points_per_decade", lo=4, hi=MAX_POINTS_PER_DECADE)
    if not isinstance(gstar, GStarModel):
        raise InputError(f"gstar must be a GStarModel (e.g. secretnu.SaikawaShirai2018()), got {gstar!r}")
    n = math.ceil(points_per_decade * math.log10(T_max / T_final)) + 1
    T = np.geomspace(T_max, T_final, n)
    z = MU_REF / T
    E = x * T
    gamma_v, v_v, gamma_on = model.rate(E, T), model.potential(E, T), model.on_shell_rate(E, T)
    kinetics = kinetics_of(sm)
    gamma_v, gamma_on = kinetics.model_rate_scale * gamma_v, kinetics.model_rate_scale * gamma_on
    gamma = sm_rate(E, T, dm.flavor, sm) + gamma_v
    pot = sm_potential(E, T, dm.flavor, sm) + v_v
    H = hubble(T, gstar)
    s2 = sin2_2theta_eff(dm, E, gamma, pot)
    df4 = gamma / (4 * effective_hubble(T, gstar, kinetics)) * s2 / (1 + math.exp(x))
    delta = dm.mass**2 / (2 * E)

    above = np.nonzero(gamma >= H)[0]
    z0 = float(z[above[-1]]) if above.size else float(z[0])
    z2 = MU_REF / model.m_V  # type: ignore[attr-defined]
    code, i_peak, i1 = classify_regimes(df4, gamma, pot, gamma_v, gamma_on, v_v, delta)
    z1, z_peak, regime = float(z[i1]), float(z[i_peak]), REGIMES[int(code)]
    return Diagnostics(x=float(x), z=z, T=T, gamma_over_H=gamma / H,
                       theta_eff_over_theta=np.sqrt(s2 / dm.sin2_2theta), df4_dlnz=df4,
                       z0=z0, z1=z1, z2=z2, z_peak=z_peak, regime=regime,
                       hierarchy=_hierarchy(z0, z1, z2), dm=dm, model=model)
