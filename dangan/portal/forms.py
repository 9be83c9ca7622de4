from django import forms

from dangan.core.forms import BootstrapMixin
from dangan.portal.models import Notice


class NoticeForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Notice
        fields = ["title", "body", "published", "published_at"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()
