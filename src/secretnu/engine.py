"""Fast evaluation of Omega h^2 on columns of fixed m_V (the engine behind scans and curves).

All three models: the gauged ones add channel integrals with T-dependent weights (a, b, c) from
:meth:`secretnu.gauged.GaugedVector.channel_weights`; tabulated in :mod:`secretnu.tables`.

For fixed (dm, m_V) every kernel lookup is shared by all couplings of the column:

    V_V     = c^2 P_V                      P_V   = T G(x, m/T)
    Gamma_V = c^4 (P_on/gw + P_off - gw P_c),  P_on, P_off, P_c = T m^2/(8 pi^2 E^2) x (J_on, J_off, pi C1)

(see :mod:`secretnu.tables`), so a coupling costs only arithmetic on the (z, x) grid. One extra
x = 1 node with zero weight carries the Fig. 5 diagnostics used for the regime label. A coupling
whose in-medium resonance closes inside the x range (production.resonance_onsets) is redone on
the onset-resolving momentum rule with its own lookups, as the exact path does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .constants import MU_REF, RHO_C_H2_GEV_CM3, S0_CM3, T_FINAL
from .cosmology import DEFAULT_GSTAR, GStarModel
from .diagnostics import REGIMES, classify_regimes
from .errors import InputError
from .models import make_model
from .neutrinophilic import on_shell_J, width_correction_C1, width_correction_residue
from .production import (
    crossing_counts,
    effective_hubble,
    kinetics_of,
    momentum_rule,
    onset_gaps,
    resonance_onsets,
    z_interval_integrals,
)
from .sm import SMInput, sm_potential, sm_rate
from .sterile import SterileNeutrino
from .tables import KernelTables, kernel_tables

__all__ = ["FastGrid", "column_omega", "fast_window", "REGIMES"]

FloatArray = NDArray[np.float64]


def fast_window(m_V: float) -> float:
    """Upper end of the T window used by the fast engine [GeV]."""
    return min(1e3, max(20.0, 30.0 * m_V))


@dataclass(frozen=True)
class FastGrid:
    """The (z, x) grid and every coupling-independent array of one column."""

    T: FloatArray          # (n_z,)
    lnz: FloatArray        # (n_z,)
    x: FloatArray          # (n_x + 1,), last node is x = 1 (zero weight)
    w: FloatArray          # (n_x + 1,), weights of Int dx x^2 f_nu(x) (production.momentum_rule)
    prefactor: FloatArray  # (n_z,) T^3/(2 pi^2 H s)
    delta: FloatArray      # (n_z, n_x+1) m4^2/(2E)
    gamma_sm: FloatArray   # (n_z, n_x+1)
    v_sm: FloatArray       # (n_z, n_x+1)
    hubble: FloatArray     # (n_z,) d ln T/dt (H, or H over the entropy-heating factor)
    states: int = 1        # sterile states counted (production.Kinetics)
    model_rate_scale: float = 1.0
    dm: SterileNeutrino | None = None  # the sterile neutrino the grid was built for
    sm: SMInput = "paper"   # a name or an SMRateTable
    n_x: int = 30
    rho_c: float = RHO_C_H2_GEV_CM3  # Omega h^2 = Y s0 m4 / rho_c (production.Kinetics)

    @classmethod
    def build(cls, dm: SterileNeutrino, T_max: float, *, T_final: float = T_FINAL, points_per_decade: int = 40,
              n_x: int = 30, gstar: GStarModel = DEFAULT_GSTAR, sm: SMInput = "paper") -> FastGrid:
        n_z = math.ceil(points_per_decade * math.log10(T_max / T_final)) + 1
        T = np.geomspace(T_max, T_final, n_z)
        xs, ws = momentum_rule(n_x)
        x = np.append(xs, 1.0)
        w = np.append(ws, 0.0)
        kinetics = kinetics_of(sm)
        H = effective_hubble(T, gstar, kinetics)
        prefactor = 45.0 / (4 * math.pi**4 * gstar.g_s(T) * H)
        grid = cls(T=T, lnz=np.log(MU_REF / T), x=x, w=w, prefactor=prefactor, delta=np.empty(0),
                   gamma_sm=np.empty(0), v_sm=np.empty(0), hubble=H, states=kinetics.states,
                   model_rate_scale=kinetics.model_rate_scale, dm=dm, sm=sm, n_x=n_x, rho_c=kinetics.rho_c)
        delta, gamma_sm, v_sm = grid.sm_terms(x)
        return replace(grid, delta=delta, gamma_sm=gamma_sm, v_sm=v_sm)

    def sm_terms(self, x: FloatArray, rows: slice = slice(None)) -> tuple[FloatArray, FloatArray, FloatArray]:
        """m4^2/(2E), Gamma_SM and V_SM on (T[rows], x)."""
        if self.dm is None:
            raise InputError("this FastGrid was built without its sterile neutrino")
        T = self.T[rows, None]
        E = np.asarray(x, dtype=float)[None, :] * T
        return (self.dm.mass**2 / (2 * E), sm_rate(E, T, self.dm.flavor, self.sm),
                sm_potential(E, T, self.dm.flavor, self.sm))


@dataclass(frozen=True)
class _Kernels:
    """Coupling-independent model kernels on (T, x) for one m_V (module docstring)."""

    p_on: FloatArray
    p_off: FloatArray
    p_c: FloatArray
    p_v: FloatArray


class _Column:
    """Kernel lookups of one column (fixed dm, m_V), at the grid's nodes or at any other x."""

    def __init__(self, reference: Any, tables: KernelTables, grid: FastGrid, m_V: float) -> None:
        self.tables, self.grid, self.m_V = tables, grid, m_V
        self.weights = tuple(w[:, None] for w in reference.channel_weights(grid.T))
        self.channels = any(np.any(w) for w in self.weights)
        # a model with its own rate integrals (the scalar): (J_on, J_off, C1) from q and the tables
        self.custom = getattr(reference, "fast_rate_integrals", None)

    def potential(self, x: FloatArray, rows: slice = slice(None)) -> FloatArray:
        """P_V = T G(x, m/T) on (T[rows], x), by one tensor-product spline evaluation."""
        T = self.grid.T[rows]
        return np.ascontiguousarray(T[:, None] * self.tables.potential_G_outer(x, self.m_V / T).T)

    def kernels(self, x: FloatArray, rows: slice = slice(None), width_terms: bool = True) -> _Kernels:
        """Kernels on (T[rows], x); ``width_terms=False`` drops the O(gw) term P_c (zero), which is
        below 1e-6 of the rate when gw < 1e-6."""
        grid, m_V = self.grid, self.m_V
        T = grid.T[rows, None]
        E = x[None, :] * T
        q = 4 * E * T / m_V**2
        if self.custom is not None:
            j_on, j_off, c1 = self.custom(q, self.tables, width_terms)
            rate_pref = grid.model_rate_scale * T * m_V**2 / (8 * math.pi**2 * E**2)
            return _Kernels(p_on=rate_pref * j_on, p_off=rate_pref * j_off, p_c=rate_pref * math.pi * c1,
                            p_v=self.potential(x, rows))
        a, b, c = (w[rows] for w in self.weights)
        j_on, j_off = on_shell_J(q), self.tables.J_off(q)
        c1 = width_correction_C1(q) if width_terms else 0.0
        if self.channels:
            s_off, j_ll, j_lr = self.tables.channel_J(q)
            j_off = j_off + a * s_off + b * j_ll + c * j_lr
            if width_terms:
                c1 = c1 + a * width_correction_residue(q)
        # one state's share of Eq. 3.6 (production.Kinetics)
        rate_pref = grid.model_rate_scale * T * m_V**2 / (8 * math.pi**2 * E**2)
        return _Kernels(p_on=rate_pref * (1 + a) * j_on, p_off=rate_pref * j_off, p_c=rate_pref * math.pi * c1,
                        p_v=self.potential(x, rows))


