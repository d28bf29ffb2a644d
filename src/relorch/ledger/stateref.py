"""The state ref beside the ledger: `<ledger_ref>-state`, a commit whose tree is one append's
`state.json` alone and whose only parent is that append's ledger commit.

Every append forces it in the same push as the ledger commit (not atomically: it is derived
data, and a remote that refuses it costs readers only this shortcut). A clone with no copy of
the ledger reads the state from it, a one-commit fetch of one small blob instead of the tip
with every record chunk, and only when its parent is the ledger tip the same listing gave.
"""

from __future__ import annotations

import json
from datetime import datetime

from relorch.errors import GitError
from relorch.git.gateway import Git
from relorch.git.objects import BLOB_MODE, ObjectStore, TreeEntry, fetch_ref
from relorch.ledger.state import STATE_FORMAT, LedgerState

STATE_FILE = "state.json"


def write_state_commit(store: ObjectStore, state_blob: str, commit: str, when: datetime) -> str:
    """The state commit of ledger commit `commit`, whose state.json is blob `state_blob`."""
    alone = store.write_tree({STATE_FILE: TreeEntry(BLOB_MODE, state_blob)})
    return store.write_commit(alone, (commit,), f"state of {commit}", when)


def read_state_commit(git: Git, remote: str, state_ref: str, remote_tip: str) -> LedgerState | None:
    """The state the remote's `state_ref` holds for ledger commit `remote_tip`; None when that
    ref is about another commit (an append by a relorch that does not write it, or one that
    moved both refs since the listing) or is not what relorch writes."""
    sha = fetch_ref(git, remote, state_ref, shallow=True, update=False)
    with ObjectStore(git) as store:
        try:
            commit = store.read_commit(sha)
            if commit.parents != (remote_tip,):
                return None
            entry = store.read_tree(commit.tree).get(STATE_FILE)
            if entry is None:
                return None
            data = json.loads(store.read_blob(entry.sha))
            if int(data.get("format", 1)) < STATE_FORMAT:
                return None
            return LedgerState.from_json(data)
        except (GitError, ValueError, KeyError, TypeError, AttributeError):
            return None  # the ledger itself says it, at the cost of reading it
