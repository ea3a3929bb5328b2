"""Tests of builder.text."""
