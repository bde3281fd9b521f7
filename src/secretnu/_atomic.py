"""Atomic file writes: a reader (or a rerun after an interruption) never sees a half-written file."""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO, TypeVar

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
        digest.update(name.encode() + str(arr.shape).encode())
        digest.update(arr.data.cast("B"))  # the bytes in place, not a copy
    return digest.hexdigest()


def _write_packed(path: Path, arrays: Mapping[str, np.ndarray], sha256: str) -> None:
    """Float arrays as one .npz of three members: their values end to end (``packed``), their names
    and shapes (``layout``, JSON) and ``sha256``; atomically. One member per array would cost a header
    parse each on every load (6 of the 8 ms that loading the kernel tables took)."""
    flat = [np.ascontiguousarray(value, dtype="<f8") for value in arrays.values()]
    layout = json.dumps([[name, list(arr.shape)] for name, arr in zip(arrays, flat, strict=True)])
    packed = np.concatenate([arr.ravel() for arr in flat]) if flat else np.empty(0)
    atomic_write(path, lambda handle: np.savez(handle, sha256=np.array(sha256), layout=np.array(layout), packed=packed))


def _read_packed(path: Path, what: str = "cache file") -> tuple[dict[str, np.ndarray], str]:
    """(arrays, stored sha256) of a file written by :func:`_write_packed`, unchecked; ValueError when
    it is not one."""
    # the file handle is ours: np.load leaves its own open when the file is not a valid archive
    with open(path, "rb") as handle, np.load(handle) as data:
        missing = [name for name in ("sha256", "layout", "packed") if name not in data.files]
        if missing:
            raise ValueError(f"{what} {path} lacks {', '.join(missing)}")
        layout, packed, stored = json.loads(str(data["layout"])), data["packed"], str(data["sha256"])
    arrays, at = {}, 0
    for name, shape in layout:
        size = math.prod(shape)
        arrays[str(name)] = packed[at:at + size].reshape(shape)
        at += size
    if at != packed.size:
        raise ValueError(f"{what} {path}: its layout does not match its values")
    return arrays, stored


def save_hashed_arrays(path: Path, key: str, arrays: Mapping[str, np.ndarray]) -> None:
    """Write float ``arrays`` to ``path`` (.npz, atomically) with their :func:`arrays_hash`."""
    _write_packed(path, arrays, arrays_hash(key, arrays))


def load_hashed_arrays(path: Path, key: str, names: Sequence[str], what: str = "cache file") -> dict[str, np.ndarray]:
    """The named arrays of a file written by :func:`save_hashed_arrays`; ValueError when one is
    missing or the stored hash does not match (a well-formed file with altered values is refused)."""
    stored_arrays, stored = _read_packed(path, what)
    missing = [name for name in names if name not in stored_arrays]
    if missing:
        raise ValueError(f"{what} {path} lacks {', '.join(missing)}")
    arrays = {name: stored_arrays[name] for name in names}
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
