"""Tests of relorch.model."""
