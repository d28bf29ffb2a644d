"""The one gateway to git: every git call, plain values out (the git binary, each call reaped).

Owns `gateway` (`Git`, the one class callers use: the repository and its commits), built from
`runner` (running git: environment, locale, deadline, errors), `tags` (local tags, annotated
tags written) and `remote` (ls-remote, fetch, push); `process` (one git process, its group and
deadline), `objects` (blobs, trees and commits read and written without a checkout), `refs`
(compare-and-swap refs, local and remote: the ledger's), `worktrees` (a deploy's locked
worktree, and the sweep of those left by dead deploys) and `tagcache` (parsed tags by tag
object id). May import: errors, masking. Nothing else of relorch.
"""
