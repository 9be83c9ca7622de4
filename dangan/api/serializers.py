from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from dangan.api.exceptions import django_errors_as_drf
from dangan.core.permissions import ADD, CHANGE, record_denial


class ValidatedModelSerializer(serializers.ModelSerializer):
    """Runs the permission for the new state, then the model's own ``full_clean`` (the web forms' rules).

    A change that would move a record out of what the user may write (another unit's fonds, a higher
    security level) is refused like a create there would be. The permission is checked before the model's
    rules, so their messages (e.g. "reference code already exists") never describe what the user may not see.
    """

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self._with_changes(attrs)
        self._require_permission(instance)
        try:
            instance.full_clean()
        except DjangoValidationError as e:
            raise django_errors_as_drf(e) from None
        # ``clean`` may normalise values (extra fields, an item's classification taken from its volume).
        for name in attrs:
            if not self._is_many(name):
                attrs[name] = getattr(instance, name)
        return attrs

    def _with_changes(self, attrs):
        values = {key: value for key, value in attrs.items() if not self._is_many(key)}
        if self.instance is None:
            return self.Meta.model(**values)
        for key, value in values.items():
            setattr(self.instance, key, value)
        return self.instance

    def _require_permission(self, instance):
        model = self.Meta.model
        user = self.context["request"].user
        if not model.permits_new(user, instance):
            action = ADD if self.instance is None else CHANGE
            record_denial(action, instance, object_type=model._meta.label_lower, user=user)
            raise PermissionDenied(_("您没有权限执行此操作"))

    def _is_many(self, name):
        return isinstance(self.fields.get(name), serializers.ManyRelatedField)
