from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete
from django.dispatch import receiver

from dangan.core.audit import AuditedModel, record_deletion
from dangan.core.choices import AuditAction
from dangan.core.context import acting_as, actor_for_user, current_actor
from dangan.core.models import record


@receiver(post_delete)
def audit_deletion(sender, instance, **kwargs):
    # A receiver for every model, so cascaded and queryset deletes are logged too.
    if isinstance(instance, AuditedModel):
        record_deletion(instance)


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    with acting_as(actor_for_user(user, current_actor().ip)):
        record(AuditAction.LOGIN, user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        with acting_as(actor_for_user(user, current_actor().ip)):
            record(AuditAction.LOGOUT, user)


@receiver(user_login_failed)
def audit_login_failure(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record(
        AuditAction.LOGIN_FAILED,
        object_type="accounts.user",
        object_repr=username,
        message="wrong user name or password",
    )
