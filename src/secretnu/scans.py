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
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from ._atomic import atomic_write
from .constants import T_FINAL
from .engine import REGIMES, FastGrid, column_omega, fast_window
from .errors import InputError
from .models import make_model
from .sm import check_sm
from .sterile import SterileNeutrino
from .tables import kernel_tables

__all__ = ["scan", "relic_curve", "RelicCurve", "concat_curves", "FAST_MODELS"]

FloatArray = NDArray[np.float64]
#: Models the fast engine can evaluate.
FAST_MODELS: tuple[str, ...] = ("neutrinophilic", "lmu-ltau", "b-l")


@dataclass(frozen=True)
class _Settings:
    model: str
    width: float | str | None
    counting: str | None
    points_per_decade: int
    n_x: int
    T_final: float
    sm: str = "paper"


@lru_cache(maxsize=8)
def _grid(dm: SterileNeutrino, T_max: float, settings: _Settings) -> FastGrid:
    return FastGrid.build(dm, T_max, T_final=settings.T_final, points_per_decade=settings.points_per_decade,
                          n_x=settings.n_x, sm=settings.sm)


def _columns(dm: SterileNeutrino, m_values: Sequence[float], couplings: FloatArray,
             settings: _Settings) -> tuple[FloatArray, FloatArray]:
    """Worker: Omega h^2 and regime codes for a chunk of m_V columns."""
    tables = kernel_tables()
    omega = np.empty((len(m_values), couplings.size))
    regime = np.empty_like(omega)
    for k, m_V in enumerate(m_values):
        grid = _grid(dm, fast_window(m_V), settings)
        omega[k], regime[k] = column_omega(dm, m_V, couplings, model=settings.model, width=settings.width,
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
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise InputError(f"{name} must be a non-empty 1-D array of positive numbers")
    return arr


def _check_model(model: Any) -> str:
    name = getattr(model, "name", model)
    return make_model(str(name), 1.0, 0.1).name  # canonical name; unknown names raise InputError


class _Store:
    """Directory of finished chunks (``chunk-NNNNN.npz``) and a manifest of the scan inputs."""

    def __init__(self, path: str | os.PathLike[str], manifest: dict[str, Any]):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        manifest_file = self.path / "manifest.json"
        if manifest_file.exists():
            try:
                existing = json.loads(manifest_file.read_text())
            except (OSError, ValueError):
                raise InputError(f"store {self.path} has an unreadable manifest.json") from None
            if existing != manifest:
                raise InputError(f"store {self.path} holds a different scan; use a new directory")
        else:
            atomic_write(manifest_file, lambda handle: handle.write(json.dumps(manifest, indent=1).encode()))

    def _file(self, index: int) -> Path:
        return self.path / f"chunk-{index:05d}.npz"

    def load(self, index: int, shape: tuple[int, int]) -> tuple[FloatArray, FloatArray] | None:
        try:
            with np.load(self._file(index)) as data:
                omega, regime = data["omega"], data["regime"]
        except Exception:  # missing, truncated or corrupt: recompute
            return None
        return (omega, regime) if omega.shape == shape == regime.shape else None

    def save(self, index: int, omega: FloatArray, regime: FloatArray) -> None:
        atomic_write(self._file(index), lambda handle: np.savez(handle, omega=omega, regime=regime))


def _manifest(dm: SterileNeutrino, m_V: FloatArray, coupling: FloatArray, settings: _Settings, chunk: int) -> dict[str, Any]:
    digest = hashlib.sha256(np.concatenate([m_V, coupling]).tobytes()).hexdigest()
    return {"m4": dm.mass, "sin2_2theta": dm.sin2_2theta, "flavor": dm.flavor, "model": settings.model,
            "width": settings.width, "counting": settings.counting, "points_per_decade": settings.points_per_decade, "n_x": settings.n_x,
            "T_final": settings.T_final, "n_m_V": int(m_V.size), "n_coupling": int(coupling.size),
            "chunk": chunk, "axes_sha256": digest, "sm": settings.sm}


def _executor(executor: Any) -> tuple[Executor, bool]:
    """(executor, owned): a dask Client is used through its concurrent.futures interface."""
    if executor is None:
        return ProcessPoolExecutor(max_workers=os.cpu_count() or 1), True
    if hasattr(executor, "get_executor") and not isinstance(executor, Executor):
        return executor.get_executor(), False
    if not isinstance(executor, Executor):
        raise InputError("executor must be a concurrent.futures.Executor or a dask.distributed.Client")
    return executor, False


def scan(dm: SterileNeutrino, model: Any = "neutrinophilic", m_V: ArrayLike = (), coupling: ArrayLike = (), *,
         executor: Any = None, store: str | os.PathLike[str] | None = None, width: float | str | None = None,
         counting: str | None = None, points_per_decade: int = 40, n_x: int = 30, T_final: float = T_FINAL, chunk: int | None = None,
         progress: bool = False, sm: str = "paper") -> xr.Dataset:
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
        inputs reads them back and computes only the rest.
    width: V width convention of the neutrinophilic model (``None``/"paper", "chiral" or GeV).
    counting: nu_a nubar_b cross section of the gauged models (``None``/"paper" or "physical").
    points_per_decade, n_x, T_final: quadrature settings of the fast engine.
    chunk: m_V columns per task (default: about four tasks per worker).
    progress: show a progress bar.
    sm: Standard Model input, ``"paper"`` or ``"full"`` (see :func:`secretnu.relic_density`).

    Returns an ``xarray.Dataset`` with ``omega_h2`` and ``regime`` (labels A, B, C, DW) on
    (m_V, coupling), and every input in its attributes.
    """
    from . import __version__

    if not isinstance(dm, SterileNeutrino):
        raise InputError(f"dm must be a SterileNeutrino, got {type(dm).__name__}")
    model_name = _check_model(model)
    width, counting = _model_options(model, width, counting)
    m_axis, c_axis = _check_axis(m_V, "m_V"), _check_axis(coupling, "coupling")
    settings = _Settings(model_name, width, counting, int(points_per_decade), int(n_x), float(T_final), check_sm(sm))
    make_model(model_name, float(m_axis[0]), float(c_axis.max()), flavor=dm.flavor, width=width,
               counting=counting)  # validate
    serial = isinstance(executor, str) and executor == "serial"
    workers = 1 if serial else (os.cpu_count() or 1)
    if chunk is None:
        chunk = max(1, math.ceil(m_axis.size / (4 * workers)))
    n_chunks = math.ceil(m_axis.size / chunk)
    omega = np.full((m_axis.size, c_axis.size), np.nan)
    regime = np.full_like(omega, np.nan)
    box = _Store(store, _manifest(dm, m_axis, c_axis, settings, chunk)) if store is not None else None

    todo = []
    for i in range(n_chunks):
        sl = slice(i * chunk, min((i + 1) * chunk, m_axis.size))
        cached = box.load(i, (sl.stop - sl.start, c_axis.size)) if box is not None else None
        if cached is not None:
            omega[sl], regime[sl] = cached
        else:
            todo.append((i, sl))

    bar = _progress_bar(len(todo), progress)

    def finish(i: int, sl: slice, result: tuple[FloatArray, FloatArray]) -> None:
        omega[sl], regime[sl] = result
        if box is not None:
            box.save(i, *result)
        bar.update(1)

    if todo:
        kernel_tables()  # build and cache the tables once, before workers start
        if serial:
            for i, sl in todo:
                finish(i, sl, _columns(dm, list(m_axis[sl]), c_axis, settings))
        else:
            pool, owned = _executor(executor)
            try:
                futures = {pool.submit(_columns, dm, list(m_axis[sl]), c_axis, settings): (i, sl) for i, sl in todo}
                for future in as_completed(futures):
                    finish(*futures[future], future.result())
            finally:
                if owned:
                    pool.shutdown(cancel_futures=True)
    bar.close()
    labels = np.array(REGIMES)[regime.astype(int)]
    attrs = {"m4_GeV": dm.mass, "sin2_2theta": dm.sin2_2theta, "flavor": dm.flavor, "model": model_name,
             "width": "paper" if width is None else str(width),
             "counting": "paper" if counting is None else str(counting), "points_per_decade": settings.points_per_decade,
             "n_x": settings.n_x, "T_final_GeV": settings.T_final, "sm": settings.sm,
             "convention": "comoving", "gstar": "SaikawaShirai2018", "secretnu_version": __version__,
             "reference": "Kelly, Sen, Tangarife, Zhang, PRD 101, 115031 (2020), arXiv:2005.03681"}
    return xr.Dataset(
        {"omega_h2": (("m_V", "coupling"), omega, {"long_name": "relic abundance Omega h^2"}),
         "regime": (("m_V", "coupling"), labels, {"long_name": "production regime (section III A)",
                                                  "flag_meanings": " ".join(REGIMES)})},
        coords={"m_V": ("m_V", m_axis, {"units": "GeV", "long_name": "vector-boson mass"}),
                "coupling": ("coupling", c_axis, {"long_name": "coupling of V to neutrinos"})},
        attrs=attrs)


def _progress_bar(total: int, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not enabled, unit="chunk", desc="scan")


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
    sm: str = "paper"

    def verdict(self, **options: Any) -> Any:
        """Allowed or excluded at every point of the curve, and by what: see
        :func:`secretnu.verdict.curve_verdict` for the options."""
        from .verdict import curve_verdict

        return curve_verdict(self, **options)

    def to_dataset(self) -> xr.Dataset:
        return xr.Dataset(
            {"coupling": (("m_V", "root"), self.roots), "regime": (("m_V", "root"), self.regimes)},
            coords={"m_V": ("m_V", self.m_V, {"units": "GeV"}), "root": np.arange(self.roots.shape[1])},
            attrs={"target_omega_h2": self.target, "m4_GeV": self.dm.mass, "sin2_2theta": self.dm.sin2_2theta,
                   "flavor": self.dm.flavor, "model": self.model, "sm": self.sm})


def relic_curve(dm: SterileNeutrino, model: Any = "neutrinophilic", m_V: ArrayLike = (),
                coupling_range: tuple[float, float] = (1e-7, 1.0), target: float = 0.12, *,
                width: float | str | None = None, counting: str | None = None, n_bracket: int = 80, tol: float = 1e-3,
                points_per_decade: int = 40, n_x: int = 30, max_roots: int = 3, sm: str = "paper") -> RelicCurve:
    """Every branch of the Omega h^2 = target contour at each m_V (Figs. 6-8)."""
    model_name = _check_model(model)
    width, counting = _model_options(model, width, counting)
    m_axis = _check_axis(m_V, "m_V")
    lo, hi = (float(v) for v in coupling_range)
    if not (0 < lo < hi) or not math.isfinite(hi):
        raise InputError(f"coupling_range must be (lo, hi) with 0 < lo < hi, got {coupling_range!r}")
    if not (target > 0 and math.isfinite(target)):
        raise InputError(f"target must be a positive number, got {target!r}")
    settings = _Settings(model_name, width, counting, int(points_per_decade), int(n_x), T_FINAL, check_sm(sm))
    tables = kernel_tables()
    ln_c = np.linspace(math.log(lo), math.log(hi), n_bracket)
    roots = np.full((m_axis.size, max_roots), np.nan)
    regimes = np.full((m_axis.size, max_roots), "", dtype="<U2")
    for k, m in enumerate(m_axis):
        grid = _grid(dm, fast_window(m), settings)

        def f(ln_coupling: FloatArray, m: float = m, grid: FastGrid = grid) -> tuple[FloatArray, FloatArray]:
            omega, code = column_omega(dm, m, np.exp(ln_coupling), model=model_name, width=width,
                                       counting=counting, grid=grid, tables=tables)
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
    return RelicCurve(m_V=m_axis, roots=roots, regimes=regimes, target=float(target), dm=dm, model=model_name,
                      branches=_branches(m_axis, roots, regimes), sm=settings.sm)


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
