"""How an action says no. One status per kind of "no", across pages and the API:

- ``ActionError``: the request is refused as sent (400), naming the form field at fault;
- ``ActionConflict``: the request met a state that changed under it — a newer version, a
  pause (409).

A request the API cannot even parse is a schema error (422), raised by django-ninja, never by
an action.
"""

from __future__ import annotations


class ActionError(Exception):
    """A request we will not carry out, with the form field at fault (or ``None``)."""

    # The HTTP status the API answers with.
    status_code = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ActionConflict(ActionError):
    """The case or record is no longer in the state the request expected."""

    status_code = 409
