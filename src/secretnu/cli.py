"""Command-line interface ``secretnu`` (click). Thin layer over the public API."""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Callable

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
            return parse_energy(value)
        except InputError as exc:
            self.fail(str(exc), param, ctx)


ENERGY = EnergyType()


class _Group(click.Group):
    """Turns usage errors and bad physical input into one line on stderr and exit status 2."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)
        except (click.UsageError, InputError) as exc:
            message = exc.format_message() if isinstance(exc, click.UsageError) else str(exc)
            click.echo(f"Error: {message}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
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


def _model_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--width", default=None,
                        help="V width: 'paper' (default, lambda^2 m_V/12pi), 'chiral' (lambda^2 m_V/24pi) "
                             "or a value with units.")(func)
    func = click.option("--coupling", type=float, default=None, help="Coupling of V (lambda or g).")(func)
    func = click.option("--mV", "m_V", type=ENERGY, default=None, help="Vector-boson mass, e.g. 30MeV.")(func)
    func = click.option("--model", "model_name", default=None,
                        help="Secret-interaction model: neutrinophilic. Omit for pure Dodelson-Widrow.")(func)
    return func


def _build_model(model_name: str | None, m_V: float | None, coupling: float | None,
                 width: str | None, flavor: str) -> Any:
    from .models import make_model

    if model_name is None:
        if m_V is not None or coupling is not None:
            raise InputError("--mV and --coupling need --model")
        return None
    if m_V is None or coupling is None:
        raise InputError(f"model {model_name!r} needs both --mV and --coupling")
    options: dict[str, Any] = {"flavor": flavor}
    if width is not None:
        options["width"] = width if width in ("paper", "chiral") else parse_energy(width)
    return make_model(model_name, m_V, coupling, **options)


@cli.command()
@_dm_options
@_model_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def relic(m4: float, sin2_2theta: float, flavor: str, model_name: str | None, m_V: float | None,
          coupling: float | None, width: str | None, as_json: bool) -> None:
    """Relic abundance Omega h^2 of nu_4 at one parameter point.

    Without --model this is pure Dodelson-Widrow with the paper's Standard Model inputs
    (Eqs. 2.6, 2.7); with one, Gamma = Gamma_SM + Gamma_V and V_T = V_SM + V_V (Eq. 3.13).
    """
    from .production import relic_density
    from .sterile import SterileNeutrino

    dm = SterileNeutrino(m4, sin2_2theta, flavor)
    model = _build_model(model_name, m_V, coupling, width, flavor)
    start = time.perf_counter()
    result = relic_density(dm, model)
    elapsed = time.perf_counter() - start
    if as_json:
        click.echo(json.dumps({**result.to_dict(), "seconds": elapsed}))
        return
    click.echo(f"{dm}, " + ("Standard Model interactions only" if model is None else str(model)))
    click.echo(f"Omega h^2        = {result.omega_h2:.6g}")
    click.echo(f"peak production  : T = {format_energy(result.T_peak)}")
    click.echo(f"<p/T_nu> relic   = {result.mean_q:.3f}")
    click.echo(f"({elapsed:.2f} s)")


@cli.command()
@_dm_options
@_model_options
@click.option("--x", "x", type=float, default=1.0, show_default=True, help="Neutrino energy over temperature.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Write the three-panel figure (Fig. 5 layout) to this file (PNG/PDF).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def diagnose(m4: float, sin2_2theta: float, flavor: str, model_name: str | None, m_V: float | None,
             coupling: float | None, width: str | None, x: float, plot_path: str | None, as_json: bool) -> None:
    """Fig. 5 diagnostics: Gamma/H, theta_eff/theta, d f4/d ln z, time scales and regime."""
    from .diagnostics import diagnose as run_diagnose
    from .sterile import SterileNeutrino

    dm = SterileNeutrino(m4, sin2_2theta, flavor)
    model = _build_model(model_name or "neutrinophilic", m_V, coupling, width, flavor)
    diag = run_diagnose(dm, model, x=x)
    if plot_path is not None:
        from .plotting import plot_diagnostics

        plot_diagnostics([diag], path=plot_path)
    if as_json:
        click.echo(json.dumps(diag.to_dict()))
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


def main() -> None:
    """Entry point of the ``secretnu`` console script."""
    cli(prog_name="secretnu")


if __name__ == "__main__":  # pragma: no cover
    main()
