from django.contrib import admin

from dangan.portal.models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Notices are written at /portal/manage/notices/; the admin lists them too, for the administrator."""

    list_display = ["title", "published", "published_at", "created_by"]
    list_filter = ["published"]
    search_fields = ["title", "body"]
    raw_id_fields = ["created_by"]
