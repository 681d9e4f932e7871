"""The desk screens."""
