from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    VALID = "valid", _("校验通过")
    INVALID = "invalid", _("校验未通过")
    QUEUED = "queued", _("等待导入")
    COMMITTED = "committed", _("已导入")
    FAILED = "failed", _("导入失败")


class MatchKey(models.TextChoices):
    """How a row finds the record it updates when the same catalogue is imported again."""

    REFERENCE_CODE = "reference_code", _("档号")
    DOCUMENT_NUMBER = "document_number", _("文号（同一全宗、门类内）")
