"""The learning screens."""
