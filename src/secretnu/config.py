"""Scan and figure configurations as plain TOML files (``secretnu scan --config FILE``, ``reproduce``).

A configuration names one figure: what to compute and how to draw it::

    figure = "fig6"                       # output stem
    kind = "relic-curves"                 # "omega-plane" (Fig. 4), "relic-curves" (Figs. 6-8),
                                          # or "diagnostics" (Fig. 5)
    model = "neutrinophilic"              # neutrinophilic | lmu-ltau | b-l
    title = "Neutrinophilic V"

    [[sterile]]                           # one or more sterile neutrinos
    m4 = "7.1keV"                         # energies as strings with units, or numbers in GeV
    sin2_2theta = 7e-11
    flavor = "mu"                         # optional

    [plane]                               # the (m_V, coupling) grid, log-spaced
    m_V = ["1MeV", "10GeV"]
    coupling = [1e-7, 1.0]
    n = [160, 160]                        # default resolution
    quick_n = [48, 48]                    # with --quick

    [constraints]                         # relic-curves only (optional)
    inputs = "paper"                      # "current" or "paper"

    [[points]]                            # benchmark points, drawn on omega-plane and diagnostics
    name = "A"
    m_V = "2.77GeV"
    coupling = 0.11

Unknown keys are refused, so a typo does not silently fall back to a default.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import InputError
from .models import MODELS, make_model
from .sterile import SterileNeutrino
from .units import parse_energy
from .validate import in_domain

__all__ = ["FigureConfig", "Point", "load_config", "builtin_configs", "KINDS"]

KINDS = ("omega-plane", "relic-curves", "diagnostics")
_TOP = {"figure", "kind", "model", "title", "sterile", "plane", "constraints", "points", "width", "counting"}


@dataclass(frozen=True)
class Point:
    name: str
    m_V: float
    coupling: float


@dataclass(frozen=True)
class FigureConfig:
    """A validated figure configuration (see the module docstring for the file format)."""

    figure: str
    kind: str
    model: str
    sterile: tuple[tuple[SterileNeutrino, str], ...]
    m_V_range: tuple[float, float] = (1e-3, 10.0)
    coupling_range: tuple[float, float] = (1e-7, 1.0)
    n: tuple[int, int] = (160, 160)
    quick_n: tuple[int, int] = (48, 48)
    title: str = ""
    inputs: str = "current"
    points: tuple[Point, ...] = ()
    width: Any = None
    counting: str | None = None
    source: str = field(default="", compare=False)

    def resolution(self, quick: bool) -> tuple[int, int]:
        return self.quick_n if quick else self.n


def _energy(value: Any, where: str) -> float:
    """An energy: a string with a unit or a number in GeV (TOML booleans and dates are not numbers)."""
    try:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise TypeError
        energy = parse_energy(value) if isinstance(value, str) else float(value)
    except (InputError, TypeError, ValueError):
        raise InputError(f"{where}: {value!r} is not an energy (e.g. '7.1keV' or a number in GeV)") from None
    if not (math.isfinite(energy) and energy > 0):
        raise InputError(f"{where}: {value!r} is not a positive, finite energy")
    return energy


def _number(value: Any, where: str) -> float:
    """A plain number (not a bool, string or date)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{where}: {value!r} is not a number")
    return float(value)


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{where}: {value!r} is not a whole number of points")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"{where} must be a string, got {value!r}")
    return value


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{where} must be a table, got {value!r}")
    return value


