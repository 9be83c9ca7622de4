from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from dangan.core import generic
from dangan.core.permissions import require_any
from dangan.units import filtersets, forms
from dangan.units.models import Archivist, Group, Unit
from dangan.units.services import merge_units


@login_required
def unit_tree(request):
    units = list(Unit.objects.restrict(request.user).select_related("group", "successor").order_by("code"))
    children: dict = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)

    def walk(parent_id, depth):
        for unit in children.get(parent_id, []):
            yield unit, depth
            yield from walk(unit.pk, depth + 1)

    rows = list(walk(None, 0))
    return render(request, "units/tree.html", {
        "rows": rows, "can_add": Unit.permits_new(request.user, Unit()),
    })


class UnitListView(generic.ObjectListView):
    model = Unit
    filterset = filtersets.UnitFilterSet
    columns = ["code", "name", "unit_type", "parent", "group", "status", "successor"]
    ordering_fields = ["code", "name", "unit_type", "status"]
    select_related = ["parent", "group", "successor"]


class UnitView(generic.ObjectDetailView):
    model = Unit

    def extra_context(self, request, obj):
        return {
            "children": obj.children.order_by("code"),
            "archivists": Archivist.objects.restrict(request.user).filter(unit=obj),
            "events": obj.events.select_related("other_unit"),
            "predecessors": obj.predecessors.all(),
            "fonds_list": self.fonds_of(request, obj),
            "can_add_archivist": Archivist.permits_new(request.user, Archivist(unit=obj)),
        }

    @staticmethod
    def fonds_of(request, obj):
        # The catalogue sits above this app: reach its fonds through the reverse relations, never an import.
        if not hasattr(obj, "fonds"):
            return []
        formed = obj.fonds.restrict(request.user)
        held = obj.fonds_in_custody.restrict(request.user).exclude(unit=obj)
        return list(formed) + list(held)


class UnitEditView(generic.ObjectEditView):
    model = Unit
    form_class = forms.UnitForm


class UnitDeleteView(generic.ObjectDeleteView):
    model = Unit
    success_url = "units:tree"


class GroupListView(generic.ObjectListView):
    model = Group
    columns = ["name", "description"]

    def row_url(self, obj):
        return reverse("units:group", args=[obj.pk])


class GroupView(generic.ObjectDetailView):
    model = Group


class GroupEditView(generic.ObjectEditView):
    model = Group
    form_class = forms.GroupForm

    def success_url(self, obj):
        return reverse("units:group", args=[obj.pk])


class ArchivistListView(generic.ObjectListView):
    model = Archivist
    filterset = filtersets.ArchivistFilterSet
    columns = ["name", "unit", "employment", "position", "phone", "email", "since", "until", "trained"]
    ordering_fields = ["name", "since"]
    select_related = ["unit"]

    def can_add(self, request):
        return request.user.is_bureau or request.user.is_archivist

    def row_url(self, obj):
        return reverse("units:archivist_edit", args=[obj.pk])


class ArchivistEditView(generic.ObjectEditView):
    model = Archivist
    form_class = forms.ArchivistForm

    def may_try_add(self, request):
        return request.user.is_archivist

    def initialise(self, request, obj):
        """Preset the unit from ``?unit=`` if the user may register archivists there, else their own unit."""
        wanted = request.GET.get("unit", "")
        if wanted.isdigit() and Archivist.permits_new(request.user, Archivist(unit_id=int(wanted))):
            obj.unit_id = int(wanted)
        elif request.user.is_archivist:
            obj.unit_id = request.user.unit_id

    def success_url(self, obj):
        return obj.unit.get_absolute_url()


class ArchivistDeleteView(generic.ObjectDeleteView):
    model = Archivist
    success_url = "units:archivist_list"

    def cancel_url(self, obj):
        return obj.unit.get_absolute_url()


@login_required
def merge(request):
    """区划调整: merge one or more units into a successor — an action with a date, not an edit."""
    require_any(request.user, "merge", Unit)
    form = forms.MergeForm(request.POST or None, initial={"successor": request.GET.get("successor")})
    if request.method == "POST" and form.is_valid():
        try:
            merge_units(list(form.cleaned_data["units"]), form.cleaned_data["successor"],
                        form.cleaned_data["date"], form.cleaned_data["note"])
        except ValidationError as e:
            for field, errors in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("已合并到“%(unit)s”") % {"unit": form.cleaned_data["successor"]})
            return redirect(form.cleaned_data["successor"].get_absolute_url())
    return render(request, "units/merge.html", {"form": form}, status=400 if form.errors else 200)
