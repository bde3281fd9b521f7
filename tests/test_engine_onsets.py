"""The compiled onset path of the fast engine against the numpy reference code it replaces (issue 17).

engine._resolve_onsets resolves every onset coupling of a column at once in compiled passes; each
pass is checked here against the tested numpy functions doing the same step for one coupling:
production.resonance_onsets (with its Illinois steps) and engine._active_rows, production.momentum_rule,
engine._Column.kernels/potential, and engine._resolved_yield end to end; the compiled regime codes
against diagnostics.classify_regimes.
"""

from __future__ import annotations

import numpy as np
import pytest

from secretnu import SterileNeutrino, keV
from secretnu import engine as E
from secretnu.models import make_model
from secretnu.production import _X_EDGES, ONSET_X_RANGE, momentum_rule, resonance_onsets
from secretnu.quadrature import gauss_legendre
from secretnu.tables import kernel_tables

DM = SterileNeutrino(7.1 * keV, 7e-11)


def _column(model: str, m_V: float, couplings: np.ndarray) -> tuple[E._Column, E._Kernels, np.ndarray, np.ndarray]:
    grid = E._default_grid(DM, E.fast_window(m_V))
    reference = make_model(model, m_V, float(couplings.max()), flavor=DM.flavor)
    column = E._Column(reference, kernel_tables(), grid, m_V)
    kern = column.kernels(grid.x)
    gws = couplings**2 * reference.gamma_V / (reference.coupling**2 * m_V)
    return column, kern, couplings**2 * getattr(reference, "coupling_scale", 1.0) ** 2, gws


def _onset_couplings(model: str, m_V: float) -> tuple[E._Column, E._Kernels, np.ndarray, np.ndarray]:
    """The narrow couplings of a 200-coupling column that the main pass flags for onsets."""
    couplings = np.geomspace(1e-6, 0.3, 200)
    column, kern, lam2, gws = _column(model, m_V, couplings)
    grid = column.grid
    n = grid.n_x
    laid = E._layout(kern.p_on, kern.p_off, kern.p_c, kern.p_v)
    _, gaps = E._laid_yields([a[:n] for a in (*laid, *E._grid_layout(grid))], grid.prefactor, grid.x[:n],
                             grid.w[:n], float(grid.lnz[1] - grid.lnz[0]), lam2, gws, DM.cos_2theta, DM.sin2_2theta)
    keep = gaps & (gws < 0.01)
    assert keep.sum() >= 3, "the column must exercise the onset path"
    return column, kern, lam2[keep], gws[keep]


@pytest.mark.parametrize(("model", "m_V"), [("neutrinophilic", 0.05), ("b-l", 0.3)])
def test_onset_search_matches_resonance_onsets(model: str, m_V: float) -> None:
    from secretnu._kernels import onset_search

    column, kern, lam2, gws = _onset_couplings(model, m_V)
    grid, tables = column.grid, column.tables
    c2t, s2t = DM.cos_2theta, DM.sin2_2theta
    onsets, n_on = np.empty((lam2.size, grid.n_x)), np.zeros(lam2.size, dtype=np.int64)
    rows = np.empty((lam2.size, 2), dtype=np.int64)
    onset_search(*E._layout(kern.p_on, kern.p_off, kern.p_c, kern.p_v), *E._grid_layout(grid), grid.prefactor,
                 grid.w, grid.x, lam2, gws, c2t, s2t, ONSET_X_RANGE[0], ONSET_X_RANGE[1], 2, E.ONSET_ROW_FLOOR, 4,
                 column.g_rows(), tables._g_spline.tck[0], float(tables.ln_x[0]), float(tables.ln_x[-1]), grid.T,
                 column._r, onsets, n_on, rows)
    assert n_on.sum() >= 2  # onsets found, not only rows
    base = slice(0, grid.n_x)
    for k, (l2, gw) in enumerate(zip(lam2, gws, strict=True)):
        gamma = grid.gamma_sm + l2 * l2 * (kern.p_on / gw + kern.p_off - gw * kern.p_c)
        detuning = grid.delta * c2t - grid.v_sm - l2 * kern.p_v
        mixing = grid.delta**2 * s2t
        profile = (grid.prefactor[:, None] * 0.25 * gamma * mixing / (mixing + 0.25 * gamma**2 + detuning**2)) @ grid.w
        expected_rows = E._active_rows(profile, detuning)
        start, stop, _ = expected_rows.indices(grid.T.size)
        assert (rows[k, 0], rows[k, 1]) == (start, stop)

        def detuning_at(x: float, l2: float = l2) -> np.ndarray:
            return grid.delta[:, -1] * (c2t / x) - x * grid.v_sm[:, -1] - l2 * column.potential(np.array([x]))[:, 0]

        expected = resonance_onsets(detuning[:, base], grid.x[base], detuning_at)
        np.testing.assert_allclose(onsets[k, :n_on[k]], expected, rtol=1e-12)


