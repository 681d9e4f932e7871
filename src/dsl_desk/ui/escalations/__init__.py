"""The escalations screens."""
