"""The version model: REF grammar, tag templates, and their round trips (property-tested)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relorch.errors import UsageError
from relorch.versions import (
    DEFAULT_TAG_FORMAT,
    SEMVER_TAG_FORMAT,
    Ref,
    TagScheme,
    check_template,
    is_valid_refname,
    parse_ref,
)

SCHEMES = {"products": TagScheme("products", DEFAULT_TAG_FORMAT, "release/v{major}")}
MULTI = {
    "orders": TagScheme("orders", "{api}/v{major}-rev{revision}", "release/{api}/v{major}"),
    "billing": TagScheme("billing", "{api}/" + SEMVER_TAG_FORMAT, "release/{api}/v{major}"),
}
numbers = st.integers(min_value=1, max_value=999_999_999)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v2", Ref(2)),
        ("v2@latest", Ref(2, which="latest")),
        ("v2@rev4", Ref(2, which="rev", revision=4)),
        ("products/v3@current", Ref(3, api="products", which="current")),
        ("v2-rev4", Ref(2, api="products", which="rev", revision=4, tag="v2-rev4")),
    ],
)
def test_parse_ref_accepts_grammar(text: str, expected: Ref) -> None:
    assert parse_ref(text, SCHEMES) == expected


@pytest.mark.parametrize(
    "text",
    [
        "v0",
        "v02",
        "2",
        "V2",
        "v2@rev0",
        "v2@rev04",
        "v2@",
        "v2@newest",
        "v2 @rev1",
        "v2..v3",
        "v2@{1}",
        "v2\n",
        "ｖ2",
        "",
        " ",
        "-v2",
        "v2-rev4\x00",
        "v" + "9" * 300,
        "products/",
        "/v2",
    ],
)
def test_parse_ref_rejects_with_usage_error_and_grammar(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_ref(text, SCHEMES)
    assert info.value.exit_code == 2
    assert "REF :=" in info.value.hint


def test_parse_ref_suggests_close_match() -> None:
    with pytest.raises(UsageError) as info:
        parse_ref("v2@rev", SCHEMES)
    assert "did you mean" in info.value.hint
    with pytest.raises(UsageError) as info:
        parse_ref("2@4", SCHEMES)
    assert "'v2@rev4'" in info.value.hint


@settings(max_examples=500)
@given(st.text(max_size=300))
def test_no_string_makes_parser_raise_anything_but_usage_error(text: str) -> None:
    with contextlib.suppress(UsageError):
        parse_ref(text, {**SCHEMES, **MULTI})


@given(
    api=st.sampled_from([None, "products", "orders"]),
    major=numbers,
    which=st.sampled_from([None, "rev", "latest", "current", "previous"]),
    revision=numbers,
)
def test_format_then_parse_is_identity(
    api: str | None, major: int, which: str | None, revision: int
) -> None:
    ref = Ref(major, api=api, which=which, revision=revision if which == "rev" else None)
    assert parse_ref(str(ref), SCHEMES) == ref


@given(st.text(max_size=60))
def test_parse_then_format_gives_back_the_text(text: str) -> None:
    try:
        ref = parse_ref(text, {**SCHEMES, **MULTI})
    except UsageError:
        return
    assert str(ref) == text


@given(
    major=numbers, revision=numbers, scheme=st.sampled_from([*SCHEMES.values(), *MULTI.values()])
)
def test_tag_names_round_trip(major: int, revision: int, scheme: TagScheme) -> None:
    name = scheme.tag(major, revision)
    assert is_valid_refname(name)
    assert scheme.parse_tag(name) == (major, revision)
    assert scheme.parse_branch(scheme.branch(major)) == major


def test_tags_that_are_not_revisions_are_ignored() -> None:
    scheme = SCHEMES["products"]
    for name in [
        "v2",
        "v2-rev0",
        "v02-rev1",
        "v2-rev4-hotfix",
        "orders/v2-rev4",
        "latest",
        "v2.4.0",
    ]:
        assert scheme.parse_tag(name) is None
    assert MULTI["billing"].parse_tag("billing/v2.4.0") == (2, 4)
    assert MULTI["billing"].parse_tag("billing/v2.4.1") is None


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("v{major}{revision}", "ambiguous"),
        ("v{major}-rev", "revision"),
        ("v{major}-r{rev}", "unknown placeholder"),
        ("v {major}-rev{revision}", "ref name"),
        ("v{major}..{revision}", "ref name"),
    ],
)
def test_bad_templates_are_explained(template: str, problem: str) -> None:
    message = check_template(template, needs=("major", "revision"), what="tag_format")
    assert message is not None and problem in message


@given(st.text(max_size=40))
def test_refname_check_agrees_with_git_on_simple_rules(text: str) -> None:
    if is_valid_refname(text):
        assert ".." not in text and "@{" not in text and " " not in text and "\n" not in text


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("av1/.-@{}~^: \\*[?\x7fé_"), min_size=1, max_size=12))
def test_refname_check_matches_git_check_ref_format(text: str) -> None:
    import subprocess

    git_says = (
        subprocess.run(
            ["git", "check-ref-format", f"refs/tags/{text}"], capture_output=True, check=False
        ).returncode
        == 0
    )
    if is_valid_refname(text):
        assert git_says, text  # never accept what git refuses


LEGACY = TagScheme(
    "products",
    SEMVER_TAG_FORMAT,
    "release/v{major}",
    ("v{major}.{minor}.{patch}", "{major}.{minor}.{patch}", "v{major}.{minor}"),
)
small = st.integers(min_value=0, max_value=999)


@given(numbers, small, small)
def test_legacy_tags_round_trip_and_parse_as_refs(major: int, minor: int, patch: int) -> None:
    name = f"v{major}.{minor}.{patch}"
    assert LEGACY.parse_legacy(name) == (major, minor, patch)
    assert LEGACY.parse_legacy(f"{major}.{minor}") is None  # not a declared shape
    ref = parse_ref(name, {"products": LEGACY})
    assert (ref.major, ref.which, ref.tag) == (major, "tag", name)


@settings(max_examples=200)
@given(st.lists(st.tuples(small, small), min_size=1, max_size=8), st.integers(1, 12))
def test_next_tag_is_never_at_or_below_an_existing_version(
    versions: list[tuple[int, int]], revision: int
) -> None:
    existing = [f"v3.{minor}.{patch}" for minor, patch in versions]
    tag = LEGACY.next_tag(3, revision, existing)
    assert tag is not None and tag not in existing
    mine = LEGACY.parse_legacy(tag)
    assert mine is not None
    assert all(mine > LEGACY.parse_legacy(name) for name in existing)  # type: ignore[operator]


def test_prereleases_and_major_zero_are_not_legacy_revisions() -> None:
    for name in ("v1.2.3-rc.1", "v1.2.3+build", "v0.9.0", "v01.2.3", "x1.2.3"):
        assert LEGACY.parse_legacy(name) is None
