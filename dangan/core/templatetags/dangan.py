from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def cell(obj, name, link=False):
    """One table cell: a choice's label, a related object's name, a boolean as 是/否; the first links to the row."""
    field = obj._meta.get_field(name)
    if getattr(field, "choices", None):
        value = getattr(obj, f"get_{name}_display")()
    else:
        value = getattr(obj, name)
    if value is None or value == "":
        value = "—"
    elif isinstance(value, bool):
        value = _("是") if value else _("否")
    if link and hasattr(obj, "get_absolute_url"):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), value)
    return value


@register.simple_tag
def verbose(opts, name):
    return opts.get_field(name).verbose_name


@register.simple_tag
def field_value(obj, name):
    return cell(obj, name)


@register.simple_tag
def sort_query(query_string, name, current):
    """The query string that sorts by ``name``, flipping the direction when it is already sorted by it."""
    direction = "-" if current == name else ""
    prefix = f"{query_string}&" if query_string else ""
    return f"?{prefix}sort={direction}{name}"


@register.inclusion_tag("generic/detail_fields.html")
def show_fields(obj, names):
    """A definition list of the named fields, e.g. ``{% show_fields object "number name unit" %}``."""
    return {"object": obj, "names": names.split()}
