"""Published limit sets: fetch from a loopback HTTP server (never the network), hashes, corruption,
offline behaviour, re-use, the CLI, and Figs. 6-8 drawn with ``--limits auto``."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
import json
import re
import shutil
import socket
import threading
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from secretnu import constraints as cons
from secretnu import limitdata
from secretnu.cli import cli
from secretnu.constraints.named import FIGURE_LIMITS, classify, missing_note
from secretnu.limitdata import LIMIT_SETS, LimitDataError, LimitFile, LimitSet, fetch, list_sets, set_path

LAB_SETS = ["darkcast-b-l", "darkcast-lmu-ltau", "foresee-b-l"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def serve():
    """Start a loopback HTTP server on a folder: returns (base URL, list of requested paths)."""
    running = []

    def start(folder: Path):
        seen: list[str] = []

        class Handler(_Quiet):
            def do_GET(self):
                seen.append(self.path)
                super().do_GET()

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        running.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}", seen

    yield start
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """Every test gets its own cache and no mirror from the environment; loopback never goes via a proxy."""
    monkeypatch.setenv(limitdata.LIMITS_CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(limitdata.LIMITS_URL_ENV, raising=False)
    monkeypatch.delenv(cons.datasets.LIMITS_ENV, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


# --- the manifest -----------------------------------------------------------------------------------

def test_manifest_pins_commits_licences_and_citations():
    assert set(LAB_SETS) | {"xray-axionlimits"} <= set(LIMIT_SETS)
    for name, s in LIMIT_SETS.items():
        assert re.fullmatch(r"[0-9a-f]{40}", s.commit), name
        assert s.licence and s.citation and s.description and s.kind in ("laboratory", "xray"), name
        for f in s.files:
            url = s.upstream_url(f)
            assert (f.commit or s.commit) in url and url.startswith("https://"), url
            assert f.sha256 is None or re.fullmatch(r"[0-9a-f]{64}", f.sha256), (name, f.path)
    assert LIMIT_SETS["darkcast-b-l"].licence.startswith("GPL") and LIMIT_SETS["foresee-b-l"].licence == "MIT"
    xray = LIMIT_SETS["xray-axionlimits"]
    assert xray.kind == "xray" and xray.licence == "MIT"
    assert {"XMM-Newton.txt", "NuSTAR.txt", "INTEGRAL.txt"} <= {f.path for f in xray.files}
    assert "limit_data/AxionPhoton/" in xray.upstream_url(xray.files[0])


def test_manifest_hashes_are_those_of_the_reference_copies(shared_reference):
    for name in LAB_SETS:
        s = LIMIT_SETS[name]
        for f in s.files:
            local = shared_reference / s.mirror / f.path
            assert hashlib.sha256(local.read_bytes()).hexdigest() == f.sha256, local
        on_disk = {p.relative_to(shared_reference / s.mirror).as_posix()
                   for p in (shared_reference / s.mirror).rglob("*") if p.is_file()}
        mine = {f.path for f in s.files}
        if s.format == "darkcast":
            folder = cons.datasets.DARKCAST_FOLDERS[s.models[0]]
            on_disk = {p for p in on_disk if f"/{folder}/" in p}
        assert mine == on_disk, name


# --- fetch -------------------------------------------------------------------------------------------

def test_fetch_from_loopback_verifies_and_reuses(serve, shared_reference, tmp_path):
    url, seen = serve(shared_reference)
    root = tmp_path / "c"
    paths = fetch(["darkcast-b-l", "foresee-b-l"], base_url=url, cache_dir=root)
    n_files = len(LIMIT_SETS["darkcast-b-l"].files) + len(LIMIT_SETS["foresee-b-l"].files)
    assert len(seen) == n_files
    assert paths == {"darkcast-b-l": root / "darkcast-b-l", "foresee-b-l": root / "foresee-b-l"}
    assert set_path("foresee-b-l", cache_dir=root) == root / "foresee-b-l"
    assert set_path("darkcast-lmu-ltau", cache_dir=root) is None
    copy = root / "darkcast-b-l/limits/B-L_boson/BaBar_Lees2014xha.lmt"
    assert copy.read_bytes() == (shared_reference / "darkcast/limits/B-L_boson/BaBar_Lees2014xha.lmt").read_bytes()
    record = json.loads((root / "foresee-b-l" / "secretnu-limitset.json").read_text())
    assert record["licence"] == "MIT" and len(record["files"]) == 21
    again = fetch(["foresee-b-l", "darkcast-b-l"], base_url=url, cache_dir=root)
    assert again == paths and len(seen) == n_files  # re-used: no request at all
    assert _leftovers(root) == ["darkcast-b-l", "foresee-b-l"]  # no partial folders


def test_corrupted_or_missing_file_is_refused_then_repaired(serve, shared_reference, tmp_path):
    url, seen = serve(shared_reference)
    root = tmp_path / "c"
    fetch(["foresee-b-l"], base_url=url, cache_dir=root)
    victim = root / "foresee-b-l" / "bounds_Texono.txt"
    victim.write_bytes(victim.read_bytes().replace(b"9", b"8", 1))
    with pytest.raises(LimitDataError, match=r"bounds_Texono.txt.*SHA-256.*limits fetch foresee-b-l"):
        set_path("foresee-b-l", cache_dir=root)
    with pytest.raises(LimitDataError):  # --limits auto never draws altered data
        cons.datasets.load_published("b-l", cache_dir=root)
    assert "damaged" in next(r for r in list_sets(cache_dir=root) if r["name"] == "foresee-b-l")["status"]
    fetch(["foresee-b-l"], base_url=url, cache_dir=root)
    assert len(seen) == 2 * 21 and set_path("foresee-b-l", cache_dir=root) is not None
    (root / "foresee-b-l" / "limits_SHIP.txt").unlink()
    with pytest.raises(LimitDataError, match="missing"):
        set_path("foresee-b-l", cache_dir=root)
    (root / "foresee-b-l" / "secretnu-limitset.json").unlink()
    with pytest.raises(LimitDataError, match="manifest"):
        set_path("foresee-b-l", cache_dir=root)
    fetch(["foresee-b-l"], base_url=url, cache_dir=root)
    assert set_path("foresee-b-l", cache_dir=root) is not None
    assert _leftovers(root) == ["foresee-b-l"]


def test_a_tampered_mirror_is_refused_and_nothing_is_stored(serve, shared_reference, tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(shared_reference / "foresee", mirror / "foresee")
    bad = mirror / "foresee/B-L/limits_SHIP.txt"
    bad.write_bytes(bad.read_bytes() + b"1.0 1e-3\n")
    url, _ = serve(mirror)
    root = tmp_path / "c"
    with pytest.raises(LimitDataError, match=r"foresee-b-l.*limits_SHIP.txt.*SHA-256.*nothing was stored"):
        fetch(["foresee-b-l"], base_url=url, cache_dir=root)
    assert _leftovers(root) == []
    (mirror / "foresee/B-L/bounds_A1.txt").unlink()
    with pytest.raises(LimitDataError, match="HTTP 404"):
        fetch(["foresee-b-l"], base_url=url, cache_dir=root)
    assert _leftovers(root) == []


def test_offline_gives_one_clear_error_and_keeps_what_was_there(serve, shared_reference, tmp_path):
    root = tmp_path / "c"
    url, _ = serve(shared_reference)
    fetch(["foresee-b-l"], base_url=url, cache_dir=root)
    dead = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(LimitDataError, match=r"darkcast-b-l: cannot download .* offline or the server is unreachable"):
        fetch(["foresee-b-l", "darkcast-b-l"], base_url=dead, cache_dir=root)
    assert _leftovers(root) == ["foresee-b-l"] and set_path("foresee-b-l", cache_dir=root) is not None
    assert fetch(["foresee-b-l"], base_url=dead, cache_dir=root)  # re-use needs no network


def test_mirror_from_environment_and_local_folder(serve, shared_reference, monkeypatch, tmp_path):
    url, seen = serve(shared_reference)
    monkeypatch.setenv(limitdata.LIMITS_URL_ENV, url)
    assert fetch(["foresee-b-l"]) == {"foresee-b-l": tmp_path / "cache" / "foresee-b-l"}
    assert len(seen) == 21
    monkeypatch.delenv(limitdata.LIMITS_URL_ENV)
    local = fetch(["darkcast-lmu-ltau"], base_url=str(shared_reference), cache_dir=tmp_path / "d")
    assert set_path("darkcast-lmu-ltau", cache_dir=tmp_path / "d") == local["darkcast-lmu-ltau"]
    with pytest.raises(LimitDataError, match="unknown limit set"):
        fetch(["nonsense"])


def test_file_without_recorded_hash_is_trusted_on_first_use_only(monkeypatch, tmp_path):
    mirror = tmp_path / "mirror" / "toy"
    mirror.mkdir(parents=True)
    (mirror / "a.txt").write_text("1 2\n3 4\n")
    (mirror / "b.txt").write_text("5 6\n")
    known = hashlib.sha256(b"1 2\n3 4\n").hexdigest()
    toy = LimitSet("toy", "toy set", "nobody", "CC0", "xray", "axionlimits", ("sterile",), "none", "0" * 40,
                   "https://example.invalid/{commit}/", "toy", (LimitFile("a.txt", known), LimitFile("b.txt", None)))
    monkeypatch.setitem(LIMIT_SETS, "toy", toy)
    root = tmp_path / "c"
    path = fetch(["toy"], base_url=str(tmp_path / "mirror"), cache_dir=root)["toy"]
    record = json.loads((path / "secretnu-limitset.json").read_text())
    assert record["files"]["b.txt"] == hashlib.sha256(b"5 6\n").hexdigest()
    (path / "b.txt").write_text("5 7\n")
    with pytest.raises(LimitDataError, match=r"b\.txt"):
        set_path("toy", cache_dir=root)


# --- CLI ---------------------------------------------------------------------------------------------

def test_cli_fetch_list_and_limits_auto(serve, shared_reference):
    url, _ = serve(shared_reference)
    run = CliRunner().invoke
    res = run(cli, ["limits", "list"])
    assert res.exit_code == 0 and res.output.count("not fetched") == len(LIMIT_SETS)
    assert "GPL-2.0-or-later" in res.output and "NuSTAR.txt" in res.output
    res = run(cli, ["limits", "fetch", "darkcast-b-l", "foresee-b-l", "--url", url])
    assert res.exit_code == 0, res.output
    assert "21 files verified" in res.output
    listed = {r["name"]: r["status"] for r in json.loads(run(cli, ["limits", "list", "--json"]).output)}
    assert listed["foresee-b-l"] == "fetched" and listed["darkcast-lmu-ltau"] == "not fetched"
    res = run(cli, ["constraints", "--model", "b-l", "--limits", "auto", "--json"])
    assert res.exit_code == 0, res.output
    names = {c["name"] for c in json.loads(res.output)["constraints"]}
    assert {"TEXONO (FORESEE)", "BaBar Lees2014xha", "CCFR trident"} <= names
    for args in (["limits", "fetch", "nope"], ["limits", "fetch", "foresee-b-l", "darkcast-lmu-ltau", "--url",
                                                  f"http://127.0.0.1:{_closed_port()}"]):
        res = run(cli, args)
        assert res.exit_code == 2 and res.output.count("\n") == 1 and res.output.startswith("Error:"), res.output


# --- figures -----------------------------------------------------------------------------------------

def test_named_limits_of_each_figure_with_and_without_data(serve, shared_reference):
    bare = {m: classify(cons.for_model(m), m) for m in FIGURE_LIMITS}
    assert bare["b-l"].shown == [] and "limits fetch darkcast-b-l foresee-b-l" in missing_note(bare["b-l"])
    assert "no public data set for SN1987A" in missing_note(bare["neutrinophilic"])
    url, _ = serve(shared_reference)
    fetch(LAB_SETS, base_url=url)
    full = {m: classify(cons.for_model(m, limits=["auto"]), m) for m in FIGURE_LIMITS}
    assert full["b-l"].shown == ["TEXONO", "CHARM / CHARM-II", "BaBar", "LHCb", "Beam dumps", "Belle II (proj.)",
                                 "FASER (proj.)"]
    assert missing_note(full["b-l"], auto=True) == "no public data set for LDMX (proj.)"
    assert {"CCFR trident", "BaBar", "BBN", "SHiP (proj.)"} <= set(full["lmu-ltau"].shown)
    assert "pass '--limits auto'" in missing_note(bare["lmu-ltau"])
    # nothing is lost: every existing limit is named or in the envelope; projections never enter the envelope
    for m, f in full.items():
        assert all(c.kind == "limit" for c in f.other)
        assert len(f.other) + sum(len(cs) for _, cs in f.named) + len(f.left_out) == len(cons.for_model(m, limits=["auto"]))


def test_relic_figure_legend_leaves_the_axes_their_size(serve, shared_reference):
    from types import SimpleNamespace

    from secretnu.plotting import plot_relic_curves

    url, _ = serve(shared_reference)
    fetch(LAB_SETS, base_url=url)
    m = np.geomspace(1e-3, 10, 30)
    curves = [SimpleNamespace(branches={"A": (m, a * m)}, m_V=m, model="b-l") for a in (1e-5, 1e-3)]
    boxes = []
    for limits in ([], ["auto"]):
        found = cons.for_model("b-l", limits=limits)
        fig = plot_relic_curves(curves, ["7.1 keV", "50 keV"], found, model="b-l", m_range=(1e-3, 10),
                                note=missing_note(classify(found, "b-l"), auto=bool(limits)))
        fig.canvas.draw()
        ax = fig.axes[0]
        renderer = fig.canvas.get_renderer()
        legend = ax.get_legend().get_window_extent(renderer)
        axes_box = ax.get_window_extent(renderer)
        figure_box = fig.bbox
        assert legend.x0 >= axes_box.x1 and legend.y0 >= figure_box.y0 and legend.x1 <= figure_box.x1
        assert len(ax.get_legend().get_texts()) <= 12
        boxes.append(tuple(np.round(ax.get_position().bounds, 6)))
        import matplotlib.pyplot as plt

        plt.close(fig)
    assert boxes[0] == boxes[1]  # same axes with 5 or 100 constraints
    w, h = 9.2, 5.0
    assert boxes[0][2] * w == pytest.approx(5.5) and boxes[0][3] * h == pytest.approx(4.0)


def test_reproduce_fig8_with_limits_auto(serve, shared_reference, tmp_path):
    from secretnu.config import builtin_configs
    from secretnu.reproduce import run_config

    url, _ = serve(shared_reference)
    fetch(["darkcast-b-l", "foresee-b-l"], base_url=url)
    cfg = dataclasses.replace(next(c for c in builtin_configs() if c.figure == "fig8"), quick_n=(8, 8))
    notes: list[str] = []
    files = run_config(cfg, tmp_path / "out", quick=True, limits=["auto"], report=notes.append)
    png = tmp_path / "out" / "fig8.png"
    assert png in files and png.stat().st_size > 40_000
    assert notes == ["fig8: no public data set for LDMX (proj.)"]
