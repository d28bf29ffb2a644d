"""The one gateway to git: every git call, plain values out (the git binary, each call reaped).

Owns `gateway` (running git, refs, tags, pushes), `process` (one git process, its group and
deadline), `objects` (blobs, trees and commits read and written without a checkout), `refs`
(compare-and-swap refs, local and remote: the ledger's), `worktrees` (a deploy's locked
worktree, and the sweep of those left by dead deploys) and `tagcache` (parsed tags by tag
object id). May import: errors, masking. Nothing else of relorch.
"""
