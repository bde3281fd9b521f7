"""The limits each of the paper's Figs. 6-8 names, and how the constraints found are sorted into them.

Figs. 6-8 draw a short list of named limits (their captions) and leave the rest out. Here every
constraint found for a model is put into one of the figure's named groups (drawn individually),
or into "other limits" (existing limits without a name in the caption: drawn as one envelope), or
left out (projections and preferred regions the caption does not name: drawing them would suggest
an exclusion or a reach the paper does not show).

Each named limit records where its data come from: ``computed`` (secretnu computes it), the names
of :mod:`secretnu.limitdata` sets that hold it, or nothing (no public data set known: SN1987A,
DUNE, M3, LDMX), so a figure drawn without the data can say what is missing and how to get it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import InputError
from .base import Constraint

__all__ = ["NamedLimit", "FigureLimits", "FIGURE_LIMITS", "FIGURES", "classify", "missing_note"]


@dataclass(frozen=True)
class NamedLimit:
    """A limit named in a figure caption: label, colour, which constraints belong to it, their source."""

    label: str
    pattern: str  # regular expression matched (case-insensitively) at the start of a constraint's name
    color: str
    projection: bool = False  # a future reach: only projections match, drawn as a dashed line
    kinds: tuple[str, ...] = ()  # constraint kinds accepted (default: limit, or projection if projection)
    sources: tuple[str, ...] = ()  # "computed" and/or limit-set names; empty: no public data known

    def matches(self, c: Constraint) -> bool:
        kinds = self.kinds or (("projection",) if self.projection else ("limit",))
        return c.kind in kinds and re.match(self.pattern, c.name, flags=re.IGNORECASE) is not None


_DC_BL, _DC_MT, _FS = "darkcast-b-l", "darkcast-lmu-ltau", "foresee-b-l"

#: The paper's figure for each model.
FIGURES = {"neutrinophilic": "Fig. 6", "lmu-ltau": "Fig. 7", "b-l": "Fig. 8"}

#: Named limits of Figs. 6-8, in caption order, with the caption's colours.
FIGURE_LIMITS: dict[str, tuple[NamedLimit, ...]] = {
    "neutrinophilic": (
        NamedLimit("Meson decays (K, $\\pi$)", r"(K|pi) -> ", "tab:blue", sources=("computed",)),
        NamedLimit("Z invisible", r"Z invisible", "tab:red", sources=("computed",)),
        NamedLimit("Higgs invisible", r"Higgs invisible(?! \(HL)", "tab:purple", sources=("computed",)),
        NamedLimit("BBN", r"BBN", "tab:orange", sources=("computed",)),
        NamedLimit("SN1987A", r"SN ?1987A|supernova", "indigo"),
        NamedLimit("DUNE (proj.)", r"DUNE", "tab:green", projection=True),
        NamedLimit("HL-LHC Higgs inv. (proj.)", r"Higgs invisible \(HL-LHC\)", "tab:purple", projection=True,
                   sources=("computed",)),
    ),
    "lmu-ltau": (
        NamedLimit("CCFR trident", r"CCFR", "tab:red", sources=("computed",)),
        NamedLimit("BaBar", r"BaBar", "tab:blue", sources=(_DC_MT,)),
        NamedLimit("BBN", r"BBN", "tab:orange", sources=("computed",)),
        NamedLimit("SN1987A", r"SN ?1987A|supernova", "indigo"),
        NamedLimit("$(g-2)_\\mu$ preferred", r"\(g-2\)_mu preferred", "tab:green", kinds=("preferred",),
                   sources=("computed",)),
        NamedLimit("NA62 (proj.)", r"NA62", "tab:red", projection=True, sources=(_DC_MT,)),
        NamedLimit("NA64$\\mu$ (proj.)", r"NA64 ?mu", "tab:blue", projection=True),
        NamedLimit("SHiP (proj.)", r"SHiP", "tab:purple", projection=True, sources=(_DC_MT,)),
        NamedLimit("M3 (proj.)", r"M3\b", "darkred", projection=True),
        NamedLimit("DUNE (proj.)", r"DUNE", "tab:green", projection=True),
    ),
    "b-l": (
        NamedLimit("TEXONO", r"TEXONO", "tab:red", sources=(_FS,)),
        NamedLimit("CHARM / CHARM-II", r"CHARM", "tab:green", sources=(_DC_BL, _FS)),
        NamedLimit("BaBar", r"BaBar", "tab:blue", sources=(_DC_BL, _FS)),
        NamedLimit("LHCb", r"LHCb", "tab:orange", sources=(_DC_BL, _FS)),
        NamedLimit("Beam dumps", r"(E137|E141|E774|KEK|Orsay|NuCal|PS191|NOMAD)\b", "tab:purple",
                   sources=(_DC_BL, _FS)),
        NamedLimit("Belle II (proj.)", r"Belle ?II", "tab:blue", projection=True, sources=(_DC_BL, _FS)),
        NamedLimit("LDMX (proj.)", r"LDMX", "tab:green", projection=True),
        NamedLimit("FASER (proj.)", r"FASER", "tab:purple", projection=True, sources=(_DC_BL, _FS)),
    ),
}


@dataclass(frozen=True)
class FigureLimits:
    """Constraints sorted for one figure: named groups, the other existing limits, and what is left out."""

    model: str
    named: tuple[tuple[NamedLimit, tuple[Constraint, ...]], ...]
    other: tuple[Constraint, ...]
    left_out: tuple[Constraint, ...] = field(default=())

    @property
    def shown(self) -> list[str]:
        """Labels of the named limits that have data."""
        return [n.label for n, cs in self.named if cs]

    @property
    def missing(self) -> list[NamedLimit]:
        """Named limits with no constraint found."""
        return [n for n, cs in self.named if not cs]


def classify(constraints: Sequence[Constraint], model: str) -> FigureLimits:
    """Sort ``constraints`` into the named limits of the model's figure, "other limits" and left out."""
    if model not in FIGURE_LIMITS:
        raise InputError(f"no figure for model {model!r}: choose one of {', '.join(FIGURE_LIMITS)}")
    named = FIGURE_LIMITS[model]
    groups: dict[str, list[Constraint]] = {n.label: [] for n in named}
    other, left_out = [], []
    for c in constraints:
        hit = next((n for n in named if n.matches(c)), None)
        if hit is not None:
            groups[hit.label].append(c)
        elif c.kind == "limit":
            other.append(c)
        else:
            left_out.append(c)
    return FigureLimits(model, tuple((n, tuple(groups[n.label])) for n in named), tuple(other), tuple(left_out))


