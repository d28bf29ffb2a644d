"""Tests of relorch.ledger."""
