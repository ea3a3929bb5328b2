"""Tests of builder.commands."""
