"""Secret masking: credentials in URLs and registered secret values never reach any output."""

from __future__ import annotations

import os
import re

MASK = "***"
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")
# Variables whose values are secrets whenever they are set, whatever the config says.
_SECRET_VARIABLES = re.compile(r"(TOKEN|SECRET|PASSWORD|WEBHOOK|CREDENTIAL|API_KEY)", re.I)
_registered: set[str] = set()


def register(value: str | None) -> None:
    """Remember a secret value (a webhook URL, a signing key) so it is masked everywhere."""
    if value and len(value) >= 6:
        _registered.add(value)


def _environment_secrets() -> set[str]:
    return {v for k, v in os.environ.items() if _SECRET_VARIABLES.search(k) and len(v) >= 6}


def mask(text: str) -> str:
    """`text` with every known secret and every user:password@ part of a URL replaced by ***."""
    if not text:
        return text
    for secret in sorted(_registered | _environment_secrets(), key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return _URL_CREDENTIALS.sub(lambda m: m.group("scheme") + MASK + "@", text)
