import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangan.units.choices import UnitStatus, UnitType
from dangan.units.models import Archivist, Group, Unit


class UnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("关键词"))
    unit_type = django_filters.ChoiceFilter(choices=UnitType.choices, label=_("单位类型"))
    status = django_filters.ChoiceFilter(choices=UnitStatus.choices, label=_("状态"))
    group = django_filters.ModelChoiceFilter(
        queryset=Group.objects.all(), label=pgettext_lazy("singular", "协作组")
    )
    parent = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("上级单位"))

    class Meta:
        model = Unit
        fields = ["q", "unit_type", "status", "group", "parent"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(short_name__icontains=value)
        )


class ArchivistFilterSet(django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.all(), label=pgettext_lazy("singular", "单位")
    )

    class Meta:
        model = Archivist
        fields = ["unit", "employment"]


class GroupFilterSet(django_filters.FilterSet):
    class Meta:
        model = Group
        fields = ["name"]
