"""Figures in the layout of the paper. The only module that imports matplotlib."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .diagnostics import Diagnostics
from .units import format_energy

__all__ = ["plot_diagnostics", "plot_relic_curves", "plot_omega_plane", "save_figure", "plot_viability", "plot_dm_plane"]


def plot_diagnostics(diagnostics: Sequence[Diagnostics], labels: Sequence[str] | None = None,
                     path: str | Path | None = None) -> Figure:
    """Fig. 5: Gamma/H, theta_eff/theta and d f4/d ln z versus z, one column per point."""
    n = len(diagnostics)
    labels = list(labels) if labels is not None else [d.regime for d in diagnostics]
    fig, axes = plt.subplots(3, n, figsize=(3.6 * n, 8.0), sharex="col", squeeze=False)
    for j, (d, label) in enumerate(zip(diagnostics, labels, strict=False)):
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
    axes[2, 0].set_ylabel(rf"$d f_{{\nu_4}} / d\ln z$  (x = {diagnostics[0].x:g})")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=150)
    return fig


_COUPLING_LABEL = {"neutrinophilic": r"$\lambda$", "lmu-ltau": r"$g_{\mu\tau}$", "b-l": r"$g_{B-L}$"}


def _group(name: str) -> str:
    """Legend group of a constraint: the experiment (Darkcast files of one experiment share a colour)."""
    return name.split(" (")[0].split(" ")[0] if not name.startswith(("Higgs", "(g-2)", "nu4", "K ", "pi ")) \
        else name.split(" (")[0]


def plot_relic_curves(curves: Sequence, labels: Sequence[str] | None = None, constraints: Sequence = (),
                      *, model: str | None = None, m_range: tuple[float, float] | None = None,
                      coupling_range: tuple[float, float] = (1e-7, 1.0), target: float = 0.12,
                      ax=None, path: str | Path | None = None, legend: bool = True) -> Figure:
    """Figs. 6-8: Omega h^2 = target curves with excluded regions shaded and projections dashed.

    ``curves`` holds :class:`~secretnu.scans.RelicCurve` objects or ``scan`` datasets (their
    ``omega_h2 = target`` contour is drawn, which follows the S-shape through every branch).
    ``constraints`` are :class:`~secretnu.constraints.Constraint` objects.
    """
    import numpy as np

    fig = ax.figure if ax is not None else plt.figure(figsize=(8.4 if legend else 6.4, 5.0))
    ax = ax if ax is not None else fig.add_subplot()
    labels = list(labels) if labels is not None else [None] * len(curves)
    masses = []
    for k, (curve, label) in enumerate(zip(curves, labels, strict=False)):
        color = ("0.55", "k", "C3", "C0")[k % 4]
        if hasattr(curve, "omega_h2"):  # an xarray scan
            m, c = curve["m_V"].values, curve["coupling"].values
            ax.contour(m, c, np.log(curve["omega_h2"].values.T), levels=[np.log(target)], colors=[color], linestyles="solid",
                       linewidths=2.0)
            ax.plot([], [], color=color, lw=2.0, label=label)
            model = model or curve.attrs.get("model")
        else:
            first = True
            for m, c in curve.branches.values():  # root-found points: markers, as branches may interleave
                ax.plot(m, c, color=color, marker="o", ms=2.5, ls="none", label=label if first else None)
                first = False
            m = curve.m_V
            model = model or curve.model
        masses.append(m)
    if m_range is None:
        m_range = (min(float(np.min(m)) for m in masses), max(float(np.max(m)) for m in masses)) if masses \
            else (1e-3, 10.0)
    grid = np.geomspace(*m_range, 400)
    ylo, yhi = coupling_range
    groups: dict[str, str] = {}
    seen: set[str] = set()
    palette = [f"C{i}" for i in (4, 0, 3, 1, 2, 5, 6, 8, 9)]
    for c in constraints:
        key = _group(c.name)
        color = groups.setdefault(key, palette[len(groups) % len(palette)])
        r = c.excluded(grid)
        ok = np.isfinite(r.lower)
        if not ok.any():
            continue
        lower = np.clip(r.lower, ylo, yhi)
        upper = np.clip(np.where(np.isinf(r.upper), yhi, r.upper), ylo, yhi)
        tag = key + (" (future)" if c.kind == "projection" else "")
        first = tag not in seen
        seen.add(tag)
        if c.kind == "projection":
            ax.plot(grid, np.where(ok, lower, np.nan), color=color, ls="--", lw=1.2,
                    label=tag if first else None)
            if np.any(np.isfinite(r.upper) & ~np.isinf(r.upper)):
                ax.plot(grid, np.where(ok & np.isfinite(r.upper), upper, np.nan), color=color, ls="--", lw=1.2)
        else:
            hatch = "//" if c.kind == "preferred" else None
            ax.fill_between(grid, lower, upper, where=ok, color=color, alpha=0.22 if hatch is None else 0.15,
                            hatch=hatch, lw=0, label=key if first else None)
            ax.plot(grid, np.where(ok, lower, np.nan), color=color, lw=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(*m_range)
    ax.set_ylim(ylo, yhi)
    ax.set_xlabel(r"$m_V$ [GeV]")
    ax.set_ylabel(_COUPLING_LABEL.get(model or "", "coupling"))
    if legend:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False)
    ax.grid(alpha=0.15, which="major")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=150)
    return fig


def plot_omega_plane(ds, points: Sequence = (), *, target: float = 0.12, title: str = "",
                     ax=None, path: str | Path | None = None) -> Figure:
    """Fig. 4: Omega h^2 on the (m_V, coupling) plane from a ``scan`` dataset.

    Filled decades of log10(Omega h^2), labelled contours at target x 10^k (the target thick), and
    benchmark ``points`` (objects with ``name``, ``m_V``, ``coupling``) marked.
    """
    import numpy as np

    fig = ax.figure if ax is not None else plt.figure(figsize=(6.8, 5.2))
    ax = ax if ax is not None else fig.add_subplot()
    m, c = ds["m_V"].values, ds["coupling"].values
    log_omega = np.log10(np.clip(ds["omega_h2"].values.T, 1e-300, None))
    lo, hi = np.floor(np.nanmin(log_omega)), np.ceil(np.nanmax(log_omega))
    filled = ax.contourf(m, c, log_omega, levels=np.arange(max(lo, -8), min(hi, 8) + 0.5, 0.5), cmap="viridis",
                         extend="both")
    fig.colorbar(filled, ax=ax, label=r"$\log_{10}\,\Omega h^2$")
    ks = np.arange(-4, 5)
    levels = np.log10(target) + ks
    lines = ax.contour(m, c, log_omega, levels=levels, colors="w", linewidths=[2.2 if k == 0 else 0.7 for k in ks],
                       linestyles="solid")
    ax.clabel(lines, fmt=lambda v: f"{10**v:.2g}", fontsize=7)
    for p in points:
        ax.plot(p.m_V, p.coupling, marker="*", ms=12, color="tab:red", mec="k")
        ax.annotate(p.name, (p.m_V, p.coupling), xytext=(6, 4), textcoords="offset points", color="tab:red",
                    fontsize=12, fontweight="bold")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$m_V$ [GeV]")
    ax.set_ylabel(_COUPLING_LABEL.get(ds.attrs.get("model", ""), "coupling"))
    dm = ds.attrs
    subtitle = f"$m_4$ = {dm.get('m4_GeV', float('nan')) * 1e6:.3g} keV, $\\sin^2 2\\theta$ = {dm.get('sin2_2theta', float('nan')):.2g}"
    ax.set_title(f"{title}: {subtitle}" if title else subtitle, fontsize=10)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=150)
    return fig


def save_figure(fig: Figure, stem: str | Path) -> list[Path]:
    """Write ``fig`` as STEM.png (150 dpi) and STEM.pdf, then close it; returns the two paths."""
    stem = Path(stem)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".pdf")]
    fig.savefig(paths[0], dpi=150)
    fig.savefig(paths[1])
    plt.close(fig)
    return paths


#: Colours of the viability figures: allowed, then the excluding tests in their usual order.
_VERDICT_COLOURS = {"allowed": "tab:green", "Lyman-alpha forest": "tab:purple", "Milky-Way satellites": "tab:pink",
                    "strong lensing": "tab:brown", "lensing + MW satellites": "tab:olive", "X-ray line": "tab:red",
                    "BBN": "tab:cyan", "nu4 lifetime": "0.4"}
_FALLBACK_COLOURS = ["tab:blue", "tab:orange", "gold", "tab:gray", "navy", "teal", "maroon", "indigo"]


def _verdict_colour(name: str, extra: dict[str, str]) -> str:
    if name in _VERDICT_COLOURS:
        return _VERDICT_COLOURS[name]
    return extra.setdefault(name, _FALLBACK_COLOURS[len(extra) % len(_FALLBACK_COLOURS)])


def plot_viability(verdicts: Sequence, labels: Sequence[str] | None = None, constraints: Sequence = (), *,
                   m_range: tuple[float, float] | None = None, coupling_range: tuple[float, float] = (1e-7, 1.0),
                   title: str = "", path: str | Path | None = None) -> Figure:
    """Does anything survive? One panel per :class:`~secretnu.verdict.CurveVerdict`: the Omega h^2 =
    target curve drawn point by point, green where every test allows it and otherwise in the colour
    of the first test that excludes it; laboratory limits (``constraints``) shaded grey behind."""
    import numpy as np

    n = len(verdicts)
    labels = list(labels) if labels is not None else [str(v.curve.dm) for v in verdicts]
    fig, axes = plt.subplots(1, n, figsize=(4.8 * n + 0.6, 5.0), squeeze=False, sharey=True)
    extra: dict[str, str] = {}
    seen: dict[str, object] = {}
    for ax, v, label in zip(axes[0], verdicts, labels, strict=False):
        curve = v.curve
        lo, hi = m_range or (float(np.min(curve.m_V)), float(np.max(curve.m_V)))
        grid = np.geomspace(lo, hi, 300)
        for c in constraints:
            if c.kind != "limit":
                continue
            r = c.excluded(grid)
            ok = np.isfinite(r.lower)
            if ok.any():
                upper = np.where(np.isinf(r.upper), coupling_range[1], r.upper)
                ax.fill_between(grid, np.clip(r.lower, *coupling_range), np.clip(upper, *coupling_range), where=ok,
                                color="0.5", alpha=0.12, lw=0)
        m = np.broadcast_to(curve.m_V[:, None], curve.roots.shape)
        names = np.where(v.status == "allowed", "allowed", v.excluded_by)
        for name in dict.fromkeys(names[v.status != ""].tolist()):
            mask = (names == name) & (v.status != "")
            colour = _verdict_colour(name, extra)
            handle = ax.scatter(m[mask], curve.roots[mask], s=14, color=colour, edgecolors="none", zorder=3)
            seen.setdefault(name if name == "allowed" else f"excluded: {name}", handle)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(lo, hi)
        ax.set_ylim(*coupling_range)
        ax.set_xlabel(r"$m_V$ [GeV]")
        counts = v.fractions()
        alive, total = counts.get("allowed", 0), sum(counts.values())
        ax.set_title(f"{label}: {alive} of {total} points survive", fontsize=9)
        ax.grid(alpha=0.15, which="major")
    axes[0, 0].set_ylabel(_COUPLING_LABEL.get(verdicts[0].curve.model if verdicts else "", "coupling"))
    order = sorted(seen, key=lambda k: (k != "allowed", k))
    ncol = min(2 if n == 1 else 3, max(len(order), 1))
    fig.legend([seen[k] for k in order], order, loc="lower center", ncol=ncol, fontsize=7, frameon=False,
               markerscale=1.5)
    if title:
        fig.suptitle(title, fontsize=10)
    rows = -(-len(order) // ncol)
    fig.tight_layout(rect=(0, 0.035 * rows + 0.01, 1, 1))
    if path is not None:
        fig.savefig(path, dpi=150)
    return fig


def plot_dm_plane(plane, *, title: str = "", path: str | Path | None = None) -> Figure:
    """The standard sterile-neutrino plot for a fixed mediator: (m4, sin^2 2theta) with the Omega h^2 =
    target line of the model (coloured by what excludes it), the pure Dodelson-Widrow line, the X-ray
    limits (shaded above) and the structure-formation bounds (shaded left of where m_th on the line
    crosses them). ``plane`` is a :class:`~secretnu.verdict.DMPlane`."""
    import numpy as np

    fig, ax = plt.subplots(figsize=(6.8, 5.0))
    m_keV = plane.m4 * 1e6
    grid = np.geomspace(m_keV[0], m_keV[-1], 400)
    envelope = np.full(grid.size, np.nan)
    for k, limit in enumerate(plane.xray):
        b = limit.bound(grid * 1e-6)
        envelope = np.fmin(envelope, b)
        ax.plot(grid, b, lw=0.8, color=f"C{k % 10}", alpha=0.8, label=f"X-ray: {limit.name}")
    if np.isfinite(envelope).any():
        ax.fill_between(grid, envelope, 1.0, where=np.isfinite(envelope), color="tab:red", alpha=0.15, lw=0)
    by_edge: dict[float, list[str]] = {}
    for key, m_cross in plane.structure_edges.items():
        if np.isfinite(m_cross):
            by_edge.setdefault(m_cross, []).append(key)
    for m_cross, keys in by_edge.items():
        ax.axvspan(m_keV[0], m_cross * 1e6, color="tab:purple", alpha=0.06)
        ax.axvline(m_cross * 1e6, color="tab:purple", lw=0.9, ls=":")
        ax.text(m_cross * 1e6, 0.02, " too warm: " + ", ".join(keys), rotation=90, va="bottom", ha="right",
                fontsize=7, color="tab:purple", transform=ax.get_xaxis_transform())
    extra: dict[str, str] = {}
    names = np.where(plane.status == "allowed", "allowed", plane.excluded_by)
    for name in dict.fromkeys(names.tolist()):
        mask = names == name
        ax.plot(m_keV[mask], plane.sin2_model[mask], "o", ms=3.5, color=_verdict_colour(name, extra),
                label=r"$\Omega h^2$" + f" = {plane.target:g}: " + ("allowed" if name == "allowed" else f"excluded by {name}"))
    ax.plot(m_keV, plane.sin2_model, color="k", lw=0.8, zorder=1)
    ax.plot(m_keV, plane.sin2_dw, color="0.3", ls="--", lw=1.2, label=r"$\Omega h^2$" + f" = {plane.target:g}, pure Dodelson-Widrow")
    finite = np.concatenate([plane.sin2_model[np.isfinite(plane.sin2_model)], plane.sin2_dw[np.isfinite(plane.sin2_dw)]])
    if finite.size:
        ax.set_ylim(10 ** np.floor(np.log10(finite.min()) - 1), 10 ** np.ceil(np.log10(finite.max()) + 1))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(m_keV[0], m_keV[-1])
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel(r"$m_4$ [keV]")
    ax.set_ylabel(r"$\sin^2 2\theta$")
    ax.set_title(title or plane.model_label, fontsize=9)
    ax.legend(fontsize=6.5, loc="upper right", framealpha=0.8)
    ax.grid(alpha=0.15, which="major")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=150)
    return fig
