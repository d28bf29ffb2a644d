"""Tests of relorch.render."""
