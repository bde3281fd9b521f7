"""Limits that need experimental data: Darkcast ``.lmt`` recasts, FORESEE lines and a documented CSV format.

Darkcast (Ilten, Soreq, Williams, Xue, arXiv:1801.04847) ships recasts of dark-photon limits onto the
B - L and L_mu - L_tau bosons under ``limits/<Model>_boson/`` and ``reach/<Model>_boson/``; FORESEE
(Kling & Trojanowski, arXiv:2105.07077) ships B - L limit lines. Neither is redistributed here:
``secretnu limits fetch`` downloads them into the user's cache (:mod:`secretnu.limitdata`) and
``--limits auto`` loads every fetched set that applies to the model; ``--limits DIR`` or
``SECRETNU_LIMITS_PATH`` point at any folder laid out like Darkcast.

``.lmt``: whitespace table with a ``#`` header naming the columns (``mass lower [upper]``), mass in
GeV, couplings in the model's gauge coupling g. A value >= 1e5 (Darkcast writes 1e5 or 1e7) means
"no bound at this mass" and becomes a gap.

FORESEE ``.txt`` lines: the same two columns (header optional); a line whose mass runs back is a
closed contour, read as the band between its lowest and highest crossing at each mass.

CSV (for any model, including neutrinophilic)::

    # name: My experiment
    # kind: limit            (limit | projection | preferred)
    # model: lmu-ltau        (neutrinophilic | lmu-ltau | b-l)
    # citation: arXiv:....
    m_V_GeV,lower,upper
    0.01,3e-4,
    0.02,2e-4,1e-1

An empty ``upper`` means no upper edge (an upper bound on the coupling); empty ``lower`` a gap.

Every reader refuses, with the file and line, what a limit file cannot mean: binary or non-UTF-8
content, masses that are not positive and finite, couplings that are NaN, zero or negative, and an
upper edge below the lower one. A CSV naming a model that does not exist is an error, not skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..errors import InputError
from .base import Constraint, Measurement

__all__ = ["read_lmt", "read_csv_limit", "read_foresee", "curve_constraint", "contour_band", "load_limits",
           "load_published", "limits_paths", "DARKCAST_FOLDERS", "LIMITS_ENV", "AUTO"]

#: Environment variable with extra limit folders (separated like PATH).
LIMITS_ENV = "SECRETNU_LIMITS_PATH"
#: ``--limits auto``: every fetched published set that applies to the model.
AUTO = "auto"
#: Darkcast's folder name for each model.
DARKCAST_FOLDERS = {"lmu-ltau": "Lmu-Ltau_boson", "b-l": "B-L_boson"}
_SENTINEL = 1e5
_CSV_MODELS = ("neutrinophilic", "lmu-ltau", "b-l")
_CSV_KINDS = ("limit", "projection", "preferred")


def _read_text(path: Path) -> str:
    """The file as text; binary or non-UTF-8 content is an InputError, not a traceback."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read limit file {path}: {exc.strerror}") from None
    if b"\x00" in data:
        raise InputError(f"{path}: binary file (NUL bytes), not a limit table")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (bad byte at offset {exc.start}); a limit file is a plain-text table") from None


def _check_row(path: Path, line: int, mass: float, lower: float, upper: float) -> None:
    """Refuse a row no limit file can mean (NaN/inf/non-positive mass, bad couplings, upper < lower)."""
    where = f"{path}, line {line}"
    if not (np.isfinite(mass) and mass > 0):
        raise InputError(f"{where}: mass must be a positive finite number (GeV), got {mass!r}")
    for what, value in (("lower", lower), ("upper", upper)):
        if np.isnan(value):
            raise InputError(f"{where}: {what} coupling is NaN")
        if value <= 0:
            raise InputError(f"{where}: {what} coupling must be positive, got {value!r}")
    if lower < _SENTINEL and upper < _SENTINEL and upper < lower:
        raise InputError(f"{where}: upper coupling {upper!r} is below the lower one {lower!r}")


