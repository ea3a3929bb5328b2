"""The content model: reading the site's files with positions, checking them
against the one declaration of every field, and the glossary they make.

Imports builder.core and builder.text.
"""
