"""The desk itself: set-up, sign-in, users, the organisation's profile, closures, policy packs."""
