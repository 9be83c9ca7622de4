from django.db import models
from django.utils.translation import gettext_lazy as _


class FileRole(models.TextChoices):
    ORIGINAL = "original", _("原件")
    PRESERVATION = "preservation", _("保存版本")
    ACCESS = "access", _("利用版本")
    EXTRACTED_TEXT = "extracted_text", _("提取文本")


class FileStatus(models.TextChoices):
    # A file is PENDING from the moment its row exists until its bits are stored and its SHA-256 verified;
    # only COMPLETE files count as part of an item. A pending row whose ingesting process died is removed.
    PENDING = "pending", _("接收中")
    COMPLETE = "complete", _("完整")
    DAMAGED = "damaged", _("摘要不符")
    MISSING = "missing", _("文件缺失")


class TextStatus(models.TextChoices):
    NONE = "none", _("无需提取")
    PENDING = "pending", _("待提取")
    DONE = "done", _("已提取")
    FAILED = "failed", _("提取失败")


class EventType(models.TextChoices):
    """PREMIS event types (a subset of the Library of Congress event-type vocabulary)."""

    CAPTURE = "capture", _("捕获")
    MESSAGE_DIGEST = "message digest calculation", _("摘要计算")
    FIXITY_CHECK = "fixity check", _("固定性检查")
    FORMAT_IDENTIFICATION = "format identification", _("格式识别")
    VALIDATION = "validation", _("四性检测")
    MIGRATION = "migration", _("格式迁移")
    TRANSFER = "transfer", _("移交")
    DELETION = "deletion", _("删除")
    TEXT_EXTRACTION = "text extraction", _("文本提取")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    WARNING = "warning", _("警告")
    FAILURE = "failure", _("失败")
    SKIPPED = "skipped", _("未检")


class Property(models.TextChoices):
    """四性 (DA/T 70-2018)."""

    AUTHENTICITY = "authenticity", _("真实性")
    INTEGRITY = "integrity", _("完整性")
    USABILITY = "usability", _("可用性")
    SECURITY = "security", _("安全性")


class Stage(models.TextChoices):
    CAPTURE = "capture", _("归档")
    TRANSFER = "transfer", _("移交接收")
    PRESERVATION = "preservation", _("长期保存")
