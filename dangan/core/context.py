"""Who is acting right now, for the audit trail.

The web middleware sets it from the signed-in user, the CLI from its own name; code that changes records
never has to pass the actor along by hand.
"""

import contextlib
import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    ip: str = ""


SYSTEM = Actor(None, "system")
_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("dangan_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


def actor_for_user(user, ip: str = "") -> Actor:
    if user is None or not user.is_authenticated:
        return Actor(None, "anonymous", ip)
    return Actor(user.pk, user.get_username(), ip)


@contextlib.contextmanager
def acting_as(actor: Actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def set_actor(actor: Actor) -> None:
    """Replace the actor for the rest of the current context (the middleware's ``acting_as`` restores it)."""
    _current.set(actor)
