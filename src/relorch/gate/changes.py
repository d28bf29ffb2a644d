"""A change as reported: where, which rule, at which level, and in which file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from relorch.gate.rules import BREAKING, RULES


@dataclass(frozen=True, order=True, slots=True)  # slots: a big revision has 20,000+
class Change:
    """One change a client could notice; `location` says where ("GET /p response 200 body .id").

    `rule` is the stable rule id and `level` its default level (rules.py); `breaking` says
    whether the set of valid values moved against clients (what `oneOf` coverage uses), and
    `file` names the referenced file the change is in, when not the document itself.
    """

    location: str
    kind: str
    message: str
    breaking: bool
    rule: str = ""
    level: str = ""
    file: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON-ready data."""
        found = {"rule": self.rule, "level": self.level, "location": self.location}
        found |= {"message": self.message}
        return found | ({"file": self.file} if self.file else {})


def change(location: str, rule: str, message: str, *, kind: str = "", file: str = "") -> Change:
    """A change of a registered rule at its default level."""
    level = RULES[rule].level
    return Change(location, kind or rule, message, level == BREAKING, rule, level, file)
