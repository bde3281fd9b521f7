"""Parameter-plane scans and relic curves on the fast engine (Fig. 4, Figs. 6-8).

:func:`scan` fills the (m_V, coupling) plane with Omega h^2 and the production regime, column by
column (one column = one m_V, every coupling sharing the kernel lookups), in chunks of columns
that run on local processes, any ``concurrent.futures.Executor`` or a ``dask.distributed.Client``.
With ``store=DIR`` each finished chunk is written to DIR at once, so an interrupted scan rerun
with the same store computes only what is missing.

:func:`relic_curve` finds every coupling where Omega h^2 = target at each m_V (the S-shaped
contour has up to three), refined by regula falsi in (ln coupling, ln Omega) to 1e-3 in
ln coupling, and names each root after its production regime (branches C, B, A of Fig. 4).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._atomic import atomic_write
from ._lazy import without_dask
from .constants import T_FINAL
from .engine import FAST_N_X, FAST_POINTS_PER_DECADE, REGIMES, FastGrid, column_omega, fast_window, load_compiled
from .errors import InputError
from .models import make_model, model_key
from .models.gauged_u1 import GaugedU1
from .sm import SMInput, check_sm, sm_label
from .sterile import SterileNeutrino
from .tables import TABLE_VERSION, kernel_tables
from .validate import MAX_N_X, MAX_POINTS_PER_DECADE, grid_memory, in_domain, integer, real

if TYPE_CHECKING:  # xarray (and the pandas it loads) is imported only where a Dataset is built
    import xarray as xr

__all__ = ["scan", "scan_plane", "ScanPlane", "save_scan", "relic_curve", "RelicCurve", "concat_curves", "FAST_MODELS",
           "StoreWarning", "ENGINE_VERSION"]

FloatArray = NDArray[np.float64]
#: Models the fast engine can evaluate.
FAST_MODELS: tuple[str, ...] = ("neutrinophilic", "lmu-ltau", "b-l", "le-lmu", "le-ltau", "scalar")


@dataclass(frozen=True)
class _Settings:
    model: str
    width: float | str | None
    counting: str | None
    points_per_decade: int
    n_x: int
    T_final: float
    sm: SMInput = "paper"
    charges: tuple[tuple[str, float], ...] | None = None  # a GaugedU1 with custom charges ("u1")

    def model_for(self, dm: SterileNeutrino) -> Any:
        """What column_omega takes: the registry name, or a GaugedU1 instance carrying the charges."""
        if self.charges is None:
            return self.model
        return GaugedU1(1.0, 0.1, charges=self.charges, flavor=dm.flavor, counting=self.counting or "paper")


@lru_cache(maxsize=8)
def _grid(dm: SterileNeutrino, T_max: float, settings: _Settings) -> FastGrid:
    return FastGrid.build(dm, T_max, T_final=settings.T_final, points_per_decade=settings.points_per_decade,
                          n_x=settings.n_x, sm=settings.sm)


def _columns(dm: SterileNeutrino, m_values: Sequence[float], couplings: FloatArray,
             settings: _Settings) -> tuple[FloatArray, FloatArray]:
    """Worker: Omega h^2 and regime codes for a chunk of m_V columns."""
    load_compiled()
    tables = kernel_tables()
    omega = np.empty((len(m_values), couplings.size))
    regime = np.empty_like(omega)
    for k, m_V in enumerate(m_values):
        grid = _grid(dm, fast_window(m_V), settings)
        omega[k], regime[k] = column_omega(dm, m_V, couplings, model=settings.model_for(dm), width=settings.width,
                                           counting=settings.counting, grid=grid, tables=tables)
    return omega, regime


def _model_options(model: Any, width: Any, counting: Any) -> tuple[Any, Any]:
    """Width and counting from the arguments, or from a model instance."""
    if not isinstance(model, str):
        width = width if width is not None else getattr(model, "width", None)
        counting = counting if counting is not None else getattr(model, "counting", None)
    if isinstance(width, (int, float)) and not isinstance(width, bool) and width != width:
        raise InputError("width must be a number")
    return (None if width == "paper" else width), (None if counting == "paper" else counting)


def _check_axis(values: ArrayLike, name: str) -> FloatArray:
    if values is None or isinstance(values, (str, bytes, bool)):
        raise InputError(f"{name} must be a non-empty 1-D array of positive numbers, got {values!r}")
    try:
        raw = np.asarray(values)
        if raw.dtype.kind not in "iuf":
            raise TypeError
        arr = np.atleast_1d(raw.astype(float))
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a non-empty 1-D array of positive numbers, got {values!r}") from None
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise InputError(f"{name} must be a non-empty 1-D array of positive numbers")
    return arr


def _quadrature(points_per_decade: Any, n_x: Any) -> tuple[int, int]:
    return (integer(points_per_decade, "points_per_decade", lo=4, hi=MAX_POINTS_PER_DECADE),
            integer(n_x, "n_x", lo=4, hi=MAX_N_X))


def _t_final(T_final: Any) -> float:
    value = in_domain(T_final, "T", "T_final", " GeV")
    if value >= 1.0:
        raise InputError(f"T_final must be below 1 GeV (production ends around 1-100 MeV), got {T_final!r}")
    return value


def _executor_check(executor: Any) -> None:
    if isinstance(executor, Executor) or (hasattr(executor, "get_executor") and not isinstance(executor, str)):
        return
    raise InputError("executor must be None, 'serial', a concurrent.futures.Executor or a dask.distributed.Client, "
                     f"got {executor!r}")


def _charges(model: Any) -> tuple[tuple[str, float], ...] | None:
    return model.charges if isinstance(model, GaugedU1) and model.name == "u1" else None


def _check_model(model: Any) -> str:
    name = getattr(model, "name", model)
    key = model_key(str(name))  # unknown names raise InputError
    if key == "u1" and isinstance(model, GaugedU1):
        return key
    if key not in FAST_MODELS:
        raise InputError(f"model {key!r} is not available in the fast engine (scan, relic_curve): "
                         f"use one of {', '.join(FAST_MODELS)}, or relic_density for single points")
    return key


#: Version of the numbers the fast engine produces; bump it whenever engine.py or tables.py change
#: a result, so that stores written by an older engine are refused instead of mixed in.
ENGINE_VERSION = 5  # 2: no resonance correction without a zero of D, onset rows from 1e-6 of the peak; 3: n_x 20;
# 4: wide widths compiled (moves Omega by up to 5e-15); 5: n_x 16
_STORE_FORMAT = 2


def _canonical(value: float) -> float:
    """A float rounded to 12 significant digits: "7.1keV" and 7.1e-6 name the same scan."""
    return float(f"{float(value):.12g}")


def _sha256(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()


def _json_hash(data: dict[str, Any]) -> str:
    return _sha256(json.dumps(data, sort_keys=True).encode())


class _Store:
    """Directory of finished chunks (``chunk-NNNNN.npz``) and a manifest of the scan inputs.

    The manifest holds the scan's canonical parameters, the package and engine versions, the chunk
    layout and a sha256 of all of that. Every chunk holds the hash of the parameters and its own
    position (its *key*) and a sha256 of its key and values. A chunk is used only if both match, so
    a chunk of another scan (say after the manifest was deleted) or a chunk file swapped for
    another valid one is never read as this scan's; a chunk that fails is recomputed with a
    warning, and a store whose manifest is missing but whose chunks belong to another scan is refused.
    """

    def __init__(self, path: str | os.PathLike[str], params: dict[str, Any], chunk: int | None, n_columns: int):
        from . import __version__

        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create store {self.path}: {exc.strerror}") from None
        self.params_hash = _json_hash(params)
        manifest_file = self.path / "manifest.json"
        versions = {"secretnu_version": __version__, "engine_version": ENGINE_VERSION, "format": _STORE_FORMAT}
        existing = self._read_manifest(manifest_file) if manifest_file.exists() else None
        if existing is not None:
            for key, value in versions.items():
                if existing.get(key) != value:
                    raise InputError(f"store {self.path} was written by {key.replace('_', ' ')} {existing.get(key)!r}, "
                                     f"this is {value!r}: use a new directory")
            if existing.get("params_sha256") != self.params_hash:
                raise InputError(f"store {self.path} holds a different scan; use a new directory")
            stored_chunk = int(existing["chunk"])
            if chunk is not None and chunk != stored_chunk:
                raise InputError(f"store {self.path} was written with chunk={stored_chunk}, not {chunk}: "
                                 "leave chunk unset or use a new directory")
            chunk = stored_chunk
        else:
            foreign = [f.name for f in sorted(self.path.glob("chunk-*.npz")) if self._key_of(f) not in (None, self.params_hash)]
            if foreign:
                raise InputError(f"store {self.path} has no manifest.json but holds chunks of another scan "
                                 f"({foreign[0]}, ...): use a new directory")
        self.chunk = chunk if chunk is not None else _store_chunk(n_columns)
        if existing is None:
            manifest = {**versions, "params": params, "params_sha256": self.params_hash, "chunk": self.chunk}
            manifest["manifest_sha256"] = _json_hash(manifest)
            atomic_write(manifest_file, lambda handle: handle.write(json.dumps(manifest, indent=1).encode()))

    def _read_manifest(self, manifest_file: Path) -> dict[str, Any]:
        try:
            existing = json.loads(manifest_file.read_text())
        except (OSError, ValueError):
            raise InputError(f"store {self.path} has an unreadable manifest.json") from None
        if not isinstance(existing, dict) or "manifest_sha256" not in existing or "chunk" not in existing:
            raise InputError(f"store {self.path} has a manifest.json of another format: use a new directory")
        claimed = existing.pop("manifest_sha256")
        if claimed != _json_hash(existing):
            raise InputError(f"store {self.path}: manifest.json was altered (its sha256 does not match)")
        return existing

    @staticmethod
    def _key_of(file: Path) -> str | None:
        try:
            with np.load(file) as data:
                return str(data["params_sha256"])
        except Exception:  # unreadable: not evidence of another scan
            return None

    def _file(self, index: int) -> Path:
        return self.path / f"chunk-{index:05d}.npz"

    def _digest(self, index: int, sl: slice, omega: FloatArray, regime: FloatArray) -> str:
        key = f"{self.params_hash}:{index}:{sl.start}:{sl.stop}".encode()
        return _sha256(key, np.ascontiguousarray(omega, dtype="<f8").tobytes(),
                       np.ascontiguousarray(regime, dtype="<f8").tobytes())

    def load(self, index: int, sl: slice, n_coupling: int) -> tuple[FloatArray, FloatArray] | None:
        file = self._file(index)
        if not file.exists():
            return None
        try:
            with np.load(file) as data:
                omega, regime = data["omega"], data["regime"]
                key, digest = str(data["params_sha256"]), str(data["sha256"])
        except Exception:  # truncated or corrupt: recompute
            key = digest = ""
            omega = regime = np.empty(0)
        shape = (sl.stop - sl.start, n_coupling)
        if key == self.params_hash and omega.shape == shape == regime.shape and digest == self._digest(index, sl, omega, regime):
            return omega, regime
        warnings.warn(f"{file} is corrupt, altered or not this scan's chunk {index}: recomputing it", StoreWarning, stacklevel=3)
        return None

    def save(self, index: int, sl: slice, omega: FloatArray, regime: FloatArray) -> None:
        digest = self._digest(index, sl, omega, regime)
        atomic_write(self._file(index), lambda handle: np.savez(handle, omega=omega, regime=regime,
                                                                params_sha256=self.params_hash, sha256=digest))


class StoreWarning(UserWarning):
    """A chunk of a scan store failed its checks and was recomputed."""


def _store_chunk(n_columns: int) -> int:
    """Chunk size of a store: a function of the grid only, so a store is portable between machines."""
    return max(1, math.ceil(n_columns / 64))


def _scan_params(dm: SterileNeutrino, m_V: FloatArray, coupling: FloatArray, settings: _Settings) -> dict[str, Any]:
    """The canonical parameters of a scan (what a store's hashes are tied to)."""
    axes = np.concatenate([[_canonical(v) for v in m_V], [_canonical(v) for v in coupling]]).astype("<f8")
    width = settings.width if isinstance(settings.width, str) or settings.width is None else _canonical(settings.width)
    return {"m4": _canonical(dm.mass), "sin2_2theta": _canonical(dm.sin2_2theta), "flavor": dm.flavor,
            "model": settings.model, "width": width, "counting": settings.counting,
            "points_per_decade": settings.points_per_decade, "n_x": settings.n_x, "T_final": _canonical(settings.T_final),
            "n_m_V": int(m_V.size), "n_coupling": int(coupling.size), "axes_sha256": _sha256(axes.tobytes()),
            "sm": sm_label(settings.sm), "table_version": TABLE_VERSION,
            **({} if settings.charges is None else {"charges": [list(c) for c in settings.charges]})}


def _worker_init(parent: int) -> None:
    """Pool initializer: a worker dies with the process that started the scan (kill -9 included)."""
    if sys.platform.startswith("linux"):
        try:  # the kernel sends SIGTERM when the parent dies
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog below suffices
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watchdog() -> None:  # every system: poll the parent
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watchdog, name="secretnu-parent-watchdog", daemon=True).start()


