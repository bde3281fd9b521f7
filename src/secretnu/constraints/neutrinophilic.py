"""Laboratory bounds on the neutrinophilic V (paper section III B-E), computed from decay widths.

Each width is for coupling ``lambda`` to one neutrino flavour; bounds follow from requiring the new
partial width to stay below what the measurement allows, so ``lambda_max = sqrt(Gamma_max / Gamma(lambda=1))``.

Dimensions and normalisation (checked here, documented in docs/constraints.md):

- Eq. 3.19 (h -> nu nubar V) and Eq. 3.20 (W -> mu nu V) are printed with G_F^2, which is
  dimensionally wrong next to M^5/m_V^2; the h-nu-nu-V vertex is lambda/v with 1/v^2 = sqrt2 G_F,
  so one power of G_F is right. With it, Eq. 3.19 agrees with a direct Dalitz integration of
  |M|^2 = (lambda/v)^2 [s12 + (s13 - m^2)(s23 - m^2)/m^2] to 1e-12 (tests), including the m_V dependence.
  Expanding the operator of Eq. 3.1 gives the vertex 2 lambda h/v instead: ``normalisation="operator"``
  multiplies Eq. 3.19 by 4.
- Eq. 3.22 is four times the rate in the standard f_pi ~ 130 MeV normalisation; the paper's form is
  the default and ``normalisation="standard"`` divides by 4.
- With a massless lepton the integral of Eq. 3.22 has a closed form, ``(1/12) f_h(m_V^2/M^2)`` with
  the same function f_h as Eq. 3.19; its m_V -> 0 limit is Eq. 3.23.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate

from .. import constants as C
from ..errors import InputError
from ..quadrature import clustered_nodes, panel
from .base import Constraint, Measurement

__all__ = [
    "higgs_width", "w_width", "z_width", "meson_width", "meson_width_massless_lepton",
    "higgs_function", "w_function", "coupling_limit", "constraints", "INPUTS", "MESONS",
]

_HIGGS_VERTEX = {"paper": 1.0, "operator": 4.0}
_MESON_NORMALISATION = {"paper": 1.0, "standard": 0.25}

_SHARED = {  # the same in both sets
    "BR(h->inv) HL-LHC": Measurement(0.025, "", "HL-LHC projection, paper ref. [52]"),
    "delta Gamma_Z,inv": Measurement(1.5e-3, "GeV", "PDG 2024: Gamma_inv = 499.0 +- 1.5 MeV (1 sigma)"),
}
#: Experimental inputs: the paper's and the current values, each with its source.
INPUTS: dict[str, dict[str, Measurement]] = {
    "paper": {
        "BR(h->inv)": Measurement(0.24, "", "PDG 2018, as used in the paper (ref. [51])"),
        "delta Gamma_W": Measurement(0.042, "GeV", "PDG fit uncertainty, as used in the paper"),
        "BR(K->mu nu nu nubar)": Measurement(2.4e-6, "", "PDG, as used in the paper (E949)"),
        "BR(pi->mu nu nu nubar)": Measurement(5e-6, "", "PDG, as used in the paper"),
        **_SHARED,
    },
    "current": {
        "BR(h->inv)": Measurement(0.107, "", "ATLAS, arXiv:2301.10731 (CMS: 0.15, arXiv:2303.01214)"),
        "delta Gamma_W": Measurement(0.050, "GeV", "PDG 2024 average 2.14 +- 0.05 GeV (with ATLAS 2024)"),
        "BR(K->mu nu nu nubar)": Measurement(1.0e-6, "", "NA62, arXiv:2101.12304"),
        "BR(pi->mu nu nu nubar)": Measurement(8.6e-6, "", "PIENU, arXiv:2006.00389"),
        **_SHARED,
    },
}

#: Charged mesons: mass, decay constant, CKM element, mean life [GeV, GeV, -, s].
MESONS: dict[str, tuple[float, float, float, float]] = {
    "pi": (C.M_PI_CHARGED, C.F_PI, C.V_UD, C.TAU_PI_CHARGED),
    "K": (C.M_K_CHARGED, C.F_K, C.V_US, C.TAU_K_CHARGED),
}


def _norm(normalisation: str, table: dict[str, float]) -> float:
    try:
        return table[normalisation]
    except KeyError:
        raise InputError(f"normalisation must be one of {', '.join(table)}, not {normalisation!r}") from None


def higgs_function(h: ArrayLike) -> np.ndarray:
    """f_h of Eq. 3.19: 1 + 12 h^2 (6 + (3 + 4h) ln h) - 64 h^3 - 9 h^4; f_h(0) = 1, f_h(1) = 0."""
    h = np.clip(np.asarray(h, dtype=float), 1e-300, 1.0)
    return np.clip(1 + 12 * h**2 * (6 + (3 + 4 * h) * np.log(h)) - 64 * h**3 - 9 * h**4, 0.0, None)  # type: ignore[operator]


def w_function(w: ArrayLike) -> np.ndarray:
    """Phase-space function of Eq. 3.20: 1 - 8w + 8w^3 - w^4 - 12 w^2 ln w; 1 at w = 0, 0 at w = 1."""
    w = np.clip(np.asarray(w, dtype=float), 1e-300, 1.0)
    return np.clip(1 - 8 * w + 8 * w**3 - w**4 - 12 * w**2 * np.log(w), 0.0, None)  # type: ignore[operator]


def higgs_width(m_V: ArrayLike, coupling: ArrayLike = 1.0, normalisation: str = "paper") -> np.ndarray:
    """Gamma(h -> nu nubar V) [GeV], Eq. 3.19 with one power of G_F (see module docstring)."""
    m = np.asarray(m_V, dtype=float)
    pref = np.asarray(coupling, dtype=float) ** 2 * C.G_F * C.M_H**5 / (3072 * np.sqrt(2) * np.pi**3 * m**2)
    return _norm(normalisation, _HIGGS_VERTEX) * pref * higgs_function(m**2 / C.M_H**2)


def w_width(m_V: ArrayLike, coupling: ArrayLike = 1.0) -> np.ndarray:
    """Gamma(W- -> mu- nubar V) [GeV], Eq. 3.20 with one power of G_F, muon mass neglected.

    The prefactor is the longitudinal-V limit: (lambda/m_V)^2 times the three-body-weighted
    W -> mu nu rate, which integrates to lambda^2 G_F M_W^5 / (512 sqrt2 pi^3 m_V^2).
    """
    m = np.asarray(m_V, dtype=float)
    pref = np.asarray(coupling, dtype=float) ** 2 * C.G_F * C.M_W**5 / (512 * np.sqrt(2) * np.pi**3 * m**2)
    return pref * w_function(m**2 / C.M_W**2)


def _kallen(a, b, c):
    return a * a + b * b + c * c - 2 * (a * b + a * c + b * c)


def _g_z(y: float, w: np.ndarray) -> np.ndarray:
    root = np.sqrt(np.clip(_kallen(1.0, w, y), 0.0, None))
    a = y - w + 1
    # a^2 - root^2 = 4y: write a - root = 4y / (a + root), which does not cancel at small y
    return ((y + 1) ** 2 + w**2) / a * 2 * np.log((a + root) / (2 * np.sqrt(y))) - 2 * root


def z_width(m_V: ArrayLike, coupling: ArrayLike = 1.0) -> np.ndarray:
    """Gamma(Z -> nu nubar V) [GeV], Eq. 3.21: no 1/m_V^2 enhancement, only ln^2 m_V (collinear V)."""
    m = np.atleast_1d(np.asarray(m_V, dtype=float))
    out = np.zeros_like(m)
    nodes, weights = clustered_nodes(12)
    for i, mi in enumerate(m):
        y = (mi / C.M_Z) ** 2
        if y >= 1:
            continue
        # the log is largest, ln(1/y), at w -> 0, and 1/(1 + y - w) peaks within ~sqrt(y) of the top
        # where the square root vanishes: panels refined geometrically towards both ends
        top = (1 - mi / C.M_Z) ** 2
        half = 0.5 * top
        low = np.geomspace(min(y, 1e-2) * 1e-3, half, 40)
        high = top - np.geomspace(min(mi / C.M_Z, 0.1) * 1e-3, half, 40)[::-1]
        edges = np.concatenate([[0.0], low, high[1:], [top]])
        w, wt = panel(edges[:-1], edges[1:], nodes, weights)
        out[i] = np.sum(wt * _g_z(y, w))
    pref = np.asarray(coupling, dtype=float) ** 2 * C.G_F * C.M_Z**3 / (48 * np.sqrt(2) * np.pi**3)
    return (pref * out).reshape(np.shape(m_V)) if np.ndim(m_V) else float(pref * out[0])  # type: ignore[return-value]


def _meson_integrand(w, l, v):
    return (np.sqrt(np.clip(_kallen(1.0, l, w), 0.0, None)) * (l + w - (l - w) ** 2)
            * (w - v) ** 2 * (w + 2 * v) / w**3)


def meson_width(m_V: ArrayLike, meson: str = "K", coupling: ArrayLike = 1.0, m_lepton: float = C.M_MU,
                normalisation: str = "paper") -> np.ndarray:
    """Gamma(m+ -> mu+ nu V) [GeV], Eq. 3.22, for meson ``"pi"`` or ``"K"``.

    f_m is the product of the two-body m -> mu N factor (N of mass^2 w M^2) and the N -> nu V splitting.
    """
    if meson not in MESONS:
        raise InputError(f"meson must be one of {', '.join(MESONS)}")
    M, F, V, _ = MESONS[meson]
    m = np.atleast_1d(np.asarray(m_V, dtype=float))
    l = (m_lepton / M) ** 2
    top = (1 - m_lepton / M) ** 2
    out = np.zeros_like(m)
    for i, mi in enumerate(m):
        v = (mi / M) ** 2
        if v < top:
            out[i] = integrate.quad(_meson_integrand, v, top, args=(l, v), epsrel=1e-10, limit=200)[0]
    pref = (np.asarray(coupling, dtype=float) * V) ** 2 * C.G_F**2 * F**2 * M**5 / (64 * np.pi**3 * m**2)
    res = _norm(normalisation, _MESON_NORMALISATION) * pref * out
    return res.reshape(np.shape(m_V)) if np.ndim(m_V) else float(res[0])  # type: ignore[return-value]


def meson_width_massless_lepton(m_V: ArrayLike, meson: str = "K", coupling: ArrayLike = 1.0,
                                normalisation: str = "paper") -> np.ndarray:
    """Eq. 3.22 with m_lepton -> 0 in closed form: Eq. 3.23's prefactor times f_h(m_V^2/M^2) of Eq. 3.19."""
    M, F, V, _ = MESONS[meson]
    m = np.asarray(m_V, dtype=float)
    pref = (np.asarray(coupling, dtype=float) * V) ** 2 * C.G_F**2 * F**2 * M**5 / (768 * np.pi**3 * m**2)
    return _norm(normalisation, _MESON_NORMALISATION) * pref * higgs_function(m**2 / M**2)


