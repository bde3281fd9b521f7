"""Bounds on a gauged U(1)' that follow from its charges alone (L_e - L_mu, L_e - L_tau, custom).

- (g-2)_l for every charged lepton l with Q_l != 0: the one-loop vector term of
  :func:`secretnu.constraints.gauged.delta_a` with coupling |Q_l| g (2 sigma upper limits on a
  positive contribution; the 2020 (g-2)_mu preferred band is added when Q_mu != 0).
- CCFR trident nu_mu N -> nu_mu N mu+ mu- when the muon generation is charged: the contact term
  is (g^2 Q_mu^2/m_V^2)(nubar_mu nu_mu)(mubar mu), so the bound g |Q_mu| < m_V/Lambda of
  :func:`secretnu.constraints.gauged.trident_scale_limit` (m_V >= 1 GeV).
- BBN / Delta N_eff: thermalisation gamma_V(g) > H(T = m_V) for m_V < 5 MeV
  (:func:`secretnu.constraints.cosmological.bbn`) with the width from the charges.

Electron couplings are bounded much more strongly by data (nu-e scattering at Borexino/TEXONO,
e+e- -> gamma V at BaBar, beam dumps): load them with ``limits=`` (Darkcast/CSV), they are not computed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import constants as C
from ..models.gauged_u1 import GaugedU1, u1_width
from .base import Constraint, Measurement
from .gauged import G2_INPUTS, _coupling_for, trident_scale_limit

__all__ = ["u1_constraints", "charges_of"]

_M_LEPTON = {"e": C.M_E, "mu": C.M_MU, "tau": C.M_TAU}
_G2_SIGMA = {"mu": 63e-11, "e": 3.0e-13}


def charges_of(model: Any) -> dict[str, float]:
    """The charges of a U(1)' instance, or of a registered U(1)' name ("le-lmu", "le-ltau")."""
    if isinstance(model, GaugedU1):
        return dict(model.charges)
    from ..models import MODELS, model_key

    return dict(MODELS[model_key(model)](1.0, 0.1).charges)


def u1_constraints(model: Any, key: str) -> list[Constraint]:
    """(g-2)_e, (g-2)_mu, CCFR trident and BBN for the charges of ``model`` (module docstring)."""
    q = charges_of(model)
    out: list[Constraint] = []
    if q.get("mu", 0.0):
        qm = abs(q["mu"])
        scale = trident_scale_limit()

        def trident_edges(m: np.ndarray, qm: float = qm) -> tuple[np.ndarray, np.ndarray]:
            ok = m >= 1.0
            return np.where(ok, m / (scale * qm), np.nan), np.where(ok, np.inf, np.nan)

        out.append(Constraint("CCFR trident", "limit", key, "upper",
                              "Altmannshofer et al., PRL 113 (2014) 091801, arXiv:1406.2332", trident_edges,
                              {"m_V/(g |Q_mu|) min": Measurement(scale, "GeV", "this formula, 95% CL")},
                              note="contact limit, valid for m_V >= 1 GeV"))
    for lepton, name in (("mu", "Delta a_mu (current)"), ("e", "Delta a_e (Rb)")):
        if not q.get(lepton, 0.0):
            continue
        ql, meas, sigma, ml = abs(q[lepton]), G2_INPUTS[name], _G2_SIGMA[lepton], _M_LEPTON[lepton]

        def g2_edges(m: np.ndarray, ql: float = ql, target: float = meas.value + 2 * sigma,
                     ml: float = ml) -> tuple[np.ndarray, np.ndarray]:
            return _coupling_for(target, m, ml) / ql, np.full_like(m, np.inf)

        out.append(Constraint(f"(g-2)_{lepton}", "limit", key, "upper", meas.source, g2_edges,
                              {name.split(" (")[0]: meas, f"|Q_{lepton}|": Measurement(ql, "", "charges")},
                              note="2 sigma upper limit on a positive contribution"))
    if q.get("mu", 0.0):
        old, qm = G2_INPUTS["Delta a_mu (paper)"], abs(q["mu"])
        lo, hi = old.value - 2 * 76e-11, old.value + 2 * 76e-11

        def band(m: np.ndarray, qm: float = qm) -> tuple[np.ndarray, np.ndarray]:
            return _coupling_for(lo, m, C.M_MU) / qm, _coupling_for(hi, m, C.M_MU) / qm

        out.append(Constraint("(g-2)_mu preferred (2020)", "preferred", key, "band", old.source, band,
                              {"Delta a_mu": old}, note="2 sigma band, as in the paper's Fig. 7"))
    return out


def u1_width_function(model: Any):
    """gamma_V(m_V, g) for the charges of ``model``."""
    charges = charges_of(model)
    return lambda m_V, g: u1_width(m_V, g, charges)
