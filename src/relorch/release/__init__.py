"""Releasing revisions and majors.

Owns `plan` (the immutable plan `relorch release` applies), `publish` (applies it: tag and
atomic push, with retries), `notes` (release notes from commit subjects) and `forecast` (the
read-only "what would the next release be" of `relorch plan`). May import: errors, output,
versions, git, config, model, gate.
"""
