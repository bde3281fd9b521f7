"""Relic curves (Omega h^2 = 0.12) of the models beyond the paper at its two dark-matter points:
L_e - L_mu and L_e - L_tau (with L_mu - L_tau for comparison), and the lepton-number-charged scalar.

Run: python benchmarks/new_model_curves.py {u1,scalar} [out.csv]
"""
import sys
import time

import numpy as np

from secretnu import SterileNeutrino, keV
from secretnu.scans import relic_curve

POINTS = [(7.1 * keV, 7e-11), (50 * keV, 1e-15)]
#: set -> ((model, flavour) cases, m_V axis [GeV]; m_phi for the scalar)
SETS = {
    "u1": ([("le-lmu", "mu"), ("le-lmu", "e"), ("le-ltau", "e"), ("lmu-ltau", "mu")], np.geomspace(1e-3, 1.0, 13)),
    "scalar": ([("scalar", "tau"), ("scalar", "mu"), ("scalar", "e")], np.geomspace(1e-3, 3.0, 15)),
}

which = sys.argv[1] if len(sys.argv) > 1 else "u1"
if which not in SETS:
    sys.exit(f"usage: python benchmarks/new_model_curves.py {{{','.join(SETS)}}} [out.csv]")
cases, m_V = SETS[which]
rows = []
for m4, s2 in POINTS:
    for model, flavor in cases:
        t0 = time.perf_counter()
        dm = SterileNeutrino(m4, s2, flavor)
        c = relic_curve(dm, model, m_V=m_V, coupling_range=(1e-7, 1.0), n_bracket=40, points_per_decade=30, n_x=24)
        for k, m in enumerate(m_V):
            for root, reg in zip(c.roots[k], c.regimes[k], strict=True):
                if np.isfinite(root):
                    rows.append((m4 / keV, s2, model, flavor, m, root, reg))
        print(f"{model} nu_{flavor} m4={m4 / keV:g} keV s2={s2:g}: {time.perf_counter() - t0:.0f} s", flush=True)
out = sys.argv[2] if len(sys.argv) > 2 else f"{which}_relic_curves.csv"
with open(out, "w") as fh:
    fh.write("m4_keV,sin2_2theta,model,flavor,m_V_GeV,coupling,regime\n")
    fh.writelines(",".join(map(str, r)) + "\n" for r in rows)
print("wrote", out)
