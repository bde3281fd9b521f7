"""Command-line interface ``secretnu`` (click). Thin layer over the public API."""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import click

from .errors import InputError
from .units import format_energy, parse_energy

__all__ = ["main", "cli"]

#: Default point of ``secretnu relic``: the 3.55 keV line candidate with a DW-sized mixing.
DEFAULT_M4 = "7.1keV"
DEFAULT_SIN2_2THETA = 1e-9


class EnergyType(click.ParamType):
    """A mass or energy with an eV/keV/MeV/GeV suffix (bare numbers are GeV)."""

    name = "energy"

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        if isinstance(value, float):
            return value
        try:
            energy = parse_energy(value)
        except InputError as exc:
            self.fail(str(exc), param, ctx)
        if not (math.isfinite(energy) and energy > 0):
            self.fail(f"{value!r} is not a positive, finite energy", param, ctx)
        return energy


ENERGY = EnergyType()


def _explicit(*names: str) -> list[str]:
    """The options among ``names`` (parameter names) that the user typed, as --flags."""
    ctx = click.get_current_context()
    flags = {p.name: p.opts[0] for p in ctx.command.params}
    return [flags[n] for n in names
            if ctx.get_parameter_source(n) not in (None, click.core.ParameterSource.DEFAULT)]


def _refuse(names: list[str], why: str) -> None:
    if names:
        raise InputError(f"{', '.join(names)} {'has' if len(names) == 1 else 'have'} no effect {why}")


