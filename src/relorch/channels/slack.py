"""Slack incoming webhooks: the message as `text` plus Block Kit section `blocks`."""

from __future__ import annotations

# Block Kit limits (api.slack.com/reference/block-kit/blocks): a section's text holds at
# most 3000 characters and a message at most 50 blocks.
SECTION_LIMIT = 3000
BLOCK_LIMIT = 50
TEXT_LIMIT = 40000


def payload(text: str) -> dict[str, object]:
    """One section block per paragraph of `text` (Slack mrkdwn), `text` as the fallback."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()] or [" "]
    if len(paragraphs) > BLOCK_LIMIT:
        paragraphs = [*paragraphs[: BLOCK_LIMIT - 1], "\n\n".join(paragraphs[BLOCK_LIMIT - 1 :])]
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(p, SECTION_LIMIT)}}
        for p in paragraphs
    ]
    return {
        "text": clip(text, TEXT_LIMIT),
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
