"""Standard Model collision rate and thermal potential of an active neutrino (Eqs. 2.6, 2.7).

Inputs, chosen with ``sm=``:

``"paper"`` reproduces the paper: constant coefficients, valid below the muon mass.
``"full"`` (beyond the paper) counts every weak process of the plasma at temperature T with its
masses (:mod:`secretnu.sm_channels`). A user table of Gamma(p/T, T)
(:class:`~secretnu.sm_tables.SMRateTable`) replaces the rate. All use the same thermal potential, Eq. 2.6 with the exact
Fermi-Dirac energy density of the charged lepton. That is already the complete CP-symmetric
potential: only the same-flavour neutrino (Z bubble) and charged lepton (W bubble) enter it.

The paper's input (``sm="paper"``):

    Gamma_SM = c_alpha G_F^2 E T^4,      c_e = 1.27, c_mu = c_tau = 0.92          (Eq. 2.7)
    V_SM     = -(8 sqrt2 / 3) G_F E [ (rho_nu + rho_nubar)/M_Z^2
                                      + (rho_l + rho_lbar)/M_W^2 ]               (Eq. 2.6)

For massless species V_SM = -(7 sqrt2 pi^2/45) G_F E T^4 (1/M_Z^2 + 2/M_W^2). The printed
coefficient 3.72 of Eq. 2.6 is 12/7 of this standard 2.171 and is not used (spec section 2).
The charged-lepton energy density uses the exact Fermi-Dirac integral, so that term switches
off smoothly as the lepton of the same flavour becomes non-relativistic.
"""

from __future__ import annotations

import math
from functools import cache, lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .constants import CKM, G_F, LEPTON_MASS, M_W, M_Z, QUARK_MASS, SIN2_THETA_W
from .cosmology import SaikawaShirai2018
from .errors import InputError
from .quadrature import gauss_laguerre, gauss_legendre
from .sm_tables import SMRateTable

__all__ = ["FLAVORS", "SM_OPTIONS", "RATE_COEFFICIENT_PAPER", "fermion_energy_density",
           "relativistic_fraction", "qcd_fraction", "rate_coefficient", "rate_breakdown", "massless_breakdown",
           "pauli_blocking", "blocking_components",
           "sm_rate", "sm_potential", "check_flavor", "check_sm", "sm_label", "SMInput"]

FLAVORS: tuple[str, ...] = ("e", "mu", "tau")
SM_OPTIONS: tuple[str, ...] = ("paper", "full")
#: What ``sm=`` accepts: one of :data:`SM_OPTIONS` or a user rate table.
SMInput = str | SMRateTable
#: c_alpha of Eq. 2.7 (Notzold & Raffelt 1988 as quoted by the paper).
RATE_COEFFICIENT_PAPER: dict[str, float] = {"e": 1.27, "mu": 0.92, "tau": 0.92}
_RHO_NU_PAIR = 7 * math.pi**2 / 120  # rho_nu + rho_nubar over T^4, one flavour, one helicity each


def check_flavor(flavor: str) -> str:
    """Return the canonical flavour name or raise :class:`InputError`."""
    key = str(flavor).lower().removeprefix("nu_").removeprefix("nu")
    if key not in FLAVORS:
        raise InputError(f"unknown flavour {flavor!r}: choose one of {', '.join(FLAVORS)}")
    return key


def check_sm(sm: SMInput) -> SMInput:
    """Return ``sm`` if it is a Standard Model input (a name in :data:`SM_OPTIONS` or an
    :class:`~secretnu.sm_tables.SMRateTable`), else raise :class:`InputError`."""
    if isinstance(sm, SMRateTable):
        return sm
    if not isinstance(sm, str) or sm not in SM_OPTIONS:
        raise InputError(f"unknown Standard Model input sm={sm!r}: choose one of {', '.join(SM_OPTIONS)} "
                         "or pass an SMRateTable")
    return sm


def sm_label(sm: SMInput) -> str:
    """A string naming the Standard Model input (for results, file attributes and messages)."""
    checked = check_sm(sm)
    return checked if isinstance(checked, str) else f"table:{checked.name}:{checked.digest[:12]}"


