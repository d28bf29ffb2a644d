"""Tests of relorch.cli."""
