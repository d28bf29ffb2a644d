"""CLI command `relorch announce`: post an ad-hoc notice through configured channels."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from relorch.cli.common import ApiOpt, ChdirOpt, ConfigOpt, DryRunOpt, JsonOpt, OptionalEnvOpt

if TYPE_CHECKING:
    from relorch.channels.model import Outgoing

ChannelOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--channel",
        "-c",
        metavar="NAME",
        help="Channel to post to (repeatable; console is built in). "
        "Default: the --env environment's announce channels.",
    ),
]
MessageArg = Annotated[
    str, typer.Argument(help="The notice text; - reads it from stdin.", metavar="MESSAGE")
]


def announce_command(
    message: MessageArg,
    *,
    channel: ChannelOpt = None,
    env: OptionalEnvOpt = None,
    api: ApiOpt = None,
    json_out: JsonOpt = False,
    dry_run: DryRunOpt = False,
    chdir: ChdirOpt = None,
    config_file: ConfigOpt = None,
) -> int:
    """Post a notice to the channels; exit 1 when a channel cannot be reached."""
    from relorch.channels import announcer as channels
    from relorch.channels.announcer import utc_now
    from relorch.channels.events import Announcement
    from relorch.ci import detect
    from relorch.cli.project import load_project
    from relorch.errors import UsageError
    from relorch.output import Reporter, emit_json

    text = sys.stdin.read() if message == "-" else message
    if not text.strip():
        raise UsageError("the notice is empty", hint='relorch announce --channel C "MESSAGE"')
    project = load_project(chdir, config_file)
    config = project.config
    if env is not None:
        config.environment(env)
    if api is not None:
        config.api(api)
    names = list(channel or [])
    if not names and env is not None:
        names = list(config.environment(env).announce)
    if not names:
        raise UsageError(
            "no channel to announce on",
            hint="name one with --channel C (console is always there), or pass --env "
            "for an environment that has announce = [...]",
        )
    run = detect(git_user=project.git.config_value("user.name"))
    event = Announcement(
        kind="notice",
        api=api or "",
        env=env or "",
        message=text.strip(),
        actor=run.actor,
        run_url=run.run_url,
    )
    reporter = Reporter(quiet=False)
    channels.validate_channels(config, names)
    if dry_run:
        outgoing = channels.plan(config, names, event, now=utc_now())
        if json_out:
            emit_json("announce", {"dry_run": True, "messages": [_planned(o) for o in outgoing]})
        else:
            for o in outgoing:
                reporter.step(
                    f"would announce on {o.channel.name} ({o.channel.kind}) to {o.channel.target}"
                )
                for name, value in o.headers:
                    reporter.line(f"    {name}: {value}")
                for line in _readable(o).splitlines():
                    reporter.line("    " + line)
        return 0
    deliveries = channels.announce(config, names, event, reporter)
    if json_out:
        emit_json(
            "announce",
            {"dry_run": False, "announced": True, "deliveries": [d.as_dict() for d in deliveries]},
        )
    return 0


def _readable(outgoing: Outgoing) -> str:
    """The body as a person reads it: JSON indented, text as it is."""
    if outgoing.channel.kind == "console":
        return outgoing.text
    return json.dumps(json.loads(outgoing.body), indent=2, ensure_ascii=False)


def _planned(outgoing: Outgoing) -> dict[str, object]:
    return {
        "channel": outgoing.channel.name,
        "kind": outgoing.channel.kind,
        "target": outgoing.channel.target,
        "delivery_id": outgoing.delivery_id,
        "headers": dict(outgoing.headers),
        "body": outgoing.body.decode("utf-8"),
        "text": outgoing.text,
    }


def register(app: typer.Typer) -> None:
    """Add this group's commands to `app`."""
    app.command("announce")(announce_command)
