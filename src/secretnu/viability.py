"""Is this point alive? One table of tests per parameter point, and the same along a relic curve.

Tests, in the order they are reported (the first one that excludes names the exclusion):

1. relic: Omega h^2 against the dark-matter density (Planck 2018: 0.120), or, with ``omega=``,
   the mixing that gives it (Omega and f4 are linear in sin^2 2theta at these mixings:
   :func:`rescale_mixing`) and the production regime;
2. structure formation: the thermal-equivalent mass m_th of the nu4 spectrum
   (:func:`secretnu.spectrum.warmness`: CLASS fit, or the labelled moment fallback) against the
   shipped thermal-WDM bounds of :mod:`secretnu.structure`, with the half-mode mass;
3. X-ray: the mixing, weighted by the nature of nu4 and its share of the dark matter
   (:func:`secretnu.xray.effective_sin2_2theta`), against the strongest loaded limit at m4;
4. laboratory: every computed and loaded limit of :func:`secretnu.constraints.for_model` at (m_V, coupling);
5. BBN / N_eff and the nu4 -> 3 nu lifetime.

A test without data says "not tested" and why; the overall verdict is "excluded" when any test
excludes, "allowed" when every test ran and none excludes, "allowed so far" otherwise.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import xray as X
from .constants import HBAR_GEV_S
from .errors import InputError
from .sterile import SterileNeutrino
from .structure import WdmBound, half_mode, select_bounds
from .units import format_energy
from .validate import in_domain, integer, real

__all__ = ["Check", "Verdict", "verdict", "CurveVerdict", "curve_verdict", "STATUSES", "OMEGA_DM_H2", "DMPlane", "dm_plane",
           "rescale_mixing", "CATEGORIES"]

#: Planck 2018 cold-dark-matter density, Omega_c h^2 = 0.120 +- 0.001 (arXiv:1807.06209).
OMEGA_DM_H2: float = 0.120
STATUSES: tuple[str, ...] = ("allowed", "excluded", "not tested")
CATEGORIES: tuple[str, ...] = ("relic", "structure", "x-ray", "laboratory", "cosmology")
_COSMOLOGICAL = ("BBN", "nu4 lifetime")


@dataclass(frozen=True)
class Check:
    """One line of the verdict: a test, its number, the bound, the source and the outcome."""

    test: str
    category: str
    value: str
    bound: str
    source: str
    status: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise InputError(f"status must be one of {STATUSES}, not {self.status!r}")

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Verdict:
    """The tests at one point and their outcome (:func:`verdict`)."""

    dm: SterileNeutrino
    model: Any
    checks: tuple[Check, ...]
    omega_h2: float
    m_th_keV: float = math.nan
    warmness_method: str = ""

    @property
    def excluded_by(self) -> list[Check]:
        return [c for c in self.checks if c.status == "excluded"]

    @property
    def first_exclusion(self) -> Check | None:
        return next(iter(self.excluded_by), None)

    @property
    def untested(self) -> list[Check]:
        return [c for c in self.checks if c.status == "not tested"]

    @property
    def status(self) -> str:
        if self.excluded_by:
            return "excluded"
        return "allowed so far" if self.untested else "allowed"

    def summary(self) -> str:
        if self.excluded_by:
            names = ", ".join(dict.fromkeys(c.test for c in self.excluded_by))
            return f"EXCLUDED by {names}"
        if self.untested:
            return "ALLOWED by every test run; not tested: " + ", ".join(c.test for c in self.untested)
        return "ALLOWED by every test"

    def table(self) -> str:
        """The verdict as a fixed-width text table (what ``secretnu check`` prints)."""
        head = ("test", "value", "bound", "status", "source")
        rows = [(c.test, c.value, c.bound, c.status, c.source + (f"; {c.note}" if c.note else "")) for c in self.checks]
        widths = [min(max(len(r[i]) for r in [head, *rows]), cap) for i, cap in enumerate((24, 48, 34, 10, 200))]

        def fmt(row: Sequence[str]) -> str:
            cells = [s if len(s) <= w else s[:w - 1] + "~" for s, w in zip(row, widths, strict=True)]
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        lines = [f"{self.dm}, " + ("pure Dodelson-Widrow" if self.model is None else str(self.model)),
                 fmt(head), fmt(["-" * w for w in widths])]
        lines += [fmt(r) for r in rows]
        lines.append(f"verdict: {self.summary()}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"m4_GeV": self.dm.mass, "sin2_2theta": self.dm.sin2_2theta, "flavor": self.dm.flavor,
                "model": None if self.model is None else repr(self.model), "omega_h2": self.omega_h2,
                "m_th_keV": self.m_th_keV, "warmness_method": self.warmness_method,
                "status": self.status, "summary": self.summary(), "checks": [c.to_dict() for c in self.checks]}


# ---------------------------------------------------------------------------------------- pieces


def rescale_mixing(dm: SterileNeutrino, model: Any, target: float, *, sm: Any = "paper",
                   result: Any = None, exact: bool = False, rtol: float = 1e-3) -> Any:
    """The RelicResult at the mixing where Omega h^2 = target.

    At these mixings the production rate is proportional to sin^2 2theta (Eq. 2.5: D^2 sin^2 2theta
    in the denominator is negligible next to (Gamma/2)^2 + detuning^2, and cos 2theta = 1), so Omega,
    the yield, its history and f4 are scaled by target/Omega at once. ``exact=True`` re-runs the
    exact path at the new mixing (and repeats the step until within ``rtol``). Raises InputError
    when the target needs sin^2 2theta > 1.
    """
    from .production import relic_density
    from .spectrum import rescale_to_omega

    target = in_domain(target, "target", "target Omega h^2")
    result = result if result is not None else relic_density(dm, model, sm=sm)
    for _ in range(3):
        if result.omega_h2 <= 0 or not math.isfinite(result.omega_h2):
            raise InputError(f"Omega h^2 = {result.omega_h2:g} at {result.dm}: cannot rescale the mixing")
        if abs(result.omega_h2 / target - 1) < rtol:
            break
        scaled = rescale_to_omega(result, target)  # linear in the mixing (secretnu.spectrum)
        if not exact:
            return scaled
        result = relic_density(scaled.dm, model, sm=sm)
    return result


def _warmness(result: Any, method: str) -> tuple[float, str, float]:
    """(m_th [keV], method label, M_hm [M_sun/h]) from :func:`secretnu.spectrum.warmness`."""
    from . import spectrum

    warm = spectrum.warmness(result, method=method)
    return float(warm.m_th_keV), warm.method, float(warm.M_hm)


def _structure_checks(m_th: float, label: str, m_hm: float, bounds: Sequence[WdmBound], fraction: float) -> list[Check]:
    if not math.isfinite(m_th) or m_th <= 0:
        return [Check("structure formation", "structure", "m_th unavailable", "-", "-", "not tested",
                      "no spectrum (classy absent and no moment)")]
    if not math.isfinite(m_hm):
        m_hm = half_mode(m_th)[1]
    note = f"M_hm = {m_hm:.2g} M_sun/h"
    if fraction < 0.99:
        note += f"; nu4 is {fraction:.0%} of the DM and the bound is for all of it"
    return [Check(b.name, "structure", f"m_th = {m_th:.3g} keV ({label})", f"m_th > {b.m_th_min_keV:g} keV",
                  f"{b.source} ({b.confidence})", "excluded" if b.excludes(m_th) else "allowed", note)
            for b in bounds]


def _xray_check(dm: SterileNeutrino, limits: Sequence[X.XrayLimit], nature: str, fraction: float) -> Check:
    gamma = float(X.radiative_width(dm.mass, dm.sin2_2theta, nature))
    note = f"Gamma(nu4->nu gamma) = {gamma / HBAR_GEV_S:.3g} /s, tau = {HBAR_GEV_S / gamma:.3g} s ({nature})"
    effective = X.effective_sin2_2theta(dm.sin2_2theta, nature, fraction)
    value = f"sin^2 2theta_eff = {effective:.3g}"
    limit, bound = X.strongest(limits, dm.mass)
    if limit is None:
        why = "no X-ray limit loaded" if not limits else f"no loaded X-ray limit covers m4 = {format_energy(dm.mass)}"
        return Check("X-ray line", "x-ray", value, "-", "-", "not tested",
                     f"{why} (--xray FILE|DIR or 'secretnu limits fetch' then --xray auto); {note}")
    return Check("X-ray line", "x-ray", value, f"< {bound:.3g}", f"{limit.name}: {limit.citation}",
                 "excluded" if effective > bound else "allowed", note)


def _lab_checks(dm: SterileNeutrino, model: Any, constraints: Sequence[Any]) -> list[Check]:
    out: list[Check] = []
    silent: list[str] = []
    m_V, g = float(model.m_V), float(model.coupling)
    for c in constraints:
        if c.kind != "limit":
            continue  # projections and preferred regions are not exclusions
        edge = c.excluded([m_V])
        lower, upper = float(edge.lower[0]), float(edge.upper[0])
        category = "cosmology" if c.name in _COSMOLOGICAL else "laboratory"
        if math.isnan(lower):
            silent.append(c.name)
            continue
        bound = f"g < {lower:.3g}" if math.isinf(upper) else f"g outside {lower:.3g}..{upper:.3g}"
        note = ""
        if c.name == "nu4 lifetime":
            from .constraints.cosmological import nu4_decay_width

            width = float(nu4_decay_width(dm, np.array([m_V]), g, model.name)[0])
            note = f"tau(nu4 -> 3 nu) = {HBAR_GEV_S / width:.3g} s" if width > 0 else ""
        out.append(Check(c.name, category, f"g = {g:.3g}", bound, c.citation,
                         "excluded" if lower <= g <= upper else "allowed", note))
    if silent:
        out.append(Check(f"{len(silent)} other limit(s)", "laboratory", f"m_V = {format_energy(m_V)}",
                         "no bound at this m_V", ", ".join(silent), "allowed"))
    return out


def _relic_check(result: Any, target: float | None, start: Any, tolerance: float, regime: str) -> tuple[Check, float]:
    omega = result.omega_h2
    reg = f"; regime {regime}" if regime else ""
    if target is not None:
        value = f"sin^2 2theta = {result.dm.sin2_2theta:.3g} gives Omega h^2 = {omega:.4g}"
        note = f"input sin^2 2theta = {start.dm.sin2_2theta:.3g} gives {start.omega_h2:.4g}{reg}"
        status = "excluded" if target > OMEGA_DM_H2 * (1 + tolerance) else "allowed"
        return Check("relic abundance", "relic", value, f"Omega h^2 = {target:g} (rescaled)",
                     "this code (exact path)", status, note), min(omega / OMEGA_DM_H2, 1.0)
    fraction = omega / OMEGA_DM_H2
    status = "excluded" if fraction > 1 + tolerance else "allowed"
    note = (f"overcloses: {fraction:.2f} x Planck" if status == "excluded"
            else f"nu4 is {fraction:.0%} of the dark matter" if fraction < 1 - tolerance else "all of the dark matter")
    return Check("relic abundance", "relic", f"Omega h^2 = {omega:.4g}", f"<= {OMEGA_DM_H2:g} (+{tolerance:.0%})",
                 "Planck 2018, arXiv:1807.06209", status, note + reg), min(fraction, 1.0)


def _regime(dm: SterileNeutrino, model: Any, sm: str) -> str:
    if model is None:
        return "DW"
    try:
        from .diagnostics import diagnose

        return str(diagnose(dm, model, sm=sm).regime)
    except Exception:  # the label is informative only
        return ""


def _xray_limits(xray: Iterable[Any] | None) -> list[X.XrayLimit]:
    items = list(xray or ())
    limits = [i for i in items if isinstance(i, X.XrayLimit)]
    return limits + X.load_xray_limits([i for i in items if not isinstance(i, X.XrayLimit)])


# ---------------------------------------------------------------------------------------- verdicts


def verdict(dm: SterileNeutrino, model: Any = None, *, omega: float | None = None, sm: str = "paper",
            structure: Iterable[str] | str | None = None, xray: Iterable[str | Path | X.XrayLimit] | None = None,
            limits: Iterable[str | Path] | None = None, inputs: str = "current", nature: str = "majorana",
            m_th_keV: float | None = None, warmness_method: str = "auto", result: Any = None,
            tolerance: float = 0.05, regime: str | None = None) -> Verdict:
    """Every test at one point (module docstring).

    Parameters
    ----------
    dm, model: the sterile neutrino and the secret-interaction model (``None``: pure Dodelson-Widrow).
    omega: rescale the mixing so that Omega h^2 equals this (e.g. 0.12) before testing.
    sm: Standard Model input of the relic calculation.
    structure: structure-formation bounds by key (:data:`secretnu.structure.WDM_BOUNDS`; default all).
    xray: X-ray limits: files, folders, ``"auto"`` or :class:`~secretnu.xray.XrayLimit` objects.
    limits, inputs: laboratory data folders and experimental inputs (:func:`secretnu.constraints.for_model`).
    nature: ``"majorana"`` or ``"dirac"`` (X-ray rate).
    m_th_keV: use this thermal-equivalent mass instead of computing the spectrum's.
    warmness_method: passed to :func:`secretnu.spectrum.warmness` (``"auto"``, ``"class"``, ``"moment"``).
    result: a precomputed :class:`~secretnu.production.RelicResult` at (dm, model).
    tolerance: relative excess over Omega_DM h^2 = 0.120 still counted as allowed.
    regime: production regime label, if known (otherwise from :func:`secretnu.diagnose`).
    """
    from . import constraints as cons
    from .production import relic_density

    if not isinstance(dm, SterileNeutrino):
        raise InputError(f"dm must be a SterileNeutrino, got {type(dm).__name__}")
    X._nature_factor(nature)
    if omega is not None:
        in_domain(omega, "target", "omega")
    if m_th_keV is not None:
        real(m_th_keV, "m_th_keV", lo=0.0, lo_open=True)
    bounds = select_bounds(structure)
    xlimits = _xray_limits(xray)
    start = result if result is not None else relic_density(dm, model, sm=sm)
    final = rescale_mixing(dm, model, omega, sm=sm, result=start) if omega is not None else start
    dm_final = final.dm
    regime = regime if regime is not None else _regime(dm_final, model, sm)
    relic, fraction = _relic_check(final, omega, start, tolerance, regime)
    checks = [relic]
    if m_th_keV is not None:
        m_th, label, m_hm = float(m_th_keV), "given", math.nan
    else:
        m_th, label, m_hm = _warmness(final, warmness_method)
    checks += _structure_checks(m_th, label, m_hm, bounds, fraction)
    checks.append(_xray_check(dm_final, xlimits, nature, fraction))
    if model is not None:
        found = cons.for_model(model.name, dm_final, inputs=inputs, include_projections=False, limits=limits)
        checks += _lab_checks(dm_final, model, found)
    order = {c: i for i, c in enumerate(CATEGORIES)}
    checks.sort(key=lambda c: order[c.category])
    return Verdict(dm_final, model, tuple(checks), final.omega_h2, m_th, label)


@dataclass(frozen=True)
class CurveVerdict:
    """The verdict at every point of a relic curve (:meth:`secretnu.RelicCurve.verdict`).

    status, excluded_by: per root, shaped like ``curve.roots``: "allowed"/"excluded" ("" where
    there is no root) and the name of the first excluding test ("" if none).
    m_th_keV: thermal-equivalent mass per root (interpolated between exact nodes, see ``nodes``).
    common: the tests that are the same along the curve (X-ray; structure bounds used).
    nodes: (m_V, coupling, m_th) where the spectrum was computed; validation: the largest relative
    deviation of the interpolated m_th from exact values at held-out points (NaN if not validated).
    """

    curve: Any
    status: NDArray[np.str_]
    excluded_by: NDArray[np.str_]
    m_th_keV: NDArray[np.float64]
    common: tuple[Check, ...]
    bounds: tuple[WdmBound, ...]
    nodes: NDArray[np.float64] = field(default_factory=lambda: np.empty((0, 3)))
    validation: float = math.nan
    warmness_method: str = ""
    masks: dict[str, NDArray[np.bool_]] = field(default_factory=dict)

    def surviving(self, ignore: Iterable[str] = ()) -> NDArray[np.bool_]:
        """Points no test excludes once the tests named in ``ignore`` are left out (``masks``: every
        excluding test's own mask, not only the first)."""
        skip = set(ignore)
        out = self.status != ""
        for name, mask in self.masks.items():
            if name not in skip:
                out &= ~mask
        return out

    def fractions(self) -> dict[str, int]:
        """How many curve points each first-excluding test accounts for (and "allowed")."""
        present = self.status != ""
        labels = np.where(self.status == "allowed", "allowed", self.excluded_by)[present]
        names, counts = np.unique(labels, return_counts=True)
        return {str(n): int(k) for n, k in zip(names, counts, strict=True)}

    def summary(self) -> str:
        counts = self.fractions()
        total = sum(counts.values())
        alive = counts.get("allowed", 0)
        parts = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]) if k != "allowed")
        head = f"{alive} of {total} points on the Omega h^2 = {self.curve.target:g} curve survive"
        return head + (f"; first exclusion: {parts}" if parts else "")


