"""Published limit data, downloaded on the user's machine (``secretnu limits fetch``), never shipped.

The manifest ``secretnu/data/limit_sets.json`` lists each set: what it is, its citation and licence,
the upstream repository and the commit its URLs are pinned to, and every file with its SHA-256.

>>> from secretnu import limitdata
>>> sorted(limitdata.LIMIT_SETS)                                     # doctest: +SKIP
['darkcast-b-l', 'darkcast-lmu-ltau', 'foresee-b-l', 'xray-axionlimits']
>>> limitdata.fetch(["foresee-b-l"])                                  # doctest: +SKIP
{'foresee-b-l': PosixPath('/home/me/.cache/secretnu/limits/foresee-b-l')}

How a set is stored and checked:

- files are downloaded with pooch into a hidden ``.NAME.*.partial`` folder next to the cache entry;
  each is checked against its recorded hash as it arrives. Only when every file of the set is there
  and verified is the folder renamed to ``NAME`` (one atomic rename), so an interrupted or offline
  fetch leaves nothing half-written.
- every later load (:func:`set_path`) hashes the files again: a tampered or truncated file is
  refused with a message, never used.
- a file whose hash could not be recorded in the manifest (``sha256: null``) is trusted on first
  use: the hash seen at the download is written into the set's local manifest and verified from then on.

Mirrors: ``base_url`` (or ``SECRETNU_LIMITS_URL``) replaces the upstream URLs by
``BASE/<set mirror folder>/<file path>``, e.g. a copy laid out as ``darkcast/limits/B-L_boson/*.lmt``
and ``foresee/B-L/*.txt``; ``BASE`` may be an http(s) URL, a ``file://`` URL or a local folder.
The hashes are checked the same way whatever the source.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

from .errors import InputError

__all__ = ["LIMIT_SETS", "LimitSet", "LimitFile", "LimitDataError", "fetch", "set_path", "list_sets",
           "sets_for_model", "cache_root", "LIMITS_URL_ENV", "LIMITS_CACHE_ENV"]

#: Environment variable with a mirror base URL (or folder) used instead of the upstream URLs.
LIMITS_URL_ENV = "SECRETNU_LIMITS_URL"
#: Environment variable with the cache folder (default: the user cache, via pooch.os_cache).
LIMITS_CACHE_ENV = "SECRETNU_LIMITS_CACHE"
_LOCAL_MANIFEST = "secretnu-limitset.json"
_KINDS = ("laboratory", "xray")
_TIMEOUT = 30.0


class LimitDataError(InputError):
    """A limit set could not be downloaded, or a stored one fails its hash check."""


@dataclass(frozen=True)
class LimitFile:
    """One file of a set: its path inside the set, its SHA-256 (None: recorded at first download)."""

    path: str
    sha256: str | None
    commit: str | None = None  # a commit for this file only (AxionLimits files are pinned one by one)
    kind: str = ""
    label: str = ""
    citation: str = ""


@dataclass(frozen=True)
class LimitSet:
    """A published set of limits: provenance, licence, pinned source and files with their hashes."""

    name: str
    description: str
    citation: str
    licence: str
    kind: str
    format: str
    models: tuple[str, ...]
    repository: str
    commit: str
    url: str
    mirror: str
    files: tuple[LimitFile, ...]
    note: str = ""

    def upstream_url(self, f: LimitFile) -> str:
        """The file's URL in the upstream repository, pinned to a commit."""
        return self.url.format(commit=f.commit or self.commit) + quote(f.path, safe="/()")

    def mirror_url(self, base: str, f: LimitFile) -> str:
        """The file's URL below a mirror ``base``: BASE/<mirror folder>/<path>."""
        return f"{base.rstrip('/')}/{quote(self.mirror, safe='/')}/{quote(f.path, safe='/()')}"


