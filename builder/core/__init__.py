"""The ground floor: problems and how they are reported, and the patterns every layer shares.

Nothing here imports another part of the builder.
"""
