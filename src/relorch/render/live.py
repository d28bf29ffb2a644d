"""What a gateway renderer routes in one environment: live majors, kept revisions, previews."""

from __future__ import annotations

from dataclasses import dataclass

from relorch.model.history import RevisionInfo
from relorch.policy.support import CURRENT
from relorch.render.context import ApiModel, MajorModel, RenderModel, iso, kept_revisions
from relorch.render.headers import deprecation_headers


@dataclass(frozen=True)
class LiveMajor:
    """A supported major deployed to the environment, with what the gateway routes for it."""

    model: MajorModel
    current: RevisionInfo
    kept: tuple[RevisionInfo, ...]  # oldest first, the current one last
    previews: tuple[RevisionInfo, ...]  # lowest first, all above the current one
    headers: dict[str, str]  # Deprecation/Sunset/Link; empty for the current major

    @property
    def major(self) -> int:
        """The major number."""
        return self.model.major

    @property
    def deprecated(self) -> bool:
        """Whether the major is past its successor's first release (and not retired)."""
        return self.model.support.state != CURRENT


def live_majors(
    model: RenderModel, api: ApiModel, env: str, keep: int, notes: list[str]
) -> list[LiveMajor]:
    """The API's majors to render in `env`, oldest first; what is left out goes to `notes`.

    Retired majors and majors never deployed to `env` are left out (as `render arm` does).
    """
    guide = model.config.support.migration_guide
    out = []
    for major in api.majors:
        current = model.current_revision(api.name, env, major.major)
        if not major.support.supported:
            notes.append(f"{api.name} v{major.major} is retired ({major.support.reason}): left out")
            continue
        if current is None:
            notes.append(f"{api.name} v{major.major} was never deployed to {env}: left out")
            continue
        kept = kept_revisions(major.info, current, keep)
        previews = tuple(p.info for p in model.previews_of(api.name, env, major))
        headers = deprecation_headers(major.support, guide)
        out.append(LiveMajor(major, kept[-1], kept, previews, headers))
    return out


def deprecation_variables(live: LiveMajor, link: str | None) -> dict[str, str]:
    """The deprecation data as plain values: unix seconds, ISO sunset, the migration guide."""
    state = live.model.support
    if not live.deprecated:
        return {}
    out: dict[str, str] = {}
    if state.deprecated_at is not None:
        out["deprecation"] = str(int(state.deprecated_at.timestamp()))
    sunset = iso(state.effective_sunset)
    if sunset is not None:
        out["sunset"] = sunset
    if link:
        out["link"] = link
    return out
