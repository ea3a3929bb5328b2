"""Running a build: the options, the orchestrator that calls the stages in order,
the worker processes, search and the atomic output.

Imports every layer below it, never builder.commands.
"""
