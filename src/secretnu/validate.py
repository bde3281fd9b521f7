"""Validators for user input: numbers, integers, physical domains, output paths and grid sizes.

Every public function and CLI command checks its arguments with these helpers *before* computing,
so a bad value fails in milliseconds with an :class:`~secretnu.errors.InputError` naming the
argument, never with a raw ``TypeError``/``OverflowError`` or a silent NaN later on.

Physical domains (:data:`DOMAINS`) are the ranges the kernels evaluate in double precision
without overflow or underflow; they are far wider than the paper's plane (m_V 1 MeV-10 GeV,
couplings 1e-7-1, m4 of a few keV) and are documented in docs/cli.md.
"""

from __future__ import annotations

import math
import numbers
import operator
import os
import tempfile
from pathlib import Path
from typing import Any

from .errors import InputError

__all__ = ["DOMAINS", "real", "integer", "in_domain", "finite_result", "output_file", "output_dir",
           "plot_file", "PLOT_FORMATS", "grid_memory", "MAX_GRID_BYTES", "MAX_N_X", "MAX_POINTS_PER_DECADE"]

#: Accepted closed ranges [lo, hi] of the physical inputs (GeV for energies).
DOMAINS: dict[str, tuple[float, float]] = {
    "m4": (1e-12, 1e3),             # 1 meV .. 1 TeV: m4^2/(2E) stays finite and the yield positive
    "sin2_2theta": (1e-30, 1.0),    # below 1e-30 Omega h^2 underflows towards subnormal numbers
    "m_V": (1e-9, 1e4),             # 1 eV .. 10 TeV: the kernels' thermal integrals stay in range
    "coupling": (1e-20, math.sqrt(4 * math.pi)),  # lower: the width lambda^2 m/12pi stays normal
    "x": (1e-3, 300.0),             # E/T: the kernel tables' range; f_nu(x) = 1/(1+e^x) stays normal
    "T": (1e-6, 1e4),               # integration window [GeV]
    "target": (1e-30, 1e30),        # Omega h^2 to solve for
}
#: Upper limits on the quadrature settings: beyond these a single relic_density takes minutes.
MAX_N_X = 400
MAX_POINTS_PER_DECADE = 2000
#: Largest grid a scan will allocate (bytes, over all of its arrays), also capped by physical memory.
MAX_GRID_BYTES = 8 * 2**30

#: File formats matplotlib writes without extra backends (plot paths are checked against these).
PLOT_FORMATS: tuple[str, ...] = ("png", "pdf", "svg", "svgz", "eps", "ps", "jpg", "jpeg", "tif", "tiff", "webp")


def real(value: Any, name: str, *, lo: float | None = None, hi: float | None = None, lo_open: bool = False,
         finite: bool = True) -> float:
    """``value`` as a float: a real number (not a bool or a string), finite, within [lo, hi]
    (``lo_open``: lo excluded)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    out = float(value)
    if math.isnan(out) or (finite and math.isinf(out)):
        raise InputError(f"{name} must be a finite number, got {value!r}")
    if lo is not None and (out <= lo if lo_open else out < lo):
        raise InputError(f"{name} must be {'>' if lo_open else '>='} {lo:g}, got {value!r}")
    if hi is not None and out > hi:
        raise InputError(f"{name} must be <= {hi:g}, got {value!r}")
    return out


def integer(value: Any, name: str, *, lo: int | None = None, hi: int | None = None) -> int:
    """``value`` as an int (an integral number, not a bool or a float with a fraction) in [lo, hi]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer():
            value = int(float(value))
        else:
            raise InputError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    out = operator.index(value)
    if lo is not None and out < lo:
        raise InputError(f"{name} must be at least {lo}, got {out}")
    if hi is not None and out > hi:
        raise InputError(f"{name} must be at most {hi}, got {out}")
    return out


def in_domain(value: Any, key: str, name: str | None = None, unit: str = "") -> float:
    """A real number inside :data:`DOMAINS` [key] (the message names the range)."""
    label = name or key
    out = real(value, label)
    lo, hi = DOMAINS[key]
    if not lo <= out <= hi:
        raise InputError(f"{label} = {value!r}{unit} is outside the supported range {lo:g} .. {hi:g}{unit}")
    return out


