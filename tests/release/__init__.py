"""Tests of relorch.release."""
