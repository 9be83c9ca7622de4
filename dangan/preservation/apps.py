from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreservationConfig(AppConfig):
    name = "dangan.preservation"
    verbose_name = _("电子文件与长期保存")
