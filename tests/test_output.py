"""What a person reads passes one filter, whether printed a line or a report at a time."""

from __future__ import annotations

import io
import re

from hypothesis import given
from hypothesis import strategies as st

from relorch.masking import mask
from relorch.output import _CONTROL, Reporter, _escape, safe_text

# safe_text as it was written first (a regex over every line): the fast version must agree.
_PER_LINE = re.compile(r"^(\s*)(::|##vso\[|##\[)")


def reference(text: str, *, multiline: bool = True) -> str:
    text = _CONTROL.sub(_escape, mask(text))
    if not multiline:
        return _PER_LINE.sub(r"\1\\\2", text.replace("\n", "\\n"))
    return "\n".join(_PER_LINE.sub(r"\1\\\2", line) for line in text.split("\n"))


TRICKY = st.sampled_from(
    ["\n", "\t", " ", "\x1b", "\x00", "\x7f", "\x85", "\x9b", "\u202e", "\u2028", "\u00a0",
     "::", "##", "##vso[", "##[", ":", "#", "[", "a", "é"]
)  # fmt: skip


@given(st.lists(TRICKY | st.text(max_size=4), max_size=30).map("".join), st.booleans())
def test_safe_text_agrees_with_the_line_by_line_filter(text: str, multiline: bool) -> None:
    assert safe_text(text, multiline=multiline) == reference(text, multiline=multiline)


def test_a_report_block_is_filtered_like_lines() -> None:
    """The gate's report is printed as one block: text from a spec (a description holding an
    escape sequence, a property named like a workflow command) must not reach the terminal
    or the CI runner raw."""
    stream = io.StringIO()
    hostile = [
        "  GET /x: \x1b]8;;https://evil\x07click\x1b]8;;\x07 removed",
        "::add-mask::x",
        " ##[group]",
    ]
    Reporter(stream).block(hostile)
    shown = stream.getvalue()
    assert "\x1b" not in shown and "\x07" not in shown
    assert "\\x1b]8;;https://evil\\x07click" in shown
    assert shown.splitlines()[1:] == ["\\::add-mask::x", " \\##[group]"]
    lines = io.StringIO()
    reporter = Reporter(lines)
    for line in hostile:
        reporter.line(line)
    assert lines.getvalue() == shown
