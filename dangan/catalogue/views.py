from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangan.catalogue import filtersets, forms
from dangan.catalogue.models import (
    Category,
    CategoryField,
    Fonds,
    Item,
    Retention,
    RetentionSchedule,
    ScheduleEntry,
    Volume,
    is_config_editor,
    suggest_retention,
)
from dangan.core import generic
from dangan.core.permissions import VIEW


class FondsListView(generic.ObjectListView):
    model = Fonds
    filterset = filtersets.FondsFilterSet
    columns = ["number", "name", "unit", "custodian", "start_year", "end_year", "status"]
    ordering_fields = ["number", "name", "start_year"]
    select_related = ["unit", "custodian"]


class FondsView(generic.ObjectDetailView):
    model = Fonds

    def extra_context(self, request, obj):
        items = Item.objects.restrict(request.user).filter(fonds=obj)
        return {
            "can_file": Fonds.objects.restrict(request.user, "file").filter(pk=obj.pk).exists(),
            "item_count": items.count(),
            "volume_count": Volume.objects.restrict(request.user).filter(fonds=obj).count(),
            "years": items.order_by("-year").values_list("year", flat=True).distinct()[:50],
        }


class FondsEditView(generic.ObjectEditView):
    model = Fonds
    form_class = forms.FondsForm


class FondsDeleteView(generic.ObjectDeleteView):
    model = Fonds
    success_url = "catalogue:fonds_list"


RECORD_ORDERING = ["reference_code", "year", "title", "date", "created_at", "updated_at", "creator"]
RECORD_MORE_FILTERS = ["unit", "year_from", "year_to", "org_code", "control", "security_level", "volume"]


class ItemListView(generic.ObjectListView):
    model = Item
    filterset = filtersets.ItemFilterSet
    columns = ["reference_code", "title", "creator", "document_number", "date", "pages", "retention",
               "security_level", "control", "status"]
    ordering_fields = RECORD_ORDERING
    select_related = ["fonds", "category", "retention"]
    template_name = "catalogue/item_list.html"
    more_filters = RECORD_MORE_FILTERS

    def can_add(self, request):
        return Fonds.objects.restrict(request.user, "file").exists()


class ItemView(generic.ObjectDetailView):
    model = Item

    def extra_context(self, request, obj):
        return {"extra_values": extra_values(obj)}


def extra_values(record):
    """The category's extra fields of a record as (label, value) pairs, in the category's order."""
    return [(f.label, record.extra.get(f.key)) for f in record.category.fields.all() if f.key in record.extra]


class RecordEditView(generic.ObjectEditView):
    template_name = "catalogue/record_edit.html"

    def may_try_add(self, request):
        return Fonds.objects.restrict(request.user, "file").exists()

    def get_form(self, request, obj, data=None):
        initial = {}
        if obj.pk is None:
            initial = self.sensible_defaults(request)
            for key in ("fonds", "category", "volume", "year", "retention", "org_code"):
                if request.GET.get(key):
                    initial[key] = request.GET[key]
        return self.form_class(data, instance=obj, user=request.user, initial=initial)

    def sensible_defaults(self, request):
        """What a part-time archivist would otherwise pick by hand: their only fonds, this year."""
        defaults = {"year": timezone.localdate().year}
        fonds = list(Fonds.objects.restrict(request.user, "file").values_list("pk", flat=True)[:2])
        if len(fonds) == 1:
            defaults["fonds"] = fonds[0]
        return defaults


class ItemEditView(RecordEditView):
    model = Item
    form_class = forms.ItemForm


class ItemDeleteView(generic.ObjectDeleteView):
    model = Item
    success_url = "catalogue:item_list"


class VolumeListView(generic.ObjectListView):
    model = Volume
    filterset = filtersets.VolumeFilterSet
    columns = ["reference_code", "title", "creator", "start_date", "end_date", "pages", "retention",
               "security_level", "status"]
    ordering_fields = RECORD_ORDERING
    select_related = ["fonds", "category", "retention"]
    more_filters = RECORD_MORE_FILTERS

    def can_add(self, request):
        return Fonds.objects.restrict(request.user, "file").exists()


class VolumeView(generic.ObjectDetailView):
    model = Volume

    def extra_context(self, request, obj):
        return {
            "extra_values": extra_values(obj),
            "items": Item.objects.restrict(request.user).filter(volume=obj).order_by("number"),
        }


class VolumeEditView(RecordEditView):
    model = Volume
    form_class = forms.VolumeForm


class VolumeDeleteView(generic.ObjectDeleteView):
    model = Volume
    success_url = "catalogue:volume_list"


# Configuration: categories, retention periods, schedules ---------------------------------------------------
class CategoryListView(generic.ObjectListView):
    model = Category
    columns = ["code", "name", "filing_level", "item_template", "active"]


class CategoryView(generic.ObjectDetailView):
    model = Category


class CategoryEditView(generic.ObjectEditView):
    model = Category
    form_class = forms.CategoryForm


class CategoryFieldEditView(generic.ObjectEditView):
    model = CategoryField
    form_class = forms.CategoryFieldForm

    def initialise(self, request, obj):
        obj.category = Category.objects.filter(pk=_int(request.GET.get("category"))).first()

    def success_url(self, obj):
        return obj.category.get_absolute_url()


class RetentionListView(generic.ObjectListView):
    model = Retention
    columns = ["code", "name", "years", "active", "replaced_by"]
    title = _("保管期限")

    def row_url(self, obj):
        if not is_config_editor(self.request.user):
            return ""
        return reverse("catalogue:retention_edit", args=[obj.pk])


class RetentionEditView(generic.ObjectEditView):
    model = Retention
    form_class = forms.RetentionForm

    def success_url(self, obj):
        return reverse("catalogue:retention_list")


class ScheduleListView(generic.ObjectListView):
    model = RetentionSchedule
    add_url_name = "catalogue:schedule_add"
    columns = ["name", "unit_type", "basis"]


class ScheduleView(generic.ObjectDetailView):
    model = RetentionSchedule
    template_name = "catalogue/schedule.html"

    def extra_context(self, request, obj):
        return {"entries": obj.entries.select_related("category", "retention")}


class ScheduleEditView(generic.ObjectEditView):
    model = RetentionSchedule
    form_class = forms.RetentionScheduleForm


class ScheduleEntryEditView(generic.ObjectEditView):
    model = ScheduleEntry
    form_class = forms.ScheduleEntryForm

    def initialise(self, request, obj):
        obj.schedule = RetentionSchedule.objects.filter(pk=_int(request.GET.get("schedule"))).first()

    def success_url(self, obj):
        return obj.schedule.get_absolute_url()


@login_required
def retention_suggestion(request):
    """The retention the unit type's schedule suggests for a title, for the item form's hint."""
    fonds = Fonds.objects.restrict(request.user, VIEW).filter(pk=_int(request.GET.get("fonds"))).first()
    category = Category.objects.filter(pk=_int(request.GET.get("category"))).first()
    if fonds is None:
        return JsonResponse({"suggestion": None})
    entry = suggest_retention(fonds.unit.unit_type, request.GET.get("title", "")[:500], category)
    if entry is None:
        return JsonResponse({"suggestion": None})
    return JsonResponse({"suggestion": {
        "retention": entry.retention_id, "retention_name": str(entry.retention),
        "entry": f"{entry.number} {entry.description}", "schedule": str(entry.schedule),
    }})


def _int(value):
    return int(value) if str(value or "").isdigit() else None


