from django import template
from django.urls import reverse

from dangan.catalogue.models import Volume
from dangan.preservation.models import DigitalFile

register = template.Library()


@register.simple_tag(takes_context=True)
def record_files(context, record) -> dict:
    """What the files panel of an item or volume page shows, so the catalogue's views need no change."""
    user = context["request"].user
    kind = "volume" if isinstance(record, Volume) else "item"
    files = (
        DigitalFile.objects.restrict(user).filter(**{kind: record}).exclude(status="pending").order_by("pk")
    )
    return {
        "files": files,
        "can_add": DigitalFile.permits_new(user, DigitalFile(**{kind: record})),
        "alerts": [f for f in files if f.alert],
        "upload_url": reverse(
            "preservation:volume_upload" if kind == "volume" else "preservation:upload", args=[record.pk]
        ),
        "report_url": reverse(f"preservation:{kind}_report", args=[record.pk]),
    }


@register.filter
def filesize(value) -> str:
    value = float(value or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(value)
