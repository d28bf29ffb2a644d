"""Announcement channels (Slack, Teams, webhook, console, file): events, messages, delivery.

Owns `events` (what is announced), `messages` (the text and cards), `model` and `resolve`
(configured channels), `delivery` (the only module that speaks HTTP) and `announcer`.
Import the submodules directly: this package imports nothing, so that reading an event type
never loads the HTTP stack. May import: errors, masking, output, config.
"""
