"""Bounds that follow from cosmology for any of the models: BBN / Delta N_eff and the nu4 lifetime.

BBN (paper section III F, ref. [13]; for L_mu - L_tau Escudero et al., arXiv:1901.02010): a V that
reaches equilibrium with the neutrinos and is still relativistic at neutrino decoupling adds
Delta N_eff and is excluded for m_V below about 5 MeV. Method used here: V is in equilibrium once
its inverse decays nu nubar -> V outpace the expansion at T = m_V, i.e. gamma_V(g) > H(T = m_V);
so at m_V < m_max every coupling above g_th = sqrt(H(m_V) / gamma_V(g = 1)) is excluded.

nu4 lifetime (end of section III A): nu4 -> nu nu nubar through an off-shell V (m_V >> m4). The
exchange gives the contact term (g^2 / 2 m_V^2)(nubar gamma P_L nu)^2, so by the muon-decay formula
Gamma = n_nu g^4 sin^2(2 theta) m4^5 / (12288 pi^3 m_V^4), n_nu the neutrino flavours V couples to
(identical-particle interference changes the coefficient by O(1); the bound moves by its 4th root).
"""

from __future__ import annotations

import numpy as np

from .. import constants as C
from ..cosmology import hubble
from ..errors import InputError
from ..models.bminusl import bminusl_width
from ..models.gauged_u1 import LeLmu, LeLtau, u1_width
from ..models.lmu_ltau import lmu_ltau_width
from ..models.neutrinophilic import paper_width
from ..models.scalar import scalar_width
from ..sterile import SterileNeutrino
from ..units import MeV
from .base import Constraint, Measurement

__all__ = ["bbn", "lifetime", "nu4_decay_width", "thermalization_coupling", "WIDTHS", "NEUTRINO_FLAVOURS"]

#: gamma_V(m_V, g) of each model [GeV].
WIDTHS = {"neutrinophilic": paper_width, "lmu-ltau": lmu_ltau_width, "b-l": bminusl_width,
          "le-lmu": lambda m, g: u1_width(m, g, LeLmu.charges),
          "le-ltau": lambda m, g: u1_width(m, g, LeLtau.charges), "scalar": scalar_width}
#: How many neutrino flavours V couples to.
NEUTRINO_FLAVOURS = {"neutrinophilic": 1, "lmu-ltau": 2, "b-l": 3, "le-lmu": 2, "le-ltau": 2, "scalar": 1}
#: Coupling of the vector whose contact term equals the model's at low energy, per unit coupling:
#: the scalar's (lambda^2/4m^2)(nu nu)(nu+ nu+) Fierzes to (lambda^2/8m^2)(nubar gamma P_L nu)^2,
#: the vector's (g^2/2m^2)(...)^2 with g = lambda/2 (docs/scalar.md).
CONTACT_COUPLING = {"scalar": 0.5}


def _width(model: str, width=None):
    if width is not None:
        return width
    if model not in WIDTHS:
        raise InputError(f"unknown model {model!r}: choose one of {', '.join(WIDTHS)}")
    return WIDTHS[model]


def thermalization_coupling(model: str, m_V: np.ndarray, width=None) -> np.ndarray:
    """Coupling above which V reaches equilibrium before T = m_V: gamma_V(g) = H(T = m_V).
    ``width(m_V, g)`` overrides the model's width (a U(1)' with custom charges)."""
    width = _width(model, width)
    m = np.asarray(m_V, dtype=float)
    gamma1 = np.vectorize(lambda mi: width(float(mi), 1.0))(m)
    return np.sqrt(hubble(m) / gamma1)


def bbn(model: str, m_max: float = 5.0 * MeV, width=None) -> Constraint:
    """BBN / Delta N_eff: m_V < m_max excluded wherever V thermalises (see module docstring)."""
    _width(model, width)

    def edges(m):
        lower = np.where(m < m_max, thermalization_coupling(model, m, width), np.nan)
        return lower, np.where(m < m_max, np.inf, np.nan)

    return Constraint("BBN", "limit", model, "upper", "paper section III F, ref. [13]; arXiv:1901.02010",
                      edges, {"m_V max": Measurement(m_max, "GeV", "Delta N_eff, paper ref. [13]")},
                      note="thermalisation: gamma_V > H at T = m_V")


def nu4_decay_width(dm: SterileNeutrino, m_V: np.ndarray, coupling: float | np.ndarray = 1.0,
                    model: str = "neutrinophilic", n_nu: int | None = None) -> np.ndarray:
    """Gamma(nu4 -> 3 nu) through an off-shell V [GeV] (module docstring); ``n_nu`` overrides the
    model's number of coupled flavours."""
    n = n_nu if n_nu is not None else (_width(model) and NEUTRINO_FLAVOURS[model])
    g = CONTACT_COUPLING.get(model, 1.0) * np.asarray(coupling, dtype=float)
    return n * g**4 * dm.sin2_2theta * dm.mass**5 / (12288 * np.pi**3 * np.asarray(m_V, dtype=float) ** 4)


def lifetime(model: str, dm: SterileNeutrino, n_nu: int | None = None) -> Constraint:
    """nu4 must outlive the universe: Gamma(nu4 -> 3 nu) < hbar / t_0."""
    if n_nu is None:
        _width(model)
    gamma_max = C.HBAR_GEV_S / C.AGE_UNIVERSE_S

    def edges(m):
        return (gamma_max / nu4_decay_width(dm, m, 1.0, model, n_nu)) ** 0.25, np.full_like(m, np.inf)

    return Constraint("nu4 lifetime", "limit", model, "upper", "paper end of section III A", edges,
                      {"age of the universe": Measurement(C.AGE_UNIVERSE_S, "s", "Planck 2018"),
                       "m4": Measurement(dm.mass, "GeV", "input"),
                       "sin^2 2theta": Measurement(dm.sin2_2theta, "", "input")})
