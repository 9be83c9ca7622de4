from django.db import models
from django.utils.translation import gettext_lazy as _

from dangan.core.choices import SecurityLevel  # noqa: F401  (re-exported: a catalogue code table)


class FondsStatus(models.TextChoices):
    OPEN = "open", _("开放（仍在形成）")
    CLOSED = "closed", _("封闭")


class FilingLevel(models.TextChoices):
    ITEM = "item", _("按件整理")
    VOLUME = "volume", _("按卷整理")


class FieldType(models.TextChoices):
    TEXT = "text", _("文本")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    ID_NUMBER = "id_number", _("身份证号")
    CHOICE = "choice", _("选项")


class ControlStatus(models.TextChoices):
    """控制标识: whether an item may be used by the public."""

    OPEN = "open", _("开放")
    CONTROLLED = "controlled", _("控制")


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("待归档")
    FILED = "filed", _("已归档")
    TRANSFERRED = "transferred", _("已进馆")
    DISPOSED = "disposed", _("已销毁")
