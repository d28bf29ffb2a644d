"""Tests of relorch.config."""