def coupling_limit(width_at_unit_coupling: ArrayLike, width_max: float) -> np.ndarray:
    """lambda_max for a partial width proportional to lambda^2; NaN where the channel is closed."""
    g1 = np.asarray(width_at_unit_coupling, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(g1 > 0, np.sqrt(width_max / g1), np.nan)


def _upper(limit):
    return lambda m: (limit(m), np.full_like(m, np.inf))


def constraints(inputs: str = "current", higgs_vertex: str = "paper", meson_normalisation: str = "paper",
                higgs_br: float | None = None, include_projections: bool = True) -> list[Constraint]:
    """The computed neutrinophilic bounds of paper sections III B-E (BBN and the nu4 lifetime live in
    :mod:`secretnu.constraints.cosmological`)."""
    if inputs not in INPUTS:
        raise InputError(f"inputs must be one of {', '.join(INPUTS)}")
    _norm(higgs_vertex, _HIGGS_VERTEX)
    _norm(meson_normalisation, _MESON_NORMALISATION)
    data = INPUTS[inputs]
    br = data["BR(h->inv)"] if higgs_br is None else Measurement(float(higgs_br), "", "user input")
    if not 0 < br.value < 1:
        raise InputError("the Higgs invisible branching-ratio limit must lie in (0, 1)")
    gamma_sm = Measurement(C.GAMMA_H_SM, "GeV", "SM prediction (LHC Higgs XS WG)")

    def higgs(br_max: float):
        # BR = Gamma_new / (Gamma_SM + Gamma_new) < B  <=>  Gamma_new < B / (1 - B) Gamma_SM
        return _upper(lambda m: coupling_limit(higgs_width(m, 1.0, higgs_vertex), br_max / (1 - br_max) * C.GAMMA_H_SM))

    cite_h = "paper Eq. 3.19 (one power of G_F), section III B"
    out = [
        Constraint("Higgs invisible", "limit", "neutrinophilic", "upper", cite_h, higgs(br.value),
                   {"BR(h->inv) max": br, "Gamma_h SM": gamma_sm}, note=f"h-nu-nu-V vertex: {higgs_vertex}"),
        Constraint("W width", "limit", "neutrinophilic", "upper", "paper Eq. 3.20 (one power of G_F), section III C",
                   _upper(lambda m: coupling_limit(w_width(m), data["delta Gamma_W"].value)),
                   {"delta Gamma_W": data["delta Gamma_W"]}, note="muon mass neglected"),
        Constraint("Z invisible", "limit", "neutrinophilic", "upper", "paper Eq. 3.21, section III D",
                   _upper(lambda m: coupling_limit(z_width(m), data["delta Gamma_Z,inv"].value)),
                   {"delta Gamma_Z,inv": data["delta Gamma_Z,inv"]}),
    ]
    for meson, key in (("K", "BR(K->mu nu nu nubar)"), ("pi", "BR(pi->mu nu nu nubar)")):
        total = C.HBAR_GEV_S / MESONS[meson][3]
        out.append(Constraint(
            f"{meson} -> mu nu V", "limit", "neutrinophilic", "upper", "paper Eq. 3.22, section III E",
            _upper(lambda m, meson=meson, total=total, key=key: coupling_limit(
                meson_width(m, meson, normalisation=meson_normalisation),
                data[key].value * total)),
            {key: data[key], "lifetime": Measurement(MESONS[meson][3], "s", "PDG 2024")},
            note=f"normalisation: {meson_normalisation}"))
    if include_projections:
        hl = data["BR(h->inv) HL-LHC"]
        out.append(Constraint("Higgs invisible (HL-LHC)", "projection", "neutrinophilic", "upper", cite_h,
                              higgs(hl.value), {"BR(h->inv) max": hl, "Gamma_h SM": gamma_sm}))
    return out
