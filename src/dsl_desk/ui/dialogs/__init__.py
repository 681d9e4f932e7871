"""Dialogs: small windows that return a typed result to their caller."""
