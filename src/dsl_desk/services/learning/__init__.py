"""Learning from escalations: lessons, practice alerts, reports."""