def _json(data: Any) -> str:
    """JSON with non-finite numbers written as null (JSON has no NaN)."""
    def clean(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        return value
    return json.dumps(clean(data), allow_nan=False)


def _scheduler_address(scheduler: str | None) -> None:
    import re

    if scheduler is not None and not re.fullmatch(r"(?:[a-z]+://)?[\w.\-\[\]:]+:\d{1,5}", scheduler):
        raise InputError(f"--scheduler {scheduler!r} is not a scheduler address such as tcp://127.0.0.1:8786")


class _Group(click.Group):
    """Turns usage errors and bad physical input into one line on stderr and exit status 2."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        import warnings

        def one_line(message: Any, category: Any, *_: Any, **__: Any) -> None:  # e.g. a recomputed store chunk
            click.echo(f"Warning: {' '.join(str(message).split())}", err=True)

        shown, warnings.showwarning = warnings.showwarning, one_line
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except (click.UsageError, InputError) as exc:
            message = exc.format_message() if isinstance(exc, click.UsageError) else str(exc)
            click.echo(f"Error: {' '.join(message.split())}", err=True)  # one line, always
            sys.exit(2)
        except OSError as exc:  # a file vanished or a disk filled after the checks passed
            where = f" {exc.filename}" if exc.filename else ""
            click.echo(f"Error: cannot write or read{where}: {exc.strerror or exc}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        finally:
            warnings.showwarning = shown
        if standalone_mode:
            sys.exit(rv if isinstance(rv, int) else 0)
        return rv


def _dm_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--flavor", default="mu", show_default=True,
                        help="Active flavour nu_4 mixes with: e, mu or tau.")(func)
    func = click.option("--sin2-2theta", "sin2_2theta", type=float, default=DEFAULT_SIN2_2THETA,
                        show_default=True, help="Vacuum mixing sin^2(2 theta), in (0, 1].")(func)
    func = click.option("--m4", type=ENERGY, default=DEFAULT_M4, show_default=True,
                        help="Sterile-neutrino mass, e.g. 7.1keV.")(func)
    return func


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="secretnu")
def cli() -> None:
    """Sterile-neutrino dark matter from oscillations with secret neutrino interactions.

    Implements arXiv:2005.03681 (Kelly, Sen, Tangarife, Zhang). Masses take eV/keV/MeV/GeV
    suffixes; bare numbers are GeV.
    """


_COUNTING = click.option("--counting", type=click.Choice(["paper", "physical"]), default=None,
                         help="Gauged models: nu_a nubar_b cross section as in the paper (default) or physical.")


class SMType(click.ParamType):
    """``paper``, ``full`` or the path of a rate table Gamma(p/T, T) (secretnu.SMRateTable.from_file:
    sterile-dm's format, temperatures in MeV, for nu_mu unless its name ends in _e or _tau)."""

    name = "paper|full|TABLE"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if not isinstance(value, str) or value in ("paper", "full"):
            return value
        from pathlib import Path

        from .sm_tables import SMRateTable

        path = Path(value)
        if not path.is_file():
            self.fail(f"{value!r} is neither 'paper', 'full' nor a rate-table file", param, ctx)
        flavor = next((f for f in ("tau", "mu", "e") if path.stem.endswith("_" + f)), "mu")
        try:
            return SMRateTable.from_file(path, flavor=flavor)
        except InputError as exc:
            self.fail(str(exc), param, ctx)


_SM = click.option("--sm", type=SMType(), default="paper", show_default=True,
                   help="Standard Model input: the paper's (Eqs. 2.6, 2.7), every plasma species with "
                        "Pauli blocking, nu and nubar counted and entropy heating (beyond the paper), or "
                        "a rate-table file Gamma(p/T, T) in sterile-dm's format (docs/physics.md).")


def _model_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = _COUNTING(func)
    func = click.option("--width", default=None,
                        help="V width: 'paper' (default, lambda^2 m_V/12pi), 'chiral' (lambda^2 m_V/24pi) "
                             "or a value with units.")(func)
    func = click.option("--coupling", type=float, default=None, help="Coupling of V (lambda or g).")(func)
    func = click.option("--mV", "m_V", type=ENERGY, default=None, help="Mediator mass (m_V, or m_phi for the scalar), e.g. 30MeV.")(func)
    func = click.option("--model", "model_name", default=None,
                        help="Secret-interaction model: neutrinophilic, lmu-ltau, b-l, le-lmu, le-ltau or scalar. "
                             "Omit for pure Dodelson-Widrow.")(func)
    return func


def _build_model(model_name: str | None, m_V: float | None, coupling: float | None,
                 width: str | None, flavor: str, counting: str | None = None) -> Any:
    from .models import make_model

    if model_name is None:
        if m_V is not None or coupling is not None:
            raise InputError("--mV and --coupling need --model")
        if width is not None or counting is not None:
            raise InputError("--width and --counting need --model")
        return None
    if m_V is None or coupling is None:
        raise InputError(f"model {model_name!r} needs both --mV and --coupling")
    return make_model(model_name, m_V, coupling, flavor=flavor, counting=counting, width=_width_option(width))


@cli.command()
@_dm_options
@_model_options
@_SM
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def relic(m4: float, sin2_2theta: float, flavor: str, model_name: str | None, m_V: float | None,
          coupling: float | None, width: str | None, counting: str | None, sm: str, as_json: bool) -> None:
    """Relic abundance Omega h^2 of nu_4 at one parameter point.

    Without --model this is pure Dodelson-Widrow with the Standard Model input chosen by --sm
    (default: the paper's Eqs. 2.6, 2.7); with one, Gamma = Gamma_SM + Gamma_V and
    V_T = V_SM + V_V (Eq. 3.13).
    """
    from .production import relic_density
    from .sterile import SterileNeutrino

    dm = SterileNeutrino(m4, sin2_2theta, flavor)
    model = _build_model(model_name, m_V, coupling, width, flavor, counting)
    start = time.perf_counter()
    result = relic_density(dm, model, sm=sm, spectrum=False)  # <p/T_nu> comes from the yield itself
    elapsed = time.perf_counter() - start
    if as_json:
        click.echo(_json({**result.to_dict(), "seconds": elapsed}))
        return
    click.echo(f"{dm}, " + ("Standard Model interactions only" if model is None else str(model))
               + f" (sm={result.options['sm']})")
    click.echo(f"Omega h^2        = {result.omega_h2:.6g}")
    click.echo(f"peak production  : T = {format_energy(result.T_peak)}")
    click.echo(f"<p/T_nu> relic   = {result.mean_q:.3f}")
    click.echo(f"({elapsed:.2f} s)")


@cli.command()
@_dm_options
@_model_options
@_SM
@click.option("--x", "x", type=float, default=1.0, show_default=True, help="Neutrino energy over temperature.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Write the three-panel figure (Fig. 5 layout) to this file (PNG/PDF).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def diagnose(m4: float, sin2_2theta: float, flavor: str, model_name: str | None, m_V: float | None,
             coupling: float | None, width: str | None, counting: str | None, sm: str, x: float,
             plot_path: str | None, as_json: bool) -> None:
    """Fig. 5 diagnostics: Gamma/H, theta_eff/theta, d f4/d ln z, time scales and regime."""
    from .diagnostics import diagnose as run_diagnose
    from .sterile import SterileNeutrino
    from .validate import plot_file

    if plot_path is not None:
        plot_file(plot_path)
    dm = SterileNeutrino(m4, sin2_2theta, flavor)
    model = _build_model("neutrinophilic" if model_name is None else model_name, m_V, coupling, width, flavor, counting)
    diag = run_diagnose(dm, model, x=x, sm=sm)
    if plot_path is not None:
        from .plotting import plot_diagnostics

        plot_diagnostics([diag], path=plot_path)
    if as_json:
        click.echo(_json(diag.to_dict()))
        return
    click.echo(f"{dm}, {model}, x = {x:g}")
    click.echo(f"z0 (Gamma/H = 1)               = {diag.z0:.4g}")
    click.echo(f"z1 (D = max(|V_T|, Gamma/2))   = {diag.z1:.4g}")
    click.echo(f"z2 (1 MeV / m_V)               = {diag.z2:.4g}")
    click.echo(f"z_peak (max d f4/d ln z)       = {diag.z_peak:.4g}")
    click.echo(f"ordering                       : {diag.hierarchy}")
    click.echo(f"regime                         : {diag.regime}")
    if plot_path is not None:
        click.echo(f"figure written to {plot_path}")


_LIMITS = click.option("--limits", multiple=True, type=click.Path(file_okay=False),
                       help="Folder of Darkcast .lmt recasts or CSV limits, or 'auto' for every set fetched with "
                            "'secretnu limits fetch' (repeatable; adds to SECRETNU_LIMITS_PATH).")
_INPUTS = click.option("--inputs", type=click.Choice(["current", "paper"]), default="current", show_default=True,
                       help="Experimental numbers for the computed bounds: today's or the paper's.")


def _plane_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = _SM(func)
    func = click.option("--n-coupling", type=click.IntRange(2, 100_000), default=200, show_default=True,
                        help="Number of couplings (log-spaced).")(func)
    func = click.option("--coupling-max", type=float, default=1.0, show_default=True)(func)
    func = click.option("--coupling-min", type=float, default=1e-7, show_default=True)(func)
    func = click.option("--n-mV", "n_m_V", type=click.IntRange(1, 100_000), default=200, show_default=True,
                        help="Number of vector masses (log-spaced).")(func)
    func = click.option("--mV-max", "m_V_max", type=ENERGY, default="10GeV", show_default=True)(func)
    func = click.option("--mV-min", "m_V_min", type=ENERGY, default="1MeV", show_default=True)(func)
    func = _COUNTING(func)
    func = click.option("--width", default=None, help="V width: 'paper' (default), 'chiral' or a value.")(func)
    func = click.option("--model", "model_name", default="neutrinophilic", show_default=True,
                        help="Secret-interaction model: neutrinophilic, lmu-ltau, b-l, le-lmu, le-ltau or scalar.")(func)
    return func


def _axis(lo: float, hi: float, n: int, what: str) -> Any:
    import numpy as np

    if not (lo > 0 and hi > 0) or (n > 1 and not lo < hi) or not (math.isfinite(lo) and math.isfinite(hi)):
        raise InputError(f"{what} range must satisfy 0 < min < max, got {lo:g} .. {hi:g}")
    return np.geomspace(lo, hi, n)


def _executor_from_scheduler(scheduler: str | None) -> Any:
    if scheduler is None:
        return None
    try:
        from dask.distributed import Client
    except ImportError:
        raise InputError("--scheduler needs dask.distributed: pip install 'secretnu[dask]'") from None
    try:
        return Client(scheduler)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"cannot reach dask scheduler {scheduler!r}: {exc}") from None


def _width_option(width: str | None) -> Any:
    if width is None or width in ("paper", "chiral"):
        return width
    return parse_energy(width)


@cli.command()
@_dm_options
@_plane_options
@click.option("--out", type=click.Path(dir_okay=False), default="scan.nc", show_default=True,
              help="netCDF output; a CSV with the same stem is written next to it.")
@click.option("--store", type=click.Path(file_okay=False), default=None,
              help="Directory for finished chunks: an interrupted scan rerun with it resumes.")
@click.option("--scheduler", default=None, help="Address of an existing dask scheduler (tcp://host:port).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="TOML configuration (see 'secretnu reproduce' and docs/cli.md): its sterile neutrinos, model "
                   "and plane replace the options above.")
@click.option("--quick", is_flag=True, help="With --config: the configuration's quick resolution.")
def scan(m4: float, sin2_2theta: float, flavor: str, model_name: str, width: str | None, counting: str | None,
         m_V_min: float,
         m_V_max: float, n_m_V: int, coupling_min: float, coupling_max: float, n_coupling: int, out: str,
         store: str | None, scheduler: str | None, quiet: bool, config_path: str | None, quick: bool,
         sm: str) -> None:
    """Omega h^2 and production regime on the (m_V, coupling) plane (Fig. 4)."""
    from pathlib import Path

    from .scans import scan_plane
    from .sterile import SterileNeutrino
    from .validate import output_dir, output_file

    out_checked = output_file(out, "--out", suffixes=(".nc",))  # the CSV goes next to it, never over it
    output_file(out_checked.with_suffix(".csv"), "--out (its CSV)")
    if store is not None:
        output_dir(store, "--store")
    _scheduler_address(scheduler)
    if config_path is not None:
        from .config import load_config
        from .reproduce import scans_for
        from .scans import save_scan

        _refuse(_explicit("m4", "sin2_2theta", "flavor", "model_name", "width", "counting", "m_V_min", "m_V_max",
                          "n_m_V", "coupling_min", "coupling_max", "n_coupling", "sm"),
                "with --config: the configuration sets the sterile neutrinos, model and plane")
        cfg = load_config(config_path)
        if cfg.kind == "diagnostics":
            raise InputError(f"{config_path} is a diagnostics configuration: run it with 'secretnu reproduce'")
        from .validate import grid_memory

        grid_memory(*cfg.resolution(quick), what="scan")
        start = time.perf_counter()
        datasets = scans_for(cfg, quick, _executor_from_scheduler(scheduler), store, progress=not quiet)
        stem = Path(out).with_suffix("")
        for k, ds in enumerate(datasets):
            paths = save_scan(ds, stem if len(datasets) == 1 else stem.with_name(f"{stem.name}_{k}"))
            click.echo(f"{cfg.sterile[k][0]}, {cfg.model}: wrote {paths[0]} and {paths[1]}")
        click.echo(f"{len(datasets)} scan(s) of {' x '.join(map(str, cfg.resolution(quick)))} points "
                   f"in {time.perf_counter() - start:.2f} s")
        return

    if quick:
        raise InputError("--quick has no effect without --config")
    dm = SterileNeutrino(m4, sin2_2theta, flavor)
    m_axis = _axis(m_V_min, m_V_max, n_m_V, "mV")
    c_axis = _axis(coupling_min, coupling_max, n_coupling, "coupling")
    executor = _executor_from_scheduler(scheduler)
    start = time.perf_counter()
    # numpy arrays, written without xarray: its import (with pandas) would take 0.5 s of CPU from the workers
    plane = scan_plane(dm, model_name, m_V=m_axis, coupling=c_axis, executor=executor, store=store,
                       width=_width_option(width), counting=counting, progress=not quiet, sm=sm)
    elapsed = time.perf_counter() - start
    nc_path, csv_path = plane.save(out)
    low, high = float(plane.omega_h2.min()), float(plane.omega_h2.max())
    n = m_axis.size * c_axis.size
    click.echo(f"{dm}, {model_name}: {m_axis.size} x {c_axis.size} points in {elapsed:.2f} s "
               f"({1e3 * elapsed / n:.3f} ms/point)")
    click.echo(f"Omega h^2 from {low:.3g} to {high:.3g}")
    click.echo(f"wrote {nc_path} and {csv_path}")


@cli.command()
@_dm_options
@_plane_options
@click.option("--target", type=float, default=0.12, show_default=True, help="Omega h^2 to solve for.")
@click.option("--out", type=click.Path(dir_okay=False), default="curve.csv", show_default=True,
              help="CSV output (m_V, coupling, regime); a netCDF with the same stem is written next to it.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Also draw the curve with the model's constraints (PNG/PDF by extension).")
@_LIMITS
@_INPUTS
@click.option("--scheduler", default=None, help="Address of an existing dask scheduler (tcp://host:port); "
              "default: local processes.")
def curve(m4: float, sin2_2theta: float, flavor: str, model_name: str, width: str | None, counting: str | None,
          m_V_min: float,
          m_V_max: float, n_m_V: int, coupling_min: float, coupling_max: float, n_coupling: int, target: float,
          out: str, plot_path: str | None, limits: tuple[str, ...], inputs: str, sm: str,
          scheduler: str | None = None) -> None:
    """Every branch of the Omega h^2 = target curve in the (m_V, coupling) plane (Figs. 6-8)."""
    from pathlib import Path

    from ._lazy import without_dask
    from .scans import _check_model, relic_curve
    from .sterile import SterileNeutrino
    from .validate import output_file, plot_file

    out_checked = output_file(out, "--out", suffixes=(".csv",))  # the netCDF goes next to it, never over it
    output_file(out_checked.with_suffix(".nc"), "--out (its netCDF)")
    if plot_path is not None:
        plot_file(plot_path)
    else:
        _refuse(_explicit("limits", "inputs"), "without --plot")
    if inputs != "current" and model_name != "neutrinophilic":
        raise InputError(f"--inputs applies to the neutrinophilic model only, not {model_name!r}")
    dm = SterileNeutrino(m4, sin2_2theta, flavor)
    m_axis = _axis(m_V_min, m_V_max, n_m_V, "mV")
    _axis(coupling_min, coupling_max, n_coupling, "coupling")  # the range, checked before computing
    model_name = _check_model(model_name)
    from .models import make_model
    from .validate import in_domain

    for m_end in (float(m_axis.min()), float(m_axis.max())):  # the plane's corners, before the first column
        for c_end in (coupling_min, coupling_max):
            make_model(model_name, m_end, c_end, flavor=flavor, width=_width_option(width), counting=counting)
    in_domain(target, "target", "--target")
    start = time.perf_counter()
    result = relic_curve(dm, model_name, m_V=m_axis, coupling_range=(coupling_min, coupling_max),
                         target=target, width=_width_option(width), counting=counting,
                         n_bracket=max(n_coupling // 3, 20), sm=sm, executor=_executor_from_scheduler(scheduler),
                         progress=m_axis.size >= 10)
    pieces = [result]
    import numpy as np

    with without_dask():
        ds = result.to_dataset()
    elapsed = time.perf_counter() - start
    rows = [(m, c, r) for m, cs, rs in zip(ds.m_V.values, ds.coupling.values, ds.regime.values, strict=False)
            for c, r in zip(cs, rs, strict=False) if np.isfinite(c)]
    out_path = Path(out)
    with out_path.open("w") as handle:
        handle.write("m_V_GeV,coupling,regime\n")
        handle.writelines(f"{m:.8g},{c:.8g},{r}\n" for m, c, r in rows)
    with without_dask():
        ds.to_netcdf(out_path.with_suffix(".nc"))
    click.echo(f"{dm}, {model_name}: {len(rows)} points on Omega h^2 = {target:g} in {elapsed:.2f} s")
    counts = {label: sum(1 for *_, r in rows if r == label) for label in ("C", "B", "A", "DW")}
    click.echo("branches: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    click.echo(f"wrote {out_path} and {out_path.with_suffix('.nc')}")
    if plot_path is not None:
        from . import constraints as cons
        from .plotting import plot_relic_curves
        from .scans import concat_curves

        found = cons.for_model(model_name, dm, inputs=inputs, limits=limits)
        plot_relic_curves([concat_curves(pieces)], [str(dm)], found, m_range=(m_V_min, m_V_max),
                          coupling_range=(coupling_min, coupling_max), target=target, path=plot_path)
        click.echo(f"figure with {len(found)} constraints written to {plot_path}")


@cli.command("constraints")
@_dm_options
@click.option("--model", "model_name", default="neutrinophilic", show_default=True,
              help="Secret-interaction model: neutrinophilic, lmu-ltau, b-l, le-lmu, le-ltau or scalar.")
@click.option("--mV", "m_V", type=ENERGY, multiple=True, help="Vector masses to evaluate at (repeatable).")
@_LIMITS
@_INPUTS
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def constraints_cmd(m4: float, sin2_2theta: float, flavor: str, model_name: str, m_V: tuple[float, ...],
                    limits: tuple[str, ...], inputs: str, as_json: bool) -> None:
    """List the constraints on a model and the couplings they exclude (Figs. 6-8)."""
    import math

    from . import constraints as cons
    from .models import model_key
    from .sterile import SterileNeutrino

    if inputs != "current" and model_key(model_name) != "neutrinophilic":
        raise InputError(f"--inputs applies to the neutrinophilic model only, not {model_name!r}")
    masses = list(m_V) or [1e-3, 1e-2, 0.1, 1.0, 10.0]
    found = cons.for_model(model_name, SterileNeutrino(m4, sin2_2theta, flavor), inputs=inputs, limits=limits)
    rows: list[dict[str, Any]] = []
    for c in found:
        r = c.excluded(masses)
        rows.append({"name": c.name, "kind": c.kind, "bound": c.bound, "computed": c.computed,
                     "citation": c.citation, "inputs": {k: str(v) for k, v in c.inputs.items()},
                     "excluded": [[m, None if math.isnan(lo) else lo, None if math.isnan(up) or math.isinf(up) else up]
                                  for m, lo, up in zip(masses, r.lower, r.upper, strict=False)]})
    if as_json:
        click.echo(json.dumps({"model": model_name, "m_V_GeV": masses, "constraints": rows}, indent=1))
        return
    click.echo(f"{len(rows)} constraints on {model_name}; excluded coupling at m_V = "
               + ", ".join(format_energy(m) for m in masses))
    for row in rows:
        cells = []
        for _, lo, up in row["excluded"]:
            cells.append("-" if lo is None else (f">{lo:.2g}" if up is None else f"{lo:.2g}..{up:.2g}"))
        click.echo(f"  {row['name'][:34]:34s} {row['kind'][:5]:5s} " + " ".join(f"{c:>15s}" for c in cells))


_XRAY = click.option("--xray", multiple=True,
                     help="X-ray limits: a sterile CSV (m4_keV,sin2_2theta), an AxionLimits g_a-gamma file, a folder "
                          "of them, or 'auto' (fetched sets). Repeatable.")
_STRUCTURE = click.option("--structure", default="all", show_default=True,
                          help="Structure-formation bounds, comma-separated: lyman-alpha, mw-satellites, lensing, "
                               "combined, or all.")
_NATURE = click.option("--nature", type=click.Choice(["majorana", "dirac"]), default="majorana", show_default=True,
                       help="nu4 nature for the X-ray rate (Dirac: half the Majorana rate).")


def _verdict_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options every viability command shares: SM input, bounds, X-ray data, nu4 nature, limits."""
    for option in (_INPUTS, _LIMITS, _NATURE, _XRAY, _STRUCTURE, _SM):
        func = option(func)
    return func


@cli.command()
@_dm_options
@_model_options
@click.option("--omega", type=float, default=None,
              help="Rescale sin^2 2theta so that Omega h^2 equals this (e.g. 0.12) before testing.")
@_verdict_options
@click.option("--warmness", "warmness_method", type=click.Choice(["auto", "class", "moment"]), default="auto",
              show_default=True, help="How m_th is computed: CLASS fit when classy is installed, or the moment estimate.")
@click.option("--m-th", "m_th", type=float, default=None, help="Use this thermal-equivalent mass [keV] instead.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
def check(m4: float, sin2_2theta: float, flavor: str, model_name: str | None, m_V: float | None,
          coupling: float | None, width: str | None, counting: str | None, sm: str, omega: float | None,
          structure: str, xray: tuple[str, ...], nature: str, limits: tuple[str, ...], inputs: str,
          warmness_method: str, m_th: float | None, as_json: bool) -> None:
    """Is this point alive? Relic, structure formation, X-ray, laboratory and BBN in one table."""
    from .sterile import SterileNeutrino
    from .viability import verdict

    if model_name is None:
        _refuse(_explicit("limits", "inputs"), "without --model (they select laboratory limits on the mediator)")
    if m_th is not None:
        _refuse(_explicit("warmness_method"), "with --m-th (m_th is given)")
    dm = SterileNeutrino(m4, sin2_2theta, flavor)
    model = _build_model(model_name, m_V, coupling, width, flavor, counting)
    start = time.perf_counter()
    result = verdict(dm, model, omega=omega, sm=sm, structure=structure, xray=xray, limits=limits, inputs=inputs,
                     nature=nature, m_th_keV=m_th, warmness_method=warmness_method)
    elapsed = time.perf_counter() - start
    if as_json:
        click.echo(json.dumps({**result.to_dict(), "seconds": elapsed}))
        return
    click.echo(result.table())
    click.echo(f"({elapsed:.2f} s)")


@cli.command()
@_dm_options
@_model_options
@_SM
@click.option("--out", type=click.Path(dir_okay=False), default="nu4_psd.dat", show_default=True,
              help="CLASS ncdm phase-space file to write (two bare columns); its CLASS .ini goes beside it.")
@click.option("--omega", "target_omega", type=float, default=None,
              help="Rescale sin^2(2 theta) so that Omega h^2 is exactly this (e.g. 0.12).")
@click.option("--warmness", "class_warmness", is_flag=True,
              help="Thermal-WDM mass, k_hm and M_hm from CLASS's linear P(k) (moment estimate if classy is absent).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def spectrum(m4: float, sin2_2theta: float, flavor: str, model_name: str | None, m_V: float | None,
             coupling: float | None, width: str | None, counting: str | None, sm: str, out: str,
             target_omega: float | None, class_warmness: bool, as_json: bool) -> None:
    """Relic momentum spectrum of nu_4 as a CLASS ncdm file and .ini, with <p/T> and a warmness summary."""

    from .production import relic_density
    from .spectrum import T_NCDM_OVER_T_CMB as T_NCDM
    from .spectrum import check_psd_paths, rescale_to_omega, warmness, write_class_psd
    from .sterile import SterileNeutrino
    from .validate import in_domain

    check_psd_paths(out, what="--out")  # before the relic and CLASS run
    if target_omega is not None:
        in_domain(target_omega, "target", "--omega")
    dm = SterileNeutrino(m4, sin2_2theta, flavor)
    result = relic_density(dm, _build_model(model_name, m_V, coupling, width, flavor, counting), sm=sm)
    if target_omega is not None:
        result = rescale_to_omega(result, target_omega)
    warm = warmness(result, method="auto" if class_warmness else "moment")
    path = write_class_psd(result, out)
    ini = path.with_suffix(".ini")
    if as_json:
        click.echo(_json({"omega_h2": result.omega_h2, "sin2_2theta": result.dm.sin2_2theta, **warm.to_dict(),
                          "states": result.states, "sm": result.options["sm"], "file": str(path), "ini": str(ini)}))
        return
    click.echo(f"{result.dm}: Omega h^2 = {result.omega_h2:.6g}")
    if target_omega is not None:
        click.echo(f"rescaled to Omega h^2 = {target_omega:g}: sin^2(2 theta) = {result.dm.sin2_2theta:.6g} "
                   f"(was {sin2_2theta:.6g})")
    click.echo(f"<p/T_nu> = {warm.mean_q:.3f} ({warm.mean_q_over_fd:.3f} x thermal), "
               f"rms = {warm.rms_q:.3f}")
    click.echo(f"thermal WDM mass with the same <p>/m and Omega: {warm.thermal_wdm_mass_keV:.3g} keV")
    if class_warmness:
        source = (f"CLASS {warm.transfer.class_version}, linear P(k), Planck 2018, nu4 = all dark matter"
                  if warm.transfer is not None else "no classy: moment estimate")
        click.echo(f"warmness ({source}):")
        click.echo(f"  m_th = {warm.m_th_keV:.3g} keV (thermal relic with the same alpha = {warm.alpha:.4g} Mpc/h; "
                   f"alpha(m_th): {warm.relation}; Viel et al. 2005 Eq. 7: {warm.m_th_viel_keV:.3g} keV)")
        click.echo(f"  k_hm = {warm.k_hm:.4g} h/Mpc, M_hm = {warm.M_hm:.3g} M_sun/h")
    click.echo(f"wrote {path} and {ini.name}: CLASS N_ncdm = 1, use_ncdm_psd_files = 1, m_ncdm = {dm.mass * 1e9:.6g} eV, "
               f"T_ncdm = {T_NCDM:.5f}, deg_ncdm = 1")


@cli.command("dm-plane")
@click.option("--model", "model_name", default="neutrinophilic", show_default=True,
              help="Secret-interaction model: neutrinophilic, lmu-ltau or b-l.")
@click.option("--mV", "m_V", type=ENERGY, required=True, help="Vector-boson mass, e.g. 30MeV.")
@click.option("--coupling", type=float, required=True, help="Coupling of V (lambda or g).")
@click.option("--width", default=None, help="V width: 'paper' (default), 'chiral' or a value.")
@_COUNTING
@click.option("--flavor", default="mu", show_default=True, help="Active flavour nu_4 mixes with: e, mu or tau.")
@click.option("--m4-min", type=ENERGY, default="1keV", show_default=True)
@click.option("--m4-max", type=ENERGY, default="100keV", show_default=True)
@click.option("--n-m4", type=click.IntRange(2, 10_000), default=30, show_default=True, help="Number of masses (log-spaced).")
@click.option("--target", type=float, default=0.12, show_default=True, help="Omega h^2 of the line.")
@_verdict_options
@click.option("--warmness", "warmness_method", type=click.Choice(["auto", "class", "moment"]), default="auto",
              show_default=True, help="How m_th is computed along the line.")
@click.option("--n-nodes", type=click.IntRange(1, 1000), default=6, show_default=True,
              help="Masses where the spectrum (and m_th) is computed exactly; interpolated in between.")
@click.option("--out", type=click.Path(dir_okay=False), default="dm_plane.csv", show_default=True, help="CSV output.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None, help="Figure (PNG/PDF).")
def dm_plane_cmd(model_name: str, m_V: float, coupling: float, width: str | None, counting: str | None, flavor: str,
                 m4_min: float, m4_max: float, n_m4: int, target: float, sm: str, structure: str,
                 xray: tuple[str, ...], nature: str, limits: tuple[str, ...], inputs: str, warmness_method: str,
                 n_nodes: int, out: str, plot_path: str | None) -> None:
    """The (m4, sin^2 2theta) plane for a fixed mediator: the Omega h^2 = target line, what excludes
    it (structure formation, X-ray, laboratory), and the pure Dodelson-Widrow line."""
    from .validate import output_file, plot_file
    from .viability import dm_plane  # it checks the target before computing

    output_file(out, "--out")
    if plot_path is not None:
        plot_file(plot_path)
    model = _build_model(model_name, m_V, coupling, width, flavor, counting)
    m4 = _axis(m4_min, m4_max, n_m4, "m4")
    start = time.perf_counter()
    plane = dm_plane(model, m4, target=target, flavor=flavor, sm=sm, structure=structure, xray=xray, limits=limits,
                     inputs=inputs, nature=nature, warmness_method=warmness_method, n_nodes=n_nodes)
    elapsed = time.perf_counter() - start
    rows = plane.to_rows()
    with open(out, "w") as handle:
        handle.write("m4_keV,sin2_2theta_model,sin2_2theta_dw,m_th_keV,status,excluded_by\n")
        handle.writelines(f"{r['m4_keV']:.6g},{r['sin2_2theta_model']:.6g},{r['sin2_2theta_dw']:.6g},"
                          f"{r['m_th_keV']:.4g},{r['status']},{r['excluded_by']}\n" for r in rows)
    alive = [r["m4_keV"] for r in rows if r["status"] == "allowed"]
    click.echo(f"{model}: Omega h^2 = {target:g} line at {len(rows)} masses in {elapsed:.2f} s")
    click.echo(f"allowed: {len(alive)} of {len(rows)}"
               + (f" (m4 = {min(alive):.3g} .. {max(alive):.3g} keV)" if alive else ""))
    for key, edge in plane.structure_edges.items():
        if edge == edge:
            click.echo(f"  {key}: too warm below m4 = {edge * 1e6:.3g} keV")
    click.echo(f"wrote {out}")
    if plot_path is not None:
        from .plotting import plot_dm_plane

        plot_dm_plane(plane, path=plot_path)
        click.echo(f"figure written to {plot_path}")


@cli.command()
@click.option("--out", type=click.Path(file_okay=False), default="secretnu-figures", show_default=True,
              help="Folder for the figures (PNG, PDF) and their data (netCDF, CSV).")
@click.option("--quick", is_flag=True, help="Coarse scans: about a minute instead of a few.")
@_LIMITS
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--verdict", "with_verdict", is_flag=True,
              help="Also the viability figure of each relic-curve figure (Figs. 6-8): which points survive "
                   "structure formation, X-ray, laboratory and BBN limits.")
@click.option("--xray", multiple=True, default=("auto",), show_default=True,
              help="With --verdict: X-ray limits (files, folders or 'auto' for the fetched sets).")
def reproduce(out: str, quick: bool, limits: tuple[str, ...], quiet: bool, with_verdict: bool,
              xray: tuple[str, ...]) -> None:
    """Figs. 4-8 of the paper and the data behind them, from the built-in configurations."""
    from pathlib import Path

    from tqdm.auto import tqdm

    from .config import builtin_configs
    from .reproduce import run_configs
    from .validate import output_dir

    if not with_verdict:
        _refuse(_explicit("xray"), "without --verdict")
    else:
        from .xray import load_xray_limits

        xray_limits = tuple(load_xray_limits(xray))  # read once; a bad file is refused before hours of scans
    output_dir(out, "--out")
    configs = builtin_configs()
    start = time.perf_counter()
    written = []
    notes: list[str] = []
    with tqdm(total=len(configs), unit="figure", desc="reproduce", disable=quiet) as bar:
        # every figure's scans run at once on one process pool while finished figures are drawn
        for cfg, files, seconds in run_configs(configs, Path(out), quick=quick, limits=limits, report=notes.append):
            bar.set_postfix_str(cfg.figure)
            bar.update(1)
            written.append((cfg, files, seconds))
    if with_verdict:  # after the scans' pool is gone: each verdict runs its own relic curves
        from .reproduce import run_verdict

        for k, (cfg, files, seconds) in enumerate(written):
            t0 = time.perf_counter()
            more = run_verdict(cfg, Path(out), quick=quick, limits=limits, xray=xray_limits)
            written[k] = (cfg, files + more, seconds + time.perf_counter() - t0)
    for cfg, files, seconds in written:
        kinds = ", ".join(sorted({p.suffix.lstrip('.') for p in files}))
        click.echo(f"{cfg.figure} ({cfg.kind}, {cfg.model}): {len(files)} files [{kinds}] in {seconds:.1f} s")
    for note in notes:
        click.echo(f"note: {note}")
    total = sum(len(f) for _, f, _ in written)
    click.echo(f"wrote {total} files to {out} in {time.perf_counter() - start:.1f} s"
               + (" (quick resolution)" if quick else ""))


@cli.group("limits")
def limits_group() -> None:
    """Published limit data (Darkcast, FORESEE, AxionLimits X-ray): download once, use with --limits auto.

    Files are fetched into the user's cache (SECRETNU_LIMITS_CACHE to change it), checked against the
    SHA-256 recorded for each, and never shipped with secretnu.
    """


@limits_group.command("fetch")
@click.argument("sets", nargs=-1)
@click.option("--url", default=None,
              help="Mirror base URL or folder holding <set mirror folder>/<file> (default: the pinned upstream "
                   "URLs; also SECRETNU_LIMITS_URL).")
def limits_fetch(sets: tuple[str, ...], url: str | None) -> None:
    """Download limit SETS (default: all) into the cache; sets already there and intact are re-used."""
    from .limitdata import LIMIT_SETS, fetch

    start = time.perf_counter()
    paths = fetch(list(sets) or None, base_url=url)
    for name, path in paths.items():
        click.echo(f"{name}: {len(LIMIT_SETS[name].files)} files verified in {path}")
    click.echo(f"{len(paths)} set(s) ready in {time.perf_counter() - start:.1f} s; use them with --limits auto")


@limits_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def limits_list(as_json: bool) -> None:
    """Every known limit set: content, citation, licence, pinned source and local status."""
    from .limitdata import list_sets

    rows = list_sets()
    if as_json:
        click.echo(json.dumps(rows, indent=1))
        return
    for row in rows:
        click.echo(f"{row['name']} [{row['kind']}; {', '.join(row['models'])}; {row['files']} files]: {row['status']}")
        click.echo(f"  {row['description']}")
        click.echo(f"  citation: {row['citation']}")
        click.echo(f"  licence: {row['licence']}; source: {row['repository']} @ {row['commit'][:12]}")
        if row["files"] <= 10:
            click.echo(f"  files: {', '.join(row['file_names'])}")
        if row["note"]:
            click.echo(f"  note: {row['note']}")
        if row["path"]:
            click.echo(f"  local: {row['path']}")


def main() -> None:
    """Entry point of the ``secretnu`` console script.

    After a command that loaded numba has succeeded, its output written and flushed, the process
    ends at once (os._exit): tearing numba's compiled code down at interpreter exit costs ~0.4 s
    (a sixth of a shell scan) and has nothing left to do (files are closed, worker pools shut down).
    """
    try:
        cli(prog_name="secretnu")
    except SystemExit as exc:
        if exc.code not in (0, None) or "numba" not in sys.modules:
            raise
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # e.g. a closed pipe: Python's own status when it cannot flush at exit
        os._exit(120)
    if "numba" in sys.modules:
        os._exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
