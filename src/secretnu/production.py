"""Dodelson-Widrow production of nu_4 and its relic abundance (Eqs. 2.5, 2.8, 3.13, 3.14).

Per momentum mode x = E/T and time z = MU_REF/T (Eq. 2.8)::

    d f4/d ln z = Gamma/(4H) sin^2(2 theta_eff) f_nu(x),
    sin^2(2 theta_eff) = D^2 s / (D^2 s + (Gamma/2)^2 + (D cos 2theta - V_T)^2),  D = m4^2/(2E)   (Eq. 2.5)

with Gamma = Gamma_SM + Gamma_V and V_T = V_SM + V_V (Eq. 3.13). There is no back-reaction, so the
yield is a double integral. The default ``convention="comoving"`` integrates the comoving yield

    dY/d ln z = T^3/(2 pi^2 H s) Int dx x^2 (Gamma/4) sin^2(2 theta_eff) f_nu(x),
    Omega h^2 = Y s0 m4 / rho_c,

which conserves n/s through the drop of g*s between production and T_f. The literal Eq. 3.14
(``convention="literal_eq_3_14"``: n(T_f)/s(T_f) at fixed x) overestimates Omega by
g*s(T_prod)/g*s(T_f), a factor 3-15 (spec section 1); it is offered only for comparison.

Kinetics (:data:`KINETICS`, chosen by ``sm``). ``sm="paper"`` follows the paper: time is
d ln z = H dt (T ~ 1/a), and only nu_alpha -> nu_s is integrated while Gamma_V carries the factor 2
of Eq. 3.6 for the antineutrinos. ``sm="full"`` is the standard treatment of Dodelson-Widrow
codes: nu_alpha -> nu_s and nubar_alpha -> nubar_s are counted as two states, each with the
collision rate of one neutrino (Gamma_SM + Gamma_V/2), and the time per e-fold of T is
(1 + d ln g*s/d ln T / 3)/H (:func:`~secretnu.cosmology.heating_factor`), which matters through
the QCD crossover.

Quadrature: x on generalised Gauss-Laguerre nodes (weight x^2 e^-x, which carries the Fermi-Dirac
tail); ln z on a uniform grid with the trapezoidal rule, which converges exponentially for an
integrand that vanishes at both ends of the window.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from .constants import G_STAR_S_NU_DECOUPLING, MU_REF, RHO_C_H2_GEV_CM3, RHO_C_H2_GEV_CM3_PDG, S0_CM3, T_FINAL
from .cosmology import DEFAULT_GSTAR, GStarModel, heating_factor, hubble
from .errors import InputError
from .quadrature import expit, gauss_laguerre, panel_rule
from .sm import SMInput, check_sm, sm_label, sm_potential, sm_rate
from .sterile import SterileNeutrino
from .validate import MAX_N_X, MAX_POINTS_PER_DECADE, finite_result, in_domain, integer

__all__ = ["Model", "RelicResult", "relic_density", "CONVENTIONS", "production_integrand",
           "active_rates", "active_rate", "active_potential", "sin2_2theta_eff", "z_interval_integrals",
           "Kinetics", "KINETICS", "kinetics_of", "effective_hubble", "momentum_rule", "resonance_onsets", "ONSET_X_RANGE",
           "crossing_counts", "onset_gaps"]

FloatArray = NDArray[np.float64]
CONVENTIONS: tuple[str, ...] = ("comoving", "literal_eq_3_14")

#: 1 GeV^3 in cm^-3: (GeV / (hbar c))^3 with hbar c = 1.973269804e-14 GeV cm (CODATA 2018).
_GEV3_PER_CM3 = (1.0 / 1.973269804e-14) ** 3


@dataclass(frozen=True)
class Kinetics:
    """How the production integral counts states and time for one Standard Model input.

    states: sterile states produced: 1 (nu_s; the model's Gamma_V carries Eq. 3.6's factor 2 for
        the antineutrinos, as in the paper) or 2 (nu_s and nubar_s counted explicitly).
    entropy_heating: time per e-fold of T is heating_factor(T)/H instead of 1/H.
    rho_c: critical density today over h^2 [GeV cm^-3] in Omega h^2 = Y s0 m4/rho_c (the paper's
        rounded 1.05e-5 for ``sm="paper"``, PDG 2024 otherwise).
    """

    states: int
    entropy_heating: bool
    rho_c: float = RHO_C_H2_GEV_CM3

    @property
    def model_rate_scale(self) -> float:
        """Factor on the model's Gamma_V (Eq. 3.6 counts both helicities; one state gets 1/states)."""
        return 1.0 / self.states


