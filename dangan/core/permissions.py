"""The one permission check used by the web UI, the API and the CLI.

Each model states its own rule in ``permission_filter(user, action)`` (a ``Q``, ``True`` or ``False``) and,
for records not yet saved, ``permits_new(user, obj)``. Everything else asks through ``restrict``, ``can``
and ``require``, so a rule changes in one place.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from dangan.core.choices import AuditAction
from dangan.core.context import acting_as, actor_for_user, current_actor
from dangan.core.models import record
from dangan.core.querysets import (  # noqa: F401  (re-exported: callers import the permission names from here)
    ADD,
    CHANGE,
    DELETE,
    VIEW,
    RestrictedQuerySet,
    is_signed_in,
)


def can(user, action: str, obj: models.Model) -> bool:
    if not is_signed_in(user):
        return False
    if action == ADD or obj.pk is None:
        return bool(type(obj).permits_new(user, obj))
    return type(obj)._default_manager.restrict(user, action).filter(pk=obj.pk).exists()


def can_any(user, action: str, model) -> bool:
    """Whether ``user`` may perform ``action`` on at least one object of ``model`` (e.g. 'merge' on units)."""
    if not is_signed_in(user):
        return False
    rule = model.permission_filter(user, action)
    if isinstance(rule, bool):
        return rule
    return model._default_manager.filter(rule).exists()


def require_any(user, action: str, model) -> None:
    if not can_any(user, action, model):
        record_denial(action, object_type=model._meta.label_lower, user=user)
        raise PermissionDenied(_("您没有权限执行此操作"))


def require(user, action: str, obj: models.Model) -> None:
    """Raise PermissionDenied, and record the denial in the audit trail, unless ``can`` allows it."""
    if can(user, action, obj):
        return
    record_denial(action, obj, user=user)
    raise PermissionDenied(_("您没有权限执行此操作"))


def record_denial(action: str, obj=None, object_type: str = "", user=None) -> None:
    """Audit a refused attempt, naming ``user`` (else the current actor) as the one who tried."""
    actor = current_actor() if user is None else actor_for_user(user, current_actor().ip)
    with acting_as(actor):
        _record_denial(action, obj, object_type)


def _record_denial(action, obj, object_type):
    record(
        AuditAction.DENIED,
        obj if obj is not None and obj.pk is not None else None,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_repr="" if obj is None or obj.pk is not None else _safe_repr(obj),
        message=f"denied: {action}",
    )


def _safe_repr(obj) -> str:
    # An unsaved object may lack the related rows its __str__ reads (a new archivist without a unit).
    try:
        return str(obj)[:300]
    except (ObjectDoesNotExist, AttributeError, TypeError, ValueError):
        return f"new {obj._meta.verbose_name}"


class BureauMaintained:
    """The rule for reference data (units, code tables, notices): signed-in users read, the bureau edits."""

    @classmethod
    def permission_filter(cls, user, action):
        return action == VIEW or user.is_bureau

    @classmethod
    def permits_new(cls, user, obj):
        return user.is_bureau
