"""The one gateway to git: every git call, plain values out (GitPython and the git binary).

Owns `gateway` (running git, refs, tags, pushes, worktrees) and `objects` (blobs, trees and
commits written without a checkout). May import: errors, masking. Nothing else of relorch.
"""
