from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangan.accounts.choices import Role
from dangan.core.choices import SecurityLevel, levels_up_to
from dangan.units.models import Unit, scope_unit_ids


class DanganUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.BUREAU_ADMIN)
        extra_fields.setdefault("clearance", SecurityLevel.TOP_SECRET)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person signing in to Dangan, with a role, the unit they work for and their security clearance."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.READER)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    clearance = models.CharField(
        _("可查看的最高密级"),
        max_length=20,
        choices=SecurityLevel.choices,
        default=SecurityLevel.PUBLIC,
        help_text=_("密级高于此的档案对该用户不可见"),
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    objects = DanganUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = pgettext_lazy("plural", "用户")

    def __str__(self):
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

    def clean(self):
        super().clean()
        if self.role == Role.UNIT_ARCHIVIST and not self.unit_id:
            raise ValidationError({"unit": _("单位档案员必须指定所在单位")})

    def save(self, *args, **kwargs):
        # The role decides who manages users in the admin site; Django's own flags follow it.
        self.is_staff = self.is_superuser = self.role == Role.BUREAU_ADMIN
        super().save(*args, **kwargs)

    @property
    def is_bureau(self) -> bool:
        """Bureau administrators and staff oversee every unit."""
        return self.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF) or self.is_superuser

    @property
    def is_bureau_admin(self) -> bool:
        return self.role == Role.BUREAU_ADMIN or self.is_superuser

    @property
    def is_archivist(self) -> bool:
        return self.role == Role.UNIT_ARCHIVIST and self.unit_id is not None

    @cached_property
    def scope_unit_ids(self) -> set[int]:
        """Units whose records this user keeps: their own, its sub-units and the units merged into them."""
        if not self.is_archivist:
            return set()
        return scope_unit_ids([self.unit_id])

    @cached_property
    def visible_security_levels(self) -> list[str]:
        return levels_up_to(self.clearance)
