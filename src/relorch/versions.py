"""The version model: REF grammar, tag and branch name templates, tag <-> (api, major, revision)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from relorch.errors import UsageError

DEFAULT_TAG_FORMAT = "v{major}-rev{revision}"
SEMVER_TAG_FORMAT = "v{major}.{revision}.0"
DEFAULT_BRANCH_FORMAT = "release/v{major}"
# `legacy_tags = "semver"`: the tags semver tooling (semantic-release, release-please, hand-made
# `git tag v1.2.3`) leaves behind; pre-releases (`v1.2.3-rc.1`) are not releases and never count.
SEMVER_LEGACY_TAGS = ("v{major}.{minor}.{patch}", "{major}.{minor}.{patch}", "v{major}.{minor}")
LEGACY_PLACEHOLDERS = ("api", "major", "minor", "patch")
MULTI_BRANCH_FORMAT = "release/{api}/v{major}"
API_NAME = re.compile(r"[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?")
WHICH_WORDS = ("latest", "current", "previous")
REF_GRAMMAR = (
    'REF := [API "/"] MAJOR ["@" WHICH] | TAGNAME;  '
    'MAJOR := "v" DIGITS (no v0, no leading zeros);  '
    'WHICH := "rev" DIGITS | latest | current | previous'
)
_NUMBER = r"[1-9][0-9]{0,8}"
MAX_NUMBER = 999_999_999  # the largest major or revision _NUMBER reads: release never makes more
_REF = re.compile(
    rf"(?:(?P<api>{API_NAME.pattern})/)?v(?P<major>{_NUMBER})"
    rf"(?:@(?:rev(?P<rev>{_NUMBER})|(?P<word>latest|current|previous)))?"
)
_BAD_REF_PARTS = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|/\.|\.lock(?:/|$)")


def is_valid_refname(name: str) -> bool:
    """The rules of `git check-ref-format` for a name below refs/, checked without a process."""
    if not name or len(name) > 1024 or name in {"@"} or name.startswith(("/", "-", ".")):
        return False
    if name.endswith(("/", ".")) or _BAD_REF_PARTS.search(name):
        return False
    return all(part and not part.startswith(".") for part in name.split("/"))


@dataclass(frozen=True)
class Ref:
    """A parsed release reference; `which` is None when the user wrote a bare major."""

    major: int
    api: str | None = None
    which: str | None = None  # None | "rev" | "latest" | "current" | "previous" | "tag"
    revision: int | None = None
    tag: str | None = None  # set when the user wrote a full tag name

    @property
    def needs_env(self) -> bool:
        """`@current` and `@previous` only mean something for one environment."""
        return self.which in {"current", "previous"}

    def __str__(self) -> str:
        if self.tag is not None:
            return self.tag
        text = (f"{self.api}/" if self.api else "") + f"v{self.major}"
        if self.which == "rev":
            text += f"@rev{self.revision}"
        elif self.which is not None:
            text += f"@{self.which}"
        return text


@dataclass(frozen=True)
class TagScheme:
    """How one API names its revision tags and release branches."""

    api: str
    tag_format: str
    branch_format: str
    legacy: tuple[str, ...] = ()  # templates of the tags from before relorch (`legacy_tags`)

    @cached_property
    def tag_regex(self) -> re.Pattern[str]:
        """Matches this API's revision tags, with groups `major` and `revision`."""
        return _template_regex(self.tag_format, self.api)

    @cached_property
    def _legacy_res(self) -> tuple[re.Pattern[str], ...]:
        return tuple(_template_regex(t, self.api, zero=True) for t in self.legacy)

    def parse_legacy(self, name: str) -> tuple[int, int, int] | None:
        """(major, minor, patch) of a legacy tag (missing parts are 0), None for any other."""
        for regex in self._legacy_res:
            match = regex.fullmatch(name)
            if match is not None:
                found = match.groupdict()
                return (
                    int(found["major"]),
                    int(found.get("minor") or 0),
                    int(found.get("patch") or 0),
                )
        return None

    def next_tag(self, major: int, revision: int, existing: Iterable[str]) -> str | None:
        """The tag of revision `revision` of `major` (or a higher number): never a name that
        exists, never a version equal to or below an existing legacy one (`semver` after
        `v1.7.0` is `v1.8.0`); None when this tag_format cannot order after them."""
        names = set(existing)
        versions = [v for name in names if (v := self.parse_legacy(name)) and v[0] == major]
        highest = max(versions, default=None)
        for number in range(revision, revision + (max(highest) + 2 if highest else 2)):
            tag = self.tag(major, number)
            version = self.parse_legacy(tag)
            if tag not in names and (version is None or highest is None or version > highest):
                return tag
        return None

    def globs(self, major: int | None = None) -> list[str]:
        """fnmatch patterns of this API's revision tags and legacy tags (of one major)."""
        number = "*" if major is None else str(major)
        legacy = [
            t.replace("{api}", self.api)
            .replace("{major}", number)
            .replace("{minor}", "*")
            .replace("{patch}", "*")
            for t in self.legacy
        ]
        return [self.tag_glob(major), *legacy]

    @cached_property
    def _branch_re(self) -> re.Pattern[str]:
        return _template_regex(self.branch_format, self.api)

    def tag(self, major: int, revision: int) -> str:
        """The tag name of a revision."""
        return self.tag_format.format(api=self.api, major=major, revision=revision)

    def branch(self, major: int) -> str:
        """The maintenance branch of a past major."""
        return self.branch_format.format(api=self.api, major=major)

    def parse_tag(self, name: str) -> tuple[int, int] | None:
        """(major, revision) of a revision tag of this API, None for any other tag."""
        match = self.tag_regex.fullmatch(name)
        if match is None:
            return None
        return int(match.group("major")), int(match.group("revision"))

    def parse_branch(self, name: str) -> int | None:
        """The major a maintenance branch carries, None for any other branch."""
        match = self._branch_re.fullmatch(name)
        return int(match.group("major")) if match else None

    def tag_glob(self, major: int | None = None) -> str:
        """A fnmatch pattern (for for-each-ref / ls-remote) matching every tag of this API, or
        of one major."""
        return (
            self.tag_format.replace("{api}", self.api)
            .replace("{major}", "*" if major is None else str(major))
            .replace("{revision}", "*")
        )


