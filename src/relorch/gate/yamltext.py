"""YAML and JSON text to Python values, fast (yaml_rs, in Rust) where it is safe and PyYAML
where it is not, on a parser thread with a stack of its own: no document crashes the process.
"""

from __future__ import annotations

import importlib
import json
import os
import queue
import re
import threading
from collections.abc import Callable
from typing import Any

from relorch.gate.errors import SpecError

_fast: Any
# yaml_rs allocates through mimalloc, which by default keeps freed memory for a while: the
# 20 MB of scratch a 4 MB document needs stayed resident for the rest of the run (peak
# 128 MB instead of 110 MB on the 4 MB pair). mimalloc reads the setting when yaml_rs
# loads; it is not left in the environment that deploy steps inherit.
# Its first arena is committed whole when it loads (MIMALLOC_ARENA_EAGER_COMMIT): 3.7 MB
# resident before any parse and 3.3 MB more after one, for the whole run; committed as it is
# used instead.
_MIMALLOC = {"MIMALLOC_PURGE_DELAY": "0", "MIMALLOC_ARENA_EAGER_COMMIT": "0"}
_set = [name for name in _MIMALLOC if name not in os.environ]
os.environ.update({name: _MIMALLOC[name] for name in _set})
try:  # a YAML parser in Rust: about ten times faster than PyYAML with libyaml on 4 MB
    _fast = importlib.import_module("yaml_rs")
except ImportError:  # pragma: no cover - a platform without a wheel: PyYAML alone
    _fast = None
finally:
    for name in _set:
        del os.environ[name]
# yaml_rs aborts the process on block nesting some 10,000 levels deep; nesting needs that many
# leading spaces, dashes or question marks on one line, so such documents go to PyYAML.
# Searched as a newline and then the run (or the run at the very start): `^` with
# re.MULTILINE is tried at every character, 15 ms on 4 MB against 3 ms.
_DEEP_RUN = re.compile(r"[ ?-]{512}")
_DEEP_LINE = re.compile(r"\n[ ?-]{512}")
_PARSER_STACK = 32 * 1024 * 1024  # bytes: reserved, not resident, until a parse recurses deep


def parse_text(text: str, label: str) -> Any:
    """Any YAML or JSON value in `text`; SpecError naming `label` when it is not valid."""
    return _DEEP_STACK.run(lambda: _parse(text, label))


def _parse(text: str, label: str) -> Any:
    try:
        if text.lstrip().startswith("{"):
            try:
                return json.loads(text)
            except ValueError:
                pass  # a YAML flow mapping is not JSON
        if _fast is not None and not _deep_block(text):
            try:
                return _fast.loads(
                    text,
                    parse_datetime=False,  # dates stay text: both revisions compare alike
                    duplicate_key_policy=_fast.DuplicateKeyPolicy.LastWins,  # as PyYAML
                )
            except (_fast.YAMLDecodeError, ValueError, TypeError, OverflowError):
                # Not YAML, or an alias bomb past its replay limit (PyYAML shares aliased
                # nodes instead of copying them): PyYAML decides, with its own message.
                pass
            except BaseException as exc:  # a Rust panic is a BaseException (pyo3)
                if type(exc).__name__ != "PanicException":
                    raise
    except RecursionError as exc:  # JSON nested past the interpreter's limit
        raise SpecError(f"{label}: not valid YAML or JSON: {exc}") from None
    return _parse_pyyaml(text, label)


def _deep_block(text: str) -> bool:
    return bool(_DEEP_RUN.match(text) or _DEEP_LINE.search(text))


def _parse_pyyaml(text: str, label: str) -> Any:
    """PyYAML decides what yaml_rs cannot read. Imported here, when needed: 8 ms of every
    gate run went to importing it for documents yaml_rs reads."""
    import yaml

    # libyaml is about ten times faster than the pure-Python loader.
    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise SpecError(
            f"{label}: not valid YAML or JSON: {exc.problem or exc.context}{where}"
        ) from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        # PyYAML raises ValueError for impossible timestamps such as 2020-13-45.
        raise SpecError(f"{label}: not valid YAML or JSON: {exc}") from None


class _DeepStack:
    """Runs parses in one thread with a stack of its own. yaml_rs recurses once per level of
    nesting, so how deep it can go depends on the stack: under `ulimit -s 256` (256 KB for
    the main thread) 500 levels of indentation crash the process with SIGSEGV, which no
    `except` turns into an error (PyYAML's constructor, at 1,000 Python frames, too).
    _deep_block keeps block nesting in yaml_rs under about 512 levels and it refuses flow
    nesting past 256; this stack takes tens of thousands. One thread for every parse: a new
    thread per document would leave the parser's scratch memory (20 MB on 4 MB of YAML)
    behind in each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # one parse at a time
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], queue.SimpleQueue[Any]]]
        self._jobs = queue.SimpleQueue()
        self._started = False

    def run(self, parse: Callable[[], Any]) -> Any:
        """`parse()` in the parser thread: its value, or its exception raised here."""
        answer: queue.SimpleQueue[Any] = queue.SimpleQueue()
        with self._lock:
            if not self._started:
                self._start()
            self._jobs.put((parse, answer))
            outcome = answer.get()
        if isinstance(outcome, _Raised):
            raise outcome.exc
        return outcome

    def _start(self) -> None:
        previous = threading.stack_size(_PARSER_STACK)
        try:
            threading.Thread(target=self._serve, name="relorch-yaml", daemon=True).start()
        finally:
            threading.stack_size(previous)
        self._started = True

    def _serve(self) -> None:
        while True:
            parse, answer = self._jobs.get()
            try:
                answer.put(parse())
            except BaseException as exc:  # noqa: BLE001 - raised again in the caller
                answer.put(_Raised(exc))
            del parse  # the text it holds: megabytes


_DEEP_STACK = _DeepStack()


class _Raised:
    """An exception the parser thread raised, carried back to the caller."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
