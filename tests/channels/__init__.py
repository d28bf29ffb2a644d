"""Tests of relorch.channels."""
