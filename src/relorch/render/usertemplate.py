"""`render TEMPLATE`: a user's Jinja template in a sandbox, given the manifest as its context."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

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


def render_template(source: str, name: str, context: Mapping[str, Any]) -> str:
    """Render `source` (shown as `name` in errors) in a sandbox where undefined names are errors.

    ImmutableSandboxedEnvironment refuses underscore attributes (`''.__class__`), unsafe
    callables and in-place changes to the context; StrictUndefined makes every unknown name
    an error instead of an empty string.
    """
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined,
        loader=_NoLoading(),
        autoescape=False,
        keep_trailing_newline=True,
    )
    try:
        code = env.compile(source, name=name, filename=name)
    except TemplateSyntaxError as exc:
        raise UsageError(
            f"{name}:{exc.lineno}: template syntax error: {exc.message}", hint=HINT
        ) from None
    template = env.template_class.from_code(env, code, env.make_globals(None))
    try:
        return template.render(dict(context))
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


def _where(name: str, tb: TracebackType | None) -> str:
    """`name:line` of the innermost template frame (Jinja rewrites tracebacks to template lines)."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f"{name}:{line}" if line is not None else name
