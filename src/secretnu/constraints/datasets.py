"""Limits that need experimental data: Darkcast ``.lmt`` recasts and a documented CSV format.

Darkcast (Ilten, Soreq, Williams, Xue, arXiv:1801.04847) ships recasts of dark-photon limits onto the
B - L and L_mu - L_tau bosons under ``limits/<Model>_boson/`` and ``reach/<Model>_boson/``. They are
GPL-licensed and are not redistributed here: point ``--limits DIR`` or ``SECRETNU_LIMITS_PATH`` at a
Darkcast checkout (or any folder laid out the same way).

``.lmt``: whitespace table with a ``#`` header naming the columns (``mass lower [upper]``), mass in
GeV, couplings in the model's gauge coupling g. A value >= 1e5 (Darkcast writes 1e5 or 1e7) means
"no bound at this mass" and becomes a gap.

CSV (for any model, including neutrinophilic)::

    # name: My experiment
    # kind: limit            (limit | projection | preferred)
    # model: lmu-ltau        (neutrinophilic | lmu-ltau | b-l)
    # citation: arXiv:....
    m_V_GeV,lower,upper
    0.01,3e-4,
    0.02,2e-4,1e-1

An empty ``upper`` means no upper edge (an upper bound on the coupling); empty ``lower`` a gap.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..errors import InputError
from .base import Constraint, Measurement

__all__ = ["read_lmt", "read_csv_limit", "curve_constraint", "load_limits", "limits_paths",
           "DARKCAST_FOLDERS", "LIMITS_ENV"]

#: Environment variable with extra limit folders (separated like PATH).
LIMITS_ENV = "SECRETNU_LIMITS_PATH"
#: Darkcast's folder name for each model.
DARKCAST_FOLDERS = {"lmu-ltau": "Lmu-Ltau_boson", "b-l": "B-L_boson"}
_SENTINEL = 1e5


def read_lmt(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mass [GeV], lower, upper) from a Darkcast ``.lmt`` file; sentinels and missing edges are NaN/inf."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError(f"cannot read limit file {path}: {exc.strerror}") from None
    header = next((ln.lstrip("#").split() for ln in text.splitlines() if ln.startswith("#")), None)
    rows = [ln.split() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    try:
        table = np.array(rows, dtype=float)
    except ValueError:
        raise InputError(f"{path}: not a whitespace table of numbers") from None
    if not rows:  # Darkcast writes an empty table where a recast gives no bound at all
        return np.empty(0), np.empty(0), np.empty(0)
    if table.ndim != 2 or table.shape[1] < 2:
        raise InputError(f"{path}: rows must read 'mass lower [upper]'")
    if header is not None and header[0] != "mass":
        raise InputError(f"{path}: first column must be 'mass', header says {header!r}")
    mass, lower = table[:, 0], table[:, 1].copy()
    upper = table[:, 2].copy() if table.shape[1] > 2 else np.full_like(mass, np.inf)
    gap = (lower >= _SENTINEL) | ~np.isfinite(lower)
    upper[upper >= _SENTINEL] = np.inf
    lower[gap] = np.nan
    upper[gap] = np.nan
    return _sorted(path, mass, lower, upper)


def _sorted(path, mass, lower, upper):
    if np.any(mass <= 0):
        raise InputError(f"{path}: masses must be positive (GeV)")
    order = np.argsort(mass, kind="stable")
    return mass[order], lower[order], upper[order]


def read_csv_limit(path: str | Path, text: str | None = None) -> tuple[dict[str, str], np.ndarray, np.ndarray, np.ndarray]:
    """(metadata, mass [GeV], lower, upper) from the CSV format described in the module docstring."""
    path = Path(path)
    if text is None:
        try:
            text = path.read_text()
        except OSError as exc:
            raise InputError(f"cannot read limit file {path}: {exc.strerror}") from None
    lines = text.splitlines()
    meta: dict[str, str] = {}
    body = []
    for ln in lines:
        if ln.startswith("#"):
            key, sep, value = ln.lstrip("#").partition(":")
            if sep:
                key = key.strip().lower()
                meta[key] = (value.split() or [""])[0] if key in ("kind", "model") else value.strip()
        elif ln.strip():
            body.append(ln)
    if not body or [c.strip() for c in body[0].split(",")][:2] != ["m_V_GeV", "lower"]:
        raise InputError(f"{path}: first row must be the header 'm_V_GeV,lower[,upper]'")
    values = []
    for n, ln in enumerate(body[1:], start=2):
        cells = [c.strip() for c in ln.split(",")] + ["", ""]
        try:
            values.append([float(cells[0]), float(cells[1]) if cells[1] else np.nan,
                           float(cells[2]) if cells[2] else np.inf])
        except ValueError:
            raise InputError(f"{path}: row {n} is not numbers: {ln!r}") from None
    if len(values) < 2:
        raise InputError(f"{path}: need at least two data rows")
    table = np.array(values)
    lower, upper = table[:, 1], table[:, 2]
    upper[np.isnan(lower)] = np.nan
    return (meta, *_sorted(path, table[:, 0], lower, upper))


def _loglog(x_new, x, y):
    """Log-log interpolation that keeps gaps (NaN) and returns NaN outside the tabulated range."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ly = np.log(y)
        out = np.exp(np.interp(np.log(x_new), np.log(x), ly))
    out[(x_new < x[0]) | (x_new > x[-1])] = np.nan
    return out


