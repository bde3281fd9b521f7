"""secretnu in five steps: one relic point, its diagnostics, a scan, the relic curve, the constraints.

Run: python examples/quickstart.py   (about 10 s; tests/test_examples.py checks its output)
"""

import numpy as np

from secretnu import MeV, Neutrinophilic, SterileNeutrino, constraints, diagnose, keV, relic_curve, relic_density, scan
from secretnu.spectrum import warmness

dm = SterileNeutrino(mass=7.1 * keV, sin2_2theta=7e-11, flavor="mu")

# 1. One point, exact path: benchmark C of the paper's Fig. 4
point_c = Neutrinophilic(m_V=30 * MeV, coupling=4.8e-6)
result = relic_density(dm, point_c)
print(f"benchmark C: Omega h^2 = {result.omega_h2:.4f}, peak at T = {result.T_peak * 1e3:.1f} MeV")
print(f"warmness: <p/T_nu> = {warmness(result).mean_q:.2f}")

# 2. Which production regime (Fig. 5)
print(f"regime: {diagnose(dm, point_c).regime}")

# 3. A coarse scan of the plane with the fast engine
plane = scan(dm, "neutrinophilic", m_V=np.geomspace(1e-3, 10, 40), coupling=np.geomspace(1e-7, 1, 40),
             executor="serial")
print(f"scan: {plane.omega_h2.size} points, Omega h^2 from {float(plane.omega_h2.min()):.2g} "
      f"to {float(plane.omega_h2.max()):.2g}")

# 4. Every coupling giving Omega h^2 = 0.12 at m_V = 0.5 GeV (the S-shape allows three)
curve = relic_curve(dm, "neutrinophilic", m_V=[0.5], coupling_range=(1e-7, 1.0))
roots = curve.roots[0][np.isfinite(curve.roots[0])]
print("couplings at m_V = 0.5 GeV: " + ", ".join(f"{c:.3g} ({r})" for c, r in zip(roots, curve.regimes[0], strict=False)))

# 5. Is benchmark C allowed?
excluded = [c.name for c in constraints.for_model("neutrinophilic", dm)
            if c.kind == "limit" and c.is_excluded(point_c.m_V, point_c.coupling)]
print(f"benchmark C excluded by: {', '.join(excluded) or 'nothing computed here'}")
