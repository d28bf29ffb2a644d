"""What a deploy does to an API's flags: the file it carries, and the flags it switches on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from relorch.config import Config
from relorch.flags.due import due
from relorch.flags.load import committed_ref, read_at
from relorch.flags.render import RenderedFlags, render_flags
from relorch.flags.requires import Current
from relorch.git.gateway import Git


@dataclass(frozen=True)
class DeployFlags:
    """The flag file a deploy puts in {rendered}, and the lines its announcement lists."""

    rendered: RenderedFlags
    switching: tuple[str, ...] = ()


def for_deploy(
    git: Git,
    config: Config,
    *,
    api: str,
    env: str,
    major: int,
    revision: int | None,
    current: Current,
    now: datetime,
    window_seconds: float,
) -> DeployFlags | None:
    """The API's flags (main as the remote has it) as they will be once `revision` is live
    (None: nothing becomes live); None when the API has no flag file. An invalid file raises:
    the deploy stops first."""
    source = read_at(git, config, config.apis[api], committed_ref(git, config))
    if source is None:
        return None
    after_current = dict(current)
    if revision is not None:
        after_current[(api, env, major)] = revision
    before = render_flags(source, env, current)
    after = render_flags(source, env, after_current)
    still_off = {key for key, _ in after.off}
    lines = [
        f"{key} switches on with this deploy (was off: {reason})"
        for key, reason in before.off
        if key not in still_off
    ]
    soon = due(
        [source],
        now=now,
        within=timedelta(seconds=max(window_seconds, 0)),
        envs=[env],
        current=after_current,
    )
    lines += [entry.line() for entry in soon]
    return DeployFlags(after, tuple(lines))
