"""Tests of builder.incremental."""