def _load_manifest() -> dict[str, LimitSet]:
    raw = json.loads(resources.files("secretnu").joinpath("data/limit_sets.json").read_text(encoding="utf-8"))
    out = {}
    for name, s in raw["sets"].items():
        if s["kind"] not in _KINDS:
            raise ValueError(f"limit set {name}: kind must be one of {_KINDS}")
        files = tuple(LimitFile(f["path"], f.get("sha256"), f.get("commit"), f.get("kind", ""), f.get("label", ""),
                                f.get("citation", "")) for f in s["files"])
        out[name] = LimitSet(name, s["description"], s["citation"], s["licence"], s["kind"], s["format"],
                             tuple(s["models"]), s["repository"], s["commit"], s["url"], s["mirror"], files,
                             s.get("note", ""))
    return out


#: Every known set, by name (the manifest ``secretnu/data/limit_sets.json``).
LIMIT_SETS: dict[str, LimitSet] = _load_manifest()


def cache_root(cache_dir: str | Path | None = None) -> Path:
    """Folder holding fetched sets: ``cache_dir``, else ``SECRETNU_LIMITS_CACHE``, else the user cache."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get(LIMITS_CACHE_ENV)
    if env:
        return Path(env)
    import pooch

    return Path(pooch.os_cache("secretnu")) / "limits"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _get(name: str) -> LimitSet:
    try:
        return LIMIT_SETS[name]
    except KeyError:
        raise LimitDataError(f"unknown limit set {name!r}: choose from {', '.join(LIMIT_SETS)}") from None


def _refetch_hint(name: str) -> str:
    return f"run 'secretnu limits fetch {name}' to download it again"


def set_path(name: str, *, cache_dir: str | Path | None = None) -> Path | None:
    """Local folder of the fetched set ``name`` with every file's hash verified; None if not fetched.

    Raises :class:`LimitDataError` when the set is there but a file is missing or altered.
    """
    lset = _get(name)
    folder = cache_root(cache_dir) / name
    if not folder.is_dir():
        return None
    try:
        local = json.loads((folder / _LOCAL_MANIFEST).read_text(encoding="utf-8"))
        recorded = dict(local["files"])
    except (OSError, ValueError, KeyError, TypeError):
        raise LimitDataError(f"limit set {name} in {folder} has no valid manifest; {_refetch_hint(name)}") from None
    for f in lset.files:
        expected = f.sha256 or recorded.get(f.path)
        path = folder / f.path
        if not path.is_file():
            raise LimitDataError(f"limit set {name}: {f.path} is missing from {folder}; {_refetch_hint(name)}")
        if expected is None or _sha256(path) != expected:
            raise LimitDataError(f"limit set {name}: {path} does not match its recorded SHA-256 (altered or corrupted); "
                                 f"{_refetch_hint(name)}")
    return folder


def _base_url(base_url: str | None) -> str | None:
    if base_url is not None and not base_url.strip():
        raise LimitDataError("--url (base_url) is empty: give a mirror URL or folder, or omit it")
    base = base_url if base_url is not None else os.environ.get(LIMITS_URL_ENV) or None
    if base is None:
        return None
    if "://" not in base:  # a local folder
        return Path(base).expanduser().resolve().as_uri()
    return base


def _copy_local(url: str, dest: Path) -> None:
    source = Path(unquote(urlparse(url).path))
    try:
        shutil.copyfile(source, dest)
    except OSError as exc:
        raise LimitDataError(f"cannot copy {source}: {exc.strerror}") from None


def _download(url: str, dest: Path, sha256: str | None) -> str:
    """Fetch ``url`` into ``dest`` and check its hash; returns the hash."""
    import pooch
    import requests

    dest.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("file://"):
        _copy_local(url, dest)
        actual = _sha256(dest)
        if sha256 is not None and actual != sha256:
            raise LimitDataError(f"{url}: SHA-256 {actual} does not match the recorded {sha256}: refused")
        return actual
    downloader = pooch.HTTPDownloader(progressbar=False, timeout=_TIMEOUT)
    try:
        pooch.retrieve(url, known_hash=None if sha256 is None else f"sha256:{sha256}", fname=dest.name,
                       path=dest.parent, downloader=downloader, progressbar=False)
    except requests.exceptions.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        raise LimitDataError(f"cannot download {url}: HTTP {status}") from None
    except requests.exceptions.RequestException as exc:
        reason = type(exc).__name__
        raise LimitDataError(f"cannot download {url} ({reason}): offline or the server is unreachable") from None
    except ValueError as exc:  # pooch: hash mismatch
        if "hash" not in str(exc).lower():
            raise
        raise LimitDataError(f"{url}: content does not match the recorded SHA-256: refused") from None
    return _sha256(dest)


def _apply_umask(folder: Path) -> None:
    """Give a folder made by mkdtemp (mode 0700) and its files the modes the user's umask asks for."""
    mask = os.umask(0)
    os.umask(mask)
    for path in [folder, *folder.rglob("*")]:
        path.chmod((0o777 if path.is_dir() else 0o666) & ~mask)


