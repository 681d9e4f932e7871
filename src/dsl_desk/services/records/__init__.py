"""Records management: backups, transfers between schools, subject access, retention."""