def _completed(futures: Any) -> Any:
    """``as_completed`` that also ends when a future is cancelled: a pool shut down with
    ``cancel_futures=True`` (say by :func:`secretnu.reproduce.run_configs` stopped early, while scans
    wait on it in other threads) cancels pending futures without waking ``as_completed``'s waiters."""
    pending: set[Future[Any]] = set(futures)
    while pending:
        done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
        yield from done
        if any(f.cancelled() for f in pending):
            raise CancelledError("the executor was shut down")


def _executor(executor: Any) -> tuple[Executor, bool]:
    """(executor, owned): a dask Client is used through its concurrent.futures interface. The kernel
    tables are built (and cached on disk) here first, so that workers never build them at once; a pool
    of our own is forked at once after the compiled kernels are loaded, so every worker inherits both."""
    kernel_tables()
    if executor is None:
        from .engine import warm_up

        warm_up()
        pool = ProcessPoolExecutor(max_workers=os.cpu_count() or 1, initializer=_worker_init, initargs=(os.getpid(),))
        pool.submit(math.sqrt, 1.0).result()  # fork the workers now (before the caller starts any thread)
        return pool, True
    if hasattr(executor, "get_executor") and not isinstance(executor, Executor):
        return executor.get_executor(), False
    if not isinstance(executor, Executor):
        raise InputError("executor must be None, 'serial', a concurrent.futures.Executor or a dask.distributed.Client, "
                         f"got {executor!r}")
    return executor, False