def _fetch_set(lset: LimitSet, root: Path, base: str | None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{lset.name}.", suffix=".partial", dir=root))
    try:
        hashes = {}
        for f in lset.files:
            url = lset.mirror_url(base, f) if base is not None else lset.upstream_url(f)
            try:
                hashes[f.path] = _download(url, partial / f.path, f.sha256)
            except LimitDataError as exc:
                raise LimitDataError(f"limit set {lset.name}: {exc}; nothing was stored (a mirror can be given with "
                                     f"--url or {LIMITS_URL_ENV})") from None
        record = {"name": lset.name, "fetched": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                  "source": base or lset.url.format(commit=lset.commit), "commit": lset.commit,
                  "citation": lset.citation, "licence": lset.licence, "files": hashes}
        (partial / _LOCAL_MANIFEST).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        _apply_umask(partial)
        final = root / lset.name
        if final.exists():  # a corrupt or outdated copy: swap it out, then remove it
            old = Path(tempfile.mkdtemp(prefix=f".{lset.name}.", suffix=".old", dir=root))
            os.replace(final, old / "set")
            os.replace(partial, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(partial, final)
        return final
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)


def fetch(names: Iterable[str] | None = None, *, base_url: str | None = None,
          cache_dir: str | Path | None = None) -> dict[str, Path]:
    """Download the sets ``names`` (default: all) into the cache; returns name -> local folder.

    A set already fetched and intact is re-used without any network access. ``base_url`` (or
    ``SECRETNU_LIMITS_URL``) fetches from a mirror instead of upstream (module docstring).
    Raises :class:`LimitDataError` with one line saying what failed; nothing half-written is left.
    """
    import pooch

    wanted = list(LIMIT_SETS) if names is None else list(dict.fromkeys(names))
    sets = [_get(n) for n in wanted]
    root = cache_root(cache_dir)
    base = _base_url(base_url)
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")  # pooch logs every file at INFO
    out: dict[str, Path] = {}
    try:
        for lset in sets:
            try:
                existing = set_path(lset.name, cache_dir=root)
            except LimitDataError:
                existing = None  # corrupt: download again
            out[lset.name] = existing if existing is not None else _fetch_set(lset, root, base)
    except OSError as exc:
        raise LimitDataError(f"cannot write the limit cache {root}: {exc.strerror}") from None
    finally:
        logger.setLevel(level)
    return out


def list_sets(*, cache_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """Every known set with its provenance and local status ("fetched", "not fetched" or the problem)."""
    rows = []
    for name, lset in LIMIT_SETS.items():
        try:
            path = set_path(name, cache_dir=cache_dir)
            status = "fetched" if path is not None else "not fetched"
        except LimitDataError as exc:
            path, status = None, f"damaged: {exc}"
        rows.append({"name": name, "kind": lset.kind, "models": list(lset.models), "files": len(lset.files),
                     "file_names": [f.path for f in lset.files],
                     "description": lset.description, "citation": lset.citation, "licence": lset.licence,
                     "repository": lset.repository, "commit": lset.commit, "status": status,
                     "path": None if path is None else str(path), "note": lset.note})
    return rows


def sets_for_model(model: str, *, cache_dir: str | Path | None = None,
                   kind: str = "laboratory") -> list[tuple[LimitSet, Path]]:
    """Fetched, verified sets of ``kind`` that apply to ``model`` (what ``--limits auto`` loads)."""
    out = []
    for name, lset in LIMIT_SETS.items():
        if lset.kind == kind and model in lset.models:
            path = set_path(name, cache_dir=cache_dir)
            if path is not None:
                out.append((lset, path))
    return out
