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


@cli.command()
@_dm_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def relic(m4: float, sin2_2theta: float, flavor: str, as_json: bool) -> None:
    """Relic abundance Omega h^2 of nu_4 at one parameter point.

    Without a model this is pure Dodelson-Widrow with the paper's Standard Model inputs
    (Eqs. 2.6, 2.7).
    """
    from .production import relic_density
    from .sterile import SterileNeutrino

    dm = SterileNeutrino(m4, sin2_2theta, flavor)
    start = time.perf_counter()
    result = relic_density(dm)
    elapsed = time.perf_counter() - start
    if as_json:
        click.echo(json.dumps({**result.to_dict(), "seconds": elapsed}))
        return
    click.echo(f"{dm}, Standard Model interactions only")
    click.echo(f"Omega h^2        = {result.omega_h2:.6g}")
    click.echo(f"peak production  : T = {format_energy(result.T_peak)}")
    click.echo(f"<p/T_nu> relic   = {result.mean_q:.3f}")
    click.echo(f"({elapsed:.2f} s)")


def main() -> None:
    """Entry point of the ``secretnu`` console script."""
    cli(prog_name="secretnu")


if __name__ == "__main__":  # pragma: no cover
    main()