def scan(dm: SterileNeutrino, model: Any = "neutrinophilic", m_V: ArrayLike = (), coupling: ArrayLike = (), *,
         executor: Any = None, store: str | os.PathLike[str] | None = None, width: float | str | None = None,
         counting: str | None = None, points_per_decade: int = FAST_POINTS_PER_DECADE, n_x: int = FAST_N_X,
         T_final: float = T_FINAL, chunk: int | None = None,
         progress: bool = False, sm: SMInput = "paper") -> xr.Dataset:
    """Omega h^2 and production regime on the (m_V, coupling) grid.

    Parameters
    ----------
    dm: the sterile neutrino.
    model: model name (``"neutrinophilic"``, ``"lmu-ltau"``, ``"b-l"``) or a model instance (its name,
        width and counting are used).
    m_V, coupling: 1-D axes [GeV] and [dimensionless].
    executor: ``None`` (local processes), ``"serial"``, a ``concurrent.futures.Executor`` or a
        ``dask.distributed.Client``.
    store: directory where finished chunks are written as they complete; a rerun with the same
        inputs reads them back and computes only the rest. Chunks and manifest carry sha256 hashes
        tied to the canonical inputs and the engine version: a store of another scan or version is
        refused, a chunk that fails its hash is recomputed with a :class:`StoreWarning`.
    width: V width convention of the neutrinophilic model (``None``/"paper", "chiral" or GeV).
    counting: nu_a nubar_b cross section of the gauged models (``None``/"paper" or "physical").
    points_per_decade, n_x, T_final: quadrature settings of the fast engine.
    chunk: m_V columns per task (default: about eight tasks per worker; with a store, a function of the
        grid only, or the store's own, so that a store is portable between machines).
    progress: show a progress bar.
    sm: Standard Model input, ``"paper"``, ``"full"`` or an :class:`~secretnu.SMRateTable` (see
        :func:`secretnu.relic_density`).

    Returns an ``xarray.Dataset`` with ``omega_h2`` and ``regime`` (labels A, B, C, DW) on
    (m_V, coupling), and every input in its attributes (:func:`scan_plane` returns the same as numpy
    arrays without importing xarray).

    Raises :class:`~secretnu.errors.InputError` for a bad argument or store before computing
    (including a grid too large for memory), and if any point comes out non-finite or negative.
    """
    plane = scan_plane(dm, model, m_V, coupling, executor=executor, store=store, width=width, counting=counting,
                       points_per_decade=points_per_decade, n_x=n_x, T_final=T_final, chunk=chunk, progress=progress,
                       sm=sm, _preload_xarray=True)
    return plane.to_dataset()


