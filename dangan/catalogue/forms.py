from django import forms
from django.utils.translation import gettext_lazy as _

from dangan.catalogue.choices import FieldType
from dangan.catalogue.models import (
    Category,
    CategoryField,
    Fonds,
    Item,
    Retention,
    RetentionSchedule,
    ScheduleEntry,
    Volume,
)
from dangan.core.forms import UserModelForm
from dangan.core.permissions import CHANGE
from dangan.units.models import Unit

EXTRA_PREFIX = "extra__"


class FondsForm(UserModelForm):
    class Meta:
        model = Fonds
        fields = ["number", "name", "unit", "custodian", "start_year", "end_year", "status", "description"]

    def limit_choices(self):
        self.fields["unit"].queryset = Unit.objects.order_by("code")
        self.fields["custodian"].queryset = Unit.objects.order_by("code")


class RecordForm(UserModelForm):
    """Shared by items and volumes: limits choices to what the user may file into and adds category fields."""

    def limit_choices(self):
        self.fields["fonds"].queryset = Fonds.objects.restrict(self.user, "file")
        self.fields["category"].queryset = Category.objects.filter(active=True, **self.category_filter())
        self.fields["retention"].queryset = Retention.objects.filter(active=True)
        self.fields["security_level"].choices = [
            c for c in self.fields["security_level"].choices if c[0] in self.user.visible_security_levels
        ]
        self.category = self.selected_category()
        for field in self.category.fields.all() if self.category else []:
            initial = self.instance.extra.get(field.key)
            self.fields[EXTRA_PREFIX + field.key] = extra_form_field(field, initial)

    def category_filter(self):
        return {}

    def selected_category(self):
        raw = self.data.get("category") if self.is_bound else self.initial.get("category")
        if raw is None and self.instance.category_id:
            return self.instance.category
        if isinstance(raw, Category):
            return raw
        try:
            return Category.objects.get(pk=raw)
        except (Category.DoesNotExist, ValueError, TypeError):
            return None

    classification_names = ("fonds", "category", "volume", "year", "retention", "org_code")

    def classification_fields(self):
        """The fields that decide the reference code, shown together at the top of the form."""
        return [self[name] for name in self.classification_names if name in self.fields]

    def description_fields(self):
        return [self[name] for name in self.fields
                if name not in self.classification_names and not name.startswith(EXTRA_PREFIX)]

    def extra_fields(self):
        return [self[name] for name in self.fields if name.startswith(EXTRA_PREFIX)]

    def unknown_field_errors(self, name, messages):
        # The category's own fields already carry their errors next to them; don't repeat them on top.
        if name == "extra" and any(field.errors for field in self.extra_fields()):
            return []
        return messages

    def clean(self):
        cleaned = super().clean()
        extra = {}
        for name, value in cleaned.items():
            if name.startswith(EXTRA_PREFIX) and value not in (None, ""):
                extra[name[len(EXTRA_PREFIX):]] = value.isoformat() if hasattr(value, "isoformat") else value
        self.instance.extra = extra
        return cleaned


def extra_form_field(field: CategoryField, initial):
    """A form field for one of a category's extra fields; its rule is the model's ``clean_value``."""
    common = {"label": field.label, "required": field.required, "initial": initial}
    if field.field_type == FieldType.NUMBER:
        return forms.DecimalField(**common)
    if field.field_type == FieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if field.field_type == FieldType.CHOICE:
        return forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in field.choice_list()], **common)
    return forms.CharField(max_length=field.max_length, validators=[field.clean_value], **common)


class ItemForm(RecordForm):
    class Meta:
        model = Item
        fields = ["fonds", "category", "volume", "year", "retention", "org_code", "title", "creator",
                  "document_number", "date", "pages", "security_level", "control", "status", "remarks"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}), "title": forms.TextInput()}

    def limit_choices(self):
        super().limit_choices()
        self.fields["volume"].queryset = Volume.objects.restrict(self.user, CHANGE).select_related("category")
        self.fields["year"].help_text = _("文件形成年度")
        self.fields["org_code"].help_text = _("如 BGS（办公室）；档号模板含机构代码时必填")
        for name in self.classified_by_volume:
            # Required unless the item goes into a volume (then the volume classifies it); still marked *.
            self.fields[name].required = False
            self.fields[name].show_required = True

    classified_by_volume = ("fonds", "category", "year", "retention")

    def clean(self):
        cleaned = super().clean()
        volume = cleaned.get("volume")
        for name in self.classified_by_volume:
            if volume is not None:
                # An item inside a volume takes the volume's classification.
                cleaned[name] = getattr(volume, name)
            elif cleaned.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, _("这个字段是必填项。"))
        return cleaned


class VolumeForm(RecordForm):
    class Meta:
        model = Volume
        fields = ["fonds", "category", "year", "retention", "org_code", "title", "creator", "start_date",
                  "end_date", "pages", "security_level", "control", "status", "remarks"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}),
                   "end_date": forms.DateInput(attrs={"type": "date"})}

    def category_filter(self):
        return {"filing_level": "volume"}


class CategoryForm(UserModelForm):
    class Meta:
        model = Category
        fields = ["code", "name", "filing_level", "item_template", "volume_template", "volume_item_template",
                  "description", "active", "order"]


class CategoryFieldForm(UserModelForm):
    class Meta:
        model = CategoryField
        fields = ["category", "key", "label", "field_type", "required", "choices", "max_length", "order"]


class RetentionForm(UserModelForm):
    class Meta:
        model = Retention
        fields = ["code", "name", "years", "active", "replaced_by", "order"]


class RetentionScheduleForm(UserModelForm):
    class Meta:
        model = RetentionSchedule
        fields = ["unit_type", "name", "basis"]


class ScheduleEntryForm(UserModelForm):
    class Meta:
        model = ScheduleEntry
        fields = ["schedule", "number", "description", "category", "retention", "keywords"]
