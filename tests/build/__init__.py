"""Tests of builder.build."""
