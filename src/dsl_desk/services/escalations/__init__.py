"""Escalations: opening, stages, deadlines, immediate risk, checklists, resolution, history."""
