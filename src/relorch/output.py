"""Human output on stderr (colours obey NO_COLOR and non-TTYs), machine output on stdout."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any, TextIO

from relorch.documents import document
from relorch.masking import mask

# Set by the CLI's --no-color for one invocation (a context variable, so in-process runs of
# main() in tests do not leak it into each other).
NO_COLOUR: ContextVar[bool] = ContextVar("relorch_no_colour", default=False)
# Whether this invocation printed its JSON document: a command that reports and then fails
# (diff finding a breaking change, exit 3) keeps stdout one document, without an error one.
DOCUMENT_PRINTED: ContextVar[bool] = ContextVar("relorch_document_printed", default=False)

# Control characters (C0 but tab, DEL, C1) and the bidirectional overrides that make a
# terminal show other text than what is there: printed as escapes, never raw. A hold reason or
# an actor comes from whoever can write to the ledger; an ESC or OSC sequence in it must not
# reach a maintainer's terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The same, for text known to be ASCII: what bytes.translate deletes (a fast "is there any").
_ASCII_CONTROL = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
# A line a CI runner would read as a command: GitHub (`::add-mask::`, `::stop-commands::`),
# after leading blanks; Azure Pipelines (`##vso[`, `##[`). Every line of a text at once.
_CI_COMMAND = re.compile(r"^([^\S\n]*)(::|##vso\[|##\[)", re.MULTILINE)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: str, *, multiline: bool = True) -> str:
    """`text` as relorch prints it: secrets masked, control characters escaped, and lines a CI
    runner would take for a workflow command neutralised (a backslash in front). Without
    `multiline`, line breaks are escaped too (one message, one line)."""
    text = mask(text)
    if _has_control(text):
        text = _CONTROL.sub(_escape, text)
    if not multiline:
        text = text.replace("\n", "\\n")
    if "::" in text or "##" in text:
        text = _CI_COMMAND.sub(r"\1\\\2", text)
    return text


def _has_control(text: str) -> bool:
    """Whether `text` holds a character safe_text escapes (an ASCII text, the usual case, is
    checked by bytes.translate: a few milliseconds for a report of megabytes)."""
    if text.isascii():
        return len(text.encode("ascii").translate(None, _ASCII_CONTROL)) != len(text)
    return _CONTROL.search(text) is not None


_COLOURS = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


def use_colour(stream: TextIO) -> bool:
    """Colours only on a TTY and only when NO_COLOR is unset (https://no-color.org)."""
    if os.environ.get("NO_COLOR") or NO_COLOUR.get():
        return False
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM") != "dumb"


class Reporter:
    """Writes what a person reads; every line passes the secret mask."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.colour = use_colour(self.stream)

    def style(self, text: str, *names: str) -> str:
        """Wrap `text` in ANSI styles when colours are on."""
        if not self.colour or not names:
            return text
        codes = ";".join(_COLOURS[n] for n in names)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def line(self, text: str = "", *styles: str) -> None:
        """One line of human output."""
        if not self.quiet:
            self.stream.write(self.style(safe_text(text), *styles) + "\n")
            self.stream.flush()

    def block(self, lines: Sequence[str]) -> None:
        """Many lines at once, as safe as `line` makes each (masked, control characters and CI
        commands neutralised), with each pass run once over the whole text (a report of
        thousands of lines would otherwise scan the environment thousands of times)."""
        if not self.quiet and lines:
            write_text(self.stream, safe_text("\n".join(lines)))
            self.stream.write("\n")
            self.stream.flush()

    @property
    def interactive(self) -> bool:
        """Whether the stream is a terminal (a countdown may rewrite its line)."""
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def progress(self, text: str, *, done: bool = False) -> None:
        """Rewrite the current terminal line (countdowns); a newline once `done`."""
        if not self.quiet:
            shown = safe_text(text, multiline=False)
            self.stream.write("\r\x1b[2K" + shown + ("\n" if done else ""))
            self.stream.flush()

    def step(self, text: str) -> None:
        """A step of a longer operation."""
        self.line("==> " + text, "bold")

    def ok(self, text: str) -> None:
        """A success line."""
        self.line(text, "green")

    def warn(self, text: str) -> None:
        """A warning that does not stop the command."""
        self.line("warning: " + text, "yellow")

    def error(self, message: str, hint: str = "") -> None:
        """`error:` and `hint:` lines; printed even when quiet."""
        error = safe_text(message, multiline=False)
        self.stream.write(self.style("error: ", "red", "bold") + error + "\n")
        if hint:
            self.stream.write(self.style("hint: ", "cyan") + safe_text(hint) + "\n")
        self.stream.flush()

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """A plain aligned table."""
        for line in format_table(headers, rows):
            self.line(line)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """Rows as aligned text lines, headers first."""
    cells = [[str(h) for h in headers]] + [
        ["" if c is None else safe_text(str(c), multiline=False) for c in r] for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]


_CHUNK = 1 << 20  # characters


def write_text(stream: TextIO, text: str) -> None:
    """`text` written a megabyte at a time: a text stream encodes what it is given in one
    piece, and a whole report of 12 MB (`relorch diff --json` on a big revision) cost a
    12 MB copy at the moment memory peaks."""
    if len(text) <= _CHUNK:
        stream.write(text)
        return
    for start in range(0, len(text), _CHUNK):
        stream.write(text[start : start + _CHUNK])


def emit_json(
    kind: str, data: dict[str, Any], stream: TextIO | None = None, *, compact: bool = False
) -> None:
    """Machine output: one JSON document of a registered `kind` (relorch.documents) on stdout,
    with its `schema` field, secrets masked. `compact`: one line, for documents that can be
    large (json's C encoder only runs without `indent`: 10x faster on 20,000 entries)."""
    import json  # only for --json output: the import is not free

    out = stream or sys.stdout
    layout: dict[str, Any] = {"separators": (",", ":")} if compact else {"indent": 2}
    text = json.dumps(document(kind, data), sort_keys=True, default=str, **layout)
    write_text(out, mask(text))
    out.write("\n")  # not `+ "\n"`: that copies a report of many megabytes once more
    out.flush()
    DOCUMENT_PRINTED.set(True)
