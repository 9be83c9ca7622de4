"""Row-level access as a queryset method (NetBox's ``RestrictedQuerySet``); the rules live on each model."""

from django.db import models

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"


def is_signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = VIEW):
        """The rows of this queryset that ``user`` may perform ``action`` on."""
        if not is_signed_in(user):
            return self.none()
        rule = self.model.permission_filter(user, action)
        if rule is True:
            return self
        if rule is False:
            return self.none()
        return self.filter(rule)
