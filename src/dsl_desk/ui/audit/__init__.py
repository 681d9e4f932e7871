"""The audit screens."""