#: The kinetics that goes with each ``sm`` input (module docstring).
KINETICS: dict[str, Kinetics] = {"paper": Kinetics(states=1, entropy_heating=False),
                                 "full": Kinetics(states=2, entropy_heating=True, rho_c=RHO_C_H2_GEV_CM3_PDG)}


def kinetics_of(sm: SMInput) -> Kinetics:
    """The :class:`Kinetics` of a Standard Model input: :data:`KINETICS` by name; a rate table
    (:class:`~secretnu.sm_tables.SMRateTable`) takes that of ``"full"``."""
    checked = check_sm(sm)
    return KINETICS[checked] if isinstance(checked, str) else KINETICS["full"]


def effective_hubble(T: Any, gstar: GStarModel, kinetics: Kinetics) -> FloatArray:
    """d ln T/dt up to sign: H, or H / heating_factor with entropy heating."""
    H = hubble(T, gstar)
    return H / heating_factor(T, gstar) if kinetics.entropy_heating else H


class Model(Protocol):
    """What the production integral needs from a secret-interaction model."""

    name: str

    def potential(self, E: Any, T: Any) -> FloatArray: ...

    def rate(self, E: Any, T: Any) -> FloatArray: ...

    def on_shell_rate(self, E: Any, T: Any) -> FloatArray: ...

    def couples_to(self, flavor: str) -> bool: ...

    def default_t_max(self) -> float: ...


