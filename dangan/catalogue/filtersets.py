"""Filters shared by the catalogue's list pages and the API's query parameters."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangan.catalogue.choices import ControlStatus, FondsStatus, RecordStatus, SecurityLevel
from dangan.catalogue.models import Category, Fonds, Item, Retention, Volume
from dangan.units.models import Unit


def _units(request):
    return Unit.objects.all() if request is None else Unit.objects.restrict(request.user)


def _fonds(request):
    return Fonds.objects.none() if request is None else Fonds.objects.restrict(request.user)


class FondsFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("关键词"))
    unit = django_filters.ModelChoiceFilter(queryset=_units, label=_("立档单位"))
    custodian = django_filters.ModelChoiceFilter(queryset=_units, label=_("保管单位"))
    status = django_filters.ChoiceFilter(choices=FondsStatus.choices, label=_("状态"))

    class Meta:
        model = Fonds
        fields = ["q", "unit", "custodian", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(name__icontains=value))


class RecordFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("关键词"))
    unit = django_filters.ModelChoiceFilter(queryset=_units, field_name="fonds__unit", label=_("立档单位"))
    fonds = django_filters.ModelChoiceFilter(queryset=_fonds, label=_("全宗"))
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), label=_("门类"))
    year = django_filters.NumberFilter(label=_("年度"))
    year_from = django_filters.NumberFilter(field_name="year", lookup_expr="gte", label=_("起始年度"))
    year_to = django_filters.NumberFilter(field_name="year", lookup_expr="lte", label=_("终止年度"))
    retention = django_filters.ModelChoiceFilter(queryset=Retention.objects.all(), label=_("保管期限"))
    org_code = django_filters.CharFilter(label=_("机构（问题）代码"))
    status = django_filters.ChoiceFilter(choices=RecordStatus.choices, label=_("状态"))
    control = django_filters.ChoiceFilter(choices=ControlStatus.choices, label=_("控制标识"))
    security_level = django_filters.ChoiceFilter(choices=SecurityLevel.choices, label=_("密级"))

    search_fields = ("reference_code", "title", "creator")

    def search(self, queryset, name, value):
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class VolumeFilterSet(RecordFilterSet):
    class Meta:
        model = Volume
        fields = ["q", "unit", "fonds", "category", "year", "year_from", "year_to", "retention", "org_code",
                  "status", "control", "security_level"]


class ItemFilterSet(RecordFilterSet):
    volume = django_filters.ModelChoiceFilter(queryset=lambda r: Volume.objects.none() if r is None
                                              else Volume.objects.restrict(r.user),
                                              label=pgettext_lazy("singular", "案卷"))
    search_fields = ("reference_code", "title", "creator", "document_number")

    class Meta:
        model = Item
        fields = ["q", "unit", "fonds", "category", "year", "year_from", "year_to", "retention", "org_code",
                  "status", "control", "security_level", "volume"]
