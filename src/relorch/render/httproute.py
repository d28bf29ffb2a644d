"""`render httproute`: Kubernetes Gateway API HTTPRoutes per major, previews by header, canaries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from relorch.config import KubernetesConfig
from relorch.config.gateways import fill
from relorch.errors import ConfigError
from relorch.model.history import RevisionInfo
from relorch.render.context import ApiModel, RenderModel
from relorch.render.live import LiveMajor, live_majors

API_VERSION = "gateway.networking.k8s.io/v1"
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


@dataclass(frozen=True)
class HttpRoutes:
    """The rendered YAML stream and what was left out of it, and why."""

    text: str
    notes: tuple[str, ...]


def render_httproute(model: RenderModel, env: str) -> HttpRoutes:
    """One HTTPRoute per API and live major of `env`, as a YAML stream (sorted keys)."""
    model.config.environment(env)
    notes: list[str] = []
    routes: list[dict[str, Any]] = []
    configured = 0
    names: dict[tuple[str | None, str], str] = {}
    for api in model.apis:
        kube = model.config.kubernetes_for(api.config, env)
        if kube is None:
            notes.append(f"{api.name} has no [apis.{api.name}.kubernetes]: left out")
            continue
        configured += 1
        keep = model.apim(api.config, env).keep_revisions
        for live in live_majors(model, api, env, keep, notes):
            route = _route(api, kube, live, env, notes)
            key = (kube.namespace, route["metadata"]["name"])
            if key in names:
                raise ConfigError(
                    f"{api.name} and {names[key]} would both write HTTPRoute {key[1]}",
                    hint='give the APIs distinct [apis.NAME.kubernetes] name = "{api}-v{major}"',
                )
            names[key] = api.name
            routes.append(route)
    if not configured:
        raise ConfigError(
            "no API is configured for the Kubernetes Gateway API",
            hint="add [apis.NAME.kubernetes] with gateway and port (see docs/gateways.md)",
        )
    head = f"# relorch render httproute --env {env}\n"
    if not routes:
        notes.append(f"nothing is deployed to {env}: no HTTPRoute")
        return HttpRoutes(head, tuple(notes))
    body = yaml.safe_dump_all(
        routes, explicit_start=True, sort_keys=True, default_flow_style=False, width=1000
    )
    return HttpRoutes(head + body, tuple(notes))


def _route(
    api: ApiModel, kube: KubernetesConfig, live: LiveMajor, env: str, notes: list[str]
) -> dict[str, Any]:
    n = live.major
    path = fill(kube.path, api=api.name, major=n)
    filters = _filters(live)
    canary = kube.canary_percent > 0 and bool(live.previews)
    rules = []
    for rev in live.previews:
        rule: dict[str, Any] = {
            "backendRefs": [_backend(api.name, kube, rev)],
            "matches": [
                {
                    "headers": [
                        {"name": kube.revision_header, "type": "Exact", "value": str(rev.revision)}
                    ],
                    "path": {"type": "PathPrefix", "value": path},
                }
            ],
            "name": f"preview-rev{rev.revision}",
        }
        if filters:
            rule["filters"] = filters
        rules.append(rule)
    current = _backend(api.name, kube, live.current)
    backends = [current]
    if canary:
        newest = live.previews[-1]
        current["weight"] = 100 - kube.canary_percent
        backends.append({**_backend(api.name, kube, newest), "weight": kube.canary_percent})
    rule = {
        "backendRefs": backends,
        "matches": [{"path": {"type": "PathPrefix", "value": path}}],
        "name": "current",
    }
    if filters:
        rule["filters"] = filters
    rules.append(rule)
    if len(rules) > 16:
        notes.append(f"{api.name} v{n}: more than 15 previews; the lowest are left out")
        rules = rules[-16:]
    parent: dict[str, Any] = {
        "group": "gateway.networking.k8s.io",
        "kind": "Gateway",
        "name": kube.gateway,
    }
    if kube.gateway_namespace:
        parent["namespace"] = kube.gateway_namespace
    if kube.section_name:
        parent["sectionName"] = kube.section_name
    metadata: dict[str, Any] = {
        "annotations": {
            "relorch/current": live.current.tag,
            "relorch/environment": env,
            "relorch/state": live.model.support.state,
        },
        "labels": {"app.kubernetes.io/managed-by": "relorch", "app.kubernetes.io/name": api.name},
        "name": _name(fill(kube.name, api=api.name, major=n), "route name"),
    }
    if live.previews:
        metadata["annotations"]["relorch/previews"] = " ".join(r.tag for r in live.previews)
    if kube.namespace:
        metadata["namespace"] = kube.namespace
    spec: dict[str, Any] = {"parentRefs": [parent], "rules": rules}
    if kube.hostnames:
        spec["hostnames"] = list(kube.hostnames)
    return {"apiVersion": API_VERSION, "kind": "HTTPRoute", "metadata": metadata, "spec": spec}


def _backend(api: str, kube: KubernetesConfig, rev: RevisionInfo) -> dict[str, Any]:
    name = fill(kube.backend, api=api, major=rev.major, revision=rev.revision)
    return {"kind": "Service", "name": _name(name, "backend"), "port": kube.port}


def _filters(live: LiveMajor) -> list[dict[str, Any]]:
    if not live.deprecated or not live.headers:
        return []
    headers = [{"name": k, "value": v} for k, v in sorted(live.headers.items())]
    return [{"responseHeaderModifier": {"set": headers}, "type": "ResponseHeaderModifier"}]


def _name(name: str, what: str) -> str:
    if not _DNS_LABEL.fullmatch(name):
        raise ConfigError(
            f"{what} {name!r} is not a Kubernetes name (at most 63 lowercase letters, digits, -)",
            hint="shorten the name or backend template in [apis.NAME.kubernetes]",
        )
    return name