def missing_note(sorted_limits: FigureLimits, fetched: set[str] | None = None, auto: bool = False) -> str:
    """One line naming the figure's named limits without data, and how to get those that can be had.

    ``fetched``: names of the limit sets already in the cache (default: looked up); ``auto``: whether
    the fetched sets were loaded (``--limits auto``).
    """
    if fetched is None:
        from ..limitdata import LIMIT_SETS, LimitDataError, set_path

        fetched = set()
        for name in LIMIT_SETS:
            try:
                if set_path(name) is not None:
                    fetched.add(name)
            except LimitDataError:
                pass
    missing = sorted_limits.missing
    to_fetch = [n for n in missing if any(s != "computed" and s not in fetched for s in n.sources)]
    empty = [n for n in missing if n.sources and n not in to_fetch]
    unknown = [n for n in missing if not n.sources]
    parts = []
    if to_fetch:
        sets = sorted({s for n in to_fetch for s in n.sources if s != "computed" and s not in fetched})
        parts.append(f"no data for {', '.join(_plain(n.label) for n in to_fetch)}: run 'secretnu limits fetch "
                     f"{' '.join(sets)}' and pass '--limits auto'")
    if empty and not auto:
        parts.append(f"pass '--limits auto' to draw {', '.join(_plain(n.label) for n in empty)} (data fetched)")
    elif empty:
        parts.append(f"no curve for {', '.join(_plain(n.label) for n in empty)} in the fetched sets")
    if unknown:
        parts.append(f"no public data set for {', '.join(_plain(n.label) for n in unknown)}")
    return "; ".join(parts)


def _plain(label: str) -> str:
    return label.replace("$(g-2)_\\mu$", "(g-2)_mu").replace("$\\pi$", "pi").replace("$\\mu$", "mu")
