"""Atomic file writes: a reader (or a rerun after an interruption) never sees a half-written file."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import numpy as np

_T = TypeVar("_T")

__all__ = ["atomic_write", "arrays_hash", "save_hashed_arrays", "load_hashed_arrays", "load_or_build"]


def _umask() -> int:
    """The process umask (read without changing it where /proc allows)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Call ``write(handle)`` on a temporary file next to ``path``, then rename it into place.

    The file gets the permissions of a normally created file (0666 less the umask), not the 0600
    of the temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:  # a handle: np.savez would append ".npz" to a name
            write(handle)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def arrays_hash(key: str, arrays: Mapping[str, np.ndarray]) -> str:
    """sha256 of a cache key (version and grid) and every named array, in the order given."""
    digest = hashlib.sha256(key.encode())
    for name, value in arrays.items():
        arr = np.ascontiguousarray(value, dtype="<f8")
        digest.update(name.encode() + str(arr.shape).encode() + arr.tobytes())
    return digest.hexdigest()


def save_hashed_arrays(path: Path, key: str, arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` to ``path`` (.npz, atomically) with their :func:`arrays_hash`."""
    payload: dict[str, Any] = {"sha256": arrays_hash(key, arrays), **arrays}
    atomic_write(path, lambda handle: np.savez(handle, **payload))


def load_hashed_arrays(path: Path, key: str, names: Sequence[str], what: str = "cache file") -> dict[str, np.ndarray]:
    """The named arrays of a file written by :func:`save_hashed_arrays`; ValueError when one is
    missing or the stored hash does not match (a well-formed file with altered values is refused)."""
    # the file handle is ours: np.load leaves its own open when the file is not a valid archive
    with open(path, "rb") as handle, np.load(handle) as data:
        missing = [name for name in (*names, "sha256") if name not in data.files]
        if missing:
            raise ValueError(f"{what} {path} lacks {', '.join(missing)}")
        arrays = {name: data[name] for name in names}
        stored = str(data["sha256"])
    if stored != arrays_hash(key, arrays):
        raise ValueError(f"{what} {path} was altered: its sha256 does not match its contents")
    return arrays


def load_or_build(path: Path, load: Callable[[Path], _T], build: Callable[[], _T],
                  save: Callable[[_T, Path], object]) -> _T:
    """A disk-cached table: ``load(path)``, or, when the file is missing or ``load`` fails for any
    reason (truncated, corrupt, altered, foreign), ``build()``, saved with ``save(value, path)``
    unless the cache location is not writable (then the value lives in memory only)."""
    if path.exists():
        try:
            return load(path)
        except Exception:  # any unreadable file is rebuilt, never trusted and never fatal
            pass
    value = build()
    try:
        save(value, path)
    except OSError:
        pass
    return value
