from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from dangan.core.choices import AuditAction
from dangan.core.context import acting_as, actor_for_user, set_actor
from dangan.core.generic import get_visible_or_404
from dangan.core.models import record
from dangan.core.permissions import ADD, CHANGE, DELETE, VIEW, record_denial, require

WRITE_ACTIONS = {"PUT": CHANGE, "PATCH": CHANGE, "DELETE": DELETE}


class RestrictedModelViewSet(viewsets.ModelViewSet):
    """A viewset that reads through ``restrict`` and writes through ``require``, exactly like the web UI.

    Lists show what ``restrict(user, VIEW)`` allows. A single record the user may not see is a 404 (the
    attempt is audited); one they see but may not change or delete is a 403 (audited too). What a create
    or change would lead to is checked by the serializer against the model's ``permits_new``.
    """

    model = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Token-authenticated requests are only known here, after the middleware ran.
        set_actor(actor_for_user(request.user, request.META.get("REMOTE_ADDR", "")))

    def get_queryset(self):
        queryset = self.model.objects.restrict(self.request.user, VIEW)
        return queryset.select_related(*self.select_related).prefetch_related(*self.prefetch_related)

    def get_object(self):
        pk = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        obj = get_visible_or_404(self.request, self.model, pk)
        action = WRITE_ACTIONS.get(self.request.method)
        if action is not None:
            require(self.request.user, action, obj)
        self.check_object_permissions(self.request, obj)
        return obj

    def create(self, request, *args, **kwargs):
        if not self.may_try_add(request):
            record_denial(ADD, object_type=self.model._meta.label_lower, user=request.user)
            raise PermissionDenied(_("您没有权限执行此操作"))
        return super().create(request, *args, **kwargs)

    def may_try_add(self, request) -> bool:
        """Whether the user may add this kind of object anywhere; the object sent is checked too."""
        return bool(self.model.permits_new(request.user, self.model()))

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance.delete()


class TokenView(ObtainAuthToken):
    """Exchange a user name and password for the user's API token, sent as ``Authorization: Token <key>``."""

    @extend_schema(auth=[], tags=["auth"],
                   responses=inline_serializer("Token", {"token": serializers.CharField()}))
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        with acting_as(actor_for_user(user, request.META.get("REMOTE_ADDR", ""))):
            record(AuditAction.LOGIN, user, message="API token issued")
        return Response({"token": token.key})
