"""Rendering versioning config: ARM, CloudFormation, HTTPRoute, a manifest, headers, templates.

Owns `context` (what every renderer is given), one module per output kind, `files` (writing
rendered output) and `usertemplate` (the sandboxed Jinja environment for user templates).
May import: errors, versions, git, config, model, ledger, policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from relorch.errors import UsageError
from relorch.render.context import RenderModel, SpecSource

if TYPE_CHECKING:
    from relorch.config import Config
    from relorch.git.gateway import Git
    from relorch.ledger.records import Record

BUILTIN = ("arm", "manifest", "headers")  # the files of the deploy step's {rendered}
KINDS = ("arm", "cloudformation", "httproute", "manifest", "headers")


@dataclass(frozen=True)
class Rendered:
    """A rendered document and the notes about what was left out of it."""

    kind: str  # one of KINDS, or template
    text: str
    notes: tuple[str, ...] = ()


def render(
    what: str,
    model: RenderModel,
    *,
    env: str | None,
    spec_source: SpecSource,
    service: str | None = None,
    template: Path | None = None,
) -> Rendered:
    """Render `what` (one of KINDS, or the template file `template`) from `model`."""
    if what == "arm":
        from relorch.render.arm import render_arm

        if env is None:
            raise UsageError("render arm needs --env", hint="relorch render arm --env production")
        arm = render_arm(model, env, spec_source, service=service)
        return Rendered("arm", arm.text, arm.notes)
    if what in {"cloudformation", "httproute"}:
        if env is None:
            raise UsageError(
                f"render {what} needs --env", hint=f"relorch render {what} --env production"
            )
        if what == "cloudformation":
            from relorch.render.cloudformation import render_cloudformation

            template_ = render_cloudformation(model, env, spec_source)
            return Rendered(what, template_.text, template_.notes)
        from relorch.render.httproute import render_httproute

        routes = render_httproute(model, env)
        return Rendered(what, routes.text, routes.notes)
    if what == "manifest":
        from relorch.render.manifest import render_manifest

        return Rendered("manifest", render_manifest(model, env))
    if what == "headers":
        from relorch.render.headers import render_headers

        return Rendered("headers", render_headers(model))
    from relorch.render.manifest import manifest_data
    from relorch.render.usertemplate import read_template, render_template

    path = template if template is not None else Path(what)
    source = read_template(path, what)
    try:
        text = render_template(source, what, manifest_data(model, env))
    except UsageError as exc:
        if env is None and ("element None" in exc.message or "attribute None" in exc.message):
            # The template looks something up by `env`, which is null without --env.
            raise UsageError(
                f"{what} needs --env: it reads the environment, which is null without it "
                f"({exc.message})",
                hint=f"relorch render {what} --env ENV (environments: "
                + (", ".join(model.environments) or "none configured")
                + ")",
            ) from None
        raise
    return Rendered("template", text)


def render_for_deploy(
    git: Git,
    config: Config,
    *,
    after: Record,
    dest: Path,
    now: datetime,
) -> list[str]:
    """Write manifest.json, headers.json, (when APIM is configured) arm.json and (when an API
    has [aws] / [kubernetes]) cloudformation.json / httproute.yaml into `dest`, as they will be
    once the ledger holds `after` (the `succeeded` record this deploy, preview or withdrawal
    will write): the deploy step's {rendered} directory."""
    from relorch.errors import RelorchError
    from relorch.ledger.store import read_state
    from relorch.model.repository import histories
    from relorch.render.context import build_model
    from relorch.render.files import write_atomically

    state = read_state(git, config, fetch=False).apply([after])
    current = {key: live.revision for key, live in state.live.items()}
    model = build_model(config, histories(git, config), current, now, state=state)
    notes = []
    for kind, name in _gateway_files(config):
        try:
            rendered = render(kind, model, env=after.env, spec_source=git.show_file)
        except RelorchError as exc:
            notes.append(f"{name} not rendered: {exc.message}")
            continue
        write_atomically(dest / name, rendered.text)
    for kind in BUILTIN:
        try:
            rendered = render(kind, model, env=after.env, spec_source=git.show_file)
        except RelorchError as exc:  # e.g. no APIM service configured: the ARM file is skipped
            notes.append(f"{kind}.json not rendered: {exc.message}")
            continue
        write_atomically(dest / f"{kind}.json", rendered.text)
    return notes


def _gateway_files(config: Config) -> list[tuple[str, str]]:
    """(kind, file name) of the gateway kinds some API is configured for."""
    out = []
    if any(api.aws is not None for api in config.apis.values()):
        out.append(("cloudformation", "cloudformation.json"))
    if any(api.kubernetes is not None for api in config.apis.values()):
        out.append(("httproute", "httproute.yaml"))
    return out
