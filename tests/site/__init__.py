"""Tests of builder.site."""
