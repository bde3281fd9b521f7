"""Readers of limit files (Darkcast .lmt, FORESEE lines, CSV): accept what real files contain, refuse
with file and line what no limit file can mean; property tests with hypothesis."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from secretnu import constraints as cons
from secretnu.constraints.datasets import contour_band, read_csv_limit, read_foresee, read_lmt
from secretnu.errors import InputError

_COUNTER = itertools.count()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

masses = st.floats(min_value=1e-6, max_value=1e3, allow_nan=False, allow_infinity=False)
couplings = st.floats(min_value=1e-12, max_value=10.0, allow_nan=False, allow_infinity=False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("readers")


def _write(folder, text: str | bytes, suffix=".lmt"):
    path = folder / f"f{next(_COUNTER)}{suffix}"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


@st.composite
def lmt_tables(draw):
    """Rows (mass, lower[, upper]) as Darkcast writes them, sentinel gaps included."""
    n = draw(st.integers(2, 25))
    three = draw(st.booleans())
    rows = []
    for m in draw(st.lists(masses, min_size=n, max_size=n, unique=True)):
        if draw(st.integers(0, 5)) == 0:
            rows.append((m, 1e5, 1e5) if three else (m, 1e5))
            continue
        lo = draw(couplings)
        rows.append((m, lo, lo * draw(st.floats(1.0, 1e4))) if three else (m, lo))
    return three, rows


def _lmt_text(three, rows):
    header = "#      mass       lower" + ("       upper" if three else "")
    return header + "\n" + "".join(" ".join(repr(v) for v in r) + "\n" for r in rows)


@SETTINGS
@given(lmt_tables())
def test_lmt_round_trip(folder, table):
    three, rows = table
    mass, lower, upper = read_lmt(_write(folder, _lmt_text(three, rows)))
    expect = sorted(rows)
    assert mass.tolist() == [r[0] for r in expect]
    for (_m, lo, *up), got_lo, got_up in zip(expect, lower, upper, strict=True):
        if lo >= 1e5:
            assert math.isnan(got_lo) and math.isnan(got_up)
        else:
            assert got_lo == lo and got_up == (up[0] if three and up[0] < 1e5 else math.inf)


BAD_ROWS = [("nan", "1e-3", "mass"), ("inf", "1e-3", "mass"), ("-0.1", "1e-3", "mass"), ("0", "1e-3", "mass"),
            ("0.1", "nan", "NaN"), ("0.1", "-1e-3", "positive"), ("0.1", "0", "positive"), ("0.1", "-inf", "positive")]


@SETTINGS
@given(lmt_tables(), st.sampled_from(BAD_ROWS), st.integers(0, 30))
def test_lmt_bad_row_is_refused_with_file_and_line(folder, table, bad, where):
    three, rows = table
    lines = _lmt_text(three, rows).splitlines()
    k = 1 + where % len(rows)
    lines[k] = " ".join(bad[:2]) + (" 1.0" if three else "")
    path = _write(folder, "\n".join(lines) + "\n")
    with pytest.raises(InputError, match=rf"{path.name}, line {k + 1}: .*{bad[2]}"):
        read_lmt(path)


@SETTINGS
@given(lmt_tables(), st.integers(0, 30))
def test_upper_below_lower_is_refused(folder, table, where):
    _, rows = table
    k = where % len(rows)
    m = rows[k][0]
    rows = [(r[0], 1e-3, 1e-2) for r in rows]
    rows[k] = (m, 1e-2, 1e-3)
    path = _write(folder, _lmt_text(True, rows))
    with pytest.raises(InputError, match=rf"line {k + 2}: upper coupling .* below"):
        read_lmt(path)


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_give_a_table_or_an_input_error(folder, data):
    for reader, suffix in ((read_lmt, ".lmt"), (read_foresee, ".txt"), (read_csv_limit, ".csv")):
        path = _write(folder, data, suffix)
        try:
            reader(path)
        except InputError as exc:
            assert str(path) in str(exc)


@pytest.mark.parametrize("data, match", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("# mass lower\n0.1 1e-3 \u00e9\n".encode("latin-1"), "not UTF-8"),
    (b"# mass lower\n0.1 1e-3\n0.2 1e-3 2e-3\n", "columns"),
    (b"# mass lower\n0.1 1e-3 2e-3 3e-3\n", "columns"),
    (b"# coupling mass\n0.1 1e-3\n", "first column"),
])
def test_lmt_malformed_files(folder, data, match):
    with pytest.raises(InputError, match=match):
        read_lmt(_write(folder, data))


@SETTINGS
@given(st.lists(st.tuples(masses, couplings, st.one_of(st.none(), st.floats(1.0, 1e3))), min_size=2, max_size=15,
                unique_by=lambda r: r[0]),
       st.sampled_from(["neutrinophilic", "lmu-ltau", "b-l"]), st.sampled_from(["limit", "projection", "preferred"]))
def test_csv_round_trip(folder, rows, model, kind):
    body = "".join(f"{m!r},{lo!r},{'' if f is None else repr(lo * f)}\n" for m, lo, f in rows)
    text = f"# name: Toy\n# kind: {kind}\n# model: {model}\n# citation: none\nm_V_GeV,lower,upper\n{body}"
    meta, mass, lower, upper = read_csv_limit(_write(folder, text, ".csv"))
    assert meta["model"] == model and meta["kind"] == kind
    expect = sorted(rows)
    assert mass.tolist() == [r[0] for r in expect] and lower.tolist() == [r[1] for r in expect]
    assert upper.tolist() == [math.inf if f is None else lo * f for _, lo, f in expect]


@pytest.mark.parametrize("row, match", [
    ("nan,1e-3,", "mass"), ("inf,1e-3,", "mass"), ("0.5,-1e-3,", "positive"), ("0.5,1e-2,1e-3", "below"),
    ("0.5,nan,", "NaN"), ("-1,,", "mass"), ("0.5,1e-3,2e-3,4", "three columns"),
])
def test_csv_bad_rows(folder, row, match):
    path = _write(folder, f"# model: b-l\nm_V_GeV,lower,upper\n0.1,1e-3,\n{row}\n", ".csv")
    with pytest.raises(InputError, match=rf"{path.name}, line 4: .*{match}"):
        read_csv_limit(path)


def test_csv_with_an_unknown_model_is_not_skipped_silently(tmp_path):
    (tmp_path / "typo.csv").write_text("# name: Mine\n# model: b_l_typo\nm_V_GeV,lower\n0.1,1e-3\n0.2,1e-3\n")
    with pytest.raises(InputError, match=r"typo.csv: unknown model 'b_l_typo'"):
        cons.load_limits("b-l", [tmp_path])
    (tmp_path / "typo.csv").write_text("# name: Mine\n# model: b-l\n# kind: excluded\nm_V_GeV,lower\n0.1,1e-3\n0.2,1e-3\n")
    with pytest.raises(InputError, match="unknown kind"):
        cons.load_limits("b-l", [tmp_path])
    (tmp_path / "typo.csv").write_bytes(b"\xff\xfe# model: b-l\n")
    with pytest.raises(InputError, match="not UTF-8"):
        cons.load_limits("b-l", [tmp_path])


def test_foresee_contour_becomes_the_band_it_encloses(folder):
    # a closed box from 0.01 to 0.1 GeV between 1e-6 and 1e-4, written as FORESEE writes contours
    text = "0.01 1e-6\n0.1 1e-6\n0.1 1e-4\n0.01 1e-4\n"
    mass, coupling = read_foresee(_write(folder, text, ".txt"))
    lo, hi = contour_band(mass, coupling, np.array([0.005, 0.01, 0.03, 0.1, 0.2]))
    assert np.isnan(lo[0]) and np.isnan(lo[-1])
    assert lo[1:4] == pytest.approx([1e-6] * 3) and hi[1:4] == pytest.approx([1e-4] * 3)


@SETTINGS
@given(st.lists(st.tuples(masses, couplings), min_size=3, max_size=20, unique_by=lambda r: r[0]),
       st.floats(1.5, 100.0))
def test_contour_band_brackets_the_contour(rows, factor):
    # a lens: the curve out along g and back along factor * g; the band is exactly [g, factor * g]
    rows = sorted(rows)
    m = np.array([r[0] for r in rows])
    g = np.array([r[1] for r in rows])
    assume(np.all(np.diff(np.log(m)) > 1e-9))  # masses equal in log space make a vertical step, not a lens
    lo, hi = contour_band(np.r_[m, m[::-1]], np.r_[g, factor * g[::-1]], m)
    assert lo == pytest.approx(g, rel=1e-9) and hi == pytest.approx(factor * g, rel=1e-9)


def test_every_reference_file_is_read(shared_reference):
    for path in sorted(shared_reference.glob("darkcast/*/*/*.lmt")):
        read_lmt(path)
    for path in sorted(shared_reference.glob("foresee/B-L/*.txt")):
        mass, coupling = read_foresee(path)
        assert mass.size == coupling.size >= 2
    found = cons.load_limits("b-l", [shared_reference / "darkcast"])
    assert len(found) > 40
