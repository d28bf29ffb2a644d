"""Config: discovery, validation errors that name file/key/expected type, resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from relorch.config import load_config, parse_config
from relorch.durations import Duration, parse_duration
from relorch.errors import ConfigError
from tests.gitrepo import Clone, make_origin


def write(tmp_path: Path, text: str, name: str = "relorch.toml") -> Path:
    (tmp_path / name).write_text(text)
    return tmp_path


def test_api_name_alone_is_a_complete_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[apis.products]\n"))
    api = config.api(None)
    assert (api.tag_format, api.branch_format, api.paths) == (
        "v{major}-rev{revision}",
        "release/v{major}",
        (".",),
    )
    assert config.support.deprecation_period == Duration(months=6)
    assert config.ledger_ref == "refs/relorch/ledger"


def test_pyproject_tool_table_is_found(tmp_path: Path) -> None:
    write(
        tmp_path,
        '[project]\nname = "x"\n[tool.relorch.apis.products]\nspec = "openapi.yaml"\n',
        "pyproject.toml",
    )
    assert load_config(tmp_path).api("products").spec == "openapi.yaml"


def test_relorch_toml_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path, "[tool.relorch.apis.other]\n", "pyproject.toml")
    assert list(load_config(write(tmp_path, "[apis.products]\n")).apis) == ["products"]


def test_several_apis_get_prefixed_tags_and_branches(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[apis.orders]\n[apis.billing]\ntag_format = "semver"\n'))
    assert config.api("orders").scheme.tag(2, 4) == "orders/v2-rev4"
    assert config.api("billing").scheme.tag(2, 4) == "billing/v2.4.0"
    assert config.api("orders").scheme.branch(1) == "release/orders/v1"
    with pytest.raises(ConfigError, match="several APIs"):
        config.api(None)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("this is not toml", ["not valid TOML"]),
        ("[apis.products]\ntag_fromat = 'x'\n", ["unknown key", "apis.products.tag_fromat"]),
        ("mainbranch = 'main'\n[apis.products]\n", ["unknown key", "mainbranch"]),
        (
            "[apis.products]\npaths = 'src'\n",
            ["apis.products.paths", "a list of strings", "string"],
        ),
        ("[apis.products]\nchecks = ['pytest']\n", ["apis.products.checks", "argv lists"]),
        ("[apis.products]\n[apis.products.apim]\nkeep_revisions = 1\n", ["keep_revisions", ">= 2"]),
        (
            "[apis.products]\n[apis.products.apim]\nversioning_scheme = 'Path'\n",
            ["Segment, Header, Query"],
        ),
        (
            "[apis.products]\n[environments.prod]\nnotice = 'soon'\n",
            ["environments.prod.notice", "duration"],
        ),
        (
            "[apis.products]\n[environments.prod]\ndeploy = './deploy.sh prod'\n",
            ["deploy", "list of strings"],
        ),
        (
            "[apis.products]\n[environments.prod]\npromote_from = 'stage'\n",
            ["unknown environment 'stage'"],
        ),
        ("[apis.products]\n[environments.prod]\nannounce = ['team']\n", ["unknown channel 'team'"]),
        (
            "[apis.products]\n[channels.team]\nkind = 'slack'\nurl = 'https://hooks.slack.com/x'\n",
            ["never in a file"],
        ),
        ("[apis.products]\n[channels.team]\nkind = 'pager'\n", ["channels.team.kind", "slack"]),
        ("[apis.products]\ntag_format = 'v{major} rev{revision}'\n", ["ref name"]),
        ("[apis.Products]\n", ["API name 'Products'"]),
        ("[apis]\n", ["no API configured"]),
        ("[apis.a]\n[apis.b]\nbranch_format = 'maint/v{major}'\n", ["{api}"]),
        ("remote = 3\n[apis.products]\n", ["remote", "a string", "integer"]),
    ],
)
def test_bad_config_is_a_usage_error_naming_file_and_key(
    tmp_path: Path, text: str, words: list[str]
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert info.value.exit_code == 2
    assert "relorch.toml" in info.value.message
    for word in words:
        assert word in info.value.message + info.value.hint


def test_missing_config_hints_at_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert "relorch init" in info.value.hint


@pytest.mark.parametrize(
    ("text", "months", "seconds"),
    [
        ("90s", 0, 90),
        ("15m", 0, 900),
        ("2h", 0, 7200),
        ("4 weeks", 0, 28 * 86400),
        ("6 months", 6, 0),
        ("1h 30m", 0, 5400),
        ("1 year", 12, 0),
    ],
)
def test_durations_parse(text: str, months: int, seconds: int) -> None:
    assert parse_duration(text) == Duration(months, seconds)


@pytest.mark.parametrize("text", ["", "soon", "15", "m15", "-5m", "1.5h", "15 parsecs"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_environment_overrides_of_apim(tmp_path: Path) -> None:
    config = parse_config(
        {
            "apis": {"p": {"apim": {"service": "apim-test"}}},
            "environments": {"production": {"apim": {"service": "apim-prod"}}},
        },
        root=tmp_path,
    )
    assert config.apim_for(config.api("p"), "production").service == "apim-prod"
    assert config.apim_for(config.api("p"), None).service == "apim-test"


def test_cli_reports_bad_config_with_exit_2(tmp_path: Path) -> None:
    repo: Clone = make_origin(tmp_path, "[apis.products]\ntag_fromat = 'x'\n")
    result = repo.relorch("status")
    assert result.returncode == 2
    assert (
        "error: " in result.stderr and "tag_fromat" in result.stderr and "hint: " in result.stderr
    )
