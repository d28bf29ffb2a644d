"""The one gateway to git: every git call, plain values out (the git binary, each call reaped).

Owns `gateway` (running git, refs, tags, pushes, worktrees) and `objects` (blobs, trees and
commits written without a checkout). May import: errors, masking. Nothing else of relorch.
"""
