"""`relorch flags check`: what a valid file can still get wrong (owners, expiry, requires)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from relorch.config import Config
from relorch.flags.model import NEVER, FlagFile
from relorch.model.history import ApiHistory


@dataclass(frozen=True)
class Finding:
    """One problem of one flag; errors fail the check, warnings do too with --strict."""

    level: str  # "error" | "warning"
    api: str
    flag: str
    message: str

    def to_json(self) -> dict[str, str]:
        """The finding for --json."""
        return {"level": self.level, "api": self.api, "flag": self.flag, "message": self.message}


def check_file(
    source: FlagFile,
    config: Config,
    histories: Mapping[str, ApiHistory],
    now: datetime,
    *,
    strict: bool = False,
) -> list[Finding]:
    """The findings of one API's flag file (already valid by its format)."""
    findings: list[Finding] = []
    owners = config.apis[source.api].flag_owners
    today = now.date()

    def add(level: str, flag: str, message: str) -> None:
        findings.append(Finding("error" if strict else level, source.api, flag, message))

    for flag in source.flags:
        if owners and flag.owner not in owners:
            add("error", flag.key, f"owner {flag.owner!r} is not one of {', '.join(owners)}")
        if flag.expires < today:
            add(
                "warning",
                flag.key,
                f"expired on {flag.expires.isoformat()}: its code should be gone; remove the "
                "flag (or extend expires with a reason in the commit)",
            )
        for env, release in sorted(flag.release_at.items()):
            if release.at is not None and release.at.date() > flag.expires:
                add("warning", flag.key, f"released in {env} after it expires")
        req = flag.requires
        if req is None:
            continue
        history = histories.get(req.api)
        major = history.major(req.major) if history is not None else None
        if major is None:
            findings.append(
                Finding(
                    "error",
                    source.api,
                    flag.key,
                    f"requires {req}: {req.api} has no revision of v{req.major}",
                )
            )
        elif req.revision is not None and req.revision > major.latest.revision:
            add(
                "warning",
                flag.key,
                f"requires {req}: not released yet (latest v{req.major}@rev"
                f"{major.latest.revision}); the flag stays off until it is live",
            )
        if all(r.kind == NEVER for r in flag.release_at.values()) and flag.release_at:
            add("warning", flag.key, "never released in any environment")
    return findings