@dataclass(frozen=True)
class RelicResult:
    """Outcome of :func:`relic_density`.

    Attributes
    ----------
    omega_h2: relic abundance Omega h^2 today.
    relic_yield: comoving yield Y = n4/s.
    z, T: time grid z = 1 MeV/T and the temperatures [GeV].
    dY_dlnz: production history dY/d ln z on that grid.
    T_peak: temperature of peak production [GeV].
    q, f4: relic momentum spectrum, q = p/T_nu (T_nu = T (g*s/10.75)^(1/3), the active-neutrino
        temperature), f4 the phase-space density per helicity state, normalised so that
        n4/s = Y with n4 = states T_nu^3/(2 pi^2) Int q^2 f4 dq. Empty if not requested.
    mean_q: <p/T_nu> of the relic.
    states: number of sterile states counted in Y (1: nu_s, as in the paper; 2: nu_s and nubar_s).
    """

    omega_h2: float
    relic_yield: float
    z: FloatArray = field(repr=False)
    T: FloatArray = field(repr=False)
    dY_dlnz: FloatArray = field(repr=False)
    T_peak: float
    q: FloatArray = field(repr=False)
    f4: FloatArray = field(repr=False)
    mean_q: float
    dm: SterileNeutrino
    model: Any = None
    options: dict[str, Any] = field(default_factory=dict, repr=False)
    states: int = 1

    @property
    def Y(self) -> float:
        return self.relic_yield

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (scalars and inputs)."""
        return {
            "omega_h2": self.omega_h2,
            "yield": self.relic_yield,
            "T_peak_GeV": self.T_peak,
            "mean_p_over_Tnu": self.mean_q,
            "m4_GeV": self.dm.mass,
            "sin2_2theta": self.dm.sin2_2theta,
            "flavor": self.dm.flavor,
            "model": None if self.model is None else repr(self.model),
            "states": self.states,
            **{k: v for k, v in self.options.items() if isinstance(v, (int, float, str, bool))},
        }


def active_rate(dm: SterileNeutrino, model: Model | None, E: FloatArray, T: FloatArray,
                sm: SMInput = "paper") -> FloatArray:
    """Total collision rate of the active flavour, Gamma_SM + Gamma_V (Eq. 3.13).

    With ``sm="full"`` the rate is that of one neutrino: Gamma_V enters halved (see :class:`Kinetics`).
    """
    gamma = sm_rate(E, T, dm.flavor, sm)
    return gamma if model is None else gamma + kinetics_of(sm).model_rate_scale * model.rate(E, T)


def active_potential(dm: SterileNeutrino, model: Model | None, E: FloatArray, T: FloatArray,
                     sm: SMInput = "paper") -> FloatArray:
    """Thermal potential of the active flavour, V_T = V_SM + V_V (Eq. 3.13)."""
    pot = sm_potential(E, T, dm.flavor, sm)
    return pot if model is None else pot + model.potential(E, T)


def active_rates(dm: SterileNeutrino, model: Model | None, E: FloatArray, T: FloatArray,
                 sm: SMInput = "paper") -> tuple[FloatArray, FloatArray]:
    """Total collision rate and thermal potential of the active flavour (Eq. 3.13)."""
    return active_rate(dm, model, E, T, sm), active_potential(dm, model, E, T, sm)


def mixing_terms(dm: SterileNeutrino, E: FloatArray, gamma: FloatArray,
                 potential: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The pieces of Eq. 2.5: D^2 sin^2 2theta, B^2 = D^2 sin^2 2theta + (Gamma/2)^2 and the detuning
    D cos 2theta - V_T, with D = m4^2/(2E); sin^2 2theta_eff = D^2 sin^2 2theta/(B^2 + detuning^2)."""
    delta = dm.mass**2 / (2 * E)
    mixing = delta**2 * dm.sin2_2theta
    return mixing, mixing + 0.25 * gamma**2, delta * dm.cos_2theta - potential


def sin2_2theta_eff(dm: SterileNeutrino, E: FloatArray, gamma: FloatArray, potential: FloatArray) -> FloatArray:
    """Effective in-medium mixing sin^2(2 theta_eff) of Eq. 2.5."""
    mixing, width2, detuning = mixing_terms(dm, E, gamma, potential)
    return mixing / (width2 + detuning**2)


def production_integrand(dm: SterileNeutrino, model: Model | None, x: FloatArray, T: FloatArray,
                         sm: SMInput = "paper") -> FloatArray:
    """(Gamma/4) sin^2(2 theta_eff) [GeV] at E = xT: the right side of Eq. 2.8 times H/f_nu."""
    E = x * T
    gamma, pot = active_rates(dm, model, E, T, sm)
    return 0.25 * gamma * sin2_2theta_eff(dm, E, gamma, pot)


#: Panel edges in x = E/T of the composite momentum rule used where a resonance switches on.
_X_EDGES: tuple[float, ...] = (0.0, 1.5, 3.5, 6.5, 11.0, 18.0, 40.0)
#: Onsets outside this x range are left to the plain rule: the Fermi-Dirac weight x^2 f_nu makes
#: them irrelevant (below 0.05 and above 15 it is < 1e-3 and < 1e-4 of its peak).
ONSET_X_RANGE: tuple[float, float] = (0.05, 15.0)


