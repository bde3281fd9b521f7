"""Bounds on the gauged L_mu - L_tau and B - L bosons that follow from physics alone (paper sections IV, V).

- Anomalous magnetic moments: the one-loop vector contribution
  Delta a_l = (g^2 / 4 pi^2) Int_0^1 dx x^2 (1 - x) / (x^2 + (1 - x) m_V^2 / m_l^2),
  which tends to g^2/(8 pi^2) for m_V << m_l and to g^2 m_l^2/(12 pi^2 m_V^2) for m_V >> m_l.
- Neutrino trident nu_mu N -> nu_mu N mu+ mu- (CCFR), heavy-V limit (Altmannshofer et al.,
  arXiv:1406.2332): V adds a vector (nubar nu)(mubar mu) contact term, so
  sigma / sigma_SM = [(1 + 4 s_W^2 + 2 v^2 g^2/m_V^2)^2 + 1] / [(1 + 4 s_W^2)^2 + 1]
  against CCFR's 0.82 +- 0.28 (95% CL: ratio < 0.82 + 1.96 x 0.28). Valid where m_V is well above
  the momentum transfer of the process, taken as m_V >= 1 GeV; lighter V are not bounded here.
"""

from __future__ import annotations

import numpy as np

from .. import constants as C
from ..errors import InputError
from ..quadrature import gauss_legendre, panel
from .base import Constraint, Measurement

__all__ = ["delta_a", "trident_ratio", "trident_scale_limit", "g2_constraints", "trident", "G2_INPUTS"]

#: Delta a = a_exp - a_SM, with 1 sigma: the value the paper's (g-2)_mu band used and today's.
G2_INPUTS: dict[str, Measurement] = {
    "Delta a_mu (paper)": Measurement(279e-11, "+- 76e-11", "Muon g-2 Theory Initiative 2020 (arXiv:2006.04822) vs E821"),
    "Delta a_mu (current)": Measurement(38e-11, "+- 63e-11", "WP25 (arXiv:2505.21476) vs FNAL final world average, 2025"),
    "Delta a_e (Rb)": Measurement(4.8e-13, "+- 3.0e-13", "a_e (Fan et al. 2023) vs alpha(Rb) (Morel et al. 2020)"),
}
_CCFR = Measurement(0.82, "+- 0.28", "CCFR, Mishra et al., PRL 66 (1991) 3117")


def delta_a(m_V: np.ndarray, coupling: float | np.ndarray = 1.0, m_lepton: float = C.M_MU) -> np.ndarray:
    """One-loop vector contribution to a_l = (g-2)_l / 2 (module docstring)."""
    m = np.atleast_1d(np.asarray(m_V, dtype=float))
    r = (m / m_lepton)[:, None] ** 2
    # the integrand switches on at x ~ sqrt(r) for a light V: geometric panels resolve any scale
    edges = np.concatenate([[0.0], np.geomspace(1e-7, 1.0, 36)])
    t, wt = gauss_legendre(16)
    x, w = panel(edges[:-1], edges[1:], 0.5 * (t + 1), 0.5 * wt)
    x, w = x.ravel()[None, :], w.ravel()[None, :]
    loop = np.sum(w * x * x * (1 - x) / (x * x + (1 - x) * r), axis=1)
    out = np.asarray(coupling, dtype=float) ** 2 / (4 * np.pi**2) * loop
    return out.reshape(np.shape(m_V)) if np.ndim(m_V) else float(out[0])  # type: ignore[return-value]


def trident_ratio(m_V: np.ndarray, coupling: float | np.ndarray) -> np.ndarray:
    """sigma(trident) / sigma_SM in the heavy-V (contact) limit."""
    a = 1 + 4 * C.SIN2_THETA_W
    x = 2 * C.V_HIGGS**2 * np.asarray(coupling, dtype=float) ** 2 / np.asarray(m_V, dtype=float) ** 2
    return ((a + x) ** 2 + 1) / (a**2 + 1)


def trident_scale_limit(ratio_max: float | None = None) -> float:
    """Lower bound on m_V / g [GeV] from the CCFR trident rate (95% CL by default)."""
    r = _CCFR.value + 1.96 * 0.28 if ratio_max is None else ratio_max
    a = 1 + 4 * C.SIN2_THETA_W
    x = np.sqrt(r * (a * a + 1) - 1) - a
    return float(np.sqrt(2 * C.V_HIGGS**2 / x))


def trident(model: str = "lmu-ltau", m_min: float = 1.0) -> Constraint:
    """CCFR trident bound g < m_V / Lambda for m_V >= m_min [GeV] (contact limit)."""
    scale = trident_scale_limit()

    def edges(m):
        ok = m >= m_min
        return np.where(ok, m / scale, np.nan), np.where(ok, np.inf, np.nan)

    return Constraint("CCFR trident", "limit", model, "upper",
                      "Altmannshofer et al., PRL 113 (2014) 091801, arXiv:1406.2332", edges,
                      {"sigma/sigma_SM": _CCFR, "m_V/g min": Measurement(scale, "GeV", "this formula, 95% CL")},
                      note=f"contact limit, valid for m_V >= {m_min:g} GeV")


def _coupling_for(target: float, m: np.ndarray, m_lepton: float) -> np.ndarray:
    return np.sqrt(target / delta_a(m, 1.0, m_lepton))


def g2_constraints(model: str, include_preferred: bool = True) -> list[Constraint]:
    """(g-2) bounds: muon for both models, electron for B - L; the paper's preferred (g-2)_mu band."""
    if model not in ("lmu-ltau", "b-l"):
        raise InputError("g-2 bounds are defined for the gauged models 'lmu-ltau' and 'b-l'")
    cur = G2_INPUTS["Delta a_mu (current)"]
    sigma = 63e-11
    out = [Constraint("(g-2)_mu", "limit", model, "upper", cur.source,
                      lambda m: (_coupling_for(cur.value + 2 * sigma, m, C.M_MU), np.full_like(m, np.inf)),
                      {"Delta a_mu": cur}, note="2 sigma upper limit on a positive contribution")]
    if include_preferred:
        old = G2_INPUTS["Delta a_mu (paper)"]
        lo, hi = old.value - 2 * 76e-11, old.value + 2 * 76e-11
        out.append(Constraint("(g-2)_mu preferred (2020)", "preferred", model, "band", old.source,
                              lambda m: (_coupling_for(lo, m, C.M_MU), _coupling_for(hi, m, C.M_MU)),
                              {"Delta a_mu": old}, note="2 sigma band, as in the paper's Fig. 7"))
    if model == "b-l":
        ae = G2_INPUTS["Delta a_e (Rb)"]
        out.append(Constraint("(g-2)_e", "limit", model, "upper", ae.source,
                              lambda m: (_coupling_for(ae.value + 2 * 3.0e-13, m, C.M_E), np.full_like(m, np.inf)),
                              {"Delta a_e": ae}, note="2 sigma upper limit, Rb value of alpha (the weaker one)"))
    return out
