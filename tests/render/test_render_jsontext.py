"""render/jsontext: the same text as `json.dumps(value, indent=2, sort_keys=True)`, always."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relorch.render.jsontext import dumps

# Text meant to look like what the encoder writes around values: brackets, separators, quotes,
# backslashes and newlines inside strings must never be taken for structure.
TEXT = st.text(alphabet=st.sampled_from('ab{}[],:" \\\n\t\u00e9\u2028\U0001f600'), max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT
)
FLAT_DICTS = st.dictionaries(TEXT, SCALARS, max_size=4)
# Rows with the same keys (a manifest's revisions), a key holding the template's `%`.
ROWS = st.lists(
    st.fixed_dictionaries(
        {"date": st.none() | TEXT, "revision": st.integers(), "%s": TEXT, "n%": st.none()},
        optional={"x": SCALARS},
    ),
    min_size=1,
    max_size=4,
)
VALUES = st.recursive(
    SCALARS | st.lists(FLAT_DICTS, max_size=4) | ROWS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(TEXT, inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_dumps_writes_what_json_dumps_writes(value: Any) -> None:
    assert dumps(value) == json.dumps(value, indent=2, sort_keys=True)


@pytest.mark.parametrize(
    "value",
    [
        [{"a": "}"}, {"b": "{"}],
        [{"a": "},\n    {"}, {}],
        {"1": [{"x": 1}], "k": {"n": None}, "e": [], "d": {}},
        {1: "int key", 2.5: "float key", False: "bool key"},
        {2: [1], 0.5: {"a": 1}, True: []},
        {None: [1.0, -0.0, float("inf")]},
        [[{"a": 1}], [[]], [{}]],
    ],
)
def test_dumps_writes_what_json_dumps_writes_at_the_edges(value: Any) -> None:
    assert dumps(value) == json.dumps(value, indent=2, sort_keys=True)


def test_dumps_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        json.dumps({"a": object()})
    with pytest.raises(TypeError):
        dumps({"a": object()})
    with pytest.raises(TypeError):
        dumps({"a": [{"b": 1}], (1, 2): "tuple key"})
