"""Releasing revisions and majors.

Owns `situation` (what a release sees first: branch, HEAD, the remote's refs, the history
they tell), `plan` (the immutable plan `relorch release` applies), `publish` (applies it: tag and
atomic push, with retries), `notes` (release notes from commit subjects) and `forecast` (the
read-only "what would the next release be" of `relorch plan`). May import: errors, output,
versions, git, config, model, gate.
"""
