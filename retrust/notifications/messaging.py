"""Whether a person may be emailed at all. The one place the outbox asks it.

A partner whose private safety screen said messages are not safe to receive gets everything in
the app only, until their clinician changes that with them.
"""

from __future__ import annotations

from typing import Any


def may_email(user: Any) -> bool:
    """Whether email may be sent to ``user`` (any kind, essential ones included).

    TODO(merge with branch `security`): replace this stub with
    ``retrust.core.messaging.may_email(user) -> bool``, which another engineer is adding on the
    `security` branch and which reads the partner's private safety screen. The lead wires it at
    merge; until then everyone counts as reachable by email. ``delivery.deliver`` is the only
    caller, so swapping this import is the whole change.
    """
    return True
