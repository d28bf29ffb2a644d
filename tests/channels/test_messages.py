"""Messages: the default template per event kind, markup escaping, overrides in a sandbox."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from relorch.channels import messages
from relorch.channels.events import Announcement
from relorch.errors import ConfigError

GOLDEN = Path(__file__).parents[1] / "golden" / "announce"
NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
PENDING = Announcement(
    kind="pending",
    api="products",
    env="production",
    ref="v2@rev4",
    tag="v2-rev4",
    sha="0123456789abcdef0123456789abcdef01234567",
    major=2,
    revision=4,
    live_tag="v2-rev3",
    notes=("feat: add a filter", "fix: pagination"),
    actor="alice",
    run_url="https://ci.example.net/runs/42",
    notice_ends=datetime(2026, 1, 15, 10, 15, tzinfo=UTC),
)


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/announce/NAME; RELORCH_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("RELORCH_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
    assert path.read_bytes().decode("utf-8") == actual, f"{name} differs from its golden file"


@pytest.mark.parametrize("kind", messages.KINDS)
def test_default_template_renders_each_event_kind_as_golden_text(kind: str) -> None:
    event = replace(
        PENDING,
        kind=kind,
        reason="the partner API is down"
        if kind in ("failed", "held", "rollback_pending")
        else None,
        message="Maintenance tonight 22:00 UTC" if kind == "notice" else None,
    )
    text = messages.render(event, markup="text", channel="platform", now=NOW)
    check_golden(f"text-{kind}.txt", text + "\n")


PREVIEW_URL = "https://api.example.net/catalog/v2;rev=4"
# (kind, mode) pairs the preview path announces: a preview, a preview made current, a withdrawal.
PREVIEW_EVENTS = [
    ("pending", "preview"),
    ("succeeded", "preview"),
    ("failed", "preview"),
    ("held", "preview"),
    ("pending", "promote"),
    ("succeeded", "promote"),
    ("rollback_pending", "withdraw"),
    ("rolled_back", "withdraw"),
]


@pytest.mark.parametrize(("kind", "mode"), PREVIEW_EVENTS)
def test_default_template_renders_previews_as_golden_text(kind: str, mode: str) -> None:
    promote = mode == "promote"
    event = replace(
        PENDING,
        kind=kind,
        mode="current" if promote else mode,
        preview_url=None if promote else PREVIEW_URL,
        previewed_since=datetime(2026, 1, 12, 9, 30, tzinfo=UTC) if promote else None,
        reason="consumer tests first" if kind == "held" else None,
    )
    text = messages.render(event, markup="text", channel="platform", now=NOW)
    check_golden(f"text-{mode}-{kind}.txt", text + "\n")


def test_preview_messages_show_the_url_to_try_and_the_withdraw_command() -> None:
    event = replace(PENDING, mode="preview", preview_url=PREVIEW_URL)
    text = messages.render(event, markup="slack", channel="platform", now=NOW)
    assert PREVIEW_URL in text
    assert "relorch rollback --env production v2 --preview" in text
    assert "v2-rev3 (which stays current)" in text


def test_pending_message_names_everything_a_reader_needs() -> None:
    text = messages.render(PENDING, markup="text", channel="platform", now=NOW)
    for fact in (
        "products v2-rev4",
        "production",
        "v2@rev4",
        "0123456",
        "v2-rev3",
        "feat: add a filter",
        "alice",
        "https://ci.example.net/runs/42",
        "2026-01-15 10:15 UTC",
        'relorch hold v2-rev4 --env production --reason "..."',
        "relorch rollback --env production v2",
    ):
        assert fact in text


def test_slack_markup_escapes_mentions_and_ampersands_in_user_text() -> None:
    event = replace(PENDING, notes=("feat: <!channel> & <https://evil.example|click>",))
    text = messages.render(event, markup="slack", channel="platform", now=NOW)
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in text
    assert "<!channel>" not in text
    assert "<https://ci.example.net/runs/42|this run>" in text
    assert "*products v2-rev4*" in text


def test_control_characters_in_user_text_never_reach_the_message() -> None:
    event = replace(PENDING, notes=("fix: \x1b[2Jclear screen\x07",), actor="bob\x1b]0;x\x07")
    text = messages.render(event, markup="text", channel="console", now=NOW)
    assert "\x1b" not in text and "\x07" not in text
    assert "fix: [2Jclear screen" in text


def test_shown_commands_quote_hostile_refs_and_environments_for_the_shell() -> None:
    event = replace(PENDING, tag="v2-rev4;rm -rf ~", env="prod $(id)")
    hold, rollback = messages.commands(event)
    assert hold == "relorch hold 'v2-rev4;rm -rf ~' --env 'prod $(id)' --reason \"...\""
    assert rollback == "relorch rollback --env 'prod $(id)' v2"


def test_rollback_command_names_the_api_when_the_repo_has_several() -> None:
    _, rollback = messages.commands(PENDING, several_apis=True)
    assert rollback == "relorch rollback --env production products/v2"


def test_commands_given_by_the_pipeline_win_over_the_defaults() -> None:
    event = replace(PENDING, hold_command="relorch hold X", rollback_command="relorch rollback Y")
    assert messages.commands(event) == ("relorch hold X", "relorch rollback Y")


def test_override_template_sees_the_documented_variables(tmp_path: Path) -> None:
    template = tmp_path / "t.j2"
    template.write_text(
        "{{ kind }} {{ subject | bold }} {{ short_sha | code }} {{ channel }} "
        "{{ notice_ends_text }} {{ link(run_url, 'run') }} {{ notes | length }}"
    )
    text = messages.render(PENDING, markup="markdown", channel="teams", now=NOW, template=template)
    assert text == (
        "pending **products v2-rev4** `0123456` teams 2026-01-15 10:15 UTC "
        "[run](https://ci.example.net/runs/42) 2"
    )


def test_override_template_with_an_undefined_name_is_a_config_error(tmp_path: Path) -> None:
    template = tmp_path / "t.j2"
    template.write_text("{{ no_such_variable }}")
    with pytest.raises(ConfigError, match="no_such_variable"):
        messages.check_template(template)


def test_override_template_with_a_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    template = tmp_path / "t.j2"
    template.write_text("line one\n{% if %}\n")
    with pytest.raises(ConfigError, match=r"t\.j2:2"):
        messages.check_template(template)


def test_override_template_cannot_reach_python_internals(tmp_path: Path) -> None:
    template = tmp_path / "t.j2"
    template.write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(ConfigError, match="template"):
        messages.render(PENDING, markup="text", channel="c", now=NOW, template=template)


def test_override_template_cannot_mutate_the_context(tmp_path: Path) -> None:
    template = tmp_path / "t.j2"
    template.write_text("{{ notes.append('sneaky') }}")
    with pytest.raises(ConfigError, match="template"):
        messages.render(PENDING, markup="text", channel="c", now=NOW, template=template)


def test_markdown_message_shows_a_hostile_reason_as_text_never_as_a_link() -> None:
    held = replace(PENDING, kind="held", reason="[click me](javascript:alert(1)) <img src=x>")
    text = messages.render(held, markup="markdown", channel="teams", now=NOW)
    assert "[click me](javascript" not in text
    assert "<img" not in text.replace("\\<img", "")
    assert "\\[click me\\](javascript:alert(1))" in text


def test_links_are_made_only_for_https_urls() -> None:
    for url in ("javascript:alert(1)", "http://ci.example.net/runs/42"):
        text = messages.render(
            replace(PENDING, run_url=url), markup="markdown", channel="teams", now=NOW
        )
        assert f"]({url})" not in text
