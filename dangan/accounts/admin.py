from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from dangan.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """User management for the bureau administrator: role, unit and clearance beside Django's own fields."""

    list_display = ["username", "last_name", "first_name", "role", "unit", "clearance", "is_active", "last_login"]
    list_filter = ["role", "clearance", "is_active", "unit__unit_type"]
    search_fields = ["username", "first_name", "last_name", "email", "unit__name"]
    autocomplete_fields = []
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["last_name", "first_name", "email", "phone"]}),
        (_("角色与范围"), {"fields": ["role", "unit", "clearance"]}),
        (_("状态"), {"fields": ["is_active", "is_staff", "is_superuser", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "password1", "password2", "role", "unit", "clearance"]}),
    ]