def scan_plane(dm: SterileNeutrino, model: Any = "neutrinophilic", m_V: ArrayLike = (), coupling: ArrayLike = (), *,
               executor: Any = None, store: str | os.PathLike[str] | None = None, width: float | str | None = None,
               counting: str | None = None, points_per_decade: int = FAST_POINTS_PER_DECADE, n_x: int = FAST_N_X,
               T_final: float = T_FINAL, chunk: int | None = None, progress: bool = False, sm: SMInput = "paper",
               _preload_xarray: bool = False) -> ScanPlane:
    """:func:`scan` as a :class:`ScanPlane` of numpy arrays: the same arguments, checks and values,
    without importing xarray (``secretnu scan`` writes its files from it, secretnu.scanfiles)."""
    from . import __version__

    if not isinstance(dm, SterileNeutrino):
        raise InputError(f"dm must be a SterileNeutrino, got {type(dm).__name__}")
    model_name = _check_model(model)
    width, counting = _model_options(model, width, counting)
    m_axis, c_axis = _check_axis(m_V, "m_V"), _check_axis(coupling, "coupling")
    settings = _Settings(model_name, width, counting, *_quadrature(points_per_decade, n_x), _t_final(T_final), check_sm(sm),
                         _charges(model))
    if not isinstance(progress, bool):
        raise InputError(f"progress must be True or False, got {progress!r}")
    for m_V_end in (float(m_axis.min()), float(m_axis.max())):
        make_model(model_name, m_V_end, float(c_axis.max()), flavor=dm.flavor, width=width,
                   counting=counting, charges=settings.charges)  # validate
    make_model(model_name, float(m_axis.min()), float(c_axis.min()), flavor=dm.flavor, width=width, counting=counting,
               charges=settings.charges)
    grid_memory(m_axis.size, c_axis.size, what="scan")
    serial = isinstance(executor, str) and executor == "serial"
    if not serial and executor is not None:
        _executor_check(executor)
    if chunk is not None:
        chunk = integer(chunk, "chunk", lo=1)
    box = _Store(store, _scan_params(dm, m_axis, c_axis, settings), chunk, m_axis.size) if store is not None else None
    workers = 1 if serial else (os.cpu_count() or 1)
    if box is not None:
        chunk = box.chunk
    elif chunk is None:  # columns differ in cost (onset refinement): small tasks keep every worker busy to the end
        chunk = max(1, math.ceil(m_axis.size / (8 * workers)))
    n_chunks = math.ceil(m_axis.size / chunk)
    omega = np.full((m_axis.size, c_axis.size), np.nan)
    regime = np.full_like(omega, np.nan)

    todo = []
    for i in range(n_chunks):
        sl = slice(i * chunk, min((i + 1) * chunk, m_axis.size))
        cached = box.load(i, sl, c_axis.size) if box is not None else None
        if cached is not None:
            omega[sl], regime[sl] = cached
        else:
            todo.append((i, sl))

    bar: Any = None

    def finish(i: int, sl: slice, result: tuple[FloatArray, FloatArray]) -> None:
        omega[sl], regime[sl] = result
        if box is not None:
            box.save(i, sl, *result)
        bar.update(1)

    if todo:
        if serial:
            bar = _progress_bar(len(todo), progress)
            for i, sl in todo:
                finish(i, sl, _columns(dm, list(m_axis[sl]), c_axis, settings))
        else:
            pool, owned = _executor(executor)
            try:
                futures = {pool.submit(_columns, dm, list(m_axis[sl]), c_axis, settings): (i, sl) for i, sl in todo}
                if _preload_xarray:  # while the workers compute, load what the Dataset needs (xarray and
                    import xarray  # noqa: F401  # the pandas it imports: 0.5 s, now off the critical path)

                bar = _progress_bar(len(todo), progress)
                for future in _completed(futures):
                    finish(*futures[future], future.result())
            finally:
                if owned:
                    pool.shutdown(cancel_futures=True)
    if bar is not None:  # None: nothing was left to compute
        bar.close()
    bad = ~np.isfinite(omega) | (omega < 0)
    if bad.any():
        i, j = (int(k[0]) for k in np.nonzero(bad))
        raise InputError(f"Omega h^2 came out non-finite or negative at {int(bad.sum())} of {bad.size} points "
                         f"(first: m_V = {m_axis[i]:g} GeV, coupling = {c_axis[j]:g}): these parameters are outside "
                         "the range the fast engine handles")
    labels = np.array(REGIMES)[regime.astype(int)]
    attrs = {"m4_GeV": dm.mass, "sin2_2theta": dm.sin2_2theta, "flavor": dm.flavor, "model": model_name,
             "width": "paper" if width is None else str(width),
             "counting": "paper" if counting is None else str(counting), "points_per_decade": settings.points_per_decade,
             "n_x": settings.n_x, "T_final_GeV": settings.T_final, "sm": sm_label(settings.sm),
             "convention": "comoving", "gstar": "SaikawaShirai2018", "secretnu_version": __version__,
             "reference": "Kelly, Sen, Tangarife, Zhang, PRD 101, 115031 (2020), arXiv:2005.03681"}
    if settings.charges is not None:
        attrs["charges"] = ", ".join(f"{k}={q:g}" for k, q in settings.charges)
    return ScanPlane(omega, labels, m_axis, c_axis, attrs)


