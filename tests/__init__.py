"""The suite of the explainer builder."""
