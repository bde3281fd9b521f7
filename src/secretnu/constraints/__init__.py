"""Laboratory, astrophysical and cosmological constraints on the (m_V, coupling) plane (Figs. 6-8).

>>> from secretnu import constraints
>>> for c in constraints.for_model("neutrinophilic"):
...     print(c.name)                                         # doctest: +SKIP

Computed here: Higgs invisible, W width, Z invisible, pi/K -> mu nu V and the nu4 lifetime
(neutrinophilic); (g-2)_mu, (g-2)_e and CCFR trident (gauged models); BBN for all. Limits that need
experimental data (BaBar, LHCb, beam dumps, NA64, Belle II, supernova, DUNE, ...) are loaded from
Darkcast ``.lmt`` recasts, FORESEE lines or CSV files (``secretnu limits fetch`` downloads the
published sets): see :mod:`secretnu.constraints.datasets`; which of them Figs. 6-8 name:
:mod:`secretnu.constraints.named`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..models import model_key
from ..sterile import SterileNeutrino
from . import cosmological, datasets, gauged, named, neutrinophilic, scalar, u1
from .base import BOUNDS, KINDS, Constraint, ExcludedRange, Measurement
from .datasets import load_limits, read_csv_limit, read_lmt

__all__ = ["Constraint", "ExcludedRange", "Measurement", "KINDS", "BOUNDS", "for_model",
           "load_limits", "read_lmt", "read_csv_limit", "cosmological", "datasets", "gauged", "named",
           "neutrinophilic", "scalar", "u1"]

def for_model(model: Any, dm: SterileNeutrino | None = None, *, inputs: str = "current",
              include_projections: bool = True, limits: Iterable[str | Path] | None = None,
              **options) -> list[Constraint]:
    """Every constraint on ``model`` ("neutrinophilic", "lmu-ltau", "b-l", "le-lmu", "le-ltau", or a
    model instance: a :class:`~secretnu.models.gauged_u1.GaugedU1` with custom charges is bounded from its charges).

    ``dm`` adds the nu4 lifetime bound; ``inputs`` picks the experimental numbers ("current" or
    "paper", neutrinophilic only); ``limits`` adds folders of Darkcast/CSV curves to those named in
    ``SECRETNU_LIMITS_PATH`` (``"auto"``: every set fetched with ``secretnu limits fetch``); further ``options`` go to
    :func:`neutrinophilic.constraints`
    (``higgs_vertex``, ``meson_normalisation``, ``higgs_br``).
    """
    from ..models.gauged_u1 import GaugedU1

    key = model_key(getattr(model, "name", model))
    if key in ("le-lmu", "le-ltau", "u1"):
        if options:
            raise InputError(f"options {sorted(options)} apply to the neutrinophilic model only")
        if key == "u1" and not isinstance(model, GaugedU1):
            raise InputError("constraints on a custom U(1)' need the model instance (its charges)")
        out = u1.u1_constraints(model, key)
        n_nu = len(model.NEUTRINOS) if isinstance(model, GaugedU1) else None
        out.append(cosmological.bbn(key, width=u1.u1_width_function(model) if key == "u1" else None))
        if dm is not None:
            out.append(cosmological.lifetime(key, dm, n_nu))
        loaded = load_limits(key, limits)
        return out + [c for c in loaded if include_projections or c.kind != "projection"]
    if key == "scalar":  # computed: Z invisible, BBN, the nu4 lifetime; meson and Higgs limits come as data
        if options:
            raise InputError(f"options {sorted(options)} apply to the neutrinophilic model only")
        out = [scalar.z_invisible(key), cosmological.bbn(key)]
        if dm is not None:
            out.append(cosmological.lifetime(key, dm))
        loaded = load_limits(key, limits)
        return out + [c for c in loaded if include_projections or c.kind != "projection"]
    if key == "neutrinophilic":
        out = neutrinophilic.constraints(inputs, include_projections=include_projections, **options)
    else:
        if options:
            raise InputError(f"options {sorted(options)} apply to the neutrinophilic model only")
        out = [gauged.trident(key), *gauged.g2_constraints(key)]
    out.append(cosmological.bbn(key))
    if dm is not None:
        out.append(cosmological.lifetime(key, dm))
    loaded = load_limits(key, limits)
    out += [c for c in loaded if include_projections or c.kind != "projection"]
    return out