def _scan_paths(stem: str | os.PathLike[str]) -> tuple[Path, Path]:
    stem = Path(stem)
    nc = stem if stem.suffix.lower() == ".nc" else stem.with_suffix(".nc")
    return nc, nc.with_suffix(".csv")


def save_scan(ds: xr.Dataset, stem: str | os.PathLike[str]) -> list[Path]:
    """Write a scan (the Dataset of :func:`scan`) as STEM.nc (netCDF) and STEM.csv (one row per
    (m_V, coupling) point, one column per variable); a STEM already ending in .nc keeps its spelling.
    The same files as :meth:`ScanPlane.save`, through the same writer. Returns both paths."""
    return ScanPlane.from_dataset(ds).save(stem)


@dataclass(frozen=True, eq=False)
class ScanPlane:
    """A scan's plane as numpy arrays (what :func:`scan_plane` returns).

    omega_h2: (n_m_V, n_coupling) Omega h^2; regime: the production regime of each point (A, B, C, DW);
    m_V [GeV], coupling: the axes; attrs: every input, as in the Dataset of :func:`scan`.
    """

    omega_h2: FloatArray
    regime: NDArray[np.str_]
    m_V: FloatArray
    coupling: FloatArray
    attrs: dict[str, Any]

    def _variables(self) -> dict[str, tuple[tuple[str, ...], np.ndarray, dict[str, str]]]:
        plane = ("m_V", "coupling")
        return {"omega_h2": (plane, self.omega_h2, {"long_name": "relic abundance Omega h^2"}),
                "regime": (plane, self.regime, {"long_name": "production regime (section III A)",
                                                "flag_meanings": " ".join(REGIMES)}),
                "m_V": (("m_V",), self.m_V, {"units": "GeV", "long_name": "vector-boson mass"}),
                "coupling": (("coupling",), self.coupling, {"long_name": "coupling of V to neutrinos"})}

    @classmethod
    def from_dataset(cls, ds: xr.Dataset) -> ScanPlane:
        """The plane of a Dataset made by :func:`scan` (ValueError for any other layout)."""
        if set(ds.data_vars) != {"omega_h2", "regime"} or ds.omega_h2.dims != ("m_V", "coupling"):
            raise ValueError("not a scan's plane: expected omega_h2 and regime on (m_V, coupling)")
        return cls(np.asarray(ds.omega_h2.values, dtype=float), np.asarray(ds.regime.values).astype(str),
                   np.asarray(ds.m_V.values, dtype=float), np.asarray(ds.coupling.values, dtype=float), dict(ds.attrs))

    def to_dataset(self) -> xr.Dataset:
        """The ``xarray.Dataset`` :func:`scan` returns."""
        import xarray as xr

        variables = self._variables()
        coords = {name: variables.pop(name) for name in ("m_V", "coupling")}
        with without_dask():  # xarray would import dask to check for dask arrays (secretnu._lazy)
            return xr.Dataset(variables, coords=coords, attrs=self.attrs)

    def save(self, stem: str | os.PathLike[str]) -> list[Path]:
        """Write STEM.nc and STEM.csv (netCDF laid out as xarray writes :meth:`to_dataset`, and its
        flat CSV table), without importing xarray (secretnu.scanfiles). Returns both paths."""
        from .scanfiles import write_csv, write_netcdf

        nc, csv = _scan_paths(stem)
        write_netcdf(nc, self._variables(), self.attrs)
        n_m, n_c = self.omega_h2.shape
        write_csv(csv, {"m_V": np.repeat(self.m_V, n_c), "coupling": np.tile(self.coupling, n_m),
                        "omega_h2": self.omega_h2.ravel(), "regime": self.regime.ravel()})
        return [nc, csv]


