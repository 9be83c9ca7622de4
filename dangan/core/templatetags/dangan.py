from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def display_value(obj, name):
    """A field's value as people read it: a choice's label, a related object's name, 是/否, or "—"."""
    field = obj._meta.get_field(name)
    if getattr(field, "choices", None):
        value = getattr(obj, f"get_{name}_display")()
    else:
        value = getattr(obj, name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return value


@register.simple_tag
def cell(obj, name, link=""):
    """One table cell; with ``link`` (a URL) it links to the row's page."""
    value = display_value(obj, name)
    if link:
        return format_html('<a href="{}">{}</a>', link, value)
    return value


@register.simple_tag
def verbose(opts, name):
    return opts.get_field(name).verbose_name


@register.simple_tag
def sort_query(query_string, name, current):
    """The query string that sorts by ``name``, flipping the direction when it is already sorted by it."""
    direction = "-" if current == name else ""
    prefix = f"{query_string}&" if query_string else ""
    return f"?{prefix}sort={direction}{name}"


@register.inclusion_tag("generic/detail_fields.html")
def show_fields(obj, names):
    """A definition list of the named fields, e.g. ``{% show_fields object "number name unit" %}``."""
    fields = [obj._meta.get_field(name) for name in names.split()]
    return {"rows": [(field.verbose_name, display_value(obj, field.name)) for field in fields]}
