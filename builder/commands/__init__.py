"""The command line and what it runs: build, check, serve, new, schemas, the handbook.

The top layer: nothing imports it.
"""
