"""The deploy ledger kept in git: records, the state they add up to, the store.

Owns `records` (one JSON object per event), `state` (what the records say is live, held,
locked), `store` (compare-and-swap appends on the ledger ref) and `stateref` (the state alone
beside each append, for clones without a copy). May import: errors, masking, durations, git,
config, model.
"""
