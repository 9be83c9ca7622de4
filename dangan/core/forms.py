from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


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

    def _update_errors(self, errors):
        # A model rule may name a field this form does not show (e.g. ``extra``); show it above the form
        # instead of failing with ValueError.
        if hasattr(errors, "error_dict"):
            found = errors.error_dict
            unknown = [name for name in found if name != NON_FIELD_ERRORS and name not in self.fields]
            if unknown:
                moved = {name: messages for name, messages in found.items() if name not in unknown}
                on_top = moved.setdefault(NON_FIELD_ERRORS, [])
                for name in unknown:
                    on_top.extend(self.unknown_field_errors(name, found[name]))
                if not any(moved.values()):
                    return
                errors = ValidationError({name: messages for name, messages in moved.items() if messages})
        super()._update_errors(errors)

    def unknown_field_errors(self, name, messages):
        """The errors of a model field this form does not show, as they should appear above the form."""
        return messages
