"""Deploying, previewing, rolling back and holding revisions.

Owns `targets` (which revision a REF means, and whether it may deploy), `plan` (the immutable
deploy plan), `guard` (the ledger's rules a plan must meet, checked again under the lock, and
the records that take the lock), `promotion` (promote_from and the preview rules), `executor`
(announce, notice window, holds, lock, step, ledger), `steps` (running an argv step in a
worktree with a timeout), `rollback` (and withdrawing a preview), `holds`, and
`flagplan`/`flagpublish` (`relorch flags publish` through the same runner and lock). May import
everything below it: errors, output, masking, durations, ci, versions, git, config, model,
ledger, channels, policy, render, flags.
"""
