"""Hostile flag files: clear `error:`/`hint:` lines and exit 2, never a traceback."""

from __future__ import annotations

import pytest

from tests.flags.flagkit import CONFIG
from tests.gitrepo import Clone, run_in_process

BASE = "  description: d\n  owner: team\n  expires: 2099-01-01\n"

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n"
    for i in range(8)
)


def deep_rule(levels: int) -> str:
    return "  targeting: " + "{not: [" * levels + "true" + "]}" * levels + "\n"


CASES = {
    "wrong type of owner": (
        "f:\n" + BASE.replace("team", "[a, b]") + "  release_at: {}\n",
        "f.owner must be non-empty text",
    ),
    "release_at a list": (
        "f:\n" + BASE + "  release_at: [staging]\n",
        "f.release_at must map environments",
    ),
    "bad date": (
        "f:\n" + BASE + "  release_at:\n    staging: next tuesday\n",
        "f.release_at.staging must be an RFC 3339 date-time",
    ),
    "date without zone": (
        "f:\n" + BASE + "  release_at:\n    staging: 2027-01-15T09:00:00\n",
        "must be an RFC 3339 date-time with a zone",
    ),
    "unknown key": (
        "f:\n" + BASE + "  release_at: {}\n  relase_at: {}\n",
        "f: unknown key 'relase_at'",
    ),
    "unknown environment": (
        "f:\n" + BASE + "  release_at:\n    prod: now\n",
        "unknown environment 'prod'",
    ),
    "mixed variant types": (
        "f:\n" + BASE + "  variants: {a: 1, b: x}\n  default: a\n  on: b\n  release_at: {}\n",
        "every variant must have the same type",
    ),
    "default not a variant": (
        "f:\n" + BASE + "  default: maybe\n  release_at: {}\n",
        "f.default: 'maybe' is not one of the variants",
    ),
    "not a mapping": ("- a\n- b\n", "must map flag keys to definitions"),
    "bad flag key": ("'bad key!':\n" + BASE + "  release_at: {}\n", "is not usable"),
    "missing owner": (
        "f:\n  description: d\n  expires: 2099-01-01\n  release_at: {}\n",
        "f: owner is required",
    ),
    "bad requires": (
        "f:\n" + BASE + "  release_at: {}\n  requires: v0\n",
        "is not a release reference",
    ),
    "requires moving ref": (
        "f:\n" + BASE + "  release_at: {}\n  requires: v1@current\n",
        "moves with the environment",
    ),
    "requires unknown api": (
        "f:\n" + BASE + "  release_at: {}\n  requires: nope/v1@rev1\n",
        "no API named 'nope'",
    ),
    "ramp end before start": (
        "f:\n" + BASE + "  release_at: {}\n  ramp:\n"
        "    start: 2027-01-02T00:00:00Z\n    end: 2027-01-01T00:00:00Z\n",
        "end must be after start",
    ),
    "ramp weights overflow flagd": (
        "f:\n" + BASE + "  release_at: {}\n  ramp:\n"
        "    start: 1990-01-01T00:00:00Z\n"
        "    end: 2090-01-01T00:00:00Z\n",
        "above flagd's limit",
    ),
    "static fractional overflow": (
        "f:\n" + BASE + "  release_at: {}\n  targeting:\n"
        "    fractional: [[a, 2000000000], [b, 2000000000]]\n",
        "fractional weights sum to 4,000,000,000",
    ),
    "deep JsonLogic": (
        "f:\n" + BASE + "  release_at: {}\n" + deep_rule(20),
        "nested more than 32 levels",
    ),
    "targeting not an object": (
        "f:\n" + BASE + "  release_at: {}\n  targeting: yes\n",
        "must be a JsonLogic object",
    ),
    "flagd var that does not exist": (
        "f:\n" + BASE + "  release_at: {}\n  targeting:\n    '==': [{var: $flagd.time}, 1]\n",
        "flagd only provides",
    ),
    "YAML alias bomb": (ALIAS_BOMB, "expands to more than 500,000 values"),
    "YAML syntax": ("f: [unclosed\n", "not valid YAML"),
    "deep YAML": ("[" * 5000 + "]" * 5000, "flags/products.yaml"),
    "python object tag": ("f: !!python/object/apply:os.system [true]\n", "not valid YAML"),
    "ten thousand flags": (
        "".join(f"f{i}:\n" + BASE + "  release_at: {}\n" for i in range(10_000)),
        "10,000 flags, more than the 5,000 one file may hold",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_flag_file_fails_check_with_a_clear_usage_error(repo: Clone, case: str) -> None:
    text, expected = CASES[case]
    repo.commit("flags", {"relorch.toml": CONFIG, "flags/products.yaml": text})
    result = repo.relorch("flags", "check", "--no-fetch")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith("error: flags/products.yaml")
    assert expected in result.stderr
    assert "hint: " in result.stderr


@pytest.mark.parametrize(
    "case", ["unknown key", "YAML alias bomb", "deep JsonLogic", "ten thousand flags", "bad date"]
)
def test_hostile_flag_file_stops_render_before_anything_is_written(repo: Clone, case: str) -> None:
    text, expected = CASES[case]
    repo.commit("flags", {"relorch.toml": CONFIG, "flags/products.yaml": text})
    out = repo.path / "out.json"
    result = run_in_process(
        repo.path, "flags", "render", "--env", "staging", "--no-fetch", "-o", str(out)
    )
    assert result.returncode == 2 and expected in result.stderr
    assert not out.exists()


FLAGD_CASES = {
    "bad state": ('{"flags": {"f": {"state": "ON", "variants": {"a": true}}}}', "state must be"),
    "unknown top key": ('{"flags": {}, "extra": 1}', "unknown key 'extra'"),
    "metadata object": ('{"flags": {}, "metadata": {"a": {"b": 1}}}', "must be a string"),
    "default missing": (
        '{"flags": {"f": {"state": "ENABLED", "variants": {"a": true}, "defaultVariant": "b"}}}',
        "defaultVariant 'b' is not one of the variants",
    ),
    "not JSON": ("{flags: }", "not valid JSON"),
}


@pytest.mark.parametrize("case", sorted(FLAGD_CASES))
def test_hostile_plain_flagd_file_is_a_clear_usage_error(repo: Clone, case: str) -> None:
    text, expected = FLAGD_CASES[case]
    repo.commit("flags", {"relorch.toml": CONFIG, "flags/products.json": text})
    result = repo.relorch("flags", "render", "--env", "staging", "--no-fetch")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr
