from django import template

from dangan.preservation.models import DigitalFile

register = template.Library()


@register.simple_tag(takes_context=True)
def item_files(context, item) -> dict:
    """What the files panel of an item page shows, so the catalogue's view needs no change."""
    user = context["request"].user
    files = DigitalFile.objects.restrict(user).filter(item=item).exclude(status="pending").order_by("pk")
    return {
        "files": files,
        "can_add": DigitalFile.permits_new(user, DigitalFile(item=item)),
        "alerts": [f for f in files if f.alert],
    }


@register.filter
def filesize(value) -> str:
    value = float(value or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(value)