def _table(path: Path, text: str, max_columns: int) -> tuple[list[str] | None, np.ndarray, list[int]]:
    """Header words, rows of numbers and their line numbers from a whitespace table with # comments."""
    header = None
    rows: list[list[float]] = []
    lines: list[int] = []
    for n, ln in enumerate(text.splitlines(), start=1):
        stripped = ln.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if header is None:
                header = stripped.lstrip("#").split()
            continue
        cells = stripped.split()
        try:
            values = [float(c) for c in cells]
        except ValueError:
            raise InputError(f"{path}, line {n}: not a row of numbers: {stripped[:60]!r}") from None
        if not 2 <= len(values) <= max_columns:
            raise InputError(f"{path}, line {n}: expected 2{'-3' if max_columns > 2 else ''} columns "
                             f"(mass lower{' [upper]' if max_columns > 2 else ''}), got {len(values)}")
        if rows and len(values) != len(rows[0]):
            raise InputError(f"{path}, line {n}: {len(values)} columns where line {lines[0]} has {len(rows[0])}")
        rows.append(values)
        lines.append(n)
    table = np.array(rows, dtype=float) if rows else np.empty((0, 2))
    return header, table, lines


def read_lmt(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mass [GeV], lower, upper) from a Darkcast ``.lmt`` file; sentinels and missing edges are NaN/inf."""
    path = Path(path)
    header, table, lines = _table(path, _read_text(path), 3)
    if header is not None and header and header[0] != "mass":
        raise InputError(f"{path}: first column must be 'mass', header says {header!r}")
    if not len(table):  # Darkcast writes an empty table where a recast gives no bound at all
        return np.empty(0), np.empty(0), np.empty(0)
    mass, lower = table[:, 0], table[:, 1].copy()
    upper = table[:, 2].copy() if table.shape[1] > 2 else np.full_like(mass, np.inf)
    for n, m, lo, up in zip(lines, mass, lower, upper, strict=True):
        _check_row(path, n, m, lo, up)
    gap = lower >= _SENTINEL
    upper[upper >= _SENTINEL] = np.inf
    lower[gap] = np.nan
    upper[gap] = np.nan
    return _sorted(path, mass, lower, upper)


def read_foresee(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(mass [GeV], coupling) of a FORESEE limit line in file order (a contour keeps its path)."""
    path = Path(path)
    _, table, lines = _table(path, _read_text(path), 2)
    if len(table) < 2:
        raise InputError(f"{path}: a limit line needs at least two rows")
    for n, m, g in zip(lines, table[:, 0], table[:, 1], strict=True):
        _check_row(path, n, m, g, np.inf)
    return table[:, 0].copy(), table[:, 1].copy()


