"""`render TEMPLATE`: a user's Jinja template in a sandbox, given the manifest as its context."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from relorch.deadline import DeadlineExceeded, deadline
from relorch.errors import UsageError

HINT = "the variables a template sees are listed in docs/rendering.md (the manifest's keys)"


class _NoLoading(BaseLoader):
    """Templates are rendered alone: import, include and extends are refused."""

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        raise SecurityError(
            f"loading another template ({template!r}) is refused: "
            "import, include and extends are not available in relorch templates"
        )


def read_template(path: Path, shown: str) -> str:
    """The template's text; UsageError (exit 2) when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"no template {shown} (and it is not a built-in kind)",
            hint="relorch render arm|cloudformation|httproute|manifest|headers|path/to/template.j2",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read template {shown}: {exc}") from None


# A versioning config is kilobytes; these stop a template that would fill the disk or memory
# ('x' * 10**10) or run for hours (nested loops) long before it harms the machine or a CI job.
MAX_OUTPUT = 10_000_000  # characters of output, and of any one string or list it builds
MAX_SECONDS = 10.0
_BIG_FORMAT = re.compile(r"%[-+ #0]*[0-9]{7,}|%[-+ #0]*[0-9]*\.[0-9]{7,}")


def _refuse_big(*values: Any) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_OUTPUT:
            raise SecurityError(f"the number {value} is beyond what a template may use")


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with sizes checked before Python allocates them: repeating and joining
    strings or lists, powers, %-formatting widths, and number arguments of calls and filters."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(times, int)
                if sized and len(seq) * times > MAX_OUTPUT:
                    raise SecurityError("a repetition that large is refused")
        elif operator == "**":
            ints = isinstance(right, int) and isinstance(left, int)
            if ints and abs(left) > 1 and right > 64:
                raise SecurityError("a power that large is refused")
        elif operator == "+":
            both = isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple)
            if both and len(left) + len(right) > MAX_OUTPUT:
                raise SecurityError("a string or list that large is refused")
        elif operator == "%" and isinstance(left, str) and _BIG_FORMAT.search(left):
            raise SecurityError("a format width that large is refused")
        return super().call_binop(context, operator, left, right)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _refuse_big(*args, *kwargs.values())
        return super().call(__context, __obj, *args, **kwargs)


def _bounded_filters(env: Environment) -> None:
    """Filters are called directly, not through `call`: check their number arguments too."""

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        def checked(*args: Any, **kwargs: Any) -> Any:
            _refuse_big(*args[1:], *kwargs.values())
            return function(*args, **kwargs)

        for attribute in ("jinja_pass_arg",):  # keep pass_context / pass_environment marks
            if hasattr(function, attribute):
                setattr(checked, attribute, getattr(function, attribute))
        return checked

    env.filters = {name: wrap(f) for name, f in env.filters.items()}


def render_template(source: str, name: str, context: Mapping[str, Any]) -> str:
    """Render `source` (shown as `name` in errors) in a sandbox where undefined names are errors.

    ImmutableSandboxedEnvironment refuses underscore attributes (`''.__class__`), unsafe
    callables and in-place changes to the context; StrictUndefined makes every unknown name
    an error instead of an empty string.
    """
    env = _BoundedSandbox(
        undefined=StrictUndefined,
        loader=_NoLoading(),
        autoescape=False,
        keep_trailing_newline=True,
    )
    _bounded_filters(env)
    try:
        code = env.compile(source, name=name, filename=name)
    except TemplateSyntaxError as exc:
        raise UsageError(
            f"{name}:{exc.lineno}: template syntax error: {exc.message}", hint=HINT
        ) from None
    template = env.template_class.from_code(env, code, env.make_globals(None))
    try:
        with deadline(MAX_SECONDS):
            return _bounded_render(template, dict(context), name)
    except DeadlineExceeded:
        raise UsageError(
            f"{name}: rendering ran past {MAX_SECONDS:g} s and was stopped",
            hint="a template lays out the context; it does not compute (no unbounded loops)",
        ) from None
    except MemoryError:
        raise UsageError(f"{name}: rendering ran out of memory; stopped", hint=HINT) from None
    except SecurityError as exc:
        raise UsageError(
            f"{_where(name, exc.__traceback__)}: refused by the sandbox: {exc}",
            hint="templates may read the context, not Python internals",
        ) from None
    except UndefinedError as exc:
        raise UsageError(f"{_where(name, exc.__traceback__)}: {exc}", hint=HINT) from None
    except (
        TemplateError,
        TypeError,
        ValueError,
        ArithmeticError,
        LookupError,
        AttributeError,
        RecursionError,
    ) as exc:
        raise UsageError(
            f"{_where(name, exc.__traceback__)}: {type(exc).__name__}: {exc}", hint=HINT
        ) from None


def _bounded_render(template: Any, context: dict[str, Any], name: str) -> str:
    parts, size = [], 0
    for chunk in template.generate(context):
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise UsageError(
                f"{name}: the output passed {MAX_OUTPUT:,} characters and was stopped",
                hint="a template lays out the context; check its loops",
            )
        parts.append(chunk)
    return "".join(parts)


def _where(name: str, tb: TracebackType | None) -> str:
    """`name:line` of the innermost template frame (Jinja rewrites tracebacks to template lines)."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f"{name}:{line}" if line is not None else name
