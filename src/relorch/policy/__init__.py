"""The support policy: support states and dates, and the lifecycle notices.

Owns `support` (current / deprecated / retired per major, sunset dates) and `notify` (which
deprecation notices and reminders are due). May import: errors, durations, config, model,
ledger, channels (its events only).
"""