def momentum_rule(n_x: int, onsets: Sequence[float] = ()) -> tuple[FloatArray, FloatArray]:
    """Ascending nodes x and weights w with Int_0^inf dx x^2 f_nu(x) g(x) = sum w g(x).

    Without onsets this is the n_x-point generalised Gauss-Laguerre rule. An onset x_c is where an
    in-medium resonance D cos 2theta = V_T appears or disappears in the time window (two crossings
    merging, see :func:`resonance_onsets`): the z-integrated yield has an (x_c - x)^(-1/2) cusp there,
    smoothed over the resonance width, which fixed Laguerre nodes resolve only algebraically (the
    answer then wobbles by up to 1% with n_x). With onsets the rule is composite Gauss-Legendre with
    max(4, n_x // 6) nodes per panel, panel ends at the onsets and x = 0, 1.5, 3.5, 6.5, 11, 18, 40
    (those within 25% of an onset dropped), mapped so that x - x_c ~ t^2 next to each onset.
    """
    if not len(onsets):
        x, w = gauss_laguerre(n_x, 2.0)  # Int_0^inf dx x^2 e^-x g(x)
        return x, w * expit(x)  # the Laguerre weight carries x^2 e^-x; f_nu e^x = expit(x)
    b = np.unique(np.asarray(onsets, dtype=float))
    if np.any(b <= 0) or np.any(b >= _X_EDGES[-1]):
        raise InputError(f"onsets must lie in (0, {_X_EDGES[-1]}), got {b}")
    interior = [e for e in _X_EDGES[1:-1] if np.all(np.abs(b - e) > 0.25 * e)]
    edges = np.unique(np.concatenate([[_X_EDGES[0]], interior, b, [_X_EDGES[-1]]]))
    x, w = panel_rule(edges, np.isin(edges, b), max(4, n_x // 6))
    return x, w * x**2 * expit(-x)


def _runs(column: FloatArray) -> list[tuple[int, int, float]]:
    """Runs of one sign of a detuning column as (first, last, sign) node indices, in order."""
    flips = np.nonzero(np.diff(column > 0))[0]
    bounds = np.concatenate([[-1], flips, [column.size - 1]])
    return [(int(a) + 1, int(b), 1.0 if column[b] > 0 else -1.0) for a, b in itertools.pairwise(bounds)]


def _peak(values: FloatArray) -> float:
    """Largest value of a sampled function, refined by the parabola through its three nodes."""
    i = int(np.argmax(values))
    if 0 < i < values.size - 1:
        left, mid, right = values[i - 1:i + 2]
        curvature = left - 2 * mid + right
        if curvature < 0:
            return float(mid - (right - left) ** 2 / (8 * curvature))
    return float(values[i])


def crossing_counts(detuning: FloatArray) -> NDArray[np.intp]:
    """Number of resonance crossings (sign changes of the detuning along z, axis -2) per x column."""
    positive = detuning > 0
    return np.count_nonzero(positive[..., 1:, :] ^ positive[..., :-1, :], axis=-2)


def onset_gaps(counts: NDArray[np.intp], x: FloatArray,
               x_range: tuple[float, float] = ONSET_X_RANGE) -> NDArray[np.bool_]:
    """Gaps between neighbouring x nodes (last axis) that hold an onset within ``x_range``: a lobe
    opens or closes two crossings at once, while one crossing more or fewer left through an edge
    of the time window."""
    inside = (x[1:] >= x_range[0]) & (x[:-1] <= x_range[1])
    return (np.abs(np.diff(counts, axis=-1)) >= 2) & inside


def resonance_onsets(detuning: FloatArray, x: FloatArray,
                     detuning_at: Callable[[float], FloatArray] | None = None,
                     x_range: tuple[float, float] = ONSET_X_RANGE, refine: int = 2) -> list[float]:
    """Momenta x_c where a pair of resonance crossings of the detuning D cos 2theta - V_T appears or
    disappears within the time window.

    ``detuning`` is sampled on (z, x) with ascending x. Between adjacent x nodes whose number of
    sign changes in z differs, the shallowest lobe (run of one sign between two crossings) on the
    side that has it is followed: its depth e(x) = max of sign * D over the lobe and its neighbours
    (parabola-refined) is positive while the lobe exists and turns negative where it closes, so
    x_c is the root of e: interpolated linearly between the two nodes, then, with
    ``detuning_at(x) -> D(z)``, refined by ``refine`` regula falsi (Illinois) steps. An onset from
    two lobes opening and closing between the same pair of nodes is not seen.
    """
    counts = crossing_counts(detuning)
    onsets: list[float] = []
    for j in np.nonzero(onset_gaps(counts, x, x_range))[0]:
        lo, hi = float(x[j]), float(x[j + 1])
        more = j if counts[j] > counts[j + 1] else j + 1
        runs = _runs(detuning[:, more])  # at least three: two crossings or more
        # interior runs are lobes; the shallowest is the one that closes
        depths = [_peak(sign * detuning[first:last + 1, more]) for first, last, sign in runs[1:-1]]
        k = 1 + int(np.argmin(depths))
        sign = runs[k][2]
        start, stop = runs[k - 1][0], runs[k + 1][1] + 1  # the lobe and its two neighbours

        def depth(column: FloatArray, start: int = start, stop: int = stop, sign: float = sign) -> float:
            return _peak(sign * column[start:stop])

        e_lo, e_hi = depth(detuning[:, j]), depth(detuning[:, j + 1])
        if not e_lo * e_hi < 0:
            continue
        x_c = lo + (hi - lo) * e_lo / (e_lo - e_hi)
        for _ in range(refine if detuning_at is not None else 0):  # Illinois steps: e is nearly linear
            e_c = depth(detuning_at(x_c))  # type: ignore[misc]
            if e_c == 0:
                break
            if (e_c < 0) == (e_lo < 0):
                lo, e_lo, e_hi = x_c, e_c, 0.5 * e_hi
            else:
                hi, e_hi, e_lo = x_c, e_c, 0.5 * e_lo
            x_c = lo + (hi - lo) * e_lo / (e_lo - e_hi)
        if x_range[0] <= x_c <= x_range[1]:
            onsets.append(x_c)
    return sorted(onsets)


def z_interval_integrals(numerator: FloatArray, width2: FloatArray, detuning: FloatArray, lnz: FloatArray) -> FloatArray:
    """Int d ln z of F = N/(B^2 + D^2) for each x column (z is axis -2, uniform; returns axis -2 summed).

    N = (T^3/(2 pi^2 H s)) (Gamma/4) D0^2 sin^2 2theta, B^2 = D0^2 sin^2 2theta + Gamma^2/4 and the
    detuning D = D0 cos 2theta - V_T (Eq. 2.5). Where V_T crosses D0 cos 2theta (an MSW-like
    resonance when V_V > 0 at T > m_V) the Lorentzian in D can be far narrower than the grid. In
    every interval where it is unresolved (|Delta D| > B and D small there) and D's zero lies within
    one interval of it, the trapezoid is replaced by the exact integral of the Lorentzian with D
    linearised about its zero t*:
    N h/D' [arctan(D'(1-t*)/B) - arctan(-D' t*/B)]/B, where t* and D' = dD/dt come from the cubic
    through four neighbouring nodes, and N, B are log-interpolated to t*. Elsewhere the trapezoid
    rule is kept (exponentially convergent for the smooth, vanishing-at-the-ends integrand).
    """
    h = float(lnz[1] - lnz[0])
    F = numerator / (width2 + detuning**2)
    out = h * (F.sum(axis=-2) - 0.5 * (F[..., 0, :] + F[..., -1, :]))  # trapezoid, per x
    # candidates: D changes by more than half its smallest size across the interval (cheap mask),
    # then, on those few, the Lorentzian is unresolved: (Delta D)^2 > B^2
    dd = np.diff(detuning, axis=-2)
    ad = np.abs(detuning)
    cand = np.nonzero(np.minimum(ad[..., :-1, :], ad[..., 1:, :]) < 2 * np.abs(dd))
    if cand[0].size == 0:
        return out
    b2 = np.minimum(width2[(*cand[:-2], cand[-2], cand[-1])], width2[(*cand[:-2], cand[-2] + 1, cand[-1])])
    keep = dd[cand] ** 2 > b2
    idx = tuple(axis[keep] for axis in cand)
    if idx[0].size == 0:
        return out
    n_z = detuning.shape[-2]
    zi = idx[-2]
    lead = idx[:-2]
    col = idx[-1]

    def node(k: NDArray[Any], arr: FloatArray) -> FloatArray:
        return arr[(*lead, np.clip(k, 0, n_z - 1), col)]

    dm1, d0, d1, d2 = (node(zi + k, detuning) for k in (-1, 0, 1, 2))
    # cubic through t = -1, 0, 1, 2 (one-sided at the ends of the grid: fall back to linear there)
    inner = (zi >= 1) & (zi + 2 <= n_z - 1)
    c1 = np.where(inner, -d2 / 6 + d1 - d0 / 2 - dm1 / 3, d1 - d0)
    c2 = np.where(inner, (d1 + dm1) / 2 - d0, 0.0)
    c3 = np.where(inner, (d2 - dm1) / 6 + (d0 - d1) / 2, 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = np.clip(d0 / (d0 - d1), 0.0, 1.0)
        for _ in range(4):  # Newton on the cubic, kept inside the interval
            value = d0 + t * (c1 + t * (c2 + t * c3))
            slope = c1 + t * (2 * c2 + 3 * t * c3)
            t = np.clip(t - np.where(slope != 0, value / slope, 0.0), 0.0, 1.0)
        slope = c1 + t * (2 * c2 + 3 * t * c3)
        at_t = d0 + t * (c1 + t * (c2 + t * c3))
        n_i, n_j = node(zi, numerator), node(zi + 1, numerator)
        w_i, w_j = node(zi, width2), node(zi + 1, width2)
        n_star = np.where((n_i > 0) & (n_j > 0), n_i * (n_j / n_i) ** t, (1 - t) * n_i + t * n_j)
        b_star = np.sqrt(w_i * (w_j / w_i) ** t)
        lo, hi = at_t - slope * t, at_t + slope * (1 - t)
        exact = n_star * h / slope * (np.arctan(hi / b_star) - np.arctan(lo / b_star)) / b_star
        # the linearised zero: a D that only approaches zero (falling geometrically, say) has no
        # Lorentzian here, and its "correction" would take up to 30% off a smooth integrand
        centre = t - at_t / slope
    good = np.isfinite(exact) & (slope != 0) & (centre >= -1.0) & (centre <= 2.0)
    trap = 0.5 * h * (node(zi, F) + node(zi + 1, F))
    np.add.at(out, (*lead, col), np.where(good, exact - trap, 0.0))
    return out


def _validate_model(dm: SterileNeutrino, model: Model | None) -> None:
    if model is None:
        return
    for attr in ("potential", "rate"):
        if not callable(getattr(model, attr, None)):
            raise InputError(f"model {model!r} has no {attr}(E, T) method")
    couples = getattr(model, "couples_to", None)
    if couples is not None and not couples(dm.flavor):
        raise InputError(f"{model!r} does not couple to nu_{dm.flavor}, the flavour nu_4 mixes with")


def relic_density(dm: SterileNeutrino, model: Model | None = None, *, sm: SMInput = "paper",
                  gstar: GStarModel = DEFAULT_GSTAR, convention: str = "comoving",
                  T_max: float | None = None, T_final: float = T_FINAL,
                  points_per_decade: int = 60, n_x: int = 40, spectrum: bool = True) -> RelicResult:
    """Relic abundance of nu_4 produced by oscillation (Eqs. 2.8, 3.14 in comoving form).

    Parameters
    ----------
    dm: the sterile neutrino.
    model: secret-interaction model (``None``: Standard Model only, pure Dodelson-Widrow).
    sm: Standard Model input: ``"paper"`` (Eqs. 2.6, 2.7 and the paper's kinetics) or ``"full"``
        (every plasma species, Pauli blocking, nu and nubar counted, entropy heating; see
        :mod:`secretnu.sm` and :data:`KINETICS`), or a user rate table
        (:class:`~secretnu.sm_tables.SMRateTable`, with the kinetics of ``"full"``).
    gstar: degrees-of-freedom model (default Saikawa & Shirai 2018).
    convention: ``"comoving"`` (default) or ``"literal_eq_3_14"`` (see module docstring).
    T_max, T_final: integration window [GeV]; T_max defaults to max(100 GeV, 30 m_V), capped at 1 TeV.
    points_per_decade: ln z grid density (per decade of T).
    n_x: number of Gauss-Laguerre nodes in x = E/T.
    spectrum: also compute the relic momentum spectrum.

    Raises :class:`~secretnu.errors.InputError` for a bad argument (before computing: types, the
    ranges of :data:`secretnu.validate.DOMAINS`, n_x <= 400, points_per_decade <= 2000) and for a
    result that is not a finite, non-negative number.
    """
    if not isinstance(dm, SterileNeutrino):
        raise InputError(f"dm must be a SterileNeutrino, got {type(dm).__name__}")
    check_sm(sm)
    if not isinstance(sm, str) and sm.flavor != dm.flavor:  # a rate table is for one flavour
        raise InputError(f"rate table {sm.name!r} is for nu_{sm.flavor}, not nu_{dm.flavor}")
    if convention not in CONVENTIONS:
        raise InputError(f"unknown convention {convention!r}: choose one of {', '.join(CONVENTIONS)}")
    _validate_model(dm, model)
    if T_max is None:
        T_max = 100.0 if model is None else min(1e3, max(100.0, 30.0 * model.default_t_max()))
    T_max = in_domain(T_max, "T", "T_max", " GeV")
    T_final = in_domain(T_final, "T", "T_final", " GeV")
    if not T_final < T_max:
        raise InputError(f"need 0 < T_final < T_max, got T_final={T_final}, T_max={T_max}")
    points_per_decade = integer(points_per_decade, "points_per_decade", lo=4, hi=MAX_POINTS_PER_DECADE)
    n_x = integer(n_x, "n_x", lo=4, hi=MAX_N_X)
    if not isinstance(spectrum, bool):
        raise InputError(f"spectrum must be True or False, got {spectrum!r}")
    if not isinstance(gstar, GStarModel):
        raise InputError(f"gstar must be a GStarModel (e.g. secretnu.SaikawaShirai2018()), got {gstar!r}")

    n_z = math.ceil(points_per_decade * math.log10(T_max / T_final)) + 1
    T = np.geomspace(T_max, T_final, n_z)
    lnz = np.log(MU_REF / T)
    kinetics = kinetics_of(sm)
    c2t = dm.cos_2theta

    def detuning_at(x: float) -> FloatArray:  # D cos 2theta - V_T along z at one momentum
        E = x * T
        return dm.mass**2 / (2 * E) * c2t - active_potential(dm, model, E, T, sm)

    x, w = momentum_rule(n_x)
    E = x[None, :] * T[:, None]
    pot = active_potential(dm, model, E, T[:, None], sm)
    onsets = resonance_onsets(dm.mass**2 / (2 * E) * c2t - pot, x, detuning_at)
    if onsets:  # a resonance switches on inside the x range: panels that resolve its cusp
        x, w = momentum_rule(n_x, onsets)
        E = x[None, :] * T[:, None]
        pot = active_potential(dm, model, E, T[:, None], sm)
    gamma = active_rate(dm, model, E, T[:, None], sm)
    H = effective_hubble(T, gstar, kinetics)
    g_s_norm = gstar.g_s(T) if convention == "comoving" else np.full_like(T, gstar.g_s(T_final))
    # T^3 / (2 pi^2 H s) with s = 2 pi^2/45 g*s T^3 (g*s at T_f for the literal convention)
    prefactor = 45.0 / (4 * math.pi**4 * g_s_norm * H)
    mixing, width2, detuning = mixing_terms(dm, E, gamma, pot)
    numerator = prefactor[:, None] * 0.25 * gamma * mixing
    per_mode = numerator / (width2 + detuning**2)
    dY_dlnz = per_mode @ w
    if not np.all(np.isfinite(dY_dlnz)):
        raise InputError("non-finite production rate: these parameters are outside the range the kernels handle")
    dY_dlnz = kinetics.states * dY_dlnz
    per_x = z_interval_integrals(numerator, width2, detuning, lnz)  # per momentum mode, summed over z
    Y = kinetics.states * float(per_x @ w)
    omega_h2 = finite_result(Y * S0_CM3 * dm.mass / kinetics.rho_c, "Omega h^2", str(dm))

    i = int(np.argmax(dY_dlnz))
    T_peak = float(T[i])
    if 0 < i < n_z - 1:  # parabola through the three largest samples in ln T
        y0, y1, y2 = dY_dlnz[i - 1:i + 2]
        denom = y0 - 2 * y1 + y2
        if denom < 0:
            step = math.log(T[i + 1] / T[i])
            T_peak = float(T[i] * math.exp(0.5 * (y0 - y2) / denom * step))

    q = f4 = np.empty(0)
    if spectrum:
        q, f4, mean_q = _spectrum(dm, model, sm, T, lnz, prefactor, gstar)
    else:  # <q> from the yield's own integral: a mode made at T with x = p/T has q = x r(T) (see _spectrum);
        # r(T) is smooth, so it rides in the numerator through the same resonance-aware z quadrature as Y
        r = (G_STAR_S_NU_DECOUPLING / gstar.g_s(T)) ** (1 / 3)
        made = float(per_x @ w)
        q_made = float(z_interval_integrals(numerator * r[:, None], width2, detuning, lnz) @ (w * x))
        mean_q = q_made / made if made > 0 else float("nan")
    options = dict(sm=sm_label(sm), convention=convention, T_max=T_max, T_final=T_final,
                   points_per_decade=points_per_decade, n_x=n_x, x_onsets=tuple(onsets))
    return RelicResult(omega_h2=omega_h2, relic_yield=Y, z=MU_REF / T, T=T, dY_dlnz=dY_dlnz,
                       T_peak=T_peak, q=q, f4=f4, mean_q=mean_q, dm=dm, model=model, options=options,
                       states=kinetics.states)


def _spectrum(dm: SterileNeutrino, model: Model | None, sm: SMInput, T: FloatArray, lnz: FloatArray,
              prefactor: FloatArray, gstar: GStarModel, n_q: int = 80) -> tuple[FloatArray, FloatArray, float]:
    """Relic phase-space density f4(q), q = p/T_nu, and <q>.

    A mode made at temperature T with x = p/T has q = x (10.75/g*s(T))^(1/3) for ever after.
    dY/dq = Int d ln z K(q/r, z)/r with K = dY/(dx d ln z) and r = (10.75/g*s(T))^(1/3);
    f4 = (dY/dq) s/(T_nu^3 q^2/(2 pi^2)) with s/T_nu^3 = 2 pi^2 10.75/45.
    """
    q = np.geomspace(1e-2, 30.0, n_q)
    r = (G_STAR_S_NU_DECOUPLING / gstar.g_s(T)) ** (1 / 3)
    x = q[None, :] / r[:, None]
    g = production_integrand(dm, model, x, T[:, None], sm)
    kernel = prefactor[:, None] * x**2 / (1 + np.exp(x)) * g / r[:, None]
    dY_dq = np.trapezoid(kernel, lnz, axis=0)
    f4 = dY_dq * (2 * math.pi**2) ** 2 * G_STAR_S_NU_DECOUPLING / (45 * q**2)
    lnq = np.log(q)
    n2 = np.trapezoid(q**3 * f4, lnq)
    mean_q = float(np.trapezoid(q**4 * f4, lnq) / n2) if n2 > 0 else float("nan")
    return q, f4, mean_q