def test_onset_rules_match_momentum_rule() -> None:
    from secretnu._kernels import onset_rules

    cases = [[0.3], [1.4, 7.0], [0.05, 3.6, 3.61, 15.0], [2.0, 2.0], [11.2]]
    onsets = np.zeros((len(cases), 4))
    counts = np.array([len(c) for c in cases])
    for k, c in enumerate(cases):
        onsets[k, :len(c)] = c
    for n_x in (30, 12):
        t, w = gauss_legendre(max(4, n_x // 6))
        X, W, offsets = onset_rules(onsets, counts, np.asarray(_X_EDGES), 0.5 * (t + 1), 0.5 * w)
        for k, c in enumerate(cases):
            x, wx = momentum_rule(n_x, c)
            np.testing.assert_allclose(X[offsets[k]:offsets[k + 1]], x, rtol=1e-14)
            np.testing.assert_allclose(W[offsets[k]:offsets[k + 1]], wx, rtol=1e-13)


def test_potential_column_matches_column_potential() -> None:
    from secretnu._kernels import potential_column

    column, _, _, _ = _column("neutrinophilic", 0.05, np.array([1e-3]))
    tables, grid = column.tables, column.grid
    out = np.zeros(grid.T.size)
    for x in (1e-4, 0.07, 1.0, 3.3, 39.0, 500.0):
        potential_column(x, column.g_rows(), tables._g_spline.tck[0], float(tables.ln_x[0]), float(tables.ln_x[-1]),
                         grid.T, column._r, 3, grid.T.size - 2, out)
        np.testing.assert_allclose(out[3:-2], column.potential(np.array([x]))[3:-2, 0], rtol=1e-13)


@pytest.mark.parametrize(("model", "m_V"), [("neutrinophilic", 0.05), ("lmu-ltau", 0.3), ("scalar", 0.05)])
def test_resolve_onsets_matches_one_coupling_path(model: str, m_V: float) -> None:
    """The batched compiled path gives _resolved_yield's number (the numpy path, one coupling)."""
    dm = SterileNeutrino(DM.mass, DM.sin2_2theta, flavor="tau") if model == "scalar" else DM
    couplings = np.geomspace(1e-6, 0.3, 200)
    grid = E._default_grid(dm, E.fast_window(m_V))
    reference = make_model(model, m_V, float(couplings.max()), flavor=dm.flavor)
    column = E._Column(reference, kernel_tables(), grid, m_V)
    kern = column.kernels(grid.x)
    gws = couplings**2 * reference.gamma_V / (reference.coupling**2 * m_V)
    lam2 = (couplings * getattr(reference, "coupling_scale", 1.0)) ** 2
    n = grid.n_x
    laid = E._layout(kern.p_on, kern.p_off, kern.p_c, kern.p_v)
    main, gaps = E._laid_yields([a[:n] for a in (*laid, *E._grid_layout(grid))], grid.prefactor, grid.x[:n],
                                grid.w[:n], float(grid.lnz[1] - grid.lnz[0]), lam2, gws, dm.cos_2theta, dm.sin2_2theta)
    pick = np.nonzero(gaps & (gws < 0.01))[0]
    assert pick.size >= 3
    batched = E._resolve_onsets(column, laid, lam2[pick], gws[pick], dm.cos_2theta, dm.sin2_2theta, main[pick])
    resolved = 0
    for value, k in zip(batched, pick, strict=True):
        one = E._resolved_yield(column, kern, lam2[k], gws[k], dm.cos_2theta, dm.sin2_2theta)
        assert value == pytest.approx(main[k] if one is None else one, rel=1e-12)
        resolved += one is not None and one != main[k]
    assert resolved >= 2


def test_compiled_regimes_match_classify_regimes() -> None:
    from secretnu.diagnostics import classify_regimes

    m_V = 0.05
    couplings = np.geomspace(1e-7, 1.0, 60)
    column, kern, lam2, gws = _column("neutrinophilic", m_V, couplings)
    grid = column.grid
    wide = gws >= 0.01
    gamma_v1 = np.zeros((couplings.size, grid.T.size))
    gamma_v1[wide] = 2.0 * kern.p_off[:, -1]  # any positive rate: the wide branch is a lookup
    codes = E._regimes(grid, E._layout(kern.p_on, kern.p_off, kern.p_c, kern.p_v), E._grid_layout(grid), lam2, gws,
                       gamma_v1, wide, DM.cos_2theta, DM.sin2_2theta)
    l2, gw = lam2[:, None], gws[:, None]
    gamma_on = l2 * l2 * kern.p_on[:, -1] / gw
    gamma_v = np.where(wide[:, None], l2 * l2 * gamma_v1, gamma_on + l2 * l2 * (kern.p_off[:, -1] - gw * kern.p_c[:, -1]))
    v_v = l2 * kern.p_v[:, -1]
    delta = grid.delta[:, -1]
    gamma = grid.gamma_sm[:, -1] + gamma_v
    pot = grid.v_sm[:, -1] + v_v
    mixing = delta**2 * DM.sin2_2theta
    g = 0.25 * gamma * mixing / (mixing + 0.25 * gamma * gamma + (delta * DM.cos_2theta - pot) ** 2)
    expected = classify_regimes(g / grid.hubble, gamma, pot, gamma_v, gamma_on, v_v, delta)[0]
    assert len(set(expected)) >= 3
    np.testing.assert_array_equal(codes, expected)
