"""Microsoft Teams Workflows webhooks: an Adaptive Card in a `message` envelope."""

from __future__ import annotations

import re

from relorch.channels.slack import clip

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
# Teams renders Adaptive Cards up to schema 1.5; 1.4 is what every Teams client supports.
CARD_VERSION = "1.4"
_WHOLE_LINE_CODE = re.compile(r"^`([^`]+)`$")


def payload(text: str, run_url: str | None) -> dict[str, object]:
    """The Workflows envelope around a card with one TextBlock per line of `text` (markdown)."""
    body: list[dict[str, object]] = []
    paragraphs = [p for p in text.split("\n\n") if p.strip()] or [" "]
    for number, paragraph in enumerate(paragraphs):
        for index, line in enumerate(paragraph.split("\n")):
            block: dict[str, object] = {"type": "TextBlock", "text": clip(line, 2000), "wrap": True}
            command = _WHOLE_LINE_CODE.match(line)
            if command:  # a command to copy: monospace, without the markdown backticks
                block.update(text=command.group(1), fontType="Monospace")
            if number == 0 and index == 0:
                block.update(size="Medium", weight="Bolder")
            elif index == 0:
                block["spacing"] = "Medium"
            else:
                block["spacing"] = "None"
            body.append(block)
    card: dict[str, object] = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if run_url and run_url.lower().startswith("https://"):  # a button only to an https page
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open the run", "url": run_url}]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }
