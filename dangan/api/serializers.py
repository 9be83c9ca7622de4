from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from dangan.api.exceptions import django_errors_as_drf
from dangan.core.permissions import record_denial


class ValidatedModelSerializer(serializers.ModelSerializer):
    """Runs the model's own ``full_clean`` (the rules the web forms use) and the permission for the new state.

    A change that would move a record out of what the user may write (another unit's fonds, a higher
    security level) is refused like a create there would be.
    """

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        if self.instance is None:
            instance = model(**{k: v for k, v in attrs.items() if not self._is_many(k)})
        else:
            instance = self.instance
            for key, value in attrs.items():
                if not self._is_many(key):
                    setattr(instance, key, value)
        try:
            instance.full_clean()
        except DjangoValidationError as e:
            raise django_errors_as_drf(e) from None
        user = self.context["request"].user
        if not model.permits_new(user, instance):
            record_denial("add" if self.instance is None else "change", instance if instance.pk else None,
                          object_type=model._meta.label_lower)
            raise PermissionDenied()
        if "extra" in attrs:
            attrs["extra"] = instance.extra
        return attrs

    def _is_many(self, name):
        field = self.fields.get(name)
        return isinstance(field, serializers.ManyRelatedField)