def fermion_energy_density(r: ArrayLike) -> NDArray[np.float64]:
    """Energy density of one fermionic degree of freedom over T^4, as a function of r = m/T.

    rho/T^4 = (1/2 pi^2) Int_r^inf de e^2 sqrt(e^2 - r^2) / (e^e + 1); equals 7 pi^2/240 at r = 0.
    With e = r + y the sqrt(y) end point goes into the Gauss-Laguerre (alpha = 1/2) weight.
    """
    r = np.asarray(r, dtype=float)[..., None]
    y, w = gauss_laguerre(48, 0.5)
    # e^{-(r+y)} / (1 + e^{-(r+y)}) = (Fermi-Dirac) * e^{-y} e^{... } handled by the weight e^{-y}
    integrand = (r + y) ** 2 * np.sqrt(2 * r + y) * np.exp(-r) / (1 + np.exp(-(r + y)))
    return (integrand @ w) / (2 * math.pi**2)


def relativistic_fraction(r: ArrayLike) -> NDArray[np.float64]:
    """rho(m/T)/rho(0) of a fermion: 1 when relativistic, Boltzmann-suppressed when m >> T."""
    return fermion_energy_density(r) / (7 * math.pi**2 / 240)


# ---- sm="full": the weak 2 -> 2 rates of every species ----------------------------------------
#
# For nu_alpha (energy E) on a massless fermion f with Z couplings g_L = T3 - Q s_W^2,
# g_R = -Q s_W^2 (N_c colours), the tree-level cross sections are sigma = kappa G_F^2 s/pi with
#     nu f -> nu f: kappa = g_L^2 + g_R^2/3,   nu fbar -> nu fbar: g_L^2/3 + g_R^2   (per f spin state)
#     nu nubar_alpha -> f fbar: 2(g_L^2 + g_R^2)/3                                  (nubar one state)
# Averaging sigma v over an isotropic target of energy density rho_f (Boltzmann kinematics, no
# Pauli blocking) gives Gamma = kappa g_f (8/3)(rho_f/T^4)/pi G_F^2 E T^4, i.e. with the massless
# rho = 7 pi^2/240 T^4 per state, Gamma = kappa g_f (7 pi/90) G_F^2 E T^4. Summed over the three
# processes: Gamma = (7 pi/27) N_c (g_L^2 + g_R^2) G_F^2 E T^4 per fermion f. The same bookkeeping
# gives: weight 1 for the three neutrino flavours together (nu_alpha nu_alpha counts as g_L^2 = 1/2,
# nu_beta as 1/4 each), g_L -> g_L + 1 for the charged lepton of the same flavour (W exchange
# Fierzed into the Z form), and N_c |V_ij|^2 for each charged-current doublet (U, D) that turns
# nu_alpha into l_alpha (nu_alpha D -> l_alpha U, nu_alpha Ubar -> l_alpha Dbar,
# nu_alpha l_alpha^+ -> U Dbar). Below the muon mass this gives c_mu = 0.917 and c_e = 1.294, the
# paper's 0.92 and 1.27 (Notzold & Raffelt 1988, Eq. 2.7).
#
# These massless coefficients are :func:`massless_breakdown`. The rate of sm="full" (issue 20) is
# computed channel by channel with the masses in the kinematics (thresholds in E/T) by
# :mod:`secretnu.sm_channels`, which reproduces them in the massless limit (a test): leptons,
# free quarks above the QCD crossover (not scaled by any pressure deficit), and below it the meson
# gas (pi, K: vector-current scattering and the inverse decays nu l+ -> pi+, K+), joined by
# :func:`~secretnu.sm_channels.crossover_weight`.
#
# The model of sm="full" before issue 20 (kept for comparison in :func:`massless_breakdown`): a
# species of mass m enters with relativistic_fraction(m/T) (its energy density over the massless
# one), a charged-current channel with the product over its massive fermions, and the free-quark
# rates are scaled by qcd_fraction(T), the energy density of the strongly interacting plasma
# (lattice-based g*(T) of Saikawa & Shirai 2018 minus photons and leptons) over that of free quarks
# and gluons: ~0.08 at 100 MeV, 0.27 at 150 MeV, 0.54 at 200 MeV, 0.74 at 300 MeV, 0.89 at 1 GeV.