def contour_band(mass: np.ndarray, coupling: np.ndarray, m_V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest crossing of the polyline (mass, coupling) at each m_V (log-log); NaN where none.

    A closed contour thus becomes the band it encloses (its envelope, where a contour folds more than once).
    """
    x, y = np.log(mass), np.log(coupling)
    x0, x1, y0, y1 = x[:-1], x[1:], y[:-1], y[1:]
    g = np.log(np.asarray(m_V, dtype=float))[:, None]
    lo_x, hi_x = np.minimum(x0, x1), np.maximum(x0, x1)
    inside = (g >= lo_x) & (g <= hi_x)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(x1 != x0, (g - x0) / (x1 - x0), 0.0)
    at = y0 + np.clip(t, 0.0, 1.0) * (y1 - y0)
    vertical = x1 == x0  # a vertical step spans both its ends
    low = np.where(inside, np.where(vertical, np.minimum(y0, y1), at), np.inf).min(axis=1)
    high = np.where(inside, np.where(vertical, np.maximum(y0, y1), at), -np.inf).max(axis=1)
    none = ~np.isfinite(low)
    return np.where(none, np.nan, np.exp(low)), np.where(none, np.nan, np.exp(high))


def _sorted(path, mass, lower, upper):
    if np.any(~np.isfinite(mass)) or np.any(mass <= 0):
        raise InputError(f"{path}: masses must be positive and finite (GeV)")
    order = np.argsort(mass, kind="stable")
    return mass[order], lower[order], upper[order]


def read_csv_limit(path: str | Path, text: str | None = None) -> tuple[dict[str, str], np.ndarray, np.ndarray, np.ndarray]:
    """(metadata, mass [GeV], lower, upper) from the CSV format described in the module docstring."""
    path = Path(path)
    if text is None:
        text = _read_text(path)
    lines = text.splitlines()
    meta: dict[str, str] = {}
    body = []
    for n, ln in enumerate(lines, start=1):
        if ln.startswith("#"):
            key, sep, value = ln.lstrip("#").partition(":")
            if sep:
                key = key.strip().lower()
                meta[key] = (value.split() or [""])[0] if key in ("kind", "model") else value.strip()
        elif ln.strip():
            body.append((n, ln))
    if not body or [c.strip() for c in body[0][1].split(",")][:2] != ["m_V_GeV", "lower"]:
        raise InputError(f"{path}: first row must be the header 'm_V_GeV,lower[,upper]'")
    if "model" in meta and meta["model"] not in _CSV_MODELS:
        raise InputError(f"{path}: unknown model {meta['model']!r}: choose one of {', '.join(_CSV_MODELS)}")
    if "kind" in meta and meta["kind"] not in _CSV_KINDS:
        raise InputError(f"{path}: unknown kind {meta['kind']!r}: choose one of {', '.join(_CSV_KINDS)}")
    values = []
    for n, ln in body[1:]:
        cells = [c.strip() for c in ln.split(",")]
        if len(cells) > 3:
            raise InputError(f"{path}, line {n}: more than three columns: {ln[:60]!r}")
        cells += ["", ""]
        try:
            row = [float(cells[0]), float(cells[1]) if cells[1] else np.nan, float(cells[2]) if cells[2] else np.inf]
        except ValueError:
            raise InputError(f"{path}, line {n}: not numbers: {ln[:60]!r}") from None
        if cells[1]:
            _check_row(path, n, *row)
        elif not (np.isfinite(row[0]) and row[0] > 0):
            raise InputError(f"{path}, line {n}: mass must be a positive finite number (GeV), got {row[0]!r}")
        values.append(row)
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
    stem = path.stem
    if stem.endswith(("_2l", "_2u")):
        # Darkcast's AMMmu_*_2l/_2u are the lower and upper 2-sigma edges of the (g-2)_mu preferred band,
        # not exclusions: read as one "preferred" band (from the _2l file; the _2u file is its partner)
        partner = path.with_name(stem[:-3] + "_2u" + path.suffix)
        if stem.endswith("_2u") or not partner.exists():
            return None
        mass, lower, _ = read_lmt(path)
        mass_up, upper_edge, _ = read_lmt(partner)
        upper = np.exp(np.interp(np.log(mass), np.log(mass_up), np.log(np.where(np.isnan(upper_edge), 1e5, upper_edge))))
        ok = np.isfinite(lower) & (upper > lower)
        if mass.size < 2 or not np.any(ok):
            return None
        lower = np.where(ok, lower, np.nan)
        return curve_constraint(f"{name.split(' ')[0]} preferred (2 sigma)", "preferred", model, mass, lower,
                                np.where(ok, upper, np.nan), cite, f"{path} + {partner.name}")
    mass, lower, upper = read_lmt(path)
    if mass.size < 2 or np.all(np.isnan(lower)):
        return None  # no bound anywhere
    return curve_constraint(name, kind, model, mass, lower, upper, cite, str(path))


def _from_csv(path: Path, model: str) -> Constraint | None:
    text = _read_text(path)
    if not text.lstrip().startswith("#") or "model:" not in text.split("m_V_GeV")[0]:
        return None  # not a limit file: other CSVs (e.g. scan output) may share the folder
    meta, mass, lower, upper = read_csv_limit(path, text)
    if meta.get("model") != model:
        return None  # a limit on another (known) model
    return curve_constraint(meta.get("name", path.stem), meta.get("kind", "limit"), model, mass, lower, upper,
                            meta.get("citation", "user data"), str(path))


#: Labels of FORESEE lines whose file names are not the experiment's name.
_FORESEE_LABELS = {"NA_64mu": "NA64mu", "Belle_II": "Belle II", "Belle-IIyvv": "Belle II (mono-photon)",
                   "FASER_FPFWP": "FASER (FPF)", "SHIP": "SHiP", "Texono": "TEXONO", "NuCal": "NuCal",
                   "NA64_inv": "NA64 (invisible)", "NA64_inv_new": "NA64 (invisible, 2023)",
                   "KLOE_combined": "KLOE", "LHCb_prompt": "LHCb (prompt)"}


def _from_foresee(path: Path, model: str) -> Constraint | None:
    """A FORESEE line: ``bounds_*`` existing limits, ``limits_*`` projections; contours become bands."""
    kind = "projection" if path.stem.startswith("limits_") else "limit"
    key = path.stem.split("_", 1)[1] if "_" in path.stem else path.stem
    name = f"{_FORESEE_LABELS.get(key, key.replace('_', ' '))} (FORESEE)"
    cite = f"FORESEE line '{path.name}' (Kling & Trojanowski, arXiv:2105.07077), after the experiment's publication"
    mass, coupling = read_foresee(path)
    keep = coupling < _SENTINEL
    if np.all(np.diff(mass) >= 0):  # a curve: a lower edge with sentinel gaps, as in Darkcast
        lower = np.where(keep, coupling, np.nan)
        upper = np.where(keep, np.inf, np.nan)
        if mass.size < 2 or np.all(np.isnan(lower)):
            return None
        return curve_constraint(name, kind, model, mass, lower, upper, cite, str(path))
    mass, coupling = mass[keep], coupling[keep]
    grid = np.unique(np.concatenate([mass, np.sqrt(mass[:-1] * mass[1:])]))
    lower, upper = contour_band(mass, coupling, grid)
    return curve_constraint(name, kind, model, grid, lower, upper, cite, str(path))


def _darkcast_folder(root: Path, folder: str, model: str) -> list[Constraint | None]:
    out: list[Constraint | None] = []
    for sub, kind in (("limits", "limit"), ("reach", "projection"), ("", "limit")):
        d = root / sub / folder if sub else root / folder
        if d.is_dir():
            out += [_from_lmt(p, kind, model) for p in sorted(d.glob("*.lmt"))]
    if root.name == folder:
        out += [_from_lmt(p, "limit", model) for p in sorted(root.glob("*.lmt"))]
    return out


def load_published(model: str, *, cache_dir: str | Path | None = None) -> list[Constraint]:
    """Constraints on ``model`` from every fetched published set (``--limits auto``, :mod:`secretnu.limitdata`)."""
    from ..limitdata import sets_for_model

    out: list[Constraint | None] = []
    for lset, path in sets_for_model(model, cache_dir=cache_dir):
        if lset.format == "darkcast":
            folder = DARKCAST_FOLDERS.get(model)
            if folder is not None:
                out += _darkcast_folder(path, folder, model)
        elif lset.format == "foresee":
            out += [_from_foresee(path / f.path, model) for f in lset.files]
        else:
            raise InputError(f"limit set {lset.name}: no reader for format {lset.format!r}")
    return [c for c in out if c is not None]


def limits_paths(extra: Iterable[str | Path] = ()) -> list[Path]:
    """Folders to search: those given, then those in ``SECRETNU_LIMITS_PATH`` (``auto`` is kept as a marker)."""
    env = [p for p in os.environ.get(LIMITS_ENV, "").split(os.pathsep) if p]
    return [Path(p) for p in (*extra, *env)]


def load_limits(model: str, paths: Iterable[str | Path] | None = None) -> list[Constraint]:
    """Data-driven constraints for ``model`` from Darkcast-style folders, CSV files and fetched sets.

    ``auto`` among the paths loads every fetched published set that applies to ``model``
    (:func:`load_published`; a folder really named ``auto`` is given as ``./auto``).

    For each folder: ``limits/<Darkcast model>/`` and ``reach/<Darkcast model>/`` (projections), or a
    ``<Darkcast model>/`` folder, or the folder itself when it is named after the model; CSV files are
    taken from the folder itself when their ``model`` metadata matches (an unknown model is an error).
    """
    out: list[Constraint] = []
    folder = DARKCAST_FOLDERS.get(model)
    for root in limits_paths(paths or ()):
        if str(root) == AUTO:
            out += load_published(model)
            continue
        if not root.is_dir():
            raise InputError(f"limits folder {root} does not exist")
        if folder is not None:
            out += [c for c in _darkcast_folder(root, folder, model) if c is not None]
        for p in sorted(root.glob("*.csv")):
            c = _from_csv(p, model)
            if c is not None:
                out.append(c)
    return out
