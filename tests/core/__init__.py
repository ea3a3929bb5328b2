"""Tests of builder.core."""
