"""Flag files' YAML: read from libyaml's events, strict where YAML 1.1 surprises."""

from __future__ import annotations

import math
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
    assert load(yaml.safe_dump(value)) == value
