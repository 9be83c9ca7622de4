from rest_framework.permissions import BasePermission

from dangan.core.permissions import is_signed_in


class RestrictedPermission(BasePermission):
    """Signed-in users only; which rows they reach is decided by ``restrict`` in each viewset's queryset."""

    def has_permission(self, request, view):
        return is_signed_in(request.user)