_UNIT_FULL = 7 * math.pi / 27
_QUARK_CHARGE = {"u": 2 / 3, "c": 2 / 3, "d": -1 / 3, "s": -1 / 3, "b": -1 / 3}
_N_COLOUR = 3
#: g* of photons and three neutrino flavours; gluons; one massless Dirac fermion (x colours).
_G_PHOTON_NU, _G_GLUON, _G_FERMION = 2 + 5.25, 16.0, 3.5
#: The hadronic weight always uses the lattice-based fit, whatever g* model drives H(T).
_LATTICE_GSTAR = SaikawaShirai2018()


def _z_couplings(T3: float, Q: float) -> tuple[float, float]:
    return T3 - Q * SIN2_THETA_W, -Q * SIN2_THETA_W


def qcd_fraction(T: ArrayLike) -> NDArray[np.float64]:
    """Energy density of the strongly interacting plasma over that of free quarks and gluons.

    Numerator: g*rho(T) of Saikawa & Shirai 2018 (lattice QCD + hadron resonance gas) minus
    photons, neutrinos and charged leptons; denominator: 16 + 10.5 sum_q relativistic_fraction(m_q/T).
    Clipped to [0, 1].
    """
    T = np.asarray(T, dtype=float)
    leptons = _G_PHOTON_NU + _G_FERMION * sum(relativistic_fraction(m / T) for m in LEPTON_MASS.values())
    quarks = _G_GLUON + _G_FERMION * _N_COLOUR * sum(relativistic_fraction(m / T) for m in QUARK_MASS.values())
    return np.clip((_LATTICE_GSTAR.g_rho(T) - leptons) / quarks, 0.0, 1.0)


def massless_breakdown(T: ArrayLike, flavor: str = "mu") -> dict[str, NDArray[np.float64]]:
    """Massless-kinematics rate coefficients (Gamma = C G_F^2 E T^4 before blocking), by channel:
    the ``sm="full"`` model before issue 20 (see the comment above), kept as a reference.

    Keys: ``neutrinos``, ``leptons_nc`` (Z exchange on e, mu, tau, with W interference for the
    same flavour), ``leptons_cc`` (W exchange with the other lepton doublets), ``quarks_nc``,
    ``quarks_cc`` (both already scaled by :func:`qcd_fraction`).
    """
    alpha = check_flavor(flavor)
    T = np.asarray(T, dtype=float)
    frac = {name: relativistic_fraction(m / T) for name, m in {**LEPTON_MASS, **QUARK_MASS}.items()}
    g_l, g_r = _z_couplings(-0.5, -1.0)
    leptons_nc = sum(((g_l + (beta == alpha)) ** 2 + g_r**2) * frac[beta] for beta in FLAVORS)
    leptons_cc = sum(frac[beta] * frac[alpha] for beta in FLAVORS if beta != alpha)
    hadrons = qcd_fraction(T)
    quarks_nc = sum(_N_COLOUR * sum(c**2 for c in _z_couplings(0.5 if q in "uc" else -0.5, _QUARK_CHARGE[q]))
                    * frac[q] for q in QUARK_MASS)
    quarks_cc = sum(_N_COLOUR * v**2 * frac[up] * frac[down] * frac[alpha] for (up, down), v in CKM.items())
    parts = {"neutrinos": np.ones_like(T), "leptons_nc": leptons_nc, "leptons_cc": leptons_cc,
             "quarks_nc": hadrons * quarks_nc, "quarks_cc": hadrons * quarks_cc}
    return {key: _UNIT_FULL * np.asarray(value, dtype=float) for key, value in parts.items()}


