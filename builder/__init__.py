"""The explainer builder: a static-site generator for news explainer pages."""

__version__ = "0.1.0"
