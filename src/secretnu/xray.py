"""X-ray line from nu4 -> nu gamma: the decay rate, limit curves on sin^2(2 theta), and their readers.

Decay rate (one loop, W and charged lepton; Pal & Wolfenstein, Phys. Rev. D 25 (1982) 766;
Shrock, Nucl. Phys. B 206 (1982) 359) for a Majorana nu4, summed over nu gamma and nubar gamma::

    Gamma(nu4 -> nu gamma) = 9 alpha G_F^2 m4^5 sin^2(2 theta) / (1024 pi^4)
                           = 1.36e-29 s^-1 (sin^2 2theta / 1e-7) (m4 / keV)^5.

A Dirac nu4 decays only to nu gamma: half that rate. Published X-ray limits on sin^2(2 theta)
assume the Majorana rate, so what they bound is the photon flux, i.e. Gamma; a Dirac nu4 with the
same mixing gives half the flux and is allowed up to twice the quoted mixing
(:func:`effective_sin2_2theta` puts the nature, and the fraction of the dark matter nu4 makes, on
the side of the prediction).

Axion-photon limits recast (AxionLimits, O'Hare, https://cajohare.github.io/AxionLimits/, files
``limit_data/AxionPhoton/*.txt``: mass m_a [eV], g_a-gamma [GeV^-1]). A decaying dark-matter search
bounds the line flux Phi ~ (rho_DM / m) N_gamma Gamma at line energy E. Both decays are two-body
with one massless partner, so E = m/2 for both: a limit at m_a is a limit at m4 = m_a. An ALP gives
N_gamma = 2 photons per decay with Gamma_a = g^2 m_a^3 / (64 pi); nu4 gives N_gamma = 1. Equal flux
at equal rho_DM and m:  Gamma_nu = 2 Gamma_a, i.e. (Majorana)

    sin^2(2 theta) = 2 g^2 m^3/(64 pi) * 1024 pi^4 / (9 alpha G_F^2 m^5) = 32 pi^3 g^2 / (9 alpha G_F^2 m^2).

For a Dirac nu4 the same flux needs twice this mixing. Example: the 3.55 keV line,
sin^2 2theta = 7e-11 at 7.1 keV (Bulbul et al. 2014), is g = 5.6e-18 GeV^-1.

File formats read here:

- sterile-neutrino CSV (any published limit in its own form)::

      # name: XMM-Newton blank sky
      # citation: Foster et al. 2021, arXiv:2102.02207
      # nature: majorana          (optional: the rate convention of the quoted mixing)
      m4_keV,sin2_2theta          (or m4_eV / m4_GeV)
      5.0,3e-11
      ...

- AxionLimits text files: ``#`` comments, then two whitespace-separated columns m_a [eV] and
  g_a-gamma [GeV^-1]. Points at g >= 1e-5 GeV^-1 close the plotted region and are dropped; where a
  mass repeats, the smallest g (the edge of the exclusion) is kept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .constants import G_F, HBAR_GEV_S
from .errors import InputError
from .units import GeV, eV, keV

__all__ = [
    "ALPHA_EM", "NATURES", "radiative_width", "radiative_lifetime_s", "axion_width",
    "sin2_2theta_from_g", "g_from_sin2_2theta", "effective_sin2_2theta",
    "XrayLimit", "read_xray_csv", "read_axionlimits", "load_xray_limits", "strongest",
]

FloatArray = NDArray[np.float64]

#: Fine-structure constant at zero momentum (CODATA 2018): real photons are emitted.
ALPHA_EM: float = 7.2973525693e-3
#: Dirac or Majorana nu4 (the Dirac rate is half the Majorana one).
NATURES: tuple[str, ...] = ("majorana", "dirac")
#: AxionLimits closes plotted regions with points at large g; anything above this is not a limit.
_G_CLOSING = 1e-5
_UNIT_COLUMNS = {"m4_ev": eV, "m4_kev": keV, "m4_gev": GeV}


def _nature_factor(nature: str) -> float:
    if nature not in NATURES:
        raise InputError(f"nature must be one of {', '.join(NATURES)}, not {nature!r}")
    return 1.0 if nature == "majorana" else 0.5


def radiative_width(m4: ArrayLike, sin2_2theta: ArrayLike, nature: str = "majorana") -> FloatArray:
    """Gamma(nu4 -> nu gamma) [GeV] = 9 alpha G_F^2 m4^5 sin^2(2 theta)/(1024 pi^4) (Majorana),
    half that for a Dirac nu4 (module docstring). ``m4`` in GeV."""
    m = np.asarray(m4, dtype=float)
    s = np.asarray(sin2_2theta, dtype=float)
    return _nature_factor(nature) * 9 * ALPHA_EM * G_F**2 * m**5 * s / (1024 * math.pi**4)


def radiative_lifetime_s(m4: ArrayLike, sin2_2theta: ArrayLike, nature: str = "majorana") -> FloatArray:
    """1 / Gamma(nu4 -> nu gamma) in seconds."""
    return HBAR_GEV_S / radiative_width(m4, sin2_2theta, nature)


def axion_width(m_a: ArrayLike, g: ArrayLike) -> FloatArray:
    """Gamma(a -> gamma gamma) = g^2 m_a^3/(64 pi) [GeV], m_a in GeV and g in GeV^-1."""
    m = np.asarray(m_a, dtype=float)
    return np.asarray(g, dtype=float) ** 2 * m**3 / (64 * math.pi)


def sin2_2theta_from_g(m: ArrayLike, g: ArrayLike, nature: str = "majorana") -> FloatArray:
    """The mixing whose nu4 -> nu gamma line equals the a -> gamma gamma line of coupling g at the
    same mass m [GeV]: 2 Gamma_a = Gamma_nu (two photons per ALP decay), i.e.
    32 pi^3 g^2/(9 alpha G_F^2 m^2) for a Majorana nu4, twice that for a Dirac one."""
    m = np.asarray(m, dtype=float)
    return 32 * math.pi**3 * np.asarray(g, dtype=float) ** 2 / (9 * ALPHA_EM * G_F**2 * m**2) / _nature_factor(nature)


def g_from_sin2_2theta(m: ArrayLike, sin2_2theta: ArrayLike, nature: str = "majorana") -> FloatArray:
    """Inverse of :func:`sin2_2theta_from_g` [GeV^-1]."""
    m = np.asarray(m, dtype=float)
    s = np.asarray(sin2_2theta, dtype=float) * _nature_factor(nature)
    return np.sqrt(9 * ALPHA_EM * G_F**2 * m**2 * s / (32 * math.pi**3))


def effective_sin2_2theta(sin2_2theta: float, nature: str = "majorana", dm_fraction: float = 1.0) -> float:
    """The Majorana, all-of-the-dark-matter mixing with the same X-ray flux: what a published limit
    is compared with. The flux goes as (Omega_4/Omega_DM) Gamma."""
    return float(sin2_2theta) * _nature_factor(nature) * float(dm_fraction)


@dataclass(frozen=True)
class XrayLimit:
    """An upper limit on sin^2(2 theta) (Majorana rate, nu4 all of the dark matter) versus m4 [GeV]."""

    name: str
    m4: FloatArray
    sin2_2theta: FloatArray
    citation: str = "user data"
    source: str = ""

    def __post_init__(self) -> None:
        m, s = np.asarray(self.m4, dtype=float), np.asarray(self.sin2_2theta, dtype=float)
        if m.ndim != 1 or m.shape != s.shape or m.size < 2:
            raise InputError(f"X-ray limit {self.name!r}: need at least two (m4, sin^2 2theta) points")
        if not (np.all(np.isfinite(m)) and np.all(m > 0) and np.all(np.isfinite(s)) and np.all(s > 0)):
            raise InputError(f"X-ray limit {self.name!r}: masses and mixings must be positive numbers")
        order = np.argsort(m, kind="stable")
        object.__setattr__(self, "m4", m[order])
        object.__setattr__(self, "sin2_2theta", s[order])

    @property
    def mass_range(self) -> tuple[float, float]:
        return float(self.m4[0]), float(self.m4[-1])

    def bound(self, m4: ArrayLike) -> FloatArray:
        """Largest allowed sin^2(2 theta) at m4 [GeV] (log-log interpolation); NaN outside the curve."""
        m = np.atleast_1d(np.asarray(m4, dtype=float))
        out = np.exp(np.interp(np.log(m), np.log(self.m4), np.log(self.sin2_2theta)))
        out[(m < self.m4[0] * (1 - 1e-9)) | (m > self.m4[-1] * (1 + 1e-9))] = np.nan  # rounding at the ends
        return out

    def excludes(self, m4: ArrayLike, sin2_2theta: ArrayLike) -> NDArray[np.bool_]:
        """True where the (effective) mixing exceeds the limit; False where it is below or untested."""
        limit = self.bound(m4)
        with np.errstate(invalid="ignore"):
            return np.asarray(sin2_2theta, dtype=float) > limit


def _read_text(path: Path) -> str:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read X-ray limit file {path}: {getattr(exc, 'strerror', None) or exc}") from None


def read_xray_csv(path: str | Path) -> XrayLimit:
    """An X-ray limit from the sterile-neutrino CSV format of the module docstring."""
    path = Path(path)
    meta: dict[str, str] = {}
    body: list[str] = []
    for line in _read_text(path).splitlines():
        if line.startswith("#"):
            key, sep, value = line.lstrip("#").partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip()
        elif line.strip():
            body.append(line)
    header = [c.strip().lower() for c in body[0].split(",")] if body else []
    if len(header) < 2 or header[0] not in _UNIT_COLUMNS or header[1] != "sin2_2theta":
        raise InputError(f"{path}: first row must be the header 'm4_keV,sin2_2theta' (or m4_eV / m4_GeV)")
    unit = _UNIT_COLUMNS[header[0]]
    rows = []
    for n, line in enumerate(body[1:], start=2):
        cells = [c.strip() for c in line.split(",")]
        try:
            rows.append((float(cells[0]), float(cells[1])))
        except (ValueError, IndexError):
            raise InputError(f"{path}: row {n} is not two numbers: {line!r}") from None
    if len(rows) < 2:
        raise InputError(f"{path}: need at least two data rows")
    table = np.array(rows)
    if np.any(~np.isfinite(table)) or np.any(table <= 0):
        raise InputError(f"{path}: masses and sin^2 2theta must be positive numbers")
    if np.any(table[:, 1] > 1):
        raise InputError(f"{path}: sin^2 2theta above 1; is the second column really the mixing?")
    nature = meta.get("nature", "majorana").lower()
    mixing = table[:, 1] * _nature_factor(nature)  # a Dirac-convention limit bounds half the Majorana mixing
    return XrayLimit(meta.get("name", path.stem), table[:, 0] * unit, mixing,
                     meta.get("citation", "user data"), str(path))


_NUMBER_ROW = re.compile(r"^\s*\S+[\s,]+\S+\s*$")


def read_axionlimits(path: str | Path, name: str | None = None, citation: str | None = None) -> XrayLimit:
    """An X-ray limit recast from an AxionLimits g_a-gamma file (module docstring)."""
    path = Path(path)
    comments: list[str] = []
    rows = []
    for n, line in enumerate(_read_text(path).splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            comments.append(stripped.lstrip("#").strip())
            continue
        cells = stripped.replace(",", " ").split()
        try:
            if len(cells) != 2:
                raise ValueError
            rows.append((float(cells[0]), float(cells[1])))
        except ValueError:
            raise InputError(f"{path}: line {n} is not two numbers (mass [eV], g [GeV^-1]): {stripped[:60]!r}") from None
    if not rows:
        raise InputError(f"{path}: no data rows (expected mass [eV] and g_a-gamma [GeV^-1])")
    table = np.array(rows)
    if np.any(~np.isfinite(table)) or np.any(table <= 0):
        raise InputError(f"{path}: masses and couplings must be positive numbers")
    table = table[table[:, 1] < _G_CLOSING]
    if table.shape[0] < 2:
        raise InputError(f"{path}: fewer than two points below g = {_G_CLOSING:g} GeV^-1: not a limit curve")
    masses, inverse = np.unique(table[:, 0], return_inverse=True)
    g = np.full(masses.shape, np.inf)
    np.minimum.at(g, inverse, table[:, 1])
    m4 = masses * eV
    refs = [c for c in comments if "arxiv" in c.lower() or "doi" in c.lower()]
    found = "; ".join(dict.fromkeys(([comments[0]] if comments else []) + refs)) or f"AxionLimits {path.name}"
    return XrayLimit(name or path.stem, m4, sin2_2theta_from_g(m4, g), citation or found,
                     f"{path} (g_a-gamma recast, 2 Gamma_a = Gamma_nu)")


def _read_any(path: Path) -> XrayLimit:
    return read_xray_csv(path) if path.suffix.lower() == ".csv" else read_axionlimits(path)


def load_xray_limits(sources: Iterable[str | Path] = ()) -> list[XrayLimit]:
    """X-ray limits from files and folders: ``*.csv`` in the sterile-neutrino format, anything else
    (``*.txt``, ``*.dat``) as AxionLimits g_a-gamma files. A folder contributes every such file
    directly inside it (not its subfolders, e.g. ``Projections/``); ``"auto"`` means the fetched
    X-ray sets of :mod:`secretnu.limitdata`, limits only, each named and cited as in its manifest
    (nothing when no set is fetched)."""
    out: list[XrayLimit] = []
    for source in sources:
        if str(source) == "auto":
            out += _fetched_limits()
            continue
        path = Path(source)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".txt", ".dat"))
            out += [_read_any(p) for p in files]
        elif path.is_file():
            out.append(_read_any(path))
        else:
            raise InputError(f"X-ray limit file or folder {path} does not exist")
    return out


def _fetched_limits() -> list[XrayLimit]:
    """The limits of every fetched X-ray set of the limit-data manifest (none if absent or not fetched)."""
    try:
        from . import limitdata
    except ImportError:
        return []
    out: list[XrayLimit] = []
    for name, limit_set in getattr(limitdata, "LIMIT_SETS", {}).items():
        if getattr(limit_set, "kind", "") != "xray":
            continue
        root = limitdata.set_path(name)
        if root is None:
            continue
        for f in limit_set.files:
            if getattr(f, "kind", "limit") not in ("", "limit"):
                continue  # projections are not limits
            path = Path(root) / f.path
            reader = read_xray_csv if path.suffix.lower() == ".csv" else read_axionlimits
            lim = reader(path) if reader is read_xray_csv else read_axionlimits(
                path, name=f.label or None, citation=f.citation or limit_set.citation)
            out.append(lim)
    return out


def strongest(limits: Sequence[XrayLimit], m4: float) -> tuple[XrayLimit | None, float]:
    """The limit that is strongest at m4 [GeV] and its value (None, NaN when none covers m4)."""
    best: tuple[XrayLimit | None, float] = (None, math.nan)
    for limit in limits:
        value = float(limit.bound(m4)[0])
        if math.isfinite(value) and not (value >= best[1]):
            best = (limit, value)
    return best
