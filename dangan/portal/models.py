"""The public portal's own data: notices from the bureau."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangan.core.audit import AuditedModel
from dangan.core.permissions import BureauMaintained, RestrictedQuerySet


class NoticeQuerySet(RestrictedQuerySet):
    def published(self):
        return self.filter(published=True, published_at__lte=timezone.now())


class Notice(BureauMaintained, AuditedModel):
    """通知公告 shown on the portal; the bureau writes them."""

    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), validators=[MaxLengthValidator(20000)])
    published = models.BooleanField(_("发布"), default=False)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")

    def __str__(self):
        return self.title
