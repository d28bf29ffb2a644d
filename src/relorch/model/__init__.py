"""What the repository's tags say: each API's release history and the repository facts.

Owns `history` (majors, revisions and release lines read from revision and legacy tags),
`repository` (main branch, syncing tags with the remote, the ref to trust for a release line)
and `committed` (the config committed on the main branch, which governs deploys).
May import: errors, versions, git, config.
"""
