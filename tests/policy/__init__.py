"""Tests of relorch.policy."""
