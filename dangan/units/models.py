from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangan.core.audit import AuditedModel
from dangan.core.permissions import CHANGE, VIEW, BureauMaintained, RestrictedQuerySet
from dangan.units.choices import Employment, UnitEventKind, UnitStatus, UnitType

code_validator = RegexValidator(r"^[A-Za-z0-9]+$", _("代码只能包含字母和数字"))


class Group(BureauMaintained, AuditedModel):
    """协作组: units that inspect each other's archive work."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = pgettext_lazy("singular", "协作组")
        verbose_name_plural = _("协作组")

    def __str__(self):
        return self.name


class Unit(BureauMaintained, AuditedModel):
    """建档单位: any body that forms records, arranged as a tree under the district archives bureau."""

    code = models.CharField(_("单位代码"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("单位名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    unit_type = models.CharField(_("单位类型"), max_length=20, choices=UnitType.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    status = models.CharField(_("状态"), max_length=20, choices=UnitStatus.choices, default=UnitStatus.ACTIVE)
    status_date = models.DateField(_("变更日期"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("继任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    group = models.ForeignKey(
        Group,
        verbose_name=pgettext_lazy("singular", "协作组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = pgettext_lazy("singular", "建档单位")
        verbose_name_plural = _("建档单位")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("units:unit", args=[self.pk])

    @property
    def is_active(self):
        return self.status == UnitStatus.ACTIVE

    def clean(self):
        if self.parent_id and self.pk:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("上级单位不能是本单位或其下级单位")})
                ancestor = ancestor.parent
        if self.status == UnitStatus.MERGED and not self.successor_id:
            raise ValidationError({"successor": _("已合并的单位必须指明继任单位")})
        if self.successor_id and self.successor_id == self.pk:
            raise ValidationError({"successor": _("继任单位不能是本单位")})

    def ancestors(self) -> list["Unit"]:
        chain, unit = [], self.parent
        while unit is not None:
            chain.append(unit)
            unit = unit.parent
        return chain[::-1]


def scope_unit_ids(unit_ids) -> set[int]:
    """The given units, their sub-units, and every unit merged into any of them, recursively.

    A merged town's records stay in its own fonds; the successor's archivist must still reach them.
    """
    links = list(Unit.objects.values_list("pk", "parent_id", "successor_id"))
    below: dict[int, list[int]] = {}
    for pk, parent_id, successor_id in links:
        for upper in {parent_id, successor_id} - {None}:
            below.setdefault(upper, []).append(pk)
    seen: set[int] = set()
    stack = list(unit_ids)
    while stack:
        pk = stack.pop()
        if pk in seen:
            continue
        seen.add(pk)
        stack.extend(below.get(pk, []))
    return seen


class Archivist(AuditedModel):
    """档案员: a person keeping a unit's records, often part-time and changing every year or two."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=pgettext_lazy("singular", "单位"),
        on_delete=models.CASCADE,
        related_name="archivists",
    )
    name = models.CharField(_("姓名"), max_length=50)
    employment = models.CharField(
        _("专兼职"), max_length=20, choices=Employment.choices, default=Employment.PART_TIME
    )
    position = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    since = models.DateField(_("任职日期"), null=True, blank=True)
    until = models.DateField(_("离任日期"), null=True, blank=True)
    trained = models.BooleanField(_("已参加培训"), default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["unit__code", "name"]
        verbose_name = pgettext_lazy("singular", "档案员")
        verbose_name_plural = _("档案员")

    def __str__(self):
        return f"{self.name}（{self.unit}）"

    @classmethod
    def permission_filter(cls, user, action):
        if user.is_bureau:
            return True
        if user.is_archivist and action in (VIEW, CHANGE):
            return Q(unit_id__in=user.scope_unit_ids)
        return False

    @classmethod
    def permits_new(cls, user, obj):
        return user.is_bureau or (user.is_archivist and obj.unit_id in user.scope_unit_ids)

    def clean(self):
        if self.since and self.until and self.until < self.since:
            raise ValidationError({"until": _("离任日期不能早于任职日期")})


class UnitEvent(models.Model):
    """A change in a unit's life (merger, abolition), kept even though the units' rows change too."""

    unit = models.ForeignKey(
        Unit, verbose_name=pgettext_lazy("singular", "单位"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=UnitEventKind.choices)
    date = models.DateField(_("日期"))
    other_unit = models.ForeignKey(
        Unit, verbose_name=_("相关单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.CharField(_("登记人"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("单位变更")
        verbose_name_plural = _("单位变更")

    def __str__(self):
        return f"{self.unit} {self.get_kind_display()} {self.date}"
