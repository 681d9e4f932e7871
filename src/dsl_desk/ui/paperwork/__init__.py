"""The paperwork screens."""
