"""Flag files' YAML: read from libyaml's events, strict where YAML 1.1 surprises."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from relorch.flags.yamlevents import YamlProblem, load


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on: true\noff: no\nyes: y\n", {"on": True, "off": "no", "yes": "y"}),
        (
            "d: 2027-01-15\nt: 2027-01-15T09:00:00Z\n",
            {"d": "2027-01-15", "t": "2027-01-15T09:00:00Z"},
        ),
        (
            "i: 12\nf: 1.5\nn: ~\ne: \nq: '12'\nb: \"true\"\n",
            {"i": 12, "f": 1.5, "n": None, "e": None, "q": "12", "b": "true"},
        ),
        (
            "a: &x {k: 1}\nb: *x\nc:\n  <<: *x\n  z: 2\n",
            {"a": {"k": 1}, "b": {"k": 1}, "c": {"k": 1, "z": 2}},
        ),
        ("s: !!str 12\nt: !!int '7'\n", {"s": "12", "t": 7}),
        ("- [a, {b: [c]}]\n", [["a", {"b": ["c"]}]]),
        ("", None),
    ],
)
def test_yaml_reads_plain_data(text: str, expected: Any) -> None:
    assert load(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: 1\na: 2\n", "appears twice"),
        ("x: !!python/object/apply:os.system [ls]\n", "is not allowed"),
        ("- a\n---\n- b\n", "one YAML document"),
        ("? [a]\n: b\n", "must be a plain value"),
        ("i: !!int x\n", "is not a int"),
    ],
)
def test_yaml_refuses_what_a_flag_file_may_not_say(text: str, problem: str) -> None:
    with pytest.raises(YamlProblem, match=problem):
        load(text)


def test_special_floats() -> None:
    assert math.isinf(load("x: .inf\n")["x"])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(min_size=1, max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_yaml_dumped_by_pyyaml_reads_back_equal(value: Any) -> None:
    """Equal, or refused for a plain scalar that YAML 1.1 writers and 1.2 readers disagree on
    (PyYAML writes the text 0E0 unquoted; a YAML 1.2 reader sees a number)."""
    dumped = yaml.safe_dump(value)
    try:
        loaded = load(dumped)
    except YamlProblem as exc:
        ambiguous = str(exc).split(" ", 1)[0]
        assert re.search(rf"(^|[\s:\-]){re.escape(ambiguous)}(:|$)", dumped, re.MULTILINE)
        assert re.fullmatch(r"[-+]?[0-9.]*[eE][-+]?[0-9]+|[-+]?0[0-9]+|[-+]\.[0-9]+", ambiguous)
    else:
        assert loaded == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x: 1.0e+3\n", {"x": 1000.0}),
        ("x: '0E0'\n", {"x": "0E0"}),
        ("x: 1.5\n", {"x": 1.5}),
        ("x: .5\n", {"x": 0.5}),
        ("x: 0\n", {"x": 0}),
        ("x: -12\n", {"x": -12}),
        ("'<<': []\n", {"<<": []}),
        ("a: <<\n", {"a": "<<"}),
        ("b: {<<: [{k: 1}, {k: 3, y: 4}], z: 2}\n", {"b": {"k": 1, "y": 4, "z": 2}}),
        ("a: &a {k: 1}\nb:\n  <<: *a\n  k: 2\n", {"a": {"k": 1}, "b": {"k": 2}}),
    ],
)
def test_what_yaml_1_1_and_1_2_agree_on_is_read_as_both_read_it(text: str, expected: Any) -> None:
    assert load(text) == expected


@pytest.mark.parametrize(
    "text", ["x: 0E0\n", "x: 1e3\n", "0E0: x\n", "x: [2.5e3]\n", "x: 08\n", "x: -.5\n"]
)
def test_a_number_only_yaml_1_2_reads_as_one_is_refused_with_how_to_write_it(text: str) -> None:
    with pytest.raises(YamlProblem, match="quote it"):
        load(text)
