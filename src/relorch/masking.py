"""Secret masking: credentials in URLs and registered secret values never reach any output."""

from __future__ import annotations

import os
import re
import string
from functools import lru_cache
from urllib.parse import unquote, urlsplit

MASK = "***"
# user:password@ after a URL scheme. Searched from the literal "://" (a fast scan) and the
# scheme found backwards from it: a pattern starting with the scheme is tried at every letter
# of the text, which costs 0.2 s on a 12 MB `diff --json` report.
_URL_CREDENTIALS = re.compile(r"://[^/@\s]+@")
_SCHEME_CHARS = frozenset(string.ascii_letters + string.digits + "+.-")
# Variables whose values are secrets whenever they are set, whatever the config says.
_SECRET_VARIABLES = re.compile(r"(TOKEN|SECRET|PASSWORD|WEBHOOK|CREDENTIAL|API_KEY)", re.I)
# Below this length a value is masked only where it stands alone (between characters that are
# not letters or digits): a short path token masked inside other words would mangle output.
_WHOLE_WORD_BELOW = 16
# Path segments of a secret URL that are plain words or API versions ("services", "hooks",
# "v1"): not credentials, and masking them would mangle every tag name.
_WORD_SEGMENT = re.compile(r"[a-z]{1,12}|v[0-9]{1,3}")
# Query values that are versions, dates or small numbers (`api-version=2016-06-01`, `sv=1.0`):
# parameters, not credentials; masking them would mangle every version number printed.
_PLAIN_VALUE = re.compile(r"[0-9][0-9.\-]{0,15}")
_registered: set[str] = set()


def register(value: str | None) -> None:
    """Remember a secret value (a signing key, a token) so it is masked everywhere, whatever
    its length (a short one where it stands alone)."""
    if value:
        _registered.add(value)
        _pattern.cache_clear()


def register_url(url: str) -> None:
    """Mask a secret URL: whole, without its scheme, its path and query, every query value,
    its last path segment and every other segment that is not a plain word, each also
    percent-decoded (servers and libraries echo any of them back, in either form)."""
    register(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return
    register(url.split("://", 1)[-1])
    tail = parts.path + ("?" + parts.query if parts.query else "")
    pieces = [tail, parts.query, parts.username, parts.password]
    segments = [s for s in parts.path.split("/") if s]
    pieces += [s for s in segments[:-1] if not _WORD_SEGMENT.fullmatch(s)] + segments[-1:]
    values = [pair.partition("=")[2] for pair in parts.query.split("&")]
    pieces += [v for v in values if not _PLAIN_VALUE.fullmatch(v)]
    for piece in pieces:
        if piece:
            register(piece)
            register(unquote(piece))


# Values of secret-named variables that are switches, not secrets (`SKIP_PASSWORD_CHECK=1`):
# masking them would hide every standalone "1" or "true" in the output.
_SWITCH_VALUES = frozenset({"0", "1", "true", "false", "yes", "no", "on", "off", "none"})


def _environment_secrets() -> frozenset[str]:
    return frozenset(
        v
        for k, v in os.environ.items()
        if _SECRET_VARIABLES.search(k) and v.strip() and v.lower() not in _SWITCH_VALUES
    )


@lru_cache(maxsize=8)
def _compiled(secrets: frozenset[str]) -> re.Pattern[str] | None:
    if not secrets:
        return None
    alternatives = []
    for secret in sorted(secrets, key=len, reverse=True):
        escaped = re.escape(secret)
        if len(secret) < _WHOLE_WORD_BELOW:
            escaped = rf"(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])"
        alternatives.append(escaped)
    return re.compile("|".join(alternatives))


@lru_cache(maxsize=1)
def _pattern() -> frozenset[str]:
    return frozenset(_registered)


def mask(text: str) -> str:
    """`text` with every known secret and every user:password@ part of a URL replaced by ***."""
    if not text:
        return text
    pattern = _compiled(_pattern() | _environment_secrets())
    if pattern is not None:
        text = pattern.sub(MASK, text)
    return _mask_url_credentials(text)


def _mask_url_credentials(text: str) -> str:
    """`scheme://***@` for every `scheme://user:password@` (the scheme: a letter, then
    letters, digits, `+`, `.` or `-`, as the leftmost match of such a pattern would take)."""
    if "://" not in text:
        return text
    pieces, done = [], 0
    for found in _URL_CREDENTIALS.finditer(text):
        colon = start = found.start()
        while start > done and text[start - 1] in _SCHEME_CHARS:
            start -= 1
        while start < colon and text[start] not in string.ascii_letters:
            start += 1
        if start < colon:
            pieces += [text[done:colon], "://", MASK, "@"]
            done = found.end()
    pieces.append(text[done:])
    return "".join(pieces)
