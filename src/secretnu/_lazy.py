"""Keep dask out of processes that do not use it.

xarray looks dask up when it builds a Dataset (is this a dask array?) and when it writes netCDF (is a
dask scheduler active?), and either look-up imports dask, dask.array or dask.distributed: 0.3-0.6 s,
a third of the start-up of a short command. Where nothing in the process has imported dask, the
answers are known (no dask array, no scheduler), so :func:`without_dask` gives them to xarray for the
duration of the block and restores xarray's own look-ups afterwards; later dask use in the same
process works as usual. If xarray's internals differ from the ones patched here, nothing is patched.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["without_dask"]


class _Absent:
    """xarray's record of an optional array module that is not installed."""

    module = None
    available = False
    type: tuple[type, ...] = ()

    def __init__(self) -> None:
        from packaging.version import Version

        self.version = Version("0.0.0")


def _no_scheduler(*args: Any, **kwargs: Any) -> None:
    return None


def _never(x: object) -> bool:
    return False


@contextmanager
def without_dask() -> Iterator[None]:
    """Within the block, xarray does not import dask (unless dask was imported before it)."""
    if "dask" in sys.modules:
        yield
        return
    patches: list[tuple[Any, str, Any]] = []
    try:
        from xarray.backends import locks, writers
        from xarray.namedarray import pycompat
        from xarray.namedarray import utils as named_utils

        replacements: tuple[tuple[Any, str, Any], ...] = ((locks, "get_dask_scheduler", _no_scheduler),
                                                          (writers, "get_dask_scheduler", _no_scheduler),
                                                          (named_utils, "is_dask_collection", _never))
        for module, name, _ in replacements:
            patches.append((module, name, getattr(module, name)))
        cache = pycompat._cached_duck_array_modules
    except (ImportError, AttributeError):  # another xarray: leave it alone
        yield
        return
    cached = "dask" in cache
    for module, name, value in replacements:
        setattr(module, name, value)
    if not cached:
        cache["dask"] = _Absent()  # type: ignore[assignment]
    try:
        yield
    finally:
        for module, name, original in patches:
            setattr(module, name, original)
        if not cached:
            cache.pop("dask", None)
