"""The people screens."""