@cache
def _thermal_x(n: int = 24) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Nodes and normalised weights of the thermal average over x^3 f_nu(x) (the rate-weighted
    neutrino spectrum)."""
    x, w = gauss_laguerre(n, 3.0)
    w = w / (1 + np.exp(-x))  # e^-x x^3 -> x^3 f_nu
    return x, w / w.sum()


def rate_breakdown(T: ArrayLike, flavor: str = "mu", x: ArrayLike | None = None) -> dict[str, NDArray[np.float64]]:
    """Contributions to Gamma/(G_F^2 E T^4) of ``sm="full"`` before Pauli blocking, by channel group.

    Keys: ``neutrinos`` (nu nu), ``leptons`` (e, mu, tau: neutral and charged current, with masses),
    ``quarks`` (free quarks, times the crossover weight w(T)), ``mesons`` (pi, K scattering and the
    inverse decays nu l+ -> pi+, K+, times 1 - w). At x = E/T (broadcast with T) or, with
    ``x=None``, averaged over the rate-weighted thermal spectrum x^3 f_nu(x).
    See :mod:`secretnu.sm_channels`.
    """
    from .sm_channels import crossover_weight, group_rates

    alpha = check_flavor(flavor)
    T = np.asarray(T, dtype=float)
    if x is None:
        nodes, weights = _thermal_x()
        parts = rate_breakdown(T[..., None], alpha, nodes)
        return {key: value @ weights for key, value in parts.items()}
    x, T = np.broadcast_arrays(np.asarray(x, dtype=float), T)
    groups = group_rates(x, T, alpha)
    w = crossover_weight(T)
    return {"neutrinos": groups["neutrinos"], "leptons": groups["leptons"], "quarks": w * groups["quarks"],
            "mesons": (1 - w) * (groups["mesons"] + groups["decays"])}


# Pauli blocking. The coefficients above take Boltzmann kinematics with Fermi-Dirac target densities
# and no blocking of the final states. Every channel is a massless 2 -> 2 process whose |M|^2 is
# either ~ s^2 or ~ t^2 (u^2 is t^2 with the two final fermions swapped; both carry the same
# distribution). Summed over each species' processes the s-type share is 3/5 and the t-type 2/5,
# the same for every species (both add up to the (10/3) N_c (g_L^2 + g_R^2) above), so blocking
# multiplies C(T) by one function of x = E/T:
#     B(x) = 3/5 B_s(x) + 2/5 B_t(x),
#     B_k(x) = <|M_k|^2 (1 - f3)(1 - f4)> / <|M_k|^2>,
# averaged over the Fermi-Dirac target and the final-state directions. In the centre-of-mass frame
# of p1 + p2 the final energies are E_3,4 = (P0 +- |P| c)/2 with c the cosine to the boost axis;
# for t^2 the azimuth about that axis is averaged analytically:
#     <(1 - cos th13)^2>_phi = (1 - c c1)^2 + (1 - c^2)(1 - c1^2)/2,  c1 the same cosine for p1.
# B rises from 0.66 at x -> 0 to 0.90 at x = 3 and -> 1 as x -> infinity.

_BLOCKING_X = np.geomspace(1e-3, 1e3, 97)


def _fermi(e: NDArray[np.float64]) -> NDArray[np.float64]:
    return 0.5 * (1.0 - np.tanh(0.5 * e))


def blocking_components(x: ArrayLike, n: int = 32) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """B_s(x), B_t(x): the final-state Pauli-blocking factors of |M|^2 ~ s^2 and ~ t^2 (direct quadrature).

    x = E/T of the incoming neutrino; target and final states are massless Fermi-Dirac at T.
    """
    x = np.atleast_1d(np.asarray(x, dtype=float))
    if x.size > 8:  # bound the (x, p, cos, c) work array
        parts = [blocking_components(x[i:i + 8], n) for i in range(0, x.size, 8)]
        return np.concatenate([b for b, _ in parts]), np.concatenate([b for _, b in parts])
    x = x[:, None, None, None]
    p, wp = gauss_laguerre(n)
    wp = wp * p**2 / (1 + np.exp(-p))   # Laguerre weight e^-p times p^2 f(p) e^p
    cg, wg = gauss_legendre(n)
    p2, cos12, c = p[:, None, None], cg[None, :, None], cg[None, None, :]
    s = 2 * x * p2 * (1 - cos12)
    P0 = x + p2
    P = np.sqrt(np.maximum(x**2 + p2**2 + 2 * x * p2 * cos12, 1e-300))
    E3 = 0.5 * (P0 + P * c)
    block = (1 - _fermi(E3)) * (1 - _fermi(P0 - E3))
    root_s = np.sqrt(np.maximum(s, 1e-300))
    # cosine between p1 and the boost axis in the centre-of-mass frame (massless kinematics)
    c1 = np.clip((P0 * (x**2 + x * p2 * cos12) / P - P * x) / (0.5 * root_s * root_s), -1.0, 1.0)
    angular_t = (1 - c * c1) ** 2 + 0.5 * (1 - c**2) * (1 - c1**2)
    weight = (wp[:, None, None] * wg[None, :, None] * wg[None, None, :]) * s**2 / p2
    axes = (1, 2, 3)
    b_s = (weight * block).sum(axis=axes) / weight.sum(axis=axes)
    b_t = (weight * block * angular_t).sum(axis=axes) / (weight * angular_t).sum(axis=axes)
    return b_s, b_t


@lru_cache(maxsize=1)
def _blocking_table() -> NDArray[np.float64]:
    b_s, b_t = blocking_components(_BLOCKING_X)
    return 0.6 * b_s + 0.4 * b_t


def pauli_blocking(x: ArrayLike) -> NDArray[np.float64]:
    """B(x) = 3/5 B_s + 2/5 B_t: the factor by which final-state Pauli blocking lowers the rate of a
    neutrino with x = E/T (tabulated once, interpolated in ln x; held at the ends of 1e-3 < x < 1e3)."""
    lx = np.log(np.clip(np.asarray(x, dtype=float), _BLOCKING_X[0], _BLOCKING_X[-1]))
    return np.interp(lx, np.log(_BLOCKING_X), _blocking_table())


def rate_coefficient(T: ArrayLike, flavor: str = "mu", sm: SMInput = "paper") -> NDArray[np.float64]:
    """C(T) in Gamma_SM = C G_F^2 E T^4: constant for ``"paper"`` (Eq. 2.7); for ``"full"`` the sum of
    :func:`rate_breakdown` averaged over x^3 f_nu (before Pauli blocking; the rate itself depends on
    E/T through the thresholds, see :func:`sm_rate`). A rate table has no single coefficient (it depends on
    E/T): use :meth:`~secretnu.sm_tables.SMRateTable.scaled_rate`."""
    if not isinstance(check_sm(sm), str):
        raise InputError("a rate table depends on E/T: use its scaled_rate(x, T), not rate_coefficient")
    T = np.asarray(T, dtype=float)
    if sm == "paper":
        return np.full(T.shape, RATE_COEFFICIENT_PAPER[check_flavor(flavor)])
    return np.asarray(sum(rate_breakdown(T, flavor).values()), dtype=float)


def sm_rate(E: ArrayLike, T: ArrayLike, flavor: str = "mu", sm: SMInput = "paper") -> NDArray[np.float64]:
    """Collision rate Gamma_SM [GeV] of an active neutrino of energy E at temperature T.

    ``"paper"``: C G_F^2 E T^4 with constant C (Eq. 2.7). ``"full"``: every channel with its masses
    (:mod:`secretnu.sm_channels`), the 2 -> 2 channels times the Pauli-blocking factor B(E/T) of
    :func:`pauli_blocking`, tabulated once per flavour (:func:`~secretnu.sm_channels.full_rate_scaled`).
    An :class:`~secretnu.sm_tables.SMRateTable`: its interpolated Gamma (for its own flavour only).
    """
    checked = check_sm(sm)
    if isinstance(checked, SMRateTable):
        return checked.gamma(E, T, flavor)
    E, T = np.asarray(E, dtype=float), np.asarray(T, dtype=float)
    if sm == "full":
        from .sm_channels import full_rate_scaled

        return full_rate_scaled(E / T, T, check_flavor(flavor)) * G_F**2 * E * T**4
    return rate_coefficient(T, flavor, sm) * G_F**2 * E * T**4


def sm_potential(E: ArrayLike, T: ArrayLike, flavor: str = "mu", sm: SMInput = "paper") -> NDArray[np.float64]:
    """Thermal potential V_SM [GeV] of Eq. 2.6 (standard coefficient, no lepton asymmetry).

    The same for every ``sm`` input, rate tables included (see the module docstring)."""
    check_sm(sm)
    m_l = LEPTON_MASS[check_flavor(flavor)]
    E, T = np.asarray(E, dtype=float), np.asarray(T, dtype=float)
    rho_lepton_pair = 4 * fermion_energy_density(m_l / T)  # l- and l+, two spin states each
    bracket = _RHO_NU_PAIR / M_Z**2 + rho_lepton_pair / M_W**2
    return -(8 * math.sqrt(2) / 3) * G_F * E * T**4 * bracket
