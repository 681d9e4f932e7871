"""The one base of every error a user may see, whichever layer raises it.

`str(error)` is a plain-English message written for the DSL: what happened, and what to do. The store's errors
(`store.errors.StoreError`) and the services' (`services.errors.ServiceError`) both derive from it, so the UI
catches one class (through `services.errors`, the only error module it imports) and shows the message as it is.
Anything that is not a `DeskError` is a bug: the crash hook reports it without children's data.
"""

from __future__ import annotations


class DeskError(Exception):
    """An error whose message is for the user."""
