"""What readers get: page views made from the model, JSON-LD, the theme and its
templates.

Imports every layer below it, never builder.build or builder.commands.
"""
