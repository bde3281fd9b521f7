"""Property-based tests (hypothesis) of the validators and readers: whatever they are given, they
return a value that satisfies their contract or raise InputError, never anything else."""

from __future__ import annotations

import math
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secretnu import InputError, Neutrinophilic, SterileNeutrino
from secretnu.config import parse_config
from secretnu.units import parse_energy
from secretnu.validate import DOMAINS, in_domain, integer, output_file, real

ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                     st.complex_numbers(), st.lists(st.floats(), max_size=3), st.binary(max_size=4))
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(ANYTHING, st.one_of(st.none(), st.floats(allow_nan=False)), st.one_of(st.none(), st.floats(allow_nan=False)))
def test_real(value, lo, hi):
    try:
        out = real(value, "v", lo=lo, hi=hi)
    except InputError:
        return
    assert isinstance(out, float) and math.isfinite(out) and not isinstance(value, (bool, str))
    assert (lo is None or out >= lo) and (hi is None or out <= hi)


@FAST
@given(ANYTHING, st.integers(-5, 5), st.integers(5, 50))
def test_integer(value, lo, hi):
    try:
        out = integer(value, "n", lo=lo, hi=hi)
    except InputError:
        return
    assert type(out) is int and lo <= out <= hi and not isinstance(value, (bool, str))


@FAST
@given(st.sampled_from(sorted(DOMAINS)), ANYTHING)
def test_in_domain(key, value):
    try:
        out = in_domain(value, key)
    except InputError:
        return
    assert DOMAINS[key][0] <= out <= DOMAINS[key][1]


@FAST
@given(st.one_of(st.text(max_size=16), st.from_regex(r"\s*[-+]?\d{1,4}(\.\d*)?([eE][-+]?\d{1,3})?\s*[kMGT]?eV\s*")))
def test_parse_energy(text):
    try:
        out = parse_energy(text)
    except InputError:
        return
    assert isinstance(out, float)


@FAST
@given(ANYTHING, ANYTHING, ANYTHING)
def test_sterile_neutrino(mass, mix, flavor):
    try:
        dm = SterileNeutrino(mass, mix, flavor)
    except InputError:
        return
    assert DOMAINS["m4"][0] <= dm.mass <= DOMAINS["m4"][1] and DOMAINS["sin2_2theta"][0] <= dm.sin2_2theta <= 1


@FAST
@given(ANYTHING, ANYTHING, st.one_of(ANYTHING, st.sampled_from(["paper", "chiral"])))
def test_neutrinophilic(m_V, coupling, width):
    try:
        model = Neutrinophilic(m_V, coupling, width=width)
    except InputError:
        return
    assert math.isfinite(model.gamma_V) and model.gamma_V > 0


@FAST
@given(st.text(max_size=40))
def test_output_file(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("out")
    try:
        path = output_file(folder / name if name else name)
    except InputError:
        return
    assert not path.is_dir() and path.parent.is_dir()


TOML_VALUES = st.recursive(
    st.one_of(st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=True), st.text(max_size=8),
              st.sampled_from(["7.1keV", "30MeV", "1GeV", "neutrinophilic", "b-l", "paper", "chiral", "mu"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8)
KEYS = st.sampled_from(["figure", "kind", "model", "title", "sterile", "plane", "constraints", "points", "width",
                        "counting", "m4", "sin2_2theta", "m_V", "coupling", "n", "quick_n", "inputs", "name"])
STERILE = st.fixed_dictionaries({"m4": TOML_VALUES, "sin2_2theta": TOML_VALUES})


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(KEYS, TOML_VALUES, max_size=5), st.lists(STERILE, max_size=2),
       st.dictionaries(st.sampled_from(["m_V", "coupling", "n", "quick_n"]), TOML_VALUES, max_size=4))
def test_config_reader(top, sterile, plane):
    """Random (mostly wrong) configurations: a FigureConfig or an InputError, nothing else."""
    data = {**top}
    if sterile:
        data["sterile"] = sterile
    if plane:
        data["plane"] = plane
    try:
        cfg = parse_config(data, "random.toml")
    except InputError:
        return
    for dm, label in cfg.sterile:
        assert isinstance(dm, SterileNeutrino) and isinstance(label, str)
    assert all(isinstance(n, int) and n >= 2 for n in (*cfg.n, *cfg.quick_n))
    assert 0 < cfg.m_V_range[0] < cfg.m_V_range[1] and 0 < cfg.coupling_range[0] < cfg.coupling_range[1]


@pytest.mark.parametrize("text", ['[[sterile]]\nm4 = true\nsin2_2theta = 7e-11\n',
                                  '[[sterile]]\nm4 = 1979-05-27T07:32:00Z\nsin2_2theta = 7e-11\n'])
def test_toml_non_numbers_are_not_energies(text):
    """TOML `m4 = true` used to become 1 GeV."""
    with pytest.raises(InputError, match="not an energy"):
        parse_config(tomllib.loads(text))
