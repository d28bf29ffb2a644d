"""Tests of relorch.deploy."""
