"""Scan files written without xarray: the (m_V, coupling) plane as netCDF and CSV.

Every scan file is written through here (:meth:`secretnu.scans.ScanPlane.save`, and
:func:`secretnu.scans.save_scan` for the Dataset of :func:`secretnu.scan`), so that a shell scan never
imports xarray and the pandas it loads: 0.5 s of CPU, which on two cores is taken from the workers
computing the plane. The files are the ones xarray's and pandas' own writers make of that Dataset:

* netCDF through scipy's netCDF3 writer (64-bit offsets), with xarray's CF encoding of the two kinds
  of variable a plane has: floats carry ``_FillValue = NaN``; strings are char arrays with a
  ``string<N>`` dimension and ``_Encoding = "utf-8"``; numeric attributes are 1-element float64 or
  int32 arrays and text attributes utf-8 bytes. ``xarray.open_dataset`` reads back the same Dataset
  (tests/test_scanfiles.py checks it against xarray's own writer).
* CSV with one row per point, in C order of the variables' dimensions, coordinates first, numbers in
  Python's shortest round-trip form (``repr``): pandas' ``DataFrame.to_csv`` text, at a quarter of its
  cost.

Both files are written atomically: an interrupted write leaves no half file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ._atomic import atomic_write

__all__ = ["Variable", "write_netcdf", "write_csv"]

#: A variable: (dimension names, values, attributes).
Variable = tuple[Sequence[str], np.ndarray, Mapping[str, Any]]

_INT32 = np.iinfo(np.int32)


def _attribute(name: str, value: Any) -> Any:
    """A netCDF3 attribute value as xarray's scipy backend encodes it."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bool | np.bool_):
        return np.array([value], dtype=np.int8)
    if isinstance(value, int | np.integer):
        if not _INT32.min <= value <= _INT32.max:
            raise ValueError(f"attribute {name} = {value} does not fit a netCDF3 integer")
        return np.array([value], dtype=np.int32)
    if isinstance(value, float | np.floating):
        return np.array([value], dtype=np.float64)
    raise TypeError(f"attribute {name}: no netCDF3 encoding for {type(value).__name__}")


def _encoded(name: str, variable: Variable) -> tuple[tuple[str, ...], np.ndarray, dict[str, Any]]:
    """(dimensions, values, attributes) of a variable as stored: strings as utf-8 char arrays."""
    dims, values, attrs = variable
    values = np.asarray(values)
    stored = {key: _attribute(key, value) for key, value in attrs.items()}
    if values.dtype.kind == "f":
        return tuple(dims), values.astype(">f8"), {**stored, "_FillValue": np.array([np.nan])}
    if values.dtype.kind == "U":
        distinct, index = np.unique(values, return_inverse=True)  # a few labels: encode each once
        raw = np.array([label.encode("utf-8") for label in distinct.tolist()] or [b""])
        width = max(raw.dtype.itemsize, 1)
        chars = np.ascontiguousarray(raw.astype(f"S{width}")[index.reshape(values.shape)])
        chars = chars.view("S1").reshape(*values.shape, width)
        return (*dims, f"string{width}"), chars, {**stored, "_Encoding": b"utf-8"}
    raise TypeError(f"variable {name}: no netCDF3 encoding for dtype {values.dtype}")


def write_netcdf(path: str | os.PathLike[str], variables: Mapping[str, Variable], attrs: Mapping[str, Any]) -> Path:
    """Write float and string variables with global attributes as a netCDF3 file (atomically)."""
    from scipy.io import netcdf_file

    path = Path(path)
    encoded = {name: _encoded(name, variable) for name, variable in variables.items()}
    sizes: dict[str, int] = {}
    for name, (dims, values, _) in encoded.items():
        for dim, size in zip(dims, values.shape, strict=True):
            if sizes.setdefault(dim, size) != size:
                raise ValueError(f"variable {name}: dimension {dim} has size {size}, elsewhere {sizes[dim]}")
    global_attrs = {key: _attribute(key, value) for key, value in attrs.items()}

    def write(handle: BinaryIO) -> None:
        nc = netcdf_file(handle, "w", version=2)  # 64-bit offsets, as xarray writes with scipy
        for dim, size in sizes.items():
            nc.createDimension(dim, size)
        for key, value in global_attrs.items():
            setattr(nc, key, value)
        for name, (dims, values, var_attrs) in encoded.items():
            var = nc.createVariable(name, values.dtype, dims)
            var[...] = values
            for key, value in var_attrs.items():
                setattr(var, key, value)
        nc.flush()  # the handle is closed by atomic_write

    atomic_write(path, write)
    return path


def write_csv(path: str | os.PathLike[str], columns: Mapping[str, np.ndarray]) -> Path:
    """Write equal-length 1-D columns as CSV (header, then one row each), atomically. Floats are
    written by ``repr`` (shortest round trip; NaN as ``nan``, where pandas leaves the field empty: a
    scan has none), strings as they are: they must not contain a comma, quote or line break (no
    quoting is done)."""
    path = Path(path)
    texts = []
    for name, column in columns.items():
        values = np.asarray(column)
        if values.dtype.kind not in "fU":
            raise TypeError(f"column {name}: no CSV encoding for dtype {values.dtype}")
        # each distinct value is formatted once (an axis repeats each of its values n times)
        distinct, index = np.unique(values.astype(float) if values.dtype.kind == "f" else values, return_inverse=True)
        if values.dtype.kind == "U":
            words = distinct.tolist()
            if any(("," in s) or ('"' in s) or ("\n" in s) for s in words):
                raise ValueError(f"column {name} has text that would need quoting")
        else:
            words = list(map(repr, distinct.tolist()))
        texts.append([words[i] for i in index.ravel().tolist()])
    lengths = {len(text) for text in texts}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    body = ",".join(columns) + "\n" + "\n".join(map(",".join, zip(*texts, strict=True))) + "\n"
    atomic_write(path, lambda handle: handle.write(body.encode("utf-8")))
    return path
