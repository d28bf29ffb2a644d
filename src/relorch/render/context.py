"""The model every renderer shares: histories, support states and what is current where."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import cast

from relorch.config import ApiConfig, ApimConfig, Config
from relorch.errors import PreconditionError
from relorch.ledger.state import LedgerState, Preview, parse_time
from relorch.model.history import ApiHistory, MajorInfo, RevisionInfo
from relorch.policy.support import SupportState, release_moments, support_states

# (api, env, major) -> revision live there, as the deploy ledger says.
Current = Mapping[tuple[str, str, int], int]
# (api, env, major) -> the revisions in preview there, lowest first.
Previews = Mapping[tuple[str, str, int], tuple[Preview, ...]]
# (commit sha, path) -> the file's text at that commit, None when it is not there.
SpecSource = Callable[[str, str], str | None]


@dataclass(frozen=True)
class MajorModel:
    """One major with its support state."""

    info: MajorInfo
    support: SupportState

    @property
    def major(self) -> int:
        """The major number."""
        return self.info.major


@dataclass(frozen=True)
class ApiModel:
    """One API: its config and its majors, oldest first."""

    config: ApiConfig
    majors: tuple[MajorModel, ...]

    @property
    def name(self) -> str:
        """The API's name."""
        return self.config.name


@dataclass(frozen=True)
class PreviewModel:
    """A revision in preview in one environment: its tag and since when."""

    info: RevisionInfo
    since: datetime

    @property
    def revision(self) -> int:
        """The revision number (what `;rev=N` names)."""
        return self.info.revision


@dataclass(frozen=True)
class RenderModel:
    """Everything a renderer needs; built once, never changed."""

    config: Config
    apis: tuple[ApiModel, ...]
    current: Current
    now: datetime
    previews: Previews = field(default_factory=dict)

    @property
    def environments(self) -> tuple[str, ...]:
        """Configured environment names, sorted."""
        return tuple(sorted(self.config.environments))

    def apim(self, api: ApiConfig, env: str | None) -> ApimConfig:
        """The API's APIM settings with `env`'s overrides."""
        return self.config.apim_for(api, env)

    def current_revision(self, api: str, env: str, major: int) -> int | None:
        """The revision live in `env`, None when the major was never deployed there."""
        return self.current.get((api, env, major))

    def previews_of(self, api: str, env: str, major: MajorModel) -> tuple[PreviewModel, ...]:
        """The revisions of `major` in preview in `env` (above the current one), lowest first."""
        current = self.current_revision(api, env, major.major)
        out = []
        for preview in self.previews.get((api, env, major.major), ()):
            if current is not None and preview.revision <= current:
                continue  # made current (or passed) since: no longer a preview
            info = major.info.get(preview.revision)
            if info is None:
                raise PreconditionError(
                    f"{api} v{major.major}: the ledger says rev{preview.revision} is in preview "
                    f"in {env}, but there is no such revision tag here",
                    hint="fetch the tags (git fetch --tags) and run again",
                )
            out.append(PreviewModel(info, parse_time(preview.since)))
        return tuple(out)


def build_model(
    config: Config,
    histories: Mapping[str, ApiHistory],
    current: Current,
    now: datetime,
    *,
    state: LedgerState | None = None,
) -> RenderModel:
    """The render model of every configured API (APIs without a release have no majors).

    With the ledger's `state`, previews are known and the support policy follows what is live
    ([support] live_env); without it, majors are released when tagged and nothing is in preview.
    """
    apis = []
    for name in sorted(config.apis):
        api = config.apis[name]
        history = histories.get(name) or ApiHistory(api=api, majors=())
        released = None if state is None else release_moments(config, history, state)
        states = support_states(history, config.support, now, released)
        majors = tuple(MajorModel(info, states[info.major]) for info in history.majors)
        apis.append(ApiModel(api, majors))
    return RenderModel(
        config=config,
        apis=tuple(apis),
        current=dict(current),
        now=now,
        previews=dict(state.previews) if state is not None else {},
    )


def kept_revisions(info: MajorInfo, current: int, keep: int) -> tuple[RevisionInfo, ...]:
    """The current revision and the ones before it that the gateway keeps, oldest first.

    `keep` counts the current one and is never below 2 (current plus one back). Revisions
    above the current one have not been deployed in that environment and are not kept.
    """
    if info.get(current) is None:
        raise PreconditionError(
            f"{info.api} v{info.major}: the ledger says rev{current} is current, "
            "but there is no such revision tag here",
            hint="fetch the tags (git fetch --tags) and run again",
        )
    upto = [rev for rev in info.revisions if rev.revision <= current]
    return tuple(upto[-max(keep, 2) :])


def api_path(api: ApiConfig, apim: ApimConfig) -> str:
    """The API's URL path in the gateway: apim.path, else the API's name."""
    return (apim.path if apim.path is not None else api.name).strip("/")


def service_url(apim: ApimConfig, major: int) -> str | None:
    """The backend URL of a major ({major} filled in), None when not configured."""
    return apim.service_url.replace("{major}", str(major)) if apim.service_url else None


@dataclass(frozen=True)
class PublicUrl:
    """How a client reaches a major (or one revision of it) through the gateway."""

    url: str
    headers: dict[str, str]


def gateway_url(apim: ApimConfig) -> str | None:
    """apim.gateway_url; else the APIM service's default gateway; None without either."""
    if apim.gateway_url:
        return apim.gateway_url.rstrip("/")
    if apim.service:
        return f"https://{apim.service}.azure-api.net"
    return None


def public_url(
    api: ApiConfig, apim: ApimConfig, major: int, revision: int | None = None
) -> PublicUrl | None:
    """The gateway URL per versioning scheme; None without a gateway (see `gateway_url`).

    Segment: {gateway}/{path}/v{N}[;rev={R}]; Header: {gateway}/{path}[;rev={R}] plus the
    version header; Query: {gateway}/{path}[;rev={R}]?{query}=v{N}.
    """
    base = gateway_url(apim)
    if base is None:
        return None
    path = api_path(api, apim)
    root = base + (f"/{path}" if path else "")
    rev = f";rev={revision}" if revision is not None else ""
    version = f"v{major}"
    if apim.versioning_scheme == "Header":
        return PublicUrl(root + rev, {apim.version_header: version})
    if apim.versioning_scheme == "Query":
        return PublicUrl(f"{root}{rev}?{apim.version_query}={version}", {})
    return PublicUrl(f"{root}/{version}{rev}", {})


def iso(when: datetime | None) -> str | None:
    """A date as the JSON outputs write it: UTC, ISO 8601, seconds, `Z`."""
    if when is None:
        return None
    if when.tzinfo is not None and when.tzinfo is not UTC:
        when = when.astimezone(UTC)
    if when.year < 1000:  # strftime's %Y is not zero-padded there, isoformat's is
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    # the same text as that strftime in two thirds of the time (a manifest has one per tag)
    return when.isoformat(timespec="seconds")[:19] + "Z"


def isos(dates: Sequence[datetime | None]) -> list[str | None]:
    """iso() of each date; formatted in C when every one is in UTC (a tag's date always is,
    from the tag cache) or naive, from the year 1000: half the time of iso() one by one."""
    try:
        zones = set(map(attrgetter("tzinfo"), dates))
        earliest = min(map(attrgetter("year"), dates), default=1000)
    except AttributeError:  # a date is None
        return [iso(when) for when in dates]
    if not zones <= {UTC, None} or earliest < 1000:
        return [iso(when) for when in dates]
    return [text[:19] + "Z" for text in map(datetime.isoformat, cast("list[datetime]", dates))]
