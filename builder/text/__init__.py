"""Text work that knows nothing of sites: finding glossary forms, linking them on
markdown-it-py's token stream, the URL policy and the Markdown parsers.

Imports only builder.core.
"""
