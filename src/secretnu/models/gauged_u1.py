"""A gauged U(1)' with user-given lepton (and quark) charges; L_e - L_mu and L_e - L_tau.

L = g V_mu [ sum_l Q_l (lbar gamma l + nubar_l gamma P_L nu_l) + Q_q sum_q qbar gamma q ], one charge
Q_l per lepton generation (doublet) and one universal quark charge Q_q (B - L: Q_q = 1/3).
The channels are those of :mod:`secretnu.models.gauged` with every coupling weighted by its charge. For
the active flavour a (Q_a != 0), in units of g^4 s/(12 pi m^4) at s << m^2:

    nu_a nu_a, nu_a nubar_a (elastic)          Q_a^4 (6 + 4)
    nu_a nubar_a -> nu_b nubar_b               Q_a^2 Q_b^2                   per other nu_b
    nu_a nubar_a -> l l  (T >= 2 m_l)          2 Q_a^2 Q_l^2                 per charged lepton
    nu_a nu_b, nu_a nubar_b                    Q_a^2 Q_b^2 (3 + 3 paper | 1 physical)
    nu_a l+- (T >= m_l)                        8 Q_a^2 Q_l^2

so that with r_x = Q_x^2/Q_a^2 the rate is that of a unit-charge model with coupling |Q_a| g
and channel weights r_x (:meth:`GaugedU1.channel_weights`); :attr:`GaugedU1.coupling_scale`
= |Q_a| is that rescaling, used by the fast engine. The thermal potential (Eq. 3.3) is the
nu_a - V loop: coupling Q_a^2 g^2. Quarks are left out of the rate, as in the paper's B - L.

Width: gamma_V = sum_nu Q^2 g^2 m/(24 pi) + sum_l Q_l^2 g^2 m/(12 pi)(1 + 2r)sqrt(1 - 4r)
+ 9 Q_q^2 Gamma_had(B - L) (the quark-level approximation of :mod:`secretnu.models.bminusl`).
With {mu: 1, tau: -1} and {e: -1, mu: -1, tau: -1, quark: 1/3} the class reproduces
:class:`~secretnu.models.lmu_ltau.LmuLtau` and :class:`~secretnu.models.bminusl.BminusL` bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..constants import M_E, M_MU, M_TAU
from ..errors import InputError
from ..sm import FLAVORS, check_flavor
from ..units import format_energy
from .gauged import channel_sum_rate, lepton_pair_width
from .neutrinophilic import validate_vector
from .vector_mediator import thermal_potential

__all__ = ["GaugedU1", "LeLmu", "LeLtau", "u1_width", "normalise_charges", "CHARGE_KEYS"]

FloatArray = NDArray[np.float64]
LEPTON_MASSES: dict[str, float] = {"e": M_E, "mu": M_MU, "tau": M_TAU}
#: Charge keys: the three lepton generations and the universal quark charge.
CHARGE_KEYS: tuple[str, ...] = ("e", "mu", "tau", "quark")


def normalise_charges(charges: Any) -> tuple[tuple[str, float], ...]:
    """Charges as a hashable tuple of (key, Q) pairs in the order e, mu, tau, quark (zeros dropped)."""
    if isinstance(charges, Mapping):
        items = list(charges.items())
    else:
        try:
            items = [(k, v) for k, v in charges]
        except (TypeError, ValueError):
            raise InputError("charges must be a mapping such as {'e': 1, 'mu': -1}") from None
    out: dict[str, float] = {}
    for key, value in items:
        k = str(key).lower()
        k = {"electron": "e", "muon": "mu", "q": "quark", "b": "quark"}.get(k, k)
        if k not in CHARGE_KEYS:
            raise InputError(f"unknown charge {key!r}: use {', '.join(CHARGE_KEYS)}")
        try:
            if isinstance(value, bool):  # True is not a charge
                raise TypeError
            q = float(value)
        except (TypeError, ValueError):
            raise InputError(f"charge of {key!r} must be a number, got {value!r}") from None
        if not math.isfinite(q):
            raise InputError(f"charge of {key!r} must be finite, got {value!r}")
        out[k] = q
    ordered = tuple((k, out[k]) for k in CHARGE_KEYS if out.get(k, 0.0) != 0.0)
    if not any(k in FLAVORS for k, _ in ordered):
        raise InputError("at least one lepton charge must be non-zero")
    return ordered


def u1_width(m_V: float, coupling: float, charges: Any) -> float:
    """Total width of the U(1)' boson [GeV] (module docstring)."""
    from .bminusl import hadronic_width

    q = dict(normalise_charges(charges))
    q2nu = sum(q.get(f, 0.0) ** 2 for f in FLAVORS)
    neutrinos = q2nu * coupling**2 * m_V / (24 * math.pi)
    leptons = sum(lepton_pair_width(m_V, coupling, m, charge2=q[f] ** 2) for f, m in LEPTON_MASSES.items() if f in q)
    hadrons = hadronic_width(m_V, coupling, quark_charge2=q["quark"] ** 2) if "quark" in q else 0.0
    return neutrinos + leptons + hadrons


