"""Tests of relorch.ci."""
