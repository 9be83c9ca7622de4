"""Every error the API can foresee is a 4xx with a message naming the field, never a 500."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback


def django_errors_as_drf(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError({
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        })
    return ValidationError({"non_field_errors": error.messages})


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = django_errors_as_drf(exc)
    elif isinstance(exc, ProtectedError):
        set_rollback()
        return Response({"detail": _("该记录仍被其他记录引用，不能删除")}, status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, IntegrityError):
        set_rollback()
        return Response({"detail": _("与已有记录冲突（如档号、代码重复）：%(error)s") % {"error": exc}},
                        status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
