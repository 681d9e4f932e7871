"""The records screens."""
