"""The log screens."""
