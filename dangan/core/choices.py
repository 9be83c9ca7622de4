from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    DENIED = "denied", _("拒绝访问")
    ACTION = "action", _("操作")


class SecurityLevel(models.TextChoices):
    """密级 (DA/T 46), in increasing order of sensitivity."""

    PUBLIC = "public", _("公开")
    INTERNAL = "internal", _("限制")
    SECRET = "secret", _("秘密")
    CONFIDENTIAL = "confidential", _("机密")
    TOP_SECRET = "top_secret", _("绝密")


def levels_up_to(level: str) -> list[str]:
    """The security levels a person cleared to ``level`` may see."""
    values = list(SecurityLevel.values)
    if level not in values:
        return [SecurityLevel.PUBLIC]
    return values[: values.index(level) + 1]


class JobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")
