from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "dangan.access"
    verbose_name = _("档案利用")
