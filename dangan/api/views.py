from rest_framework import viewsets

from dangan.core.context import actor_for_user, set_actor
from dangan.core.permissions import CHANGE, DELETE, VIEW

ACTIONS = {"GET": VIEW, "HEAD": VIEW, "OPTIONS": VIEW, "PUT": CHANGE, "PATCH": CHANGE, "DELETE": DELETE,
           "POST": VIEW}


class RestrictedModelViewSet(viewsets.ModelViewSet):
    """A viewset whose queryset is what ``restrict`` allows for the request's method."""

    model = None
    select_related: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Token-authenticated requests are only known here, after the middleware ran.
        set_actor(actor_for_user(request.user, request.META.get("REMOTE_ADDR", "")))

    def get_queryset(self):
        action = ACTIONS.get(self.request.method, VIEW)
        return self.model.objects.restrict(self.request.user, action).select_related(*self.select_related)
