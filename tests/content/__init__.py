"""Tests of builder.content."""
