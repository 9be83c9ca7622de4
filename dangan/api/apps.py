from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dangan.api"
    verbose_name = "API"
