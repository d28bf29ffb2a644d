"""The resolved configuration: frozen objects for APIs, support policy, channels, environments."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from relorch.durations import Duration
from relorch.errors import ConfigError
from relorch.versions import (
    API_NAME,
    DEFAULT_BRANCH_FORMAT,
    DEFAULT_TAG_FORMAT,
    MULTI_BRANCH_FORMAT,
    SEMVER_TAG_FORMAT,
    TagScheme,
    check_template,
)

CHANNEL_KINDS = ("slack", "teams", "webhook", "console", "file")
# promote_from = "preview": only a revision that succeeded as a preview in the same environment.
PROMOTE_FROM_PREVIEW = "preview"
# What a deploy argv may name; anything else is a config error when the config loads.
DEPLOY_PLACEHOLDERS = (
    "api",
    "major",
    "revision",
    "tag",
    "sha",
    "env",
    "workdir",
    "rendered",
    "mode",
)
SCHEMES = ("Segment", "Header", "Query")


@dataclass(frozen=True)
class ApimConfig:
    """[apis.<name>.apim]: how the API appears in Azure API Management."""

    service: str | None = None
    display_name: str | None = None
    description: str | None = None
    path: str | None = None
    versioning_scheme: str = "Segment"
    version_header: str = "X-Version"
    version_query: str = "api-version"
    service_url: str | None = None
    gateway_url: str | None = None
    protocols: tuple[str, ...] = ("https",)
    subscription_required: bool = True
    keep_revisions: int = 2


@dataclass(frozen=True)
class AwsConfig:
    """[apis.<name>.aws]: the API as an AWS API Gateway REST API (render cloudformation)."""

    rest_api_name: str | None = None  # the RestApi's name prefix; default the API's name
    rest_api_id: str | None = None  # an API defined elsewhere ({major} filled in)
    domain_name: str | None = None
    domain_arn: str | None = None  # a domain given by ARN: BasePathMappingV2
    certificate_arn: str | None = None  # set: the template manages the domain itself
    endpoint_type: str = "REGIONAL"
    base_path: str = "v{major}"
    stage: str = "v{major}"
    preview_stage: str = "v{major}-rev{revision}"
    preview_header: str = "Api-Revision"
    canary_percent: float = 0.0
    routing_priority: int = 1
    keep_revisions: int | None = None  # default: [apis.X.apim] keep_revisions


@dataclass(frozen=True)
class KubernetesConfig:
    """[apis.<name>.kubernetes]: the API behind a Kubernetes Gateway (render httproute)."""

    gateway: str
    port: int
    gateway_namespace: str | None = None
    section_name: str | None = None
    namespace: str | None = None
    hostnames: tuple[str, ...] = ()
    backend: str = "{api}-v{major}-rev{revision}"
    name: str = "{api}-v{major}"
    path: str = "/v{major}"
    revision_header: str = "Api-Revision"
    canary_percent: int = 0


@dataclass(frozen=True)
class ApiConfig:
    """[apis.<name>]: one API product of the repository."""

    name: str
    tag_format: str
    branch_format: str
    paths: tuple[str, ...] = (".",)
    spec: str | None = None
    checks: tuple[tuple[str, ...], ...] = ()
    apim: ApimConfig = field(default_factory=ApimConfig)
    aws: AwsConfig | None = None
    kubernetes: KubernetesConfig | None = None
    legacy_tags: tuple[str, ...] = ()  # templates of pre-relorch tags counted as revisions
    flags: str | None = None  # flag file; None: flags/<api>.yaml (or .json) when present
    flag_owners: tuple[str, ...] = ()  # when set, the only owners a flag may name

    @property
    def scheme(self) -> TagScheme:
        """Tag and branch naming of this API."""
        return TagScheme(self.name, self.tag_format, self.branch_format, self.legacy_tags)


@dataclass(frozen=True)
class SupportConfig:
    """[support]: the deprecation policy."""

    previous_majors: int = 1
    deprecation_period: Duration = Duration(months=6)
    reminder_before: Duration = Duration(seconds=4 * 7 * 86400)
    migration_guide: str | None = None
    # The environment whose first deploy of a major releases it to consumers.
    live_env: str = "production"


GATE_LEVELS = ("breaking", "potentially-breaking", "compatible")


@dataclass(frozen=True)
class GateConfig:
    """[gate]: the level that stops a release, per-rule levels, the reviewed-exceptions file."""

    fail_on: str = "breaking"
    rules: tuple[tuple[str, str], ...] = ()  # (rule id, level); ids are checked by the gate
    ignore_file: str = ".relorch-gate-ignore.toml"
    source: str = "config"  # the config file, for errors naming a rule id


@dataclass(frozen=True)
class ChannelConfig:
    """[channels.<name>]: where announcements go; URLs and secrets only via env variables."""

    name: str
    kind: str
    url_env: str | None = None
    secret_env: str | None = None
    path: str | None = None
    template: str | None = None


@dataclass(frozen=True)
class EnvironmentConfig:
    """[environments.<name>]: a deploy target."""

    name: str
    deploy: tuple[str, ...] | None = None
    promote_from: str | None = None
    announce: tuple[str, ...] = ()
    announce_previews: bool = True
    notice: Duration = Duration()
    announce_failure: str = "block"
    lock_timeout: Duration = Duration(seconds=2 * 3600)
    timeout: Duration = Duration(seconds=30 * 60)
    apim: dict[str, Any] = field(default_factory=dict)
    checkout: tuple[str, ...] = ()  # the paths the deploy step needs; empty = the whole tree
    aws: dict[str, Any] = field(default_factory=dict)
    kubernetes: dict[str, Any] = field(default_factory=dict)
    flags: tuple[str, ...] | None = None  # argv publishing the rendered flag file


@dataclass(frozen=True)
class Config:
    """The whole resolved configuration of one repository."""

    root: Path
    source: Path | None
    apis: dict[str, ApiConfig]
    main_branch: str | None = None  # None: the remote's HEAD branch, else "main"
    remote: str = "origin"
    ledger_ref: str = "refs/relorch/ledger"
    support: SupportConfig = SupportConfig()
    channels: dict[str, ChannelConfig] = field(default_factory=dict)
    environments: dict[str, EnvironmentConfig] = field(default_factory=dict)
    # The commit whose config governs deploys (the main branch as the remote has it), and
    # whether the working tree's file was used instead (--config-from-worktree, recorded).
    commit: str | None = None
    from_worktree: bool = False

    def policy(self) -> dict[str, object]:
        """What governs a deploy: environments (steps, promotion, announcements, notice),
        channels, support policy and where the ledger lives."""
        return {
            **{f"environments.{k}": v for k, v in self.environments.items()},
            **{f"channels.{k}": v for k, v in self.channels.items()},
            "support": self.support,
            "ledger_ref": self.ledger_ref,
            "remote": self.remote,
        }

    gate: GateConfig = GateConfig()

    @property
    def ledger_state_ref(self) -> str:
        """Where each ledger append also puts its state alone (a commit of `state.json` whose
        parent is the ledger commit): a fresh clone reads the state without the records."""
        return self.ledger_ref + "-state"

    def api(self, name: str | None) -> ApiConfig:
        """The named API, or the only one when `name` is None."""
        if name is None:
            if len(self.apis) == 1:
                return next(iter(self.apis.values()))
            raise ConfigError(
                "this repository has several APIs: " + ", ".join(self.apis),
                hint="name one with --api NAME or in the REF (products/v2)",
            )
        if name not in self.apis:
            raise ConfigError(f"no API named {name!r}", hint="APIs: " + ", ".join(self.apis))
        return self.apis[name]

    def environment(self, name: str) -> EnvironmentConfig:
        """The named environment; unknown names are usage errors."""
        if name not in self.environments:
            known = ", ".join(self.environments) or "none configured"
            raise ConfigError(f"no environment named {name!r}", hint=f"environments: {known}")
        return self.environments[name]

    def live_environment(self) -> str | None:
        """[support] live_env when it is a configured environment; None: majors are released
        when tagged (a repository that deploys nowhere has only its tags to go by)."""
        live = self.support.live_env
        return live if live in self.environments else None

    def apim_for(self, api: ApiConfig, env: str | None) -> ApimConfig:
        """The API's APIM settings with the environment's overrides applied."""
        if env is None or env not in self.environments:
            return api.apim
        return replace(api.apim, **self.environments[env].apim)

    def aws_for(self, api: ApiConfig, env: str) -> AwsConfig | None:
        """The API's AWS settings with `env`'s overrides; None when the API has none."""
        if api.aws is None:
            return None
        overrides = self.environments[env].aws if env in self.environments else {}
        return replace(api.aws, **overrides)

    def kubernetes_for(self, api: ApiConfig, env: str) -> KubernetesConfig | None:
        """The API's Kubernetes settings with `env`'s overrides; None when the API has none."""
        if api.kubernetes is None:
            return None
        overrides = self.environments[env].kubernetes if env in self.environments else {}
        return replace(api.kubernetes, **overrides)


APIM_KEYS = {f.name for f in fields(ApimConfig)}
__all__ = [
    "API_NAME",
    "CHANNEL_KINDS",
    "DEFAULT_BRANCH_FORMAT",
    "DEFAULT_TAG_FORMAT",
    "MULTI_BRANCH_FORMAT",
    "PROMOTE_FROM_PREVIEW",
    "SCHEMES",
    "SEMVER_TAG_FORMAT",
    "check_template",
]