def _terms(kern: _Kernels, delta: FloatArray, gamma_sm: FloatArray, v_sm: FloatArray, lam2: Any, gw: Any,
           c2t: float, sin2_2theta: float) -> tuple[FloatArray, ...]:
    """The pieces of Eq. 2.5 at couplings lam2 = c^2 and widths gw = gamma_V/m (broadcast on the front)."""
    gamma_on = lam2 * lam2 * kern.p_on / gw
    gamma_v = gamma_on + lam2 * lam2 * (kern.p_off - gw * kern.p_c)
    v_v = lam2 * kern.p_v
    gamma = gamma_sm + gamma_v
    pot = v_sm + v_v
    mixing = delta**2 * sin2_2theta
    return gamma, pot, gamma_v, gamma_on, v_v, mixing, mixing + 0.25 * gamma * gamma, delta * c2t - pot


def column_omega(dm: SterileNeutrino, m_V: float, couplings: ArrayLike, *, model: Any = "neutrinophilic",
                 width: float | str | None = None, counting: str | None = None, grid: FastGrid | None = None,
                 tables: KernelTables | None = None, chunk: int = 8) -> tuple[FloatArray, FloatArray]:
    """Omega h^2 and regime codes (index into :data:`REGIMES`) for a vector of mass m_V at each
    coupling. ``model`` is a registry name (neutrinophilic, lmu-ltau, b-l); ``width`` (neutrinophilic)
    and ``counting`` (gauged models) are passed to it. ``grid`` must have been built for ``dm``.

    Couplings at which an in-medium resonance switches on inside the x range are redone on the
    composite momentum rule of :func:`~secretnu.production.momentum_rule`, with the onsets found by
    :func:`~secretnu.production.resonance_onsets`, as the exact path does.
    """
    couplings = np.atleast_1d(np.asarray(couplings, dtype=float))
    if couplings.size == 0 or not np.all(np.isfinite(couplings)) or np.any(couplings <= 0):
        raise InputError("couplings must be positive and finite")
    options = {"flavor": dm.flavor, "width": width, "counting": counting}
    if isinstance(model, str):
        reference = make_model(model, m_V, float(couplings.max()), **options)  # validates everything
    else:  # a model instance (e.g. a GaugedU1 with custom charges): its options, this m_V and flavour
        mass = "m_phi" if hasattr(model, "m_phi") else "m_V"  # the scalar names its mass m_phi
        reference = replace(model, **{mass: m_V, "coupling": float(couplings.max()), "flavor": dm.flavor})
    tables = tables or kernel_tables()
    grid = grid or FastGrid.build(dm, fast_window(m_V))
    if grid.dm is None or grid.dm != dm:
        raise InputError("grid must be built by FastGrid.build for this sterile neutrino")
    column = _Column(reference, tables, grid, m_V)
    kern = column.kernels(grid.x)
    if isinstance(width, (int, float)):
        gws = np.full_like(couplings, float(width) / m_V)
    else:  # every model's width scales as coupling^2 at fixed m_V
        gws = couplings**2 * reference.gamma_V / (reference.coupling**2 * m_V)

    # a charged U(1)' acts as a unit-charge model with coupling |Q_a| g (secretnu.gauged_u1)
    effective = couplings * getattr(reference, "coupling_scale", 1.0)
    omega = np.empty(couplings.size)
    regime = np.empty(couplings.size)
    c2t, s2t = dm.cos_2theta, dm.sin2_2theta
    to_omega = grid.states * S0_CM3 * dm.mass / grid.rho_c
    x_base = grid.x[:-1]
    for start in range(0, couplings.size, chunk):
        lam2 = effective[start:start + chunk, None, None] ** 2
        gw = gws[start:start + chunk, None, None]
        gamma, pot, gamma_v, gamma_on, v_v, mixing, width2, detuning = _terms(
            kern, grid.delta, grid.gamma_sm, grid.v_sm, lam2, gw, c2t, s2t)
        numerator = grid.prefactor[:, None] * 0.25 * gamma * mixing
        Y = z_interval_integrals(numerator, width2, detuning, grid.lnz) @ grid.w
        omega[start:start + chunk] = to_omega * Y
        g = 0.25 * gamma[..., -1] * mixing[:, -1] / (width2[..., -1] + detuning[..., -1] ** 2)
        regime[start:start + chunk] = classify_regimes(g / grid.hubble, gamma[..., -1], pot[..., -1],
                                                       gamma_v[..., -1], gamma_on[..., -1], v_v[..., -1],
                                                       grid.delta[:, -1])[0]
        counts = crossing_counts(detuning[..., :-1])
        for i in np.nonzero(np.any(onset_gaps(counts, x_base), axis=-1))[0]:
            rows = _active_rows(numerator[i] / (width2[i] + detuning[i] ** 2) @ grid.w, detuning[i])
            resolved = _resolved_yield(column, detuning[i, :, :-1], lam2.item(i), gw.item(i), c2t, s2t, rows)
            if resolved is not None:
                omega[start + i] = to_omega * resolved
    return omega, regime


def _active_rows(profile: FloatArray, detuning: FloatArray, floor: float = 1e-9, pad: int = 4) -> slice:
    """The z rows that matter: where the production rate exceeds ``floor`` of its peak or the
    detuning changes sign (a resonance, possibly narrower than the grid), padded by ``pad`` rows."""
    keep = profile > floor * profile.max()
    keep[:-1] |= np.any(np.diff(detuning > 0, axis=0), axis=1)
    where = np.nonzero(keep)[0]
    if where.size == 0:
        return slice(None)
    return slice(max(int(where[0]) - pad, 0), int(where[-1]) + pad + 2)


def _resolved_yield(column: _Column, detuning: FloatArray, lam2: float, gw: float, c2t: float, s2t: float,
                    rows: slice = slice(None)) -> float | None:
    """Yield of one coupling on the momentum rule that resolves its resonance onsets (None: no onset),
    integrated over the z ``rows`` that carry the production."""
    grid = column.grid
    # at fixed T, m4^2/(2E) goes as 1/x and V_SM as x: scale the grid's x = 1 column
    delta_1, v_sm_1 = grid.delta[:, -1], grid.v_sm[:, -1]

    def detuning_at(x: float) -> FloatArray:
        return delta_1 * (c2t / x) - x * v_sm_1 - lam2 * column.potential(np.array([x]))[:, 0]

    onsets = resonance_onsets(detuning, grid.x[:-1], detuning_at)
    if not onsets:
        return None
    x, w = momentum_rule(grid.n_x, onsets)
    delta, gamma_sm, v_sm = grid.sm_terms(x, rows)
    kern = column.kernels(x, rows, width_terms=gw > 1e-6)
    gamma, _, _, _, _, mixing, width2, det = _terms(kern, delta, gamma_sm, v_sm, lam2, gw, c2t, s2t)
    numerator = grid.prefactor[rows, None] * 0.25 * gamma * mixing
    return float(z_interval_integrals(numerator, width2, det, grid.lnz[rows]) @ w)