def finite_result(value: float, what: str, context: str = "", *, positive: bool = True) -> float:
    """Refuse a non-finite (or, with ``positive``, negative) computed number instead of returning it."""
    if not math.isfinite(value) or (positive and value < 0):
        where = f" at {context}" if context else ""
        raise InputError(f"{what} came out as {value!r}{where}: these parameters are outside the range "
                         "the calculation handles")
    return value


def _writable_parent(path: Path, what: str) -> None:
    """The nearest existing ancestor of ``path`` must be a writable directory."""
    parent = path.parent
    while not parent.exists():
        if parent.parent == parent:
            break
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{what} {str(path)!r}: {str(parent)!r} is not a directory")
    _probe(parent, f"{what} {str(path)!r}: directory {str(parent)!r}")


def _probe(directory: Path, label: str) -> None:
    """Create and remove a file in ``directory``: permission bits alone mislead (root, /proc, read-only mounts)."""
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(f"{label} is not writable")
    try:
        fd, name = tempfile.mkstemp(dir=directory, prefix=".secretnu-probe-")
    except OSError as exc:
        raise InputError(f"{label} is not writable: {exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(name)


def _path_text(path: str | os.PathLike[str], what: str) -> tuple[str, Path]:
    """(the path as given, as a Path): refused when empty or holding a NUL byte."""
    text = str(os.fspath(path))
    if not text.strip():
        raise InputError(f"{what} path is empty")
    if "\x00" in text:
        raise InputError(f"{what} path {text!r} contains a NUL byte")
    return text, Path(text)


def output_file(path: str | os.PathLike[str], what: str = "output file", *,
                suffixes: tuple[str, ...] | None = None) -> Path:
    """Check that a file can be written at ``path`` (before computing anything)."""
    text, out = _path_text(path, what)
    if suffixes is not None and out.suffix.lower() not in suffixes:
        raise InputError(f"{what} {text!r} must end in {' or '.join(suffixes)}")
    if out.is_dir():
        raise InputError(f"{what} {text!r} is a directory")
    if out.exists() and not os.access(out, os.W_OK):
        raise InputError(f"{what} {text!r} exists and is not writable")
    parent = out.parent
    if not parent.is_dir():
        raise InputError(f"{what} {text!r}: {str(parent)!r} is not an existing directory")
    _probe(parent, f"{what} {text!r}: directory {str(parent)!r}")
    return out


def output_dir(path: str | os.PathLike[str], what: str = "output folder") -> Path:
    """Check that ``path`` is (or can be made) a writable directory."""
    text, out = _path_text(path, what)
    if out.exists():
        if not out.is_dir():
            raise InputError(f"{what} {text!r} exists and is not a directory")
        _probe(out, f"{what} {text!r}")
        return out
    _writable_parent(out, what)
    return out


def plot_file(path: str | os.PathLike[str], what: str = "--plot") -> Path:
    """A writable figure path whose extension matplotlib can write (:data:`PLOT_FORMATS`)."""
    suffix = Path(os.fspath(path)).suffix.lower().lstrip(".")
    if suffix not in PLOT_FORMATS:
        raise InputError(f"{what} {os.fspath(path)!r}: unsupported figure format {suffix or '(none)'!r}; "
                         f"use one of {', '.join(PLOT_FORMATS)}")
    return output_file(path, what)


def _physical_memory() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # not POSIX
        return None


def grid_memory(n_rows: int, n_cols: int, bytes_per_point: int = 64, what: str = "grid") -> int:
    """Refuse a grid whose arrays would not fit in memory; returns the estimated bytes."""
    need = int(n_rows) * int(n_cols) * bytes_per_point
    limit = MAX_GRID_BYTES
    phys = _physical_memory()
    if phys is not None:
        limit = min(limit, phys // 2)
    if need > limit:
        raise InputError(f"a {what} of {n_rows} x {n_cols} points needs about {need / 2**30:.1f} GiB, "
                         f"more than the {limit / 2**30:.1f} GiB allowed: use fewer points")
    return need
