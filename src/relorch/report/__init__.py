"""What relorch reads back to people: the status table (and, later, the status site).

May import: errors, versions, config, model, ledger, policy.
"""