def curve_verdict(curve: Any, *, structure: Iterable[str] | str | None = None,
                  xray: Iterable[str | Path | X.XrayLimit] | None = None, limits: Iterable[str | Path] | None = None,
                  inputs: str = "current", nature: str = "majorana",
                  m_th_keV: float | Callable[[float, float], float] | None = None, warmness_method: str = "auto",
                  n_nodes: int = 5, validate: int = 0, cache: dict[tuple[float, float], tuple[float, str]] | None = None
                  ) -> CurveVerdict:
    """The verdict along a :class:`~secretnu.scans.RelicCurve` (Omega h^2 = target everywhere).

    Tests that do not depend on (m_V, coupling) (X-ray; the relic by construction) are run once.
    The laboratory and BBN limits are evaluated at every root. m_th comes from ``m_th_keV`` (a
    number or a function of (m_V, coupling)) or from exact spectra at ``n_nodes`` points per branch,
    interpolated linearly in (ln m_V, ln m_th) along each branch; ``validate=k`` computes k extra
    points half-way between nodes and records the largest relative deviation in ``validation``.
    ``cache`` (dict) keeps node results between calls.
    """
    from . import constraints as cons
    from .models import make_model
    from .production import relic_density
    from .scans import RelicCurve

    bounds = tuple(select_bounds(structure))
    xlimits = _xray_limits(xray)
    if not isinstance(curve, RelicCurve):
        raise InputError(f"curve must be a RelicCurve (secretnu.relic_curve), got {type(curve).__name__}")
    X._nature_factor(nature)
    n_nodes = integer(n_nodes, "n_nodes", lo=1)
    dm, target = curve.dm, curve.target
    fraction = min(target / OMEGA_DM_H2, 1.0)
    xcheck = _xray_check(dm, xlimits, nature, fraction)
    cache = cache if cache is not None else {}
    method_label = "given" if m_th_keV is not None else ""

    def exact(m_V: float, c: float) -> float:
        nonlocal method_label
        key = (round(math.log(m_V), 9), round(math.log(c), 9))
        if key not in cache:
            model = make_model(curve.model, m_V, c, flavor=dm.flavor)
            # the node's Omega is the target to fast-engine accuracy; rescaling removes the rest
            res = rescale_mixing(dm, model, target, sm=curve.sm, result=relic_density(dm, model, sm=curve.sm))
            m_th, label, _ = _warmness(res, warmness_method)
            cache[key] = (m_th, label)
        method_label = cache[key][1]
        return cache[key][0]

    roots = curve.roots
    present = np.isfinite(roots)
    m_grid = np.broadcast_to(curve.m_V[:, None], roots.shape)
    m_th = np.full(roots.shape, np.nan)
    nodes: list[tuple[float, float, float]] = []
    validation = math.nan
    if callable(m_th_keV):
        m_th[present] = [m_th_keV(float(m), float(c)) for m, c in zip(m_grid[present], roots[present], strict=True)]
    elif m_th_keV is not None:
        m_th[present] = float(m_th_keV)
    else:
        errors = []
        for label, (bm, bc) in curve.branches.items():
            order = np.argsort(bm)
            bm, bc = bm[order], bc[order]
            idx = np.unique(np.linspace(0, bm.size - 1, min(n_nodes, bm.size)).round().astype(int))
            values = np.array([exact(float(bm[i]), float(bc[i])) for i in idx])
            nodes += [(float(bm[i]), float(bc[i]), float(v)) for i, v in zip(idx, values, strict=True)]
            mask = curve.regimes == label
            lm = np.log(bm[idx])
            interp = np.exp(np.interp(np.log(m_grid[mask]), lm, np.log(values))) if idx.size > 1 \
                else np.full(int(mask.sum()), values[0])
            m_th[mask] = interp
            mids = [(int(a) + int(b)) // 2 for a, b in itertools.pairwise(idx) if b - a > 1][:validate]
            for i in mids:
                truth = exact(float(bm[i]), float(bc[i]))
                guess = float(np.exp(np.interp(math.log(bm[i]), lm, np.log(values))))
                errors.append(abs(guess / truth - 1))
        validation = max(errors) if errors else math.nan

    status = np.where(present, "allowed", "").astype("<U8")
    first = np.full(roots.shape, "", dtype="<U40")

    masks: dict[str, NDArray[np.bool_]] = {}

    def mark(mask: NDArray[np.bool_], name: str) -> None:
        hit = mask & present & (first == "")
        first[hit] = name
        status[mask & present] = "excluded"
        masks[name] = masks.get(name, np.zeros(roots.shape, bool)) | (mask & present)

    for b in bounds:
        with np.errstate(invalid="ignore"):
            mark(m_th < b.m_th_min_keV, b.name)
    if xcheck.status == "excluded":
        mark(np.ones(roots.shape, bool), "X-ray line")
    found = cons.for_model(curve.model, dm, inputs=inputs, include_projections=False, limits=limits)
    labs = [c for c in found if c.kind == "limit"]
    labs.sort(key=lambda c: c.name in _COSMOLOGICAL)  # laboratory before cosmology, as in the table
    safe = np.where(present, roots, 1.0)
    for c in labs:
        mark(c.is_excluded(m_grid, safe), c.name)
    return CurveVerdict(curve, status, first, m_th, (xcheck,), bounds, np.array(nodes).reshape(-1, 3),
                        validation, method_label or "moment (fallback)", masks)



# ---------------------------------------------------------------------------- the (m4, sin^2 2theta) plane


@dataclass(frozen=True)
class DMPlane:
    """The (m4, sin^2 2theta) plane for a fixed mediator (:func:`dm_plane`).

    m4 [GeV]; sin2_model, sin2_dw: the mixing with Omega h^2 = target with the mediator and for pure
    Dodelson-Widrow; m_th_keV: thermal-equivalent mass along the model line (interpolated between
    the exact ``nodes``); status, excluded_by: per m4, as in :class:`CurveVerdict`; structure_edges:
    per bound, the m4 [GeV] below which the model line is too warm (NaN: nowhere); lab: the
    laboratory and BBN tests of the mediator (the same for every m4 but the nu4 lifetime).
    """

    m4: NDArray[np.float64]
    sin2_model: NDArray[np.float64]
    sin2_dw: NDArray[np.float64]
    m_th_keV: NDArray[np.float64]
    status: NDArray[np.str_]
    excluded_by: NDArray[np.str_]
    structure_edges: dict[str, float]
    xray: tuple[X.XrayLimit, ...]
    lab: tuple[Check, ...]
    model_label: str
    target: float
    nodes: NDArray[np.float64] = field(default_factory=lambda: np.empty((0, 2)))

    def to_rows(self) -> list[dict[str, Any]]:
        return [{"m4_keV": m * 1e6, "sin2_2theta_model": s, "sin2_2theta_dw": d, "m_th_keV": t, "status": st,
                 "excluded_by": ex}
                for m, s, d, t, st, ex in zip(self.m4, self.sin2_model, self.sin2_dw, self.m_th_keV, self.status,
                                              self.excluded_by, strict=True)]


def _engine_omega(dm: SterileNeutrino, model_name: str, m_V: float, coupling: float, sm: str) -> float:
    from .engine import FastGrid, column_omega, fast_window
    from .tables import kernel_tables

    grid = FastGrid.build(dm, fast_window(m_V), sm=sm)
    omega, _ = column_omega(dm, m_V, np.array([coupling]), model=model_name, grid=grid, tables=kernel_tables())
    return float(omega[0])


def _mixing_for_target(m4: float, flavor: str, model_name: str, m_V: float, coupling: float, target: float,
                       sm: str, reference: float) -> float:
    """sin^2 2theta with Omega h^2 = target at m4 (fast engine; two linear steps, Omega ~ sin^2 2theta)."""
    mixing = reference
    for _ in range(2):
        omega = _engine_omega(SterileNeutrino(m4, mixing, flavor), model_name, m_V, coupling, sm)
        if not (omega > 0 and math.isfinite(omega)):
            return math.nan
        mixing *= target / omega
        if mixing > 1:
            return math.nan
    return mixing


#: A coupling small enough that V changes nothing: the fast engine then gives pure Dodelson-Widrow.
_DW_COUPLING = 1e-12


def dm_plane(model: Any, m4: Sequence[float] | NDArray[np.float64], *, target: float = 0.12, flavor: str = "mu",
             sm: str = "paper", structure: Iterable[str] | str | None = None,
             xray: Iterable[str | Path | X.XrayLimit] | None = None, limits: Iterable[str | Path] | None = None,
             inputs: str = "current", nature: str = "majorana",
             m_th_keV: float | Callable[[float], float] | None = None, warmness_method: str = "auto",
             n_nodes: int = 6, reference_sin2: float = 1e-10) -> DMPlane:
    """The standard sterile-neutrino plane for a fixed mediator ``model`` (an instance: m_V and coupling fixed).

    For each m4 [GeV] the mixing with Omega h^2 = target is found on the fast engine, with the
    mediator and for pure Dodelson-Widrow (the same engine with the coupling at 1e-12). m_th along
    the model line comes from exact spectra at ``n_nodes`` masses (or ``m_th_keV``: a number or a
    function of m4 [GeV]), interpolated in (ln m4, ln m_th). Each point of the model line is then
    tested like :func:`curve_verdict`: structure formation, X-ray, laboratory and BBN.
    """
    from . import constraints as cons
    from .production import relic_density

    if model is None or not hasattr(model, "m_V"):
        raise InputError("dm_plane needs a model instance with its m_V and coupling (e.g. Neutrinophilic(0.03, 4.8e-6))")
    masses = np.atleast_1d(np.asarray(m4, dtype=float))
    if masses.ndim != 1 or masses.size < 2 or np.any(~np.isfinite(masses)) or np.any(masses <= 0):
        raise InputError("m4 must be at least two positive masses [GeV]")
    masses = np.sort(masses)
    for m in (masses[0], masses[-1]):
        in_domain(float(m), "m4", "sterile-neutrino mass m4", " GeV")
    in_domain(target, "target", "target")
    from .sm import check_flavor, check_sm

    flavor = check_flavor(flavor)
    check_sm(sm)
    n_nodes = integer(n_nodes, "n_nodes", lo=1)
    bounds = select_bounds(structure)
    xlimits = _xray_limits(xray)
    X._nature_factor(nature)
    name, m_V, g = model.name, float(model.m_V), float(model.coupling)
    line = np.array([_mixing_for_target(m, flavor, name, m_V, g, target, sm, reference_sin2) for m in masses])
    dw = np.array([_mixing_for_target(m, flavor, name, m_V, _DW_COUPLING, target, sm, 1e-9) for m in masses])

    ok = np.isfinite(line)
    m_th = np.full(masses.size, np.nan)
    nodes: list[tuple[float, float]] = []
    if callable(m_th_keV):
        m_th[ok] = [m_th_keV(float(m)) for m in masses[ok]]
    elif m_th_keV is not None:
        m_th[ok] = float(m_th_keV)
    elif ok.any():
        idx = np.unique(np.linspace(0, ok.sum() - 1, min(n_nodes, int(ok.sum()))).round().astype(int))
        good_m, good_s = masses[ok], line[ok]
        for i in idx:
            dm = SterileNeutrino(float(good_m[i]), float(good_s[i]), flavor)
            res = rescale_mixing(dm, model, target, sm=sm, result=relic_density(dm, model, sm=sm))
            nodes.append((float(good_m[i]), _warmness(res, warmness_method)[0]))
        nm = np.array(nodes)
        m_th[ok] = np.exp(np.interp(np.log(good_m), np.log(nm[:, 0]), np.log(nm[:, 1]))) if len(nodes) > 1 \
            else nm[0, 1]

    status = np.where(ok, "allowed", "").astype("<U8")
    first = np.full(masses.size, "", dtype="<U40")

    def mark(mask: NDArray[np.bool_], label: str) -> None:
        first[mask & ok & (first == "")] = label
        status[mask & ok] = "excluded"

    edges = {}
    for b in bounds:
        with np.errstate(invalid="ignore"):
            too_warm = m_th < b.m_th_min_keV
        mark(too_warm, b.name)
        edges[b.key] = float(masses[too_warm].max()) if too_warm.any() else math.nan
    fraction = min(target / OMEGA_DM_H2, 1.0)
    for i in np.nonzero(ok)[0]:
        dm = SterileNeutrino(float(masses[i]), float(line[i]), flavor)
        if _xray_check(dm, xlimits, nature, fraction).status == "excluded":
            mark(np.arange(masses.size) == i, "X-ray line")
    dm_mid = SterileNeutrino(float(masses[ok][0]) if ok.any() else float(masses[0]),
                             float(line[ok][0]) if ok.any() else 1e-10, flavor)
    lab = _lab_checks(dm_mid, model, cons.for_model(name, dm_mid, inputs=inputs, include_projections=False,
                                                    limits=limits))
    for check in lab:
        if check.status == "excluded":
            mark(np.ones(masses.size, bool), check.test)
    return DMPlane(masses, line, dw, m_th, status, first, edges, tuple(xlimits), tuple(lab), str(model),
                   float(target), np.array(nodes).reshape(-1, 2))
