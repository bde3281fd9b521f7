"""Physical constants in natural units (GeV, hbar = c = k_B = 1), each with its source.

PDG 2024 = S. Navas et al. (Particle Data Group), Phys. Rev. D 110, 030001 (2024).
"""

from __future__ import annotations

import math

from .units import MeV, keV

__all__ = [
    "G_F", "M_W", "M_Z", "M_H", "M_PL", "V_HIGGS",
    "M_E", "M_MU", "M_TAU", "LEPTON_MASS",
    "S0_CM3", "RHO_C_H2_GEV_CM3", "MU_REF", "T_FINAL",
    "ZETA3", "G_STAR_S_NU_DECOUPLING",
]

#: Fermi constant [GeV^-2], PDG 2024 (CODATA 2018: 1.1663787(6)e-5).
G_F: float = 1.1663787e-5
#: W boson mass [GeV], PDG 2024 average.
M_W: float = 80.3692
#: Z boson mass [GeV], PDG 2024.
M_Z: float = 91.1880
#: Higgs boson mass [GeV], PDG 2024.
M_H: float = 125.20
#: Planck mass (non-reduced) G_N^{-1/2} [GeV], PDG 2024 (CODATA 2018).
M_PL: float = 1.220890e19
#: Higgs vacuum expectation value v = (sqrt(2) G_F)^{-1/2} [GeV].
V_HIGGS: float = (math.sqrt(2.0) * G_F) ** -0.5

#: Charged-lepton masses [GeV], PDG 2024.
M_E: float = 0.51099895e-3
M_MU: float = 0.1056583755
M_TAU: float = 1.77693
LEPTON_MASS: dict[str, float] = {"e": M_E, "mu": M_MU, "tau": M_TAU}

#: Entropy density today [cm^-3], as used in the paper (PDG: 2891.2 (T0/2.7255 K)^3).
S0_CM3: float = 2891.2
#: Critical density today over h^2 [GeV cm^-3], as used in the paper (PDG 2024: 1.05371e-5).
RHO_C_H2_GEV_CM3: float = 1.05e-5

#: Reference scale of the time variable z = MU_REF / T (paper, below Eq. 2.8).
MU_REF: float = 1.0 * MeV
#: Temperature at which the integration stops (paper, below Eq. 3.13).
T_FINAL: float = 100.0 * keV

#: Riemann zeta(3).
ZETA3: float = 1.2020569031595942
#: g_{*s} of photons, e+- and three neutrino flavours: normalises the neutrino temperature.
G_STAR_S_NU_DECOUPLING: float = 10.75
