"""Deprecation headers per major (RFC 9745 Deprecation, RFC 8594 Sunset, Link) and their JSON."""

from __future__ import annotations

import json
import re
from typing import Any

from relorch.documents import schema_id
from relorch.errors import ConfigError
from relorch.policy.support import CURRENT, SupportState
from relorch.render.context import ApiModel, MajorModel, RenderModel, api_path, public_url

# A URI as RFC 3986 writes it: no spaces, controls, quotes or angle brackets (they would end
# the <...> of the Link header or break the policy XML's meaning).
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]+")


def deprecation_headers(state: SupportState, migration_guide: str | None) -> dict[str, str]:
    """The response headers a deprecated or retired major sends; empty for the current one."""
    if state.state == CURRENT:
        return {}
    headers: dict[str, str] = {}
    if state.deprecated_at is not None:
        headers["Deprecation"] = f"@{int(state.deprecated_at.timestamp())}"
    sunset = state.effective_sunset
    if sunset is not None:
        # On first use: email.utils brings socket, ssl and http.client (7 ms on every render).
        from email.utils import format_datetime

        headers["Sunset"] = format_datetime(sunset, usegmt=True)
    if migration_guide:
        headers["Link"] = f'<{checked_link(migration_guide)}>; rel="deprecation"'
    return headers


def checked_link(url: str) -> str:
    """`url` when it can stand inside <...> of a Link header; ConfigError otherwise."""
    if not _URI.fullmatch(url):
        raise ConfigError(
            f"[support] migration_guide {url!r} is not an absolute URL",
            hint='write it as a full URL, e.g. "https://developer.example.net/migrate"',
        )
    return url


def headers_data(model: RenderModel) -> dict[str, Any]:
    """`render headers`: one entry per API and major, in order; a major's previews send the
    same headers as its current revision, so they are listed with it."""
    guide = model.config.support.migration_guide
    entries = []
    for api in model.apis:
        for major in api.majors:
            entries.append(
                {
                    "api": api.name,
                    "major": major.major,
                    "version": f"v{major.major}",
                    "path": api_path(api.config, api.config.apim),
                    "state": major.support.state,
                    "headers": deprecation_headers(major.support, guide),
                    "previews": _previews(model, api, major),
                }
            )
    return {"schema": schema_id("headers"), "majors": entries}


def _previews(model: RenderModel, api: ApiModel, major: MajorModel) -> list[dict[str, Any]]:
    out = []
    for env in model.environments:
        apim = model.apim(api.config, env)
        for preview in model.previews_of(api.name, env, major):
            url = public_url(api.config, apim, major.major, preview.revision)
            out.append({"env": env, "revision": preview.revision, "url": url.url if url else None})
    return out


def render_headers(model: RenderModel) -> str:
    """The headers JSON document (sorted keys, trailing newline)."""
    return json.dumps(headers_data(model), indent=2, sort_keys=True) + "\n"


def policy_xml(headers: dict[str, str]) -> str:
    """An APIM policy document that adds `headers` to every response of the API.

    APIM reads a value that starts with "@" as a policy expression, so such a value
    (Deprecation: @1767225600) is written as an expression returning a C# string literal,
    @("@1767225600"); every other value is plain (XML-escaped) text.
    """
    from xml.sax.saxutils import escape, quoteattr  # on first use, as email.utils above

    lines = [
        "<policies>",
        "  <inbound>",
        "    <base />",
        "  </inbound>",
        "  <backend>",
        "    <base />",
        "  </backend>",
        "  <outbound>",
        "    <base />",
    ]
    for name, value in headers.items():
        lines += [
            f'    <set-header name={quoteattr(name)} exists-action="override">',
            f"      <value>{escape(_literal(value))}</value>",
            "    </set-header>",
        ]
    lines += ["  </outbound>", "  <on-error>", "    <base />", "  </on-error>", "</policies>"]
    return "\n".join(lines) + "\n"


def _literal(value: str) -> str:
    if not value.startswith("@"):
        return value
    # \ and " are the only characters special inside a C# regular string literal.
    return '@("' + value.replace("\\", "\\\\").replace('"', '\\"') + '")'
