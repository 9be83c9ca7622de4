from django import forms
from django.utils.translation import gettext_lazy as _

from dangan.core.forms import BootstrapMixin, UserModelForm
from dangan.units.choices import UnitStatus
from dangan.units.models import Archivist, Group, Unit


class UnitForm(UserModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "unit_type", "parent", "group", "address", "notes"]

    def limit_choices(self):
        self.fields["parent"].queryset = Unit.objects.filter(status=UnitStatus.ACTIVE).exclude(
            pk=self.instance.pk
        )


class GroupForm(UserModelForm):
    class Meta:
        model = Group
        fields = ["name", "description"]


class ArchivistForm(UserModelForm):
    class Meta:
        model = Archivist
        fields = ["unit", "name", "employment", "position", "phone", "email", "since", "until", "trained"]
        widgets = {
            "since": forms.DateInput(attrs={"type": "date"}),
            "until": forms.DateInput(attrs={"type": "date"}),
        }

    def limit_choices(self):
        if not self.user.is_bureau:
            self.fields["unit"].queryset = Unit.objects.filter(pk__in=self.user.scope_unit_ids)


class MergeForm(BootstrapMixin, forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("被合并单位"),
        queryset=Unit.objects.filter(status=UnitStatus.ACTIVE),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    successor = forms.ModelChoiceField(
        label=_("合并后的单位（继任单位）"), queryset=Unit.objects.filter(status=UnitStatus.ACTIVE)
    )
    date = forms.DateField(label=_("合并日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("依据与说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()
