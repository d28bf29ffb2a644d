"""What the repository's tags say: each API's release history and the repository facts.

Owns `history` (majors, revisions and release lines read from revision tags) and `repository`
(main branch, syncing tags with the remote, the ref to trust for a release line).
May import: errors, versions, git, config.
"""