def _template_regex(template: str, api: str, *, zero: bool = False) -> re.Pattern[str]:
    """`zero`: minor and patch may be 0 (legacy semver), a major and a revision never are."""
    out = []
    for piece in re.split(r"(\{api\}|\{major\}|\{revision\}|\{minor\}|\{patch\})", template):
        if piece == "{api}":
            out.append(re.escape(api))
        elif piece in ("{major}", "{revision}"):
            out.append(rf"(?P<{piece[1:-1]}>{_NUMBER})")
        elif piece in ("{minor}", "{patch}") and zero:
            out.append(rf"(?P<{piece[1:-1]}>0|{_NUMBER})")
        else:
            out.append(re.escape(piece))
    return re.compile("".join(out))


def check_legacy_template(template: str, *, what: str) -> str | None:
    """Why a `legacy_tags` template is unusable, or None when it is fine."""
    names = re.findall(r"\{([^{}]*)\}", template)
    for name in names:
        if name not in LEGACY_PLACEHOLDERS:
            return (
                f"{what} has an unknown placeholder {{{name}}} "
                "(known: {api}, {major}, {minor}, {patch})"
            )
    if names.count("major") != 1 or any(names.count(n) > 1 for n in names):
        return f"{what} must contain {{major}} exactly once (and each other placeholder once)"
    if re.search(r"\}\{|\}\d|\d\{", template.replace("{api}", "x")):
        return f"{what} needs a non-digit between numbers, or names are ambiguous"
    sample = template.format(api="api", major=12, minor=3, patch=4)
    if not is_valid_refname(sample):
        return f"{what} gives {sample!r}, which git does not accept as a ref name"
    return None


def check_template(template: str, *, needs: Iterable[str], what: str) -> str | None:
    """Why a tag/branch template is unusable, or None when it is fine."""
    names = re.findall(r"\{([^{}]*)\}", template)
    for name in names:
        if name not in {"api", "major", "revision"}:
            return f"{what} has an unknown placeholder {{{name}}}"
    for name in needs:
        if names.count(name) != 1:
            return f"{what} must contain {{{name}}} exactly once"
    if re.search(r"\{(major|revision)\}\d|\d\{(major|revision)\}|\{major\}\{revision\}", template):
        return f"{what} needs a non-digit between numbers, or names are ambiguous"
    sample = template.format(api="api", major=12, revision=34)
    if not is_valid_refname(sample):
        return f"{what} gives {sample!r}, which git does not accept as a ref name"
    return None


def parse_ref(text: str, schemes: Mapping[str, TagScheme]) -> Ref:
    """Parse a REF (v2, v2@rev4, v2@current) or a full tag name of `schemes`; UsageError else."""
    if not isinstance(text, str):
        raise UsageError("REF must be text", hint=REF_GRAMMAR)
    match = _REF.fullmatch(text) if len(text) <= 200 else None
    if match:
        which = "rev" if match.group("rev") else match.group("word")
        return Ref(
            major=int(match.group("major")),
            api=match.group("api"),
            which=which,
            revision=int(match.group("rev")) if match.group("rev") else None,
        )
    for scheme in schemes.values():
        legacy = scheme.parse_legacy(text) if len(text) <= 200 else None
        if legacy is not None:  # its revision number is its rank in the major's history
            return Ref(major=legacy[0], api=scheme.api, which="tag", tag=text)
        parsed = scheme.parse_tag(text)
        if parsed is not None:
            return Ref(major=parsed[0], api=scheme.api, which="rev", revision=parsed[1], tag=text)
    raise UsageError(
        f"{_printable(text)} is not a release reference",
        hint=f"{REF_GRAMMAR}{_suggest(text, schemes)}",
    )


def _printable(text: str) -> str:
    shown = text if len(text) <= 60 else text[:57] + "..."
    return repr(shown)


def _suggest(text: str, schemes: Mapping[str, TagScheme]) -> str:
    import difflib  # only for a REF that does not parse

    digits = [int(d) for d in re.findall(r"[0-9]+", text)[:2] if d.isdigit() and len(d) < 9]
    candidates: list[str] = []
    if digits and digits[0] > 0:
        head = f"v{digits[0]}"
        candidates.append(head + (f"@rev{digits[1]}" if len(digits) > 1 and digits[1] > 0 else ""))
    low = text.lower().strip()
    for word in WHICH_WORDS:
        if difflib.SequenceMatcher(None, low.split("@")[-1], word).ratio() > 0.7 and digits:
            candidates.insert(0, f"v{digits[0]}@{word}")
    for scheme in list(schemes.values())[:1]:
        if len(digits) > 1 and digits[0] > 0 and digits[1] > 0:
            candidates.append(scheme.tag(digits[0], digits[1]))
    best = difflib.get_close_matches(text, candidates, n=1, cutoff=0.0)
    return f"; did you mean {best[0]!r}?" if best else "; e.g. v2, v2@rev4, v2@current"