@dataclass(frozen=True)
class GaugedU1:
    """Gauged U(1)' vector boson with lepton-generation charges and a universal quark charge.

    Parameters
    ----------
    m_V: vector mass [GeV].
    coupling: gauge coupling g, in (0, sqrt(4 pi)).
    charges: {"e": Q_e, "mu": Q_mu, "tau": Q_tau, "quark": Q_q}; missing keys are 0. Stored as a
        tuple of pairs (see :func:`normalise_charges`).
    flavor: the active flavour nu_4 mixes with (must be charged); ``None``: mu if charged, else the
        first charged flavour.
    counting: ``"paper"`` or ``"physical"`` cross section for nu_a nubar_b (see :mod:`secretnu.models.gauged`).
    """

    m_V: float
    coupling: float
    charges: Any
    flavor: str | None = None
    counting: str = "paper"
    name: str = "u1"

    def __post_init__(self) -> None:
        m, g = validate_vector(self.m_V, self.coupling, "coupling g")
        object.__setattr__(self, "m_V", m)
        object.__setattr__(self, "coupling", g)
        charges = normalise_charges(self.charges)
        object.__setattr__(self, "charges", charges)
        q = dict(charges)
        if self.flavor is None:
            flavor = "mu" if "mu" in q else next(f for f in FLAVORS if f in q)
        else:
            flavor = check_flavor(self.flavor)
        if flavor not in q:
            raise InputError(f"{self.describe()} does not couple to nu_{flavor}: its charged flavours are "
                             + ", ".join("nu_" + f for f in FLAVORS if f in q))
        object.__setattr__(self, "flavor", flavor)
        if self.counting not in ("paper", "physical"):
            raise InputError(f"counting must be 'paper' or 'physical', got {self.counting!r}")

    # --- charges -------------------------------------------------------------------------------
    def charge(self, key: str) -> float:
        """Charge of a lepton generation ("e", "mu", "tau") or of the quarks ("quark")."""
        return dict(self.charges).get(key, 0.0)

    @property
    def NEUTRINOS(self) -> tuple[str, ...]:
        return tuple(f for f in FLAVORS if self.charge(f) != 0.0)

    @property
    def coupling_scale(self) -> float:
        """|Q_a|: the rate and potential are those of a unit-charge model with coupling |Q_a| g."""
        return abs(self.charge(str(self.flavor)))

    def _ratio(self, key: str) -> float:
        return self.charge(key) ** 2 / self.charge(str(self.flavor)) ** 2

    @property
    def _others(self) -> float:
        """sum over the other charged neutrinos of Q_b^2/Q_a^2."""
        return sum(self._ratio(f) for f in self.NEUTRINOS if f != self.flavor)

    def _open(self, T: FloatArray, factor: float) -> FloatArray:
        total: FloatArray = sum(self._ratio(f) * (T >= factor * m).astype(float)  # type: ignore[assignment]
                                for f, m in LEPTON_MASSES.items() if self.charge(f) != 0.0)
        return total

    # --- model interface -------------------------------------------------------------------------
    @property
    def gamma_V(self) -> float:
        return u1_width(self.m_V, self.coupling, self.charges)

    @property
    def n_other(self) -> float:
        return self._others

    def couples_to(self, flavor: str) -> bool:
        return self.charge(check_flavor(flavor)) != 0.0

    def default_t_max(self) -> float:
        return self.m_V

    def potential(self, E: ArrayLike, T: ArrayLike) -> FloatArray:
        """V_T,V: Eq. 3.3 with lambda -> |Q_a| g [GeV] (no asymmetries: the nu_a loop only)."""
        return thermal_potential(E, T, self.m_V, self.coupling_scale * self.coupling)

    def heavy_v_count(self, T: float) -> float:
        """N with Gamma = 7 pi g^4 E T^4 N/(540 m^4) for T << m_V (Eq. 4.4 generalised; includes Q_a^4)."""
        t = np.asarray(T, dtype=float)
        anti_other = 3 if self.counting == "paper" else 1
        n = 6 + 4 + self._others * (1 + 3 + anti_other) + 8 * self._open(t, 1.0) + 2 * self._open(t, 2.0)
        return float(self.coupling_scale**4 * n)

    def channel_weights(self, T: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Weights (a, b, c) of the s-only, t-channel LL and LR integrals relative to the own
        nu_a nu_a + nu_a nubar_a integral, for the rescaled coupling |Q_a| g."""
        T = np.asarray(T, dtype=float)
        paper = self.counting == "paper"
        a = self._others + 2 * self._open(T, 2.0)
        b = self._others * (2 if paper else 1) + 2 * self._open(T, 1.0)
        c = (0 if paper else self._others) + 2 * self._open(T, 1.0)
        return a + 0 * T, b + 0 * T, c + 0 * T

    def rate(self, E: ArrayLike, T: ArrayLike) -> FloatArray:
        """Gamma_V [GeV]: the channel sum (exact s-integrals, Breit-Wigner s channel) at the rescaled
        coupling |Q_a| g."""
        return channel_sum_rate(E, T, self.m_V, self.gamma_V / self.m_V, self.coupling_scale * self.coupling,
                                self.channel_weights)

    def on_shell_rate(self, E: ArrayLike, T: ArrayLike) -> FloatArray:
        """Narrow-width on-shell part: (Q_a g)^4 m^3 T k ln(1 + e^{-w})/(96 pi^2 gamma_V E^2), k the
        open s-channel weight 1 + sum_b r_b + 2 sum_l r_l [T >= 2 m_l]."""
        E, T = np.broadcast_arrays(np.asarray(E, dtype=float), np.asarray(T, dtype=float))
        k = 1.0 + self._others + 2 * self._open(T, 2.0)
        w = self.m_V**2 / (4 * E * T)
        g = self.coupling_scale * self.coupling
        return g**4 * self.m_V**3 * T * k * np.log1p(np.exp(-w)) / (96 * math.pi**2 * self.gamma_V * E**2)

    def describe(self) -> str:
        terms = []
        for key, q in (self.charges if isinstance(self.charges, tuple) else ()):
            label = "B" if key == "quark" else f"L_{key}"
            if key == "quark":
                q = 3 * q  # a quark charge 1/3 is one unit of baryon number
            terms.append(("+ " if q > 0 else "- ") + ("" if abs(q) == 1 else f"{abs(q):g} ") + label)
        text = " ".join(terms).lstrip("+ ")
        return f"U(1)' [{text}]" if text else "U(1)'"

    def __str__(self) -> str:
        return f"{self.describe()} V(m_V = {format_energy(self.m_V)}, g = {self.coupling:.3g}, nu_{self.flavor})"


@dataclass(frozen=True)
class LeLmu(GaugedU1):
    """Gauged L_e - L_mu boson (the paper's conclusion); default flavour nu_mu."""

    charges: Any = (("e", 1.0), ("mu", -1.0))
    name: str = "le-lmu"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.charges != (("e", 1.0), ("mu", -1.0)):
            raise InputError("LeLmu has fixed charges; use GaugedU1 for other charges")


@dataclass(frozen=True)
class LeLtau(GaugedU1):
    """Gauged L_e - L_tau boson (the paper's conclusion); default flavour nu_e."""

    charges: Any = (("e", 1.0), ("tau", -1.0))
    name: str = "le-ltau"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.charges != (("e", 1.0), ("tau", -1.0)):
            raise InputError("LeLtau has fixed charges; use GaugedU1 for other charges")
