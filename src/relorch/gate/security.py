"""Security requirements: whether a client that could call an operation before still can."""

from __future__ import annotations

from relorch.gate.changes import Change, change
from relorch.gate.model import Operation, Requirement


def _meets(held: Requirement, needed: Requirement) -> bool:
    """A client holding `held` (schemes with their scopes) satisfies `needed`."""
    return all(s in held and scopes <= held[s] for s, scopes in needed.items())


def _show(requirement: Requirement) -> str:
    if not requirement:
        return "no authentication"
    return " + ".join(
        f"{s} [{', '.join(sorted(scopes))}]" if scopes else s
        for s, scopes in sorted(requirement.items())
    )


def security_changes(title: str, old: Operation, new: Operation) -> list[Change]:
    """Requirements added (a client meeting a former alternative meets no new one) or relaxed.

    Requirements are alternatives: a client uses one of them. Each former alternative must
    still be enough for some new one, else clients using it are refused (breaking)."""
    where = f"{title} security" + (" (document-wide)" if new.security_from == "document" else "")
    before = old.security or [{}]  # no requirement: anonymous clients get in
    after = new.security or [{}]
    found: list[Change] = []
    for held in before:
        if any(_meets(held, needed) for needed in after):
            continue
        same_schemes = [n for n in after if n.keys() == held.keys()]
        if same_schemes:
            needed = same_schemes[0]
            extra = sorted(s for scheme, scopes in needed.items() for s in scopes - held[scheme])
            message = f"scopes now required: {', '.join(extra)} (was {_show(held)})"
            found.append(change(where, "security-scope-added", message))
        else:
            message = f"clients using {_show(held)} must now use " + " or ".join(
                _show(n) for n in after
            )
            found.append(change(where, "security-requirement-added", message))
    for needed in before:
        if needed in after:
            continue
        # A former alternative dropped, yet every client still gets in (checked above): relaxed.
        if any(n.keys() == needed.keys() for n in after):
            message = f"fewer scopes needed than {_show(needed)}"
            if not found:
                found.append(change(where, "security-scope-removed", message))
        elif not found:
            message = f"{_show(needed)} no longer required"
            found.append(change(where, "security-requirement-removed", message))
    return found
