"""The channels that need no network: console (stderr via the Reporter) and file (JSON lines)."""

from __future__ import annotations

import os

from relorch.channels.model import Delivery, Outgoing
from relorch.masking import mask
from relorch.output import Reporter


def to_console(outgoing: Outgoing, reporter: Reporter) -> Delivery:
    """The message as readable text on stderr."""
    reporter.step(f"announcement ({outgoing.channel.name})")
    for line in outgoing.text.splitlines():
        reporter.line("    " + line if line else "")
    return _delivered(outgoing)


def to_file(outgoing: Outgoing) -> Delivery:
    """Append the body as one JSON line with a single write, so concurrent writers never mix."""
    path = outgoing.channel.path
    if path is None:
        return _failed(outgoing, "the file channel has no path")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_APPEND makes each write() land at the end of the file; one write per line keeps
        # lines whole when several processes append at once (POSIX write(2), regular files).
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            written = os.write(fd, outgoing.body)
        finally:
            os.close(fd)
    except OSError as exc:
        return _failed(outgoing, f"cannot append to {path}: {exc.strerror or exc}")
    if written != len(outgoing.body):
        return _failed(outgoing, f"short write to {path} ({written} of {len(outgoing.body)} bytes)")
    return _delivered(outgoing)


def _delivered(outgoing: Outgoing) -> Delivery:
    return Delivery(outgoing.channel.name, outgoing.channel.kind, outgoing.delivery_id, 1)


def _failed(outgoing: Outgoing, problem: str) -> Delivery:
    return Delivery(
        outgoing.channel.name, outgoing.channel.kind, outgoing.delivery_id, 1, problem=mask(problem)
    )
