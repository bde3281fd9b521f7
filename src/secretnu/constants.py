"""Physical constants in natural units (GeV, hbar = c = k_B = 1), each with its source.

PDG 2024 = S. Navas et al. (Particle Data Group), Phys. Rev. D 110, 030001 (2024).
"""

from __future__ import annotations

import math

from .units import MeV, keV

__all__ = [
    "G_F", "M_W", "M_Z", "M_H", "M_PL", "V_HIGGS",
    "M_E", "M_MU", "M_TAU", "LEPTON_MASS",
    "S0_CM3", "RHO_C_H2_GEV_CM3", "RHO_C_H2_GEV_CM3_PDG", "MU_REF", "T_FINAL",
    "ZETA3", "G_STAR_S_NU_DECOUPLING",
    "HBAR_GEV_S", "SIN2_THETA_W", "M_PI_CHARGED", "M_K_CHARGED", "F_PI", "F_K", "V_UD", "V_US",
    "TAU_PI_CHARGED", "TAU_K_CHARGED", "GAMMA_H_SM", "AGE_UNIVERSE_S",
    "QUARK_MASS", "CKM", "M_PI_NEUTRAL", "BR_PI_E_NU", "BR_K_MU_NU",
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
#: Critical density today over h^2 [GeV cm^-3], PDG 2024 (3 H0^2/(8 pi G_N) = 1.05371(2)e-5 h^2):
#: used by sm="full" and rate tables (sterile-dm uses 1.05368e-5).
RHO_C_H2_GEV_CM3_PDG: float = 1.05371e-5

#: Reference scale of the time variable z = MU_REF / T (paper, below Eq. 2.8).
MU_REF: float = 1.0 * MeV
#: Temperature at which the integration stops (paper, below Eq. 3.13).
T_FINAL: float = 100.0 * keV

#: Riemann zeta(3).
ZETA3: float = 1.2020569031595942
#: g_{*s} of photons, e+- and three neutrino flavours: normalises the neutrino temperature.
G_STAR_S_NU_DECOUPLING: float = 10.75

#: Reduced Planck constant [GeV s], CODATA 2018 (exact).
HBAR_GEV_S: float = 6.582119569e-25
#: sin^2 theta_W, MS-bar at M_Z, PDG 2024.
SIN2_THETA_W: float = 0.23129
#: Charged pion and kaon masses [GeV], PDG 2024.
M_PI_CHARGED: float = 0.13957039
M_K_CHARGED: float = 0.493677
#: Neutral pion mass [GeV], PDG 2024.
M_PI_NEUTRAL: float = 0.1349768
#: Branching ratios pi+ -> e+ nu_e and K+ -> mu+ nu_mu, PDG 2024 (pi+ -> mu+ nu_mu is the rest).
BR_PI_E_NU: float = 1.230e-4
BR_K_MU_NU: float = 0.6356
#: Meson decay constants f_pi+, f_K+ [GeV] (f_pi ~ 130 MeV normalisation), PDG 2024 (FLAG average).
F_PI: float = 0.1302
F_K: float = 0.1557
#: CKM elements |V_ud|, |V_us|, PDG 2024.
V_UD: float = 0.97367
V_US: float = 0.22431
#: Mean lives of pi+ and K+ [s], PDG 2024.
TAU_PI_CHARGED: float = 2.6033e-8
TAU_K_CHARGED: float = 1.2380e-8
#: Standard Model Higgs total width at M_H = 125 GeV [GeV] (LHC Higgs XS WG, as quoted by PDG 2024).
GAMMA_H_SM: float = 4.1e-3
#: Age of the universe [s]: 13.797 Gyr, Planck 2018 (arXiv:1807.06209).
AGE_UNIVERSE_S: float = 13.797e9 * 3.15576e7

#: Quark masses [GeV], PDG 2024: MS-bar m_u, m_d, m_s at 2 GeV; m_c(m_c), m_b(m_b).
QUARK_MASS: dict[str, float] = {"u": 2.16e-3, "d": 4.70e-3, "s": 93.5e-3, "c": 1.2730, "b": 4.183}
#: |V_ij| of the CKM matrix (rows u, c; columns d, s, b), PDG 2024 global fit.
CKM: dict[tuple[str, str], float] = {
    ("u", "d"): V_UD, ("u", "s"): V_US, ("u", "b"): 0.00382,
    ("c", "d"): 0.221, ("c", "s"): 0.975, ("c", "b"): 0.0411,
}
