"""Secret masking: URL credentials (relorch.masking)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relorch.masking import _mask_url_credentials as mask_url_credentials

# The URL-credential part alone: registered secrets are process-wide, and other tests in the
# same worker register values these texts contain.

# The definition: the leftmost-longest matches of this pattern, each with its user part masked.
_DEFINITION = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")


def test_mask_hides_url_credentials_and_keeps_the_scheme() -> None:
    text = "clone git+ssh://deploy:hunter2@example.com/x, see 1https://a@b and https://c/d"
    assert (
        mask_url_credentials(text)
        == "clone git+ssh://***@example.com/x, see 1https://***@b and https://c/d"
    )


@given(st.text(alphabet="aZ1+.-:/@ \né", max_size=40))
def test_mask_url_credentials_matches_the_pattern_definition(text: str) -> None:
    assert mask_url_credentials(text) == _DEFINITION.sub(lambda m: m.group("scheme") + "***@", text)


def test_secret_named_variables_are_masked_at_any_length_but_switches_are_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from relorch.masking import mask

    monkeypatch.setenv("DEPLOY_API_KEY", "k9")
    monkeypatch.setenv("SKIP_PASSWORD_CHECK", "1")
    monkeypatch.setenv("WEBHOOK_ENABLED", "true")
    assert mask("key k9, 1 change, true; k9x stays") == "key ***, 1 change, true; k9x stays"
