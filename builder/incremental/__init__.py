"""What one build leaves for the next: signatures of sources and outputs, the
signed store, and the plan of what a build must redo.

Imports builder.core, builder.text and builder.content.
"""
