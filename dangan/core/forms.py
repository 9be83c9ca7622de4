from django import forms


class BootstrapMixin:
    """Gives every widget the classes the stylesheet expects."""

    def style_widgets(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "check")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "input")
            else:
                widget.attrs.setdefault("class", "input")


class UserModelForm(BootstrapMixin, forms.ModelForm):
    """A ModelForm that knows who is editing, so choices can be limited to what they may use."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.limit_choices()
        self.style_widgets()

    def limit_choices(self):
        pass