def curve_constraint(name: str, kind: str, model: str, mass, lower, upper, citation: str,
                     source: str) -> Constraint:
    """A Constraint from a tabulated curve (log-log interpolation, gaps kept, no extrapolation)."""
    bound = "upper" if np.all(np.isinf(upper[np.isfinite(lower)])) else "band"

    def edges(m):
        lo = _loglog(m, mass, lower)
        up = np.where(np.isinf(np.interp(m, mass, upper)), np.inf, _loglog(m, mass, upper))
        return lo, np.where(np.isnan(lo), np.nan, up)

    return Constraint(name, kind, model, bound, citation, edges,
                      {"curve": Measurement(len(mass), "points", source)}, computed=False)


def _lmt_name(path: Path) -> tuple[str, str]:
    parts = path.stem.split("_")
    label = parts[0] + (f" {parts[1]}" if len(parts) > 1 else "") + (f" ({' '.join(parts[2:])})" if len(parts) > 2 else "")
    return label, f"Darkcast recast of {parts[0]}, INSPIRE {parts[1] if len(parts) > 1 else '?'}"


def _from_lmt(path: Path, kind: str, model: str) -> Constraint | None:
    name, cite = _lmt_name(path)
    mass, lower, upper = read_lmt(path)
    if mass.size < 2 or np.all(np.isnan(lower)):
        return None  # no bound anywhere
    return curve_constraint(name, kind, model, mass, lower, upper, cite, str(path))


def _from_csv(path: Path, model: str) -> Constraint | None:
    try:
        text = path.read_text()
    except OSError:
        return None
    if not text.lstrip().startswith("#") or "model:" not in text.split("m_V_GeV")[0]:
        return None  # not a limit file: other CSVs (e.g. scan output) may share the folder
    meta, mass, lower, upper = read_csv_limit(path, text)
    if meta.get("model") != model:
        return None
    return curve_constraint(meta.get("name", path.stem), meta.get("kind", "limit"), model, mass, lower, upper,
                            meta.get("citation", "user data"), str(path))


def limits_paths(extra: Iterable[str | Path] = ()) -> list[Path]:
    """Folders to search: those given, then those in ``SECRETNU_LIMITS_PATH``."""
    env = [p for p in os.environ.get(LIMITS_ENV, "").split(os.pathsep) if p]
    return [Path(p) for p in (*extra, *env)]


def load_limits(model: str, paths: Iterable[str | Path] | None = None) -> list[Constraint]:
    """Data-driven constraints for ``model`` from Darkcast-style folders and CSV files.

    A CSV file is read as a limit when its metadata names a model (other CSVs are left alone).

    For each folder: ``limits/<Darkcast model>/`` and ``reach/<Darkcast model>/`` (projections), or a
    ``<Darkcast model>/`` folder, or the folder itself when it is named after the model; CSV files are
    taken from the folder itself when their ``model`` metadata matches.
    """
    out: list[Constraint] = []
    folder = DARKCAST_FOLDERS.get(model)
    for root in limits_paths(paths or ()):
        if not root.is_dir():
            raise InputError(f"limits folder {root} does not exist")
        if folder is not None:
            for sub, kind in (("limits", "limit"), ("reach", "projection"), ("", "limit")):
                d = root / sub / folder if sub else root / folder
                if d.is_dir():
                    out += [_from_lmt(p, kind, model) for p in sorted(d.glob("*.lmt"))]  # type: ignore[misc]
            if root.name == folder:
                out += [_from_lmt(p, "limit", model) for p in sorted(root.glob("*.lmt"))]  # type: ignore[misc]
            out = [c for c in out if c is not None]
        for p in sorted(root.glob("*.csv")):
            c = _from_csv(p, model)
            if c is not None:
                out.append(c)
    return out
