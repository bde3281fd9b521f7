"""``secretnu reproduce``: every figure of the paper (Figs. 4-8) and the data behind it, from the
configurations shipped in ``secretnu/configs`` (copy one and run it with ``secretnu scan --config``).

Each figure is written as PNG and PDF; each scan as netCDF and CSV; diagnostics as CSV and netCDF.
This module does I/O and orchestration only: the physics sits in the modules it calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .config import FigureConfig, builtin_configs
from .diagnostics import diagnose
from .models import make_model
from .scans import save_scan, scan

if TYPE_CHECKING:  # imported where used: the scan workers fork before xarray and pandas load
    import xarray as xr

    from .xray import XrayLimit

__all__ = ["reproduce", "run_config", "run_configs", "run_verdict", "scans_for", "save_scan", "Written"]


@dataclass(frozen=True)
class Written:
    figure: str
    path: Path
    seconds: float


def _plane(cfg: FigureConfig, quick: bool) -> tuple[np.ndarray, np.ndarray]:
    n_m, n_c = cfg.resolution(quick)
    return np.geomspace(*cfg.m_V_range, n_m), np.geomspace(*cfg.coupling_range, n_c)


def _scan_one(cfg: FigureConfig, k: int, quick: bool, executor: Any, store: str | Path | None = None,
              progress: bool = False) -> xr.Dataset:
    m_axis, c_axis = _plane(cfg, quick)
    sub = None if store is None else Path(store) / f"{cfg.figure}_{k}"
    return scan(cfg.sterile[k][0], cfg.model, m_V=m_axis, coupling=c_axis, executor=executor, store=sub,
                width=cfg.width, counting=cfg.counting, progress=progress)


def scans_for(cfg: FigureConfig, quick: bool = False, executor=None, store: str | Path | None = None,
              progress: bool = False) -> list[xr.Dataset]:
    """One (m_V, coupling) scan per sterile neutrino of the configuration."""
    return [_scan_one(cfg, k, quick, executor, store, progress) for k in range(len(cfg.sterile))]


def run_config(cfg: FigureConfig, out: Path, quick: bool = False, limits: Sequence[str | Path] = (),
               executor=None, report: Callable[[str], None] | None = None,
               datasets: Sequence[xr.Dataset] | None = None) -> list[Path]:
    """Compute and draw one figure configuration into folder ``out``; returns the files written.

    ``limits``: folders of limit files, or ``"auto"`` for every fetched published set
    (``secretnu limits fetch``). For Figs. 6-8, ``report`` is told which of the limits the paper
    names have no data, and how to get them. ``datasets``: the configuration's scans, if already
    computed (:func:`run_configs` computes them all at once on one executor).
    """
    from . import constraints as cons
    from .plotting import plot_diagnostics, plot_omega_plane, plot_relic_curves, save_figure

    out.mkdir(parents=True, exist_ok=True)
    stem = out / cfg.figure
    written: list[Path] = []
    if cfg.kind == "diagnostics":
        dm = cfg.sterile[0][0]
        diags = [diagnose(dm, make_model(cfg.model, p.m_V, p.coupling, width=cfg.width, counting=cfg.counting))
                 for p in cfg.points]
        import xarray as xr

        data = xr.Dataset()
        for p, d in zip(cfg.points, diags, strict=False):
            dim = f"z_{p.name}"
            for var in ("T", "gamma_over_H", "theta_eff_over_theta", "df4_dlnz"):
                data[f"{var}_{p.name}"] = ((dim,), getattr(d, var))
            data = data.assign_coords({dim: d.z})
            data.attrs[f"regime_{p.name}"] = d.regime
            data.attrs[f"z0_z1_z2_{p.name}"] = [d.z0, d.z1, d.z2]
            table = np.column_stack([d.z, d.T, d.gamma_over_H, d.theta_eff_over_theta, d.df4_dlnz])
            csv = out / f"{cfg.figure}_{p.name}.csv"
            np.savetxt(csv, table, delimiter=",", header="z,T_GeV,Gamma_over_H,theta_eff_over_theta,df4_dlnz",
                       comments="")
            written.append(csv)
        data.attrs.update(m4_GeV=dm.mass, sin2_2theta=dm.sin2_2theta, model=cfg.model, x=diags[0].x)
        data.to_netcdf(stem.with_suffix(".nc"))
        written.append(stem.with_suffix(".nc"))
        fig = plot_diagnostics(diags, [f"{p.name} (regime {d.regime})" for p, d in zip(cfg.points, diags, strict=False)])
        return written + save_figure(fig, stem)
    if datasets is None:
        datasets = scans_for(cfg, quick, executor)
    for k, ds in enumerate(datasets):
        written += save_scan(ds, out / (cfg.figure if len(datasets) == 1 else f"{cfg.figure}_{k}"))
    if cfg.kind == "omega-plane":
        fig = plot_omega_plane(datasets[0], cfg.points, title=cfg.title)
    else:
        # no dm: the nu4 lifetime bound differs per sterile neutrino and is never the leading one
        from .constraints.named import classify, missing_note

        found = cons.for_model(cfg.model, inputs=cfg.inputs, limits=limits)
        auto = any(str(p) == "auto" for p in cons.datasets.limits_paths(limits))
        note = missing_note(classify(found, cfg.model), auto=auto)
        if note and report is not None:
            report(f"{cfg.figure}: {note}")
        fig = plot_relic_curves(datasets, [label for _, label in cfg.sterile], found, model=cfg.model,
                                m_range=cfg.m_V_range, coupling_range=cfg.coupling_range, note=note)
        fig.axes[0].set_title(cfg.title, fontsize=10)
    return written + save_figure(fig, stem)


def run_verdict(cfg: FigureConfig, out: Path, quick: bool = False, limits: Sequence[str | Path] = (),
                xray: Sequence[str | Path | XrayLimit] = ("auto",), structure: str | Sequence[str] | None = None,
                n_nodes: int | None = None, warmness_method: str = "auto", **verdict_options: Any) -> list[Path]:
    """Viability figure of a relic-curves configuration: its Omega h^2 = 0.12 curves (one panel per
    sterile neutrino) coloured point by point by the first test that excludes them
    (:func:`secretnu.viability.curve_verdict`, which also takes ``verdict_options``), written as
    ``<figure>_verdict.png/.pdf`` with the per-point verdicts in ``<figure>_verdict.csv``."""
    from . import constraints as cons
    from .plotting import plot_viability, save_figure
    from .scans import relic_curve

    if cfg.kind != "relic-curves":
        return []
    out.mkdir(parents=True, exist_ok=True)
    n_m = max(cfg.resolution(quick)[0] // (4 if quick else 6), 8)
    m_axis = np.geomspace(*cfg.m_V_range, n_m)
    verdicts = []
    for dm, _ in cfg.sterile:
        curve = relic_curve(dm, cfg.model, m_V=m_axis, coupling_range=cfg.coupling_range, width=cfg.width,
                            counting=cfg.counting)
        verdicts.append(curve.verdict(structure=structure, xray=xray, limits=limits, inputs="current",
                                      n_nodes=n_nodes or (2 if quick else 4), warmness_method=warmness_method,
                                      **verdict_options))
    found = cons.for_model(cfg.model, inputs="current", limits=limits)
    fig = plot_viability(verdicts, [label for _, label in cfg.sterile], found, m_range=cfg.m_V_range,
                         coupling_range=cfg.coupling_range, title=f"{cfg.title}: does anything survive?")
    stem = out / f"{cfg.figure}_verdict"
    csv = stem.with_suffix(".csv")
    with csv.open("w") as handle:
        handle.write("sterile,m_V_GeV,coupling,regime,m_th_keV,status,first_exclusion\n")
        for (_, label), v in zip(cfg.sterile, verdicts, strict=True):
            c = v.curve
            for i, j in zip(*np.nonzero(v.status != ""), strict=True):
                handle.write(f"{label},{c.m_V[i]:.6g},{c.roots[i, j]:.6g},{c.regimes[i, j]},{v.m_th_keV[i, j]:.4g},"
                             f"{v.status[i, j]},{v.excluded_by[i, j]}\n")
    return [csv, *save_figure(fig, stem)]


def run_configs(configs: Iterable[FigureConfig], out: Path, quick: bool = False, limits: Sequence[str | Path] = (),
                executor: Any = None, report: Callable[[str], None] | None = None
                ) -> Iterator[tuple[FigureConfig, list[Path], float]]:
    """:func:`run_config` for every configuration, yielding ``(cfg, files, seconds)`` in their order.

    Every scan of every figure is queued at once on one executor (one process pool for the whole
    run unless ``executor`` is given; ``"serial"`` runs figure after figure in this process), so
    the workers never wait while this process draws a figure, writes its data or computes the
    exact-path diagnostics of Fig. 5: those run here, overlapped with the scans of the figures
    still to come. ``seconds`` is the time from the previous figure's end to this one's.
    """
    from ._lazy import without_dask
    from .scans import _executor

    configs = list(configs)
    out = Path(out)
    if isinstance(executor, str) and executor == "serial":
        for cfg in configs:
            start = time.perf_counter()
            files = run_config(cfg, out, quick=quick, limits=limits, executor=executor, report=report)
            yield cfg, files, time.perf_counter() - start
        return
    jobs = [(cfg, k) for cfg in configs if cfg.kind != "diagnostics" for k in range(len(cfg.sterile))]
    pool, owned = None, False
    if jobs:  # a pool of our own is forked here, before any thread starts, with the kernels loaded
        pool, owned = _executor(executor)
    threads = ThreadPoolExecutor(max_workers=max(1, len(jobs)), thread_name_prefix="secretnu-scan")
    # one without_dask around the whole run: the scans' own (in threads) nest inside it, so they
    # never patch or restore xarray concurrently; where dask is already imported it does nothing
    with without_dask():
        try:
            # one thread per scan only waits on the pool: all chunks of all figures are queued in order
            futures: dict[str, list[Future[xr.Dataset]]] = {}
            for cfg, k in jobs:
                futures.setdefault(cfg.figure, []).append(threads.submit(_scan_one, cfg, k, quick, pool))
            start = time.perf_counter()
            for cfg in configs:
                datasets = [f.result() for f in futures.get(cfg.figure, [])] if cfg.kind != "diagnostics" else None
                files = run_config(cfg, out, quick=quick, limits=limits, report=report, datasets=datasets)
                now = time.perf_counter()
                yield cfg, files, now - start
                start = now
        finally:
            if owned and pool is not None:
                pool.shutdown(cancel_futures=True)
            threads.shutdown(wait=True, cancel_futures=True)


def reproduce(out: str | Path = "secretnu-figures", quick: bool = False, limits: Sequence[str | Path] = (),
              configs: Iterable[FigureConfig] | None = None, executor=None,
              report: Callable[[str], None] | None = None) -> list[Written]:
    """Write Figs. 4-8 and their data into ``out``; ``quick`` lowers the scan resolution.

    All scans run at once on ``executor`` (see :func:`run_configs`) while figures are drawn."""
    done = []
    chosen = list(configs) if configs is not None else builtin_configs()
    for cfg, files, elapsed in run_configs(chosen, Path(out), quick=quick, limits=limits, executor=executor,
                                           report=report):
        done += [Written(cfg.figure, p, elapsed) for p in files]
        if report is not None:
            report(f"{cfg.figure}: {len(files)} files in {elapsed:.1f} s")
    return done