class _NoBar:
    """What a disabled progress bar needs to do: nothing (and import nothing)."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    if "IPython" in sys.modules:  # a notebook's widget bar where there may be one (tqdm.auto decides)
        from tqdm.auto import tqdm
    else:  # a terminal: tqdm.auto would only add its asyncio import (0.1 s, taken from the workers)
        from tqdm import tqdm
    return tqdm(total=total, unit="chunk", desc="scan")


@dataclass(frozen=True)
class RelicCurve:
    """Couplings with Omega h^2 = target at each m_V.

    roots: (n_m_V, 3) couplings in ascending order, NaN where there are fewer than three.
    regimes: the production regime of each root ("" where absent).
    branches: {regime: (m_V, coupling)} arrays, one branch of the S-shaped curve per regime.
    """

    m_V: FloatArray
    roots: FloatArray
    regimes: NDArray[np.str_]
    target: float
    dm: SterileNeutrino
    model: str
    branches: dict[str, tuple[FloatArray, FloatArray]] = field(default_factory=dict)
    sm: SMInput = "paper"

    def verdict(self, **options: Any) -> Any:
        """Allowed or excluded at every point of the curve, and by what: see
        :func:`secretnu.viability.curve_verdict` for the options."""
        from .viability import curve_verdict

        return curve_verdict(self, **options)

    def to_dataset(self) -> xr.Dataset:
        import xarray as xr

        return xr.Dataset(
            {"coupling": (("m_V", "root"), self.roots), "regime": (("m_V", "root"), self.regimes)},
            coords={"m_V": ("m_V", self.m_V, {"units": "GeV"}), "root": np.arange(self.roots.shape[1])},
            attrs={"target_omega_h2": self.target, "m4_GeV": self.dm.mass, "sin2_2theta": self.dm.sin2_2theta,
                   "flavor": self.dm.flavor, "model": self.model, "sm": sm_label(self.sm)})


def relic_curve(dm: SterileNeutrino, model: Any = "neutrinophilic", m_V: ArrayLike = (),
                coupling_range: tuple[float, float] = (1e-7, 1.0), target: float = 0.12, *,
                width: float | str | None = None, counting: str | None = None, n_bracket: int = 80, tol: float = 1e-3,
                points_per_decade: int = FAST_POINTS_PER_DECADE, n_x: int = FAST_N_X, max_roots: int = 3, sm: SMInput = "paper",
                executor: Any = None, chunk: int | None = None, progress: bool = False) -> RelicCurve:
    """Every branch of the Omega h^2 = target contour at each m_V (Figs. 6-8).

    ``executor`` as in :func:`scan`: ``None`` (local processes; serial when there are fewer m_V
    values than two per core), ``"serial"``, a ``concurrent.futures.Executor`` or a
    ``dask.distributed.Client``; ``chunk`` m_V values per task. Bad arguments raise
    :class:`~secretnu.errors.InputError` before anything is computed.
    """
    if not isinstance(dm, SterileNeutrino):
        raise InputError(f"dm must be a SterileNeutrino (the dark-matter candidate), got {dm!r}")
    model_name = _check_model(model)
    width, counting = _model_options(model, width, counting)
    m_axis = _check_axis(m_V, "m_V")
    if isinstance(coupling_range, (str, bytes)) or not hasattr(coupling_range, "__len__") or len(coupling_range) != 2:
        raise InputError(f"coupling_range must be a pair (lo, hi), got {coupling_range!r}")
    lo, hi = (in_domain(v, "coupling", "coupling_range") for v in coupling_range)
    if not lo < hi:
        raise InputError(f"coupling_range must be (lo, hi) with 0 < lo < hi, got {coupling_range!r}")
    target = in_domain(target, "target", "target Omega h^2")
    n_bracket = integer(n_bracket, "n_bracket", lo=2, hi=100_000)
    tol = real(tol, "tol", lo=0.0, lo_open=True, hi=1.0)
    max_roots = integer(max_roots, "max_roots", lo=1, hi=3)
    settings = _Settings(model_name, width, counting, *_quadrature(points_per_decade, n_x), T_FINAL, check_sm(sm), _charges(model))
    if settings.charges is not None:
        settings.model_for(dm)  # validates the flavour against the charges
    for m_V_end in (float(m_axis.min()), float(m_axis.max())):
        for c_end in (lo, hi):
            make_model(model_name, m_V_end, c_end, flavor=dm.flavor, width=width, counting=counting,
                       charges=settings.charges)  # validate
    if not isinstance(progress, bool):
        raise InputError(f"progress must be True or False, got {progress!r}")
    if executor is not None and not (isinstance(executor, str) and executor == "serial"):
        _executor_check(executor)
    if chunk is not None:
        chunk = integer(chunk, "chunk", lo=1)
    kernel_tables()  # build and cache the tables once, before workers start
    ln_c = np.linspace(math.log(lo), math.log(hi), n_bracket)
    search = (ln_c, float(target), float(tol), int(max_roots))
    workers = os.cpu_count() or 1
    serial = (isinstance(executor, str) and executor == "serial") or (executor is None and m_axis.size < 2 * workers)
    if chunk is None:
        chunk = max(1, math.ceil(m_axis.size / (4 * (1 if serial else workers))))
    pieces = [slice(i, min(i + chunk, m_axis.size)) for i in range(0, m_axis.size, chunk)]
    roots = np.full((m_axis.size, max_roots), np.nan)
    regimes = np.full((m_axis.size, max_roots), "", dtype="<U2")
    bar = _progress_bar(len(pieces), progress)
    if serial:
        for sl in pieces:
            roots[sl], regimes[sl] = _curve_columns(dm, list(m_axis[sl]), settings, search)
            bar.update(1)
    else:
        pool, owned = _executor(executor)
        try:
            futures = {pool.submit(_curve_columns, dm, list(m_axis[sl]), settings, search): sl for sl in pieces}
            for future in _completed(futures):
                roots[futures[future]], regimes[futures[future]] = future.result()
                bar.update(1)
        finally:
            if owned:
                pool.shutdown(cancel_futures=True)
    bar.close()
    return RelicCurve(m_V=m_axis, roots=roots, regimes=regimes, target=float(target), dm=dm, model=model_name,
                      branches=_branches(m_axis, roots, regimes), sm=settings.sm)


def _curve_columns(dm: SterileNeutrino, m_values: Sequence[float], settings: _Settings,
                   search: tuple[FloatArray, float, float, int]) -> tuple[FloatArray, NDArray[np.str_]]:
    """Worker: the roots of Omega h^2 = target and their regimes at each m_V of a chunk."""
    ln_c, target, tol, max_roots = search
    load_compiled()
    tables = kernel_tables()
    roots = np.full((len(m_values), max_roots), np.nan)
    regimes = np.full((len(m_values), max_roots), "", dtype="<U2")
    for k, m in enumerate(m_values):
        grid = _grid(dm, fast_window(m), settings)

        def f(ln_coupling: FloatArray, m: float = m, grid: FastGrid = grid) -> tuple[FloatArray, FloatArray]:
            omega, code = column_omega(dm, m, np.exp(ln_coupling), model=settings.model_for(dm), width=settings.width,
                                       counting=settings.counting, grid=grid, tables=tables)
            return np.log(omega / target), code

        values, _ = f(ln_c)
        idx = np.nonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)[0][:max_roots]
        if idx.size == 0:
            continue
        a, b = ln_c[idx], ln_c[idx + 1]
        fa, fb = values[idx], values[idx + 1]
        side = np.zeros(idx.size)
        for _ in range(60):  # Illinois regula falsi, vectorised over the roots of this column
            c = b - fb * (b - a) / (fb - fa)
            fc, _ = f(c)
            left = np.sign(fc) == np.sign(fa)
            a, fa, b, fb = (np.where(left, c, a), np.where(left, fc, fa),
                            np.where(left, b, c), np.where(left, fb, fc))
            fb = np.where(left & (side == 1), 0.5 * fb, fb)
            fa = np.where(~left & (side == -1), 0.5 * fa, fa)
            side = np.where(left, 1, -1)
            if np.all(np.abs(b - a) < tol):
                break
        best = np.where(np.abs(fa) < np.abs(fb), a, b)
        _, codes = f(best)
        roots[k, :idx.size] = np.exp(best)
        regimes[k, :idx.size] = np.array(REGIMES)[codes.astype(int)]
    return roots, regimes


def _branches(m_axis: FloatArray, roots: FloatArray, regimes: NDArray[np.str_]) -> dict[str, tuple[FloatArray, FloatArray]]:
    branches: dict[str, tuple[FloatArray, FloatArray]] = {}
    for label in REGIMES:
        mask = regimes == label
        if mask.any():
            rows, cols = np.nonzero(mask)
            branches[label] = (m_axis[rows], roots[rows, cols])
    return branches


def concat_curves(curves: Sequence[RelicCurve]) -> RelicCurve:
    """One RelicCurve from pieces computed on consecutive m_V ranges (same dm, model and target)."""
    if not curves:
        raise InputError("no curves to concatenate")
    m_axis = np.concatenate([c.m_V for c in curves])
    roots = np.concatenate([c.roots for c in curves])
    regimes = np.concatenate([c.regimes for c in curves])
    first = curves[0]
    return RelicCurve(m_V=m_axis, roots=roots, regimes=regimes, target=first.target, dm=first.dm, model=first.model,
                      branches=_branches(m_axis, roots, regimes), sm=first.sm)
