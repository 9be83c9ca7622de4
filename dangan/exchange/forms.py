from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dangan.catalogue.models import Category, Fonds
from dangan.core.forms import BootstrapMixin
from dangan.exchange.choices import MatchKey
from dangan.exchange.columns import target_choices
from dangan.exchange.models import ColumnMapping


class UploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("目录文件"), help_text=_("Excel（.xlsx、.xls）或 CSV（UTF-8、GBK 均可）"))
    fonds = forms.ModelChoiceField(label=_("导入到全宗"), queryset=Fonds.objects.none())
    category = forms.ModelChoiceField(label=_("门类"), queryset=Category.objects.filter(active=True))
    key = forms.ChoiceField(
        label=_("重复导入时按此匹配已有条目"), choices=MatchKey.choices, initial=MatchKey.REFERENCE_CODE
    )
    saved_mapping = forms.ModelChoiceField(
        label=_("使用已保存的列对应方案"), required=False, queryset=ColumnMapping.objects.none()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fonds"].queryset = Fonds.objects.restrict(user, "file")
        self.fields["saved_mapping"].queryset = ColumnMapping.objects.filter(user=user).select_related(
            "category"
        )
        self.style_widgets()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.DANGAN_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(_("文件超过上限 %(mb)d MB") % {"mb": limit // 1024 // 1024})
        return upload

    def clean(self):
        data = super().clean()
        mapping = data.get("saved_mapping")
        if mapping and data.get("category") and mapping.category_id != data["category"].pk:
            self.add_error("saved_mapping", _("这个方案属于另一个门类"))
        return data


class MappingForm(BootstrapMixin, forms.Form):
    """One choice per column of the file: which field it fills (or none)."""

    save_as = forms.CharField(label=_("另存为列对应方案（可选）"), required=False, max_length=100)

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        choices = target_choices(batch.category)
        mapping = batch.int_mapping()
        for position, header in enumerate(batch.headers):
            self.fields[f"col_{position}"] = forms.ChoiceField(
                label=header or f"#{position + 1}",
                choices=choices,
                required=False,
                initial=mapping.get(position, ""),
            )
        self.style_widgets()

    def column_fields(self):
        return [self[name] for name in self.fields if name.startswith("col_")]

    def clean(self):
        data = super().clean()
        chosen = [v for name, v in data.items() if name.startswith("col_") and v]
        duplicates = {v for v in chosen if chosen.count(v) > 1}
        if duplicates:
            raise forms.ValidationError(_("同一个字段不能对应多列"))
        return data

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("col_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("col_") and value
        }
