"""Stores and caches that cannot lie, files with the user's umask, workers that die with their parent
(issue 18). Property-based tests of the validators and readers are in test_validate.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import secretnu.scans as scans
import secretnu.tables as tables_module
from secretnu import InputError, SterileNeutrino, _atomic, keV, scan
from secretnu._atomic import atomic_write

DM = SterileNeutrino(7.1 * keV, 7e-11)
FAST = dict(n_x=8, points_per_decade=10, executor="serial")
M_V, COUPLING = [0.01, 0.1, 1.0], [1e-5, 1e-3]


def small(store=None, dm=DM, m_V=M_V, **kw):
    return scan(dm, "neutrinophilic", m_V=m_V, coupling=COUPLING, store=store, **{**FAST, **kw})


@pytest.fixture
def counted(monkeypatch):
    """Counts the chunks computed (not read from the store)."""
    calls: list[list[float]] = []
    real = scans._columns
    monkeypatch.setattr(scans, "_columns", lambda *args: (calls.append(args[1]), real(*args))[1])
    return calls


@pytest.fixture(scope="module")
def reference():
    return small().omega_h2.values


def test_deleted_manifest_and_another_scan_is_refused(tmp_path, counted):
    small(tmp_path, chunk=1)
    (tmp_path / "manifest.json").unlink()
    with pytest.raises(InputError, match=r"no manifest\.json but holds chunks of another scan"):
        small(tmp_path, m_V=[0.02, 0.2, 2.0], chunk=1)


def test_deleted_manifest_same_scan_reuses_its_own_chunks(tmp_path, counted, reference):
    small(tmp_path, chunk=1)
    (tmp_path / "manifest.json").unlink()
    counted.clear()
    again = small(tmp_path, chunk=1)
    assert counted == [] and (tmp_path / "manifest.json").exists()
    np.testing.assert_array_equal(again.omega_h2.values, reference)


@pytest.mark.parametrize("tamper", ["swap", "foreign", "values", "garbage", "shape"])
def test_tampered_chunk_is_recomputed_with_a_warning(tmp_path, counted, reference, tamper):
    store = tmp_path / "store"
    small(store, chunk=1)
    target = store / "chunk-00001.npz"
    if tamper == "swap":  # another valid chunk of the same scan
        target.write_bytes((store / "chunk-00000.npz").read_bytes())
    elif tamper == "foreign":  # the same chunk of another scan
        small(tmp_path / "other", m_V=[0.01, 0.2, 1.0], chunk=1)
        target.write_bytes((tmp_path / "other" / "chunk-00001.npz").read_bytes())
    elif tamper == "values":  # well-formed, keys intact, numbers changed
        with np.load(target) as data:
            fields = {k: data[k] for k in data.files}
        fields["omega"] = fields["omega"] * 3
        np.savez(target, **fields)
    elif tamper == "shape":
        with np.load(target) as data:
            fields = {k: data[k] for k in data.files}
        fields["omega"] = np.concatenate([fields["omega"], fields["omega"]])
        np.savez(target, **fields)
    else:
        target.write_bytes(b"\x00" * 64)
    counted.clear()
    with pytest.warns(scans.StoreWarning, match="chunk-00001.npz"):
        again = small(store, chunk=1)
    assert len(counted) == 1  # only the bad chunk
    np.testing.assert_array_equal(again.omega_h2.values, reference)
    with np.load(target) as data:  # and it was rewritten correctly
        np.testing.assert_array_equal(data["omega"], reference[1:2])


def test_altered_manifest_is_refused(tmp_path):
    small(tmp_path, chunk=1)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["params"]["sin2_2theta"] = 1e-10
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="altered"):
        small(tmp_path, chunk=1)


@pytest.mark.parametrize("key, value", [("engine_version", 0), ("secretnu_version", "0.0.1"), ("format", 1)])
def test_store_of_another_version_is_refused(tmp_path, key, value):
    small(tmp_path, chunk=1)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest.pop("manifest_sha256")
    manifest[key] = value
    manifest["manifest_sha256"] = scans._json_hash(manifest)  # consistent, just older
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match=key.replace("_", " ")):
        small(tmp_path, chunk=1)


def test_manifest_of_the_old_format_is_refused(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"m4": 7.1e-6, "chunk": 1}))
    with pytest.raises(InputError, match="another format"):
        small(tmp_path)


def test_manifest_records_versions_and_canonical_parameters(tmp_path):
    from secretnu import __version__

    small(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["secretnu_version"] == __version__ and manifest["engine_version"] == scans.ENGINE_VERSION
    assert manifest["params"]["m4"] == 7.1e-6 and manifest["params"]["table_version"] == tables_module.TABLE_VERSION


def test_store_is_portable(tmp_path, monkeypatch, counted):
    """The chunk layout depends on the grid only, and 7.1 keV written two ways is one scan."""
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    small(tmp_path, dm=SterileNeutrino(7.1 * keV, 7e-11))
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    counted.clear()
    small(tmp_path, dm=SterileNeutrino(7.1e-6, 7e-11))
    assert counted == []
    with pytest.raises(InputError, match="chunk=1, not 2"):
        small(tmp_path, chunk=2)


def _table_caches():
    from secretnu import width_tables as wt

    # (module, getter, file key, class, a field to alter) of each disk-cached table
    return [(tables_module, "kernel_tables", "_grid_key", "KernelTables", "j_ratio"),
            (wt, "width_tables", "_key", "WidthTables", "own_ratio")]


@pytest.mark.parametrize("case", range(2), ids=["kernel", "width"])
def test_altered_table_cache_is_refused_and_rebuilt(tmp_path, monkeypatch, case):
    module, getter, key, class_name, field = _table_caches()[case]
    cls = getattr(module, class_name)
    tables = getattr(module, getter)()
    path = tmp_path / getattr(module, key)()
    tables.save(path)
    assert cls.load(path).content_hash() == tables.content_hash()
    fields, stored = _atomic._read_packed(path)
    fields[field] = fields[field] * 3  # well-formed and positive: passes the old sanity checks
    _atomic._write_packed(path, fields, stored)  # with the hash of the unaltered values
    with pytest.raises(ValueError, match="altered"):
        cls.load(path)
    built = []
    monkeypatch.setattr(cls, "build", classmethod(lambda c: built.append(1) or tables))
    module._cached.cache_clear()
    try:
        rebuilt = getattr(module, getter)(tmp_path)
    finally:
        module._cached.cache_clear()
    assert built == [1]
    np.testing.assert_array_equal(getattr(rebuilt, field), getattr(tables, field))
    assert cls.load(path).content_hash() == tables.content_hash()  # rewritten


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_follow_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        atomic_write(tmp_path / "f.bin", lambda handle: handle.write(b"x"))
        small(tmp_path / "store")
    finally:
        os.umask(old)
    assert (tmp_path / "f.bin").stat().st_mode & 0o777 == mode
    assert (tmp_path / "store" / "manifest.json").stat().st_mode & 0o777 == mode
    assert (tmp_path / "store" / "chunk-00000.npz").stat().st_mode & 0o777 == mode


# ---------------------------------------------------------------------------------------------
# pool workers die with the process that started the scan

def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie is dead, just not reaped (no init in some containers)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_the_parent(sig):
    script = textwrap.dedent("""
        import sys
        import numpy as np
        from secretnu import SterileNeutrino, scan
        print("start", flush=True)
        scan(SterileNeutrino(7.1e-6, 7e-11), m_V=np.geomspace(0.01, 5, 400), coupling=np.geomspace(1e-6, 0.3, 200))
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1] / "src"),
                                                       os.environ.get("PYTHONPATH", "")])}
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < min(2, os.cpu_count() or 1):
            time.sleep(0.2)
            workers = _children(parent.pid)
            assert parent.poll() is None, "the scan ended before its workers were seen"
        assert workers, "no pool workers started"
        time.sleep(1.0)  # let the initializers run
        parent.send_signal(sig)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        left = [w for w in workers if _alive(w)]
        for w in left:  # clean up before failing
            os.kill(w, signal.SIGKILL)
        assert not left, f"workers {left} outlived their parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


@pytest.mark.filterwarnings("always::secretnu.scans.StoreWarning")
def test_cli_reports_a_recomputed_chunk_in_one_line(tmp_path):
    from click.testing import CliRunner

    from secretnu.cli import cli

    args = ["scan", "--mV-min", "10MeV", "--mV-max", "1GeV", "--n-mV", "2", "--n-coupling", "2", "--quiet",
            "--out", str(tmp_path / "s.nc"), "--store", str(tmp_path / "store")]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    (tmp_path / "store" / "chunk-00000.npz").write_bytes(b"garbage")
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    warnings_shown = [line for line in again.output.splitlines() if line.startswith("Warning:")]
    assert len(warnings_shown) == 1 and "chunk-00000.npz" in warnings_shown[0] and "recomputing" in warnings_shown[0]
