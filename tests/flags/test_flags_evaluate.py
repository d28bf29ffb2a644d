"""Rendered flag files judged by flagd's own evaluator (FlagdCore) and flagd's own schema."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from relorch.config import load_config
from relorch.flags.load import parse_file
from relorch.flags.render import render_flags
from tests.flags.flagkit import (
    CONFIG,
    ISSUE_YAML,
    context,
    evaluator,
    flagd_validator,
    moment,
    with_flags,
)
from tests.gitrepo import Clone

HOUR = timedelta(hours=1)


def render(text: str, env: str, current: dict[tuple[str, str, int], int] | None = None) -> str:
    from relorch.config import parse_config

    config = parse_config(
        {
            "apis": {"products": {}, "orders": {}},
            "environments": {"staging": {}, "production": {}},
        },
        root=Path("."),
    )
    source = parse_file(text, "flags/products.yaml", "products", config, commit="0" * 40)
    return render_flags(source, env, current or {}).text


def flag(body: str, key: str = "f") -> str:
    return f"{key}:\n  description: d\n  owner: team\n  expires: 2099-01-01\n" + body


def test_a_past_release_date_serves_on_by_the_timestamp_rule() -> None:
    text = render(flag(f"  release_at:\n    production: {moment(-HOUR)}\n"), "production")
    result = evaluator(text).resolve_boolean_value("f", False, context("user-1"))
    assert result.value is True
    assert result.reason == "TARGETING_MATCH"
    assert '"$flagd.timestamp"' in text


def test_a_future_release_date_serves_the_default_variant_off() -> None:
    text = render(flag(f"  release_at:\n    production: {moment(HOUR)}\n"), "production")
    result = evaluator(text).resolve_boolean_value("f", True, context("user-1"))
    assert result.value is False
    assert result.variant == "off"


def test_never_is_disabled_so_the_service_gets_its_code_default() -> None:
    text = render(flag("  release_at:\n    production: never\n"), "production")
    core = evaluator(text)
    for code_default in (True, False):
        result = core.resolve_boolean_value("f", code_default, context("u"))
        assert result.value is code_default
        assert result.reason == "DISABLED"


def test_an_environment_not_listed_never_switches_on() -> None:
    text = render(flag("  release_at:\n    staging: now\n"), "production")
    assert evaluator(text).resolve_boolean_value("f", False, context("u")).reason == "DISABLED"


def test_now_is_on_without_a_rule() -> None:
    text = render(flag("  release_at:\n    staging: now\n"), "staging")
    result = evaluator(text).resolve_boolean_value("f", False, context())
    assert (result.value, result.reason) == (True, "STATIC")


def test_a_ramp_halfway_serves_about_half_of_a_thousand_keys() -> None:
    body = (
        "  release_at:\n    production: now\n"
        f"  ramp:\n    start: {moment(-HOUR)}\n    end: {moment(HOUR)}\n"
    )
    core = evaluator(render(flag(body), "production"))
    on = sum(
        core.resolve_boolean_value("f", False, context(f"user-{i}")).value for i in range(1000)
    )
    assert 420 <= on <= 580
    # the same key always gets the same answer (bucketed on the targeting key)
    first = [core.resolve_boolean_value("f", False, context(f"user-{i}")).value for i in range(50)]
    again = [core.resolve_boolean_value("f", False, context(f"user-{i}")).value for i in range(50)]
    assert first == again


@pytest.mark.parametrize(("start", "end", "expected"), [(2, 3, 0), (-3, -2, 1000)])
def test_a_ramp_not_started_is_nobody_and_a_finished_ramp_is_everybody(
    start: int, end: int, expected: int
) -> None:
    body = (
        "  release_at:\n    production: now\n"
        f"  ramp:\n    production:\n      start: {moment(start * HOUR)}\n"
        f"      end: {moment(end * HOUR)}\n"
    )
    core = evaluator(render(flag(body), "production"))
    on = sum(core.resolve_boolean_value("f", False, context(f"k{i}")).value for i in range(1000))
    assert on == expected


def test_extra_targeting_is_anded_with_the_date() -> None:
    body = (
        f"  release_at:\n    production: {moment(-HOUR)}\n"
        '  targeting:\n    ends_with: [{var: email}, "@hackney.gov.uk"]\n'
    )
    from openfeature.evaluation_context import EvaluationContext

    core = evaluator(render(flag(body), "production"))
    inside = EvaluationContext("a", {"email": "a@hackney.gov.uk"})
    outside = EvaluationContext("b", {"email": "b@example.com"})
    assert core.resolve_boolean_value("f", False, inside).value is True
    assert core.resolve_boolean_value("f", False, outside).value is False
    future = render(flag(body.replace(moment(-HOUR), moment(HOUR))), "production")
    assert evaluator(future).resolve_boolean_value("f", False, inside).value is False


def test_string_variants_serve_the_on_variant_once_released() -> None:
    body = (
        "  variants: {classic: classic, ranked: ranked}\n  default: classic\n  on: ranked\n"
        f"  release_at:\n    production: {moment(-HOUR)}\n    staging: {moment(HOUR)}\n"
    )
    assert (
        evaluator(render(flag(body), "production"))
        .resolve_string_value("f", "x", context("u"))
        .value
        == "ranked"
    )
    assert (
        evaluator(render(flag(body), "staging")).resolve_string_value("f", "x", context("u")).value
        == "classic"
    )


def test_requires_met_renders_the_flag_and_unmet_renders_it_off_with_the_reason() -> None:
    body = "  release_at:\n    production: now\n  requires: v2@rev3\n"
    met = render(flag(body), "production", {("products", "production", 2): 4})
    assert evaluator(met).resolve_boolean_value("f", False, context("u")).value is True
    unmet = render(flag(body), "production", {("products", "production", 2): 2})
    result = evaluator(unmet).resolve_boolean_value("f", True, context("u"))
    assert result.value is False
    assert "production runs v2@rev2" in str(result.flag_metadata["offReason"])


def test_flag_set_metadata_names_api_environment_and_commit(tmp_path: Path) -> None:
    text = render(flag("  release_at:\n    staging: now\n"), "staging")
    core = evaluator(text)
    meta = core.get_flag_set_metadata()
    assert (meta["api"], meta["environment"], meta["sourceCommit"]) == (
        "products",
        "staging",
        "0" * 40,
    )
    flag_meta = core.resolve_boolean_value("f", False, context()).flag_metadata
    assert (flag_meta["owner"], flag_meta["expires"], flag_meta["releaseAt"]) == (
        "team",
        "2099-01-01",
        "now",
    )


def test_rendering_is_deterministic_bytes() -> None:
    body = "  release_at:\n    production: 2030-01-01T00:00:00+02:00\n"
    two = flag(body, "b") + flag(body, "a")
    text = render(two, "production")
    assert text == render(two, "production")
    assert text.index('"a":') < text.index('"b":')  # flags sorted, one a line
    assert len(text.splitlines()) == 8
    assert (
        1893448800
        in json.loads(render(flag(body), "production"))["flags"]["f"]["targeting"]["if"][0][">="]
    )


@pytest.mark.parametrize("env", ["staging", "production"])
def test_every_kind_of_rendered_flag_is_valid_against_flagds_schema(env: str) -> None:
    validator = flagd_validator()
    text = "\n".join(
        [
            flag(f"  release_at:\n    staging: now\n    production: {moment(HOUR)}\n", "a"),
            flag("  release_at:\n    production: never\n", "b"),
            flag(
                "  release_at:\n    production: now\n    staging: now\n"
                f"  ramp:\n    start: {moment(-HOUR)}\n    end: {moment(HOUR)}\n"
                "  targeting: {in: [{var: country}, [GB, IE]]}\n",
                "c",
            ),
            flag("  release_at:\n    production: now\n  requires: orders/v3@rev1\n", "d"),
            flag(
                "  variants: {small: {size: 1}, big: {size: 9}}\n  default: small\n  on: big\n"
                "  release_at:\n    staging: 2020-01-01\n",
                "e",
            ),
        ]
    )
    document = json.loads(render(text, env))
    errors = sorted(validator.iter_errors(document), key=str)
    assert errors == []


def test_the_issue_example_renders_and_evaluates_with_the_ledger(repo: Clone) -> None:
    with_flags(repo, ISSUE_YAML)
    staging = repo.relorch("flags", "render", "--env", "staging")
    assert staging.returncode == 0, staging.stderr
    # requires v1@rev1: nothing is live in staging yet, so the flag is off and says why
    assert "new-search is off in staging: requires products/v1@rev1" in staging.stderr
    assert evaluator(staging.stdout).resolve_boolean_value("new-search", True).value is False
    deployed = repo.relorch("deploy", "v1@rev1", "--env", "staging")
    assert deployed.returncode == 0, deployed.stderr
    staging = repo.relorch("flags", "render", "--env", "staging")
    assert staging.returncode == 0 and staging.stderr == ""
    assert evaluator(staging.stdout).resolve_boolean_value("new-search", False).value is True
    production = repo.relorch("flags", "render", "--env", "production")
    assert evaluator(production.stdout).resolve_boolean_value("new-search", True).value is False


def test_a_plain_flagd_file_is_passed_through_with_relorch_metadata(repo: Clone) -> None:
    document = {
        "flags": {
            "kill": {
                "state": "ENABLED",
                "variants": {"on": True, "off": False},
                "defaultVariant": "on",
            }
        },
        "metadata": {"team": "platform"},
    }
    repo.commit("flags", {"relorch.toml": CONFIG, "flags/products.json": json.dumps(document)})
    out = repo.relorch("flags", "render", "--env", "production", "--no-fetch")
    assert out.returncode == 0, out.stderr
    core = evaluator(out.stdout)
    assert core.resolve_boolean_value("kill", False).value is True
    assert core.get_flag_set_metadata()["team"] == "platform"
    assert core.get_flag_set_metadata()["environment"] == "production"


def test_config_loads_flag_settings(tmp_path: Path) -> None:
    (tmp_path / "relorch.toml").write_text(
        '[apis.products]\nflags = "ops/flags.yaml"\nflag_owners = ["search-team"]\n'
        '[environments.production]\nflags = ["aws", "s3", "cp", "{rendered}/flags.json", "s3://b"]\n'
    )
    config = load_config(tmp_path)
    assert config.apis["products"].flags == "ops/flags.yaml"
    assert config.apis["products"].flag_owners == ("search-team",)
    assert config.environments["production"].flags == (
        "aws",
        "s3",
        "cp",
        "{rendered}/flags.json",
        "s3://b",
    )
