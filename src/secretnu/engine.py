"""Fast evaluation of Omega h^2 on columns of fixed m_V (the engine behind scans and curves).

All three models: the gauged ones add channel integrals with T-dependent weights (a, b, c) from
:meth:`secretnu.gauged.GaugedVector.channel_weights`; tabulated in :mod:`secretnu.tables`.

For fixed (dm, m_V) every kernel lookup is shared by all couplings of the column:

    V_V     = c^2 P_V                      P_V   = T G(x, m/T)
    Gamma_V = c^4 (P_on/gw + P_off - gw P_c),  P_on, P_off, P_c = T m^2/(8 pi^2 E^2) x (J_on, J_off, pi C1)

(see :mod:`secretnu.tables`), so a coupling costs only arithmetic on the (z, x) grid. One extra
x = 1 node with zero weight carries the Fig. 5 diagnostics used for the regime label.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .constants import MU_REF, RHO_C_H2_GEV_CM3, S0_CM3, T_FINAL
from .cosmology import DEFAULT_GSTAR, GStarModel
from .diagnostics import REGIMES, classify_regimes
from .errors import InputError
from .models import make_model
from .neutrinophilic import on_shell_J, width_correction_C1, width_correction_residue
from .production import KINETICS, _x_nodes, effective_hubble, z_interval_integrals
from .sm import check_sm, sm_potential, sm_rate
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
    w: FloatArray          # (n_x + 1,), Gauss-Laguerre weights times f_nu e^x
    prefactor: FloatArray  # (n_z,) T^3/(2 pi^2 H s)
    delta: FloatArray      # (n_z, n_x+1) m4^2/(2E)
    gamma_sm: FloatArray   # (n_z, n_x+1)
    v_sm: FloatArray       # (n_z, n_x+1)
    hubble: FloatArray     # (n_z,) d ln T/dt (H, or H over the entropy-heating factor)
    states: int = 1        # sterile states counted (production.Kinetics)
    model_rate_scale: float = 1.0

    @classmethod
    def build(cls, dm: SterileNeutrino, T_max: float, *, T_final: float = T_FINAL, points_per_decade: int = 40,
              n_x: int = 30, gstar: GStarModel = DEFAULT_GSTAR, sm: str = "paper") -> "FastGrid":
        n_z = int(math.ceil(points_per_decade * math.log10(T_max / T_final))) + 1
        T = np.geomspace(T_max, T_final, n_z)
        xs, ws = _x_nodes(n_x)
        x = np.append(xs, 1.0)
        w = np.append(ws / (1 + np.exp(-xs)), 0.0)
        kinetics = KINETICS[check_sm(sm)]
        H = effective_hubble(T, gstar, kinetics)
        prefactor = 45.0 / (4 * math.pi**4 * gstar.g_s(T) * H)
        E = x[None, :] * T[:, None]
        return cls(T=T, lnz=np.log(MU_REF / T), x=x, w=w, prefactor=prefactor, delta=dm.mass**2 / (2 * E),
                   gamma_sm=sm_rate(E, T[:, None], dm.flavor, sm), v_sm=sm_potential(E, T[:, None], dm.flavor, sm),
                   hubble=H, states=kinetics.states, model_rate_scale=kinetics.model_rate_scale)


def column_omega(dm: SterileNeutrino, m_V: float, couplings: ArrayLike, *, model: str = "neutrinophilic",
                 width: float | str | None = None, counting: str | None = None, grid: FastGrid | None = None,
                 tables: KernelTables | None = None, chunk: int = 8) -> tuple[FloatArray, FloatArray]:
    """Omega h^2 and regime codes (index into :data:`REGIMES`) for a vector of mass m_V at each
    coupling. ``model`` is a registry name (neutrinophilic, lmu-ltau, b-l); ``width`` (neutrinophilic)
    and ``counting`` (gauged models) are passed to it. ``grid`` must have been built for ``dm``."""
    couplings = np.atleast_1d(np.asarray(couplings, dtype=float))
    if couplings.size == 0 or not np.all(np.isfinite(couplings)) or np.any(couplings <= 0):
        raise InputError("couplings must be positive and finite")
    options = {"flavor": dm.flavor, "width": width, "counting": counting}
    reference = make_model(model, m_V, float(couplings.max()), **options)  # validates everything
    tables = tables or kernel_tables()
    grid = grid or FastGrid.build(dm, fast_window(m_V))
    T = grid.T[:, None]
    E = grid.x[None, :] * T
    q = 4 * E * T / m_V**2
    rate_pref = T * m_V**2 / (8 * math.pi**2 * E**2)
    a, b, c = (w[:, None] for w in reference.channel_weights(grid.T))
    j_on, j_off, c1 = on_shell_J(q), tables.J_off(q), width_correction_C1(q)
    if np.any(a) or np.any(b) or np.any(c):
        s_off, j_ll, j_lr = tables.channel_J(q)
        j_off = j_off + a * s_off + b * j_ll + c * j_lr
        c1 = c1 + a * width_correction_residue(q)
    rate_pref = grid.model_rate_scale * rate_pref  # one state's share of Eq. 3.6 (production.Kinetics)
    p_on = rate_pref * (1 + a) * j_on
    p_off = rate_pref * j_off
    p_c = rate_pref * math.pi * c1
    p_v = T * tables.potential_G(grid.x[None, :], m_V / T)
    if isinstance(width, (int, float)):
        gws = np.full_like(couplings, float(width) / m_V)
    else:  # every model's width scales as coupling^2 at fixed m_V
        gws = couplings**2 * reference.gamma_V / (reference.coupling**2 * m_V)

    omega = np.empty(couplings.size)
    regime = np.empty(couplings.size)
    num = grid.delta**2 * dm.sin2_2theta
    c2t = dm.cos_2theta
    for start in range(0, couplings.size, chunk):
        lam = couplings[start:start + chunk, None, None]
        gw = gws[start:start + chunk, None, None]
        lam2 = lam * lam
        gamma_on = lam2 * lam2 * p_on / gw
        gamma_v = gamma_on + lam2 * lam2 * (p_off - gw * p_c)
        v_v = lam2 * p_v
        gamma = grid.gamma_sm + gamma_v
        pot = grid.v_sm + v_v
        numerator = grid.prefactor[:, None] * 0.25 * gamma * num
        width2 = num + 0.25 * gamma * gamma
        detuning = grid.delta * c2t - pot
        g = 0.25 * gamma * num / (width2 + detuning**2)
        Y = z_interval_integrals(numerator, width2, detuning, grid.lnz) @ grid.w
        omega[start:start + chunk] = grid.states * Y * S0_CM3 * dm.mass / RHO_C_H2_GEV_CM3
        regime[start:start + chunk] = classify_regimes(g[..., -1] / grid.hubble, gamma[..., -1], pot[..., -1],
                                                       gamma_v[..., -1], gamma_on[..., -1], v_v[..., -1],
                                                       grid.delta[:, -1])[0]
    return omega, regime
