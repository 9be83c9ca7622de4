from django.contrib import admin

from dangan.preservation.models import AcceptedFormat, CheckItem


@admin.register(CheckItem)
class CheckItemAdmin(admin.ModelAdmin):
    """The bureau tunes the four-property check items (DA/T 70) here: enable, disable, choose stages."""

    list_display = [
        "code",
        "name",
        "property",
        "method",
        "at_capture",
        "at_transfer",
        "at_preservation",
        "enabled",
    ]
    list_editable = ["at_capture", "at_transfer", "at_preservation", "enabled"]
    list_filter = ["property", "enabled"]


@admin.register(AcceptedFormat)
class AcceptedFormatAdmin(admin.ModelAdmin):
    list_display = ["name", "puid", "mime", "accepted", "note"]
    list_editable = ["accepted"]
    search_fields = ["name", "puid", "mime"]
