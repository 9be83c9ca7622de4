from django.db import models
from django.utils.translation import gettext_lazy as _


class ReaderKind(models.TextChoices):
    INTERNAL = "internal", _("内部利用者")
    PUBLIC = "public", _("社会公众")


class IdType(models.TextChoices):
    RESIDENT = "resident", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    OTHER = "other", _("其他证件")


class Mode(models.TextChoices):
    """利用方式; the annual report counts 查阅, 摘抄, 复制, 出具证明."""

    ONLINE = "online", _("在线阅览")
    ONSITE = "onsite", _("到馆查阅")
    BORROW = "borrow", _("借出")
    COPY = "copy", _("复制")
    CERTIFICATE = "certificate", _("档案证明")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    GRANTED = "granted", _("已批准")
    REJECTED = "rejected", _("未批准")
    CANCELLED = "cancelled", _("已撤回")


class Step(models.TextChoices):
    UNIT = "unit", _("保管单位审批")
    BUREAU = "bureau", _("档案局审批")


class ReviewDecision(models.TextChoices):
    OPEN = "open", _("开放")
    DEFER = "defer", _("延期开放")


class ViewAction(models.TextChoices):
    VIEW = "view", _("阅览")
    DOWNLOAD = "download", _("下载")


# 利用目的: the defaults of the configurable Purpose table (see the 0002 migration).
DEFAULT_PURPOSES = [
    "编史修志",
    "工作查考",
    "学术研究",
    "经济建设",
    "宣传教育",
    "落实政策",
    "个人取证",
    "其他",
]
