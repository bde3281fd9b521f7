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

#: Figure layout of Figs. 6-8 in inches: the axes keep this size whatever the legend holds.
_FIG_SIZE = (9.2, 5.0)
_AXES_RECT = (0.85, 0.6, 5.5, 4.0)  # left, bottom, width, height
_OTHER_COLOR = "0.72"


def _pastel(color: str, strength: float) -> tuple[float, float, float]:
    """``color`` blended with white: an opaque fill as light as ``strength`` of the colour."""
    from matplotlib.colors import to_rgb

    return tuple(strength * c + (1 - strength) for c in to_rgb(color))  # type: ignore[return-value]


def _union_mask(constraints: Sequence, grid, couplings):
    """True where any of ``constraints`` excludes (m_V, coupling): the exact union, cell by cell."""
    import numpy as np

    mask = np.zeros((grid.size, couplings.size), dtype=bool)
    for c in constraints:
        r = c.excluded(grid)
        with np.errstate(invalid="ignore"):
            mask |= (couplings[None, :] >= r.lower[:, None]) & (couplings[None, :] <= r.upper[:, None])
    return mask


def plot_relic_curves(curves: Sequence, labels: Sequence[str] | None = None, constraints: Sequence = (),
                      *, model: str | None = None, m_range: tuple[float, float] | None = None,
                      coupling_range: tuple[float, float] = (1e-7, 1.0), target: float = 0.12,
                      ax=None, path: str | Path | None = None, legend: bool = True, note: str = "") -> Figure:
    """Figs. 6-8: Omega h^2 = target curves over the limits the paper names, and one envelope of the rest.

    ``curves`` holds :class:`~secretnu.scans.RelicCurve` objects or ``scan`` datasets (their
    ``omega_h2 = target`` contour is drawn, which follows the S-shape through every branch).
    ``constraints`` are :class:`~secretnu.constraints.Constraint` objects, sorted with
    :func:`secretnu.constraints.named.classify`: each limit named in the figure's caption is filled
    in its own colour (projections as dashed lines), every other existing limit is merged into one
    grey "other limits" region, and unnamed projections and preferred bands are left out. Regions are
    exact unions on a 400 x 300 log grid. The relic curves are drawn on top; the legend sits in a
    column right of the axes, which keep their size however many limits there are. ``note`` is
    printed under the legend (e.g. which named limits have no data).
    """
    import numpy as np
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from .constraints.named import classify

    if ax is None:
        fig = plt.figure(figsize=_FIG_SIZE)
        w, h = _FIG_SIZE
        left, bottom, width, height = _AXES_RECT
        ax = fig.add_axes((left / w, bottom / h, width / w, height / h))
    fig = ax.figure
    labels = list(labels) if labels is not None else [None] * len(curves)  # type: ignore[list-item]
    handles: list = []
    masses = []
    for k, (curve, label) in enumerate(zip(curves, labels, strict=False)):
        color = ("0.45", "k", "C3", "C0")[k % 4]
        if hasattr(curve, "omega_h2"):  # an xarray scan
            m, c = curve["m_V"].values, curve["coupling"].values
            ax.contour(m, c, np.log(curve["omega_h2"].values.T), levels=[np.log(target)], colors=[color],
                       linestyles="solid", linewidths=2.2, zorder=5)
            model = model or curve.attrs.get("model")
        else:
            for m, c in curve.branches.values():  # root-found points: markers, as branches may interleave
                ax.plot(m, c, color=color, marker="o", ms=2.5, ls="none", zorder=5)
            m = curve.m_V
            model = model or curve.model
        handles.append(Line2D([], [], color=color, lw=2.2, label=label if label is not None else f"curve {k + 1}"))
        masses.append(m)
    if m_range is None:
        m_range = (min(float(np.min(m)) for m in masses), max(float(np.max(m)) for m in masses)) if masses \
            else (1e-3, 10.0)
    ylo, yhi = coupling_range
    grid = np.geomspace(*m_range, 400)
    couplings = np.geomspace(ylo, yhi, 300)
    if constraints:
        if model is None:
            raise ValueError("plot_relic_curves needs model= to sort constraints into the figure's named limits")
        sorted_limits = classify(constraints, model)
        limit_handles, projection_handles = [], []
        if sorted_limits.other:
            mask = _union_mask(sorted_limits.other, grid, couplings)
            if mask.any():
                ax.contourf(grid, couplings, mask.T.astype(float), levels=[0.5, 1.5], colors=[_OTHER_COLOR],
                            alpha=0.55, zorder=1)
                limit_handles.append(Patch(color=_OTHER_COLOR, alpha=0.55,
                                           label=f"other limits ({len(sorted_limits.other)})"))
        edges = []
        masks = [(named, _union_mask(members, grid, couplings)) for named, members in sorted_limits.named if members]
        # the largest region first, so a smaller one drawn later stays visible; the legend keeps caption order
        order = {named.label: k for k, (named, _) in enumerate(masks)}
        drawn = sorted((m for m in masks if m[1].any()), key=lambda nm: -int(nm[1].sum()))
        members_of = dict(sorted_limits.named)
        for named, mask in drawn:
            members = members_of[named]
            field = mask.T.astype(float)
            if named.projection:
                ax.contour(grid, couplings, field, levels=[0.5], colors=[named.color], linestyles="--",
                           linewidths=1.5, zorder=4)
                projection_handles.append(Line2D([], [], color=named.color, ls="--", lw=1.5, label=named.label))
                continue
            # opaque pastel fills, so overlaps do not stack into mud; every edge is drawn over all fills
            preferred = "preferred" in {c.kind for c in members}
            pastel = _pastel(named.color, 0.45 if not preferred else 0.25)
            ax.contourf(grid, couplings, field, levels=[0.5, 1.5], colors=[pastel],
                        hatches=["//" if preferred else None], zorder=2)
            edges.append((field, named.color))
            limit_handles.append(Patch(facecolor=pastel, edgecolor=named.color, hatch="//" if preferred else None,
                                       label=named.label))
        for field, color in edges:
            ax.contour(grid, couplings, field, levels=[0.5], colors=[color], linewidths=1.0, zorder=3)
        limit_handles.sort(key=lambda h: order.get(str(h.get_label()), -1))
        projection_handles.sort(key=lambda h: order.get(str(h.get_label()), -1))
        handles += limit_handles + projection_handles
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(*m_range)
    ax.set_ylim(ylo, yhi)
    ax.set_xlabel(r"$m_V$ [GeV]")
    ax.set_ylabel(_COUPLING_LABEL.get(model or "", "coupling"))
    if legend and handles:
        leg = ax.legend(handles=handles, fontsize=7.5, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                        borderaxespad=0.0, frameon=False)
        if note:
            import textwrap

            text = "Not shown: " + note
            ax.annotate("\n".join(textwrap.wrap(text, 46)), xy=(0, 0), xycoords=leg, xytext=(0, -6),
                        textcoords="offset points", va="top", fontsize=6.5, color="0.3")
    ax.grid(alpha=0.15, which="major")
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
    """Does anything survive? One panel per :class:`~secretnu.viability.CurveVerdict`: the Omega h^2 =
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
    fig.legend([seen[k] for k in order], order, loc="lower center", ncol=ncol, fontsize=7, frameon=False,  # type: ignore[call-overload]
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
    crosses them). ``plane`` is a :class:`~secretnu.viability.DMPlane`."""
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
