"""The audit trail: writing each event into the hash chain, verifying it, reading it back."""
