from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", _("档案局管理员")
    BUREAU_STAFF = "bureau_staff", _("档案局工作人员")
    UNIT_ARCHIVIST = "unit_archivist", _("单位档案员")
    READER = "reader", _("查阅利用者")
