"""`render TEMPLATE`: user templates in a sandbox, strict about undefined names, no escapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from relorch.errors import ExitCode, UsageError
from relorch.render import render
from relorch.render.manifest import manifest_data
from relorch.render.usertemplate import render_template
from tests.render.test_render_world import model

NGINX = """\
{%- for api in apis %}
{%- for major in api.majors if major.environments[env].current %}
{%- set live = major.environments[env] %}
location /{{ api.path }}/{{ major.version }}/ {
    # {{ live.current_tag }} ({{ major.state }})
{%- for name, value in major.headers | dictsort %}
    add_header {{ name }} '{{ value }}' always;
{%- endfor %}
}
{%- endfor %}
{%- endfor %}
"""


def context(env: str | None = "production") -> dict[str, object]:
    return manifest_data(model(), env)


def failure(source: str, name: str = "templates/gw.conf.j2") -> UsageError:
    with pytest.raises(UsageError) as caught:
        render_template(source, name, context())
    assert caught.value.exit_code == ExitCode.USAGE
    return caught.value


def test_template_sees_the_manifest_and_the_environment() -> None:
    text = render_template(NGINX, "gw.conf.j2", context())
    assert "location /catalog/v1/ {\n    # products/v1-rev3 (deprecated)" in text
    assert "add_header Sunset 'Thu, 28 May 2026 09:30:00 GMT' always;" in text
    assert "location /orders" not in text  # never deployed to production
    assert text.endswith("}\n")


def test_undefined_name_fails_with_the_template_name_and_line() -> None:
    error = failure("line one\n{{ apis | length }}\n{{ no_such_name }}\n")
    assert error.message.startswith("templates/gw.conf.j2:3: ")
    assert "'no_such_name' is undefined" in error.message


def test_undefined_attribute_fails_with_its_line_too() -> None:
    error = failure("{% for api in apis %}\n{{ api.no_such_key }}\n{% endfor %}\n")
    assert error.message.startswith("templates/gw.conf.j2:2: ")
    assert "no_such_key" in error.message


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ apis.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ lipsum.__globals__['os'] }}",
        "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    ],
)
def test_attribute_walking_out_of_the_sandbox_is_refused(source: str) -> None:
    error = failure("\n" + source)
    assert error.message.startswith("templates/gw.conf.j2:2: refused by the sandbox: ")
    assert "unsafe" in error.message


@pytest.mark.parametrize(
    "source",
    [
        "{% import 'macros.j2' as m %}",
        "{% include '/etc/passwd' %}",
        "{% extends 'base.j2' %}",
        "{% from 'x.j2' import y %}",
    ],
)
def test_imports_includes_and_extends_are_refused(source: str) -> None:
    error = failure(source)
    assert "refused by the sandbox" in error.message
    assert "import, include and extends are not available" in error.message


def test_changing_the_context_is_refused() -> None:
    error = failure("{{ apis.append(1) }}")
    assert "refused by the sandbox" in error.message


def test_syntax_error_names_the_line() -> None:
    error = failure("ok\n{% for x in apis %}\n{{ x }\n")
    assert error.message.startswith("templates/gw.conf.j2:3: template syntax error")


def test_runtime_error_in_a_template_is_a_usage_error_with_its_line() -> None:
    error = failure("\n\n{{ 1 // 0 }}")
    assert error.message.startswith("templates/gw.conf.j2:3: ZeroDivisionError")


def test_huge_range_is_refused() -> None:
    error = failure("{% for i in range(10**9) %}{% endfor %}")
    assert "OverflowError" in error.message or "refused by the sandbox" in error.message


def test_render_reads_the_template_file(tmp_path: Path) -> None:
    path = tmp_path / "gw.conf.j2"
    path.write_text(NGINX, encoding="utf-8")
    rendered = render(
        "gw.conf.j2", model(), env="production", spec_source=lambda s, p: None, template=path
    )
    assert rendered.kind == "template" and "location /catalog/v2/" in rendered.text


def test_render_of_a_missing_template_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no template nope\.j2") as caught:
        render(
            "nope.j2",
            model(),
            env=None,
            spec_source=lambda s, p: None,
            template=tmp_path / "nope.j2",
        )
    assert caught.value.exit_code == ExitCode.USAGE
