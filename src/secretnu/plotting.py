"""Figures in the layout of the paper. The only module that imports matplotlib."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .diagnostics import Diagnostics  # noqa: E402
from .units import format_energy  # noqa: E402

__all__ = ["plot_diagnostics"]


def plot_diagnostics(diagnostics: Sequence[Diagnostics], labels: Sequence[str] | None = None,
                     path: str | Path | None = None) -> Figure:
    """Fig. 5: Gamma/H, theta_eff/theta and d f4/d ln z versus z, one column per point."""
    n = len(diagnostics)
    labels = list(labels) if labels is not None else [d.regime for d in diagnostics]
    fig, axes = plt.subplots(3, n, figsize=(3.6 * n, 8.0), sharex="col", squeeze=False)
    for j, (d, label) in enumerate(zip(diagnostics, labels)):
        col = axes[:, j]
        col[0].loglog(d.z, d.gamma_over_H, color="C0")
        col[0].axhline(1.0, color="0.6", lw=0.8, ls=":")
        col[1].loglog(d.z, d.theta_eff_over_theta, color="C1")
        col[2].loglog(d.z, d.df4_dlnz, color="C2")
        peak = d.df4_dlnz.max()
        col[2].set_ylim(peak * 1e-6, peak * 5)
        col[1].set_ylim(max(d.theta_eff_over_theta.min(), 1e-8), 2.0)
        for ax in col:
            for zz, style in ((d.z0, "-"), (d.z1, "--"), (d.z2, ":")):
                ax.axvline(zz, color="0.5", lw=0.8, ls=style)
            ax.grid(alpha=0.2, which="major")
        title = label
        if d.model is not None:
            title += f": $m_V$ = {format_energy(d.model.m_V)}, $\\lambda$ = {d.model.coupling:.2g}"
        col[0].set_title(title, fontsize=10, pad=16)
        col[2].set_xlabel(r"$z = 1\,\mathrm{MeV}/T$")
        ymax = col[0].get_ylim()[1]
        for zz, name in ((d.z0, "$z_0$"), (d.z1, "$z_1$"), (d.z2, "$z_2$")):
            col[0].text(zz, ymax, name, ha="center", va="bottom", fontsize=8, color="0.3")
    axes[0, 0].set_ylabel(r"$\Gamma / H$")
    axes[1, 0].set_ylabel(r"$\theta_\mathrm{eff} / \theta$")
    axes[2, 0].set_ylabel(r"$d f_{\nu_4} / d\ln z$  (x = %g)" % diagnostics[0].x)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=150)
    return fig