def _pair(value: Any, where: str, kind: type = float) -> tuple[Any, Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise InputError(f"{where} must be a list of two values, got {value!r}")
    if kind is int:
        lo_n, hi_n = (_count(v, where) for v in value)
        if min(lo_n, hi_n) < 2:
            raise InputError(f"{where} needs at least 2 points per axis, got {value!r}")
        if lo_n * hi_n > 10**8:
            raise InputError(f"{where} = {value!r} is too many points (at most 1e8 in all)")
        return lo_n, hi_n
    lo, hi = (_energy(v, where) if where.endswith("m_V") else _number(v, where) for v in value)
    if not (0 < lo < hi and math.isfinite(hi)):
        raise InputError(f"{where} must satisfy 0 < lo < hi, got {value!r}")
    for end in (lo, hi):
        in_domain(end, "m_V" if where.endswith("m_V") else "coupling", where)
    return lo, hi


def _check_keys(table: dict, allowed: set[str], where: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise InputError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}")


def parse_config(data: dict[str, Any], source: str = "<config>") -> FigureConfig:
    """Validate a configuration already read from TOML."""
    _check_keys(data, _TOP, source)
    for key in ("figure", "kind", "model", "title", "counting"):
        if key in data:
            _text(data[key], f"{source}: {key}")
    kind = data.get("kind", "omega-plane")
    if kind not in KINDS:
        raise InputError(f"{source}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    model = data.get("model", "neutrinophilic")
    if model not in MODELS:
        raise InputError(f"{source}: unknown model {model!r}: choose one of {', '.join(MODELS)}")
    entries = data.get("sterile")
    if isinstance(entries, dict):
        entries = [entries]
    if not entries:
        raise InputError(f"{source}: needs at least one [[sterile]] entry with m4 and sin2_2theta")
    if not isinstance(entries, list):
        raise InputError(f"{source}: sterile must be a [[sterile]] array of tables, got {entries!r}")
    sterile = []
    for k, e in enumerate(entries):
        where = f"{source} [[sterile]] {k + 1}"
        _check_keys(_table(e, where), {"m4", "sin2_2theta", "flavor", "label"}, where)
        if "m4" not in e or "sin2_2theta" not in e:
            raise InputError(f"{where}: m4 and sin2_2theta are required")
        try:
            dm = SterileNeutrino(_energy(e["m4"], "m4"), _number(e["sin2_2theta"], "sin2_2theta"),
                                 _text(e.get("flavor", "mu"), "flavor"))
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
        label = _text(e.get("label", ""), f"{where} label") or \
            f"$m_4$ = {e['m4']}, $\\sin^2 2\\theta$ = {dm.sin2_2theta:.0e}"
        sterile.append((dm, label))
    plane = _table(data.get("plane", {}), f"{source} [plane]")
    _check_keys(plane, {"m_V", "coupling", "n", "quick_n"}, f"{source} [plane]")
    kwargs: dict[str, Any] = {}
    if "m_V" in plane:
        kwargs["m_V_range"] = _pair(plane["m_V"], "[plane] m_V")
    if "coupling" in plane:
        kwargs["coupling_range"] = _pair(plane["coupling"], "[plane] coupling")
    if "n" in plane:
        kwargs["n"] = _pair(plane["n"], "[plane] n", int)
    if "quick_n" in plane:
        kwargs["quick_n"] = _pair(plane["quick_n"], "[plane] quick_n", int)
    cons = _table(data.get("constraints", {}), f"{source} [constraints]")
    _check_keys(cons, {"inputs"}, f"{source} [constraints]")
    inputs = cons.get("inputs", "current")
    if inputs not in ("current", "paper"):
        raise InputError(f"{source} [constraints] inputs must be 'current' or 'paper'")
    if inputs != "current" and (kind != "relic-curves" or model != "neutrinophilic"):
        raise InputError(f"{source} [constraints] inputs applies to neutrinophilic relic-curves only")
    width, counting = data.get("width"), data.get("counting")
    if isinstance(width, str) and width not in ("paper", "chiral"):
        width = _energy(width, f"{source}: width")  # a value with units, as on the command line
    elif width is not None and not isinstance(width, str):
        width = _number(width, f"{source}: width")
    try:  # the model options, checked now rather than after a scan
        make_model(model, 1.0, 0.1, width=width, counting=counting)
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None
    raw_points = data.get("points", [])
    if not isinstance(raw_points, list):
        raise InputError(f"{source}: points must be a [[points]] array of tables, got {raw_points!r}")
    if kind == "diagnostics" and not raw_points:
        raise InputError(f"{source}: a diagnostics configuration needs at least one [[points]] entry")
    points = []
    for k, p in enumerate(raw_points):
        where = f"{source} [[points]] {k + 1}"
        _check_keys(_table(p, where), {"name", "m_V", "coupling"}, where)
        try:
            point = Point(_text(p["name"], "name"), _energy(p["m_V"], "m_V"), _number(p["coupling"], "coupling"))
        except KeyError as exc:
            raise InputError(f"{where}: missing {exc.args[0]}") from None
        try:
            make_model(model, point.m_V, point.coupling, width=width, counting=counting)
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
        points.append(point)
    return FigureConfig(figure=str(data.get("figure", Path(source).stem)), kind=kind, model=model,
                        sterile=tuple(sterile), title=str(data.get("title", "")), inputs=inputs,
                        points=tuple(points), width=width, counting=counting,
                        source=source, **kwargs)


def load_config(path: str | Path) -> FigureConfig:
    """Read and validate a TOML configuration; malformed files give an InputError naming the problem."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise InputError(f"cannot read config {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path} is not valid TOML: {exc}") from None
    return parse_config(data, str(path))


def builtin_configs() -> list[FigureConfig]:
    """The configurations behind ``secretnu reproduce`` (Figs. 4-8), shipped in ``secretnu/configs``."""
    folder = resources.files("secretnu") / "configs"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            with entry.open("rb") as handle:
                out.append(parse_config(tomllib.load(handle), entry.name))
    return out
