from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitType(models.TextChoices):
    BUREAU = "bureau", _("档案局（馆）")
    DEPARTMENT = "department", _("机关部门")
    TOWN = "town", _("乡镇（街道）")
    VILLAGE = "village", _("村（社区）")
    ENTERPRISE = "enterprise", _("企业")
    TEMPORARY = "temporary", _("临时机构")
    PROJECT = "project", _("重大建设项目")


class UnitStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    MERGED = "merged", _("已合并")
    ABOLISHED = "abolished", _("已撤销")


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("专职")
    PART_TIME = "part_time", _("兼职")


class UnitEventKind(models.TextChoices):
    MERGED = "merged", _("合并")
    ABOLISHED = "abolished", _("撤销")
    RECEIVED = "received", _("接收合并单位")
