"""Tests of relorch.gate."""
