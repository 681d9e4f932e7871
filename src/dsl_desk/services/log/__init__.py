"""The contemporaneous discussion log: entries, attachments, search, chronology exports."""
