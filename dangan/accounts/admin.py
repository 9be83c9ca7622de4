from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from dangan.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """User management (用户管理) for the bureau administrator, linked from the sidebar."""

    list_display = ["username", "last_name", "first_name", "role", "unit", "clearance", "is_active"]
    list_filter = ["role", "clearance", "is_active", "unit"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("档案平台"), {"fields": ["role", "unit", "clearance", "phone"]}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("档案平台"), {"fields": ["role", "unit", "clearance"]}),
    )
