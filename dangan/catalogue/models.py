import datetime
import math
import re
import time

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangan.catalogue import references
from dangan.catalogue.choices import (
    ControlStatus,
    FieldType,
    FilingLevel,
    FondsStatus,
    RecordStatus,
    SecurityLevel,
)
from dangan.catalogue.references import ReferenceCounter  # noqa: F401  (a model of this app)
from dangan.core.audit import AuditedModel
from dangan.core.permissions import CHANGE, DELETE, VIEW, BureauMaintained, RestrictedQuerySet
from dangan.lib.idnumbers import is_valid_id_number
from dangan.units.choices import UnitType
from dangan.units.models import Unit

code_validator = RegexValidator(r"^[A-Z0-9]+$", _("只能使用大写字母和数字"))
category_code_validator = RegexValidator(
    r"^[A-Z0-9]+(·[A-Z0-9]+)*$", _("门类代码只能使用大写字母、数字和“·”")
)
org_code_validator = RegexValidator(r"^[A-Za-z0-9]*$", _("机构（问题）代码只能使用字母和数字"))


def latest_year() -> int:
    """The latest year a record may be dated or filed in: next year (a plan or budget filed ahead).

    Read from the clock at most once a minute: a bulk filing checks every row, and asking the clock for
    today's date twice a row cost more than the rest of those checks.
    """
    now = time.monotonic()
    if now >= _latest_year[0]:
        _latest_year[:] = [now + 60, datetime.date.today().year + 1]
    return _latest_year[1]


_latest_year = [0.0, 0]


def is_config_editor(user) -> bool:
    return user.is_bureau


class ConfigModel(BureauMaintained, AuditedModel):
    """Code tables every signed-in user reads and only the bureau edits."""

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True


class Fonds(AuditedModel):
    """全宗: all the records formed by one unit, kept together whoever holds them."""

    number = models.CharField(_("全宗号"), max_length=8, unique=True, validators=[code_validator])
    name = models.CharField(_("全宗名称"), max_length=200)
    unit = models.ForeignKey(Unit, verbose_name=_("立档单位"), on_delete=models.PROTECT, related_name="fonds")
    custodian = models.ForeignKey(
        Unit,
        verbose_name=_("保管单位"),
        on_delete=models.PROTECT,
        related_name="fonds_in_custody",
        help_text=_("本单位保管，或已移交档案馆"),
    )
    start_year = models.PositiveSmallIntegerField(_("起始年度"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("终止年度"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=FondsStatus.choices, default=FondsStatus.OPEN)
    description = models.TextField(_("全宗介绍"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("全宗")
        verbose_name_plural = _("全宗")

    def __str__(self):
        return f"{self.number} {self.name}"

    def get_absolute_url(self):
        return reverse("catalogue:fonds", args=[self.pk])

    def clean(self):
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("终止年度不能早于起始年度")})

    @classmethod
    def permission_filter(cls, user, action):
        if user.is_bureau:
            return True
        if action == VIEW:
            if user.is_archivist:
                return Q(unit_id__in=user.scope_unit_ids) | Q(custodian_id__in=user.scope_unit_ids)
            return True
        if action == "file" and user.is_archivist:
            return Q(unit_id__in=user.scope_unit_ids) | Q(custodian_id__in=user.scope_unit_ids)
        return False

    @classmethod
    def permits_new(cls, user, obj):
        return user.is_bureau

    def close(self, date: datetime.date, custodian: Unit | None = None) -> None:
        """Close the fonds (全宗封闭), e.g. when its unit is merged away; nothing in it is renumbered."""
        self.status = FondsStatus.CLOSED
        self.end_year = self.end_year or date.year
        if custodian is not None:
            self.custodian = custodian
        self.save()


class Retention(ConfigModel):
    """保管期限."""

    code = models.CharField(_("代码"), max_length=10, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=30)
    years = models.PositiveSmallIntegerField(_("年限"), null=True, blank=True, help_text=_("永久保管留空"))
    active = models.BooleanField(
        _("现行"), default=True, help_text=_("停用的旧期限（长期、短期）不能用于新档案")
    )
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("对应新期限"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("旧期限在导入时映射到的新期限"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("保管期限")
        verbose_name_plural = pgettext_lazy("plural", "保管期限")

    def __str__(self):
        return self.name

    def clean(self):
        if self.replaced_by_id and self.replaced_by_id == self.pk:
            raise ValidationError({"replaced_by": _("不能映射到自身")})
        if self.replaced_by_id and not self.replaced_by.active:
            raise ValidationError({"replaced_by": _("只能映射到现行的保管期限")})


class Category(ConfigModel):
    """档案门类, with how it is filed and how its reference codes are formed."""

    code = models.CharField(_("门类代码"), max_length=12, unique=True, validators=[category_code_validator])
    name = models.CharField(_("门类名称"), max_length=50)
    filing_level = models.CharField(
        _("整理方式"), max_length=10, choices=FilingLevel.choices, default=FilingLevel.ITEM
    )
    item_template = models.CharField(
        _("件档号模板"), max_length=120, default=references.DEFAULT_ITEM_TEMPLATE
    )
    volume_template = models.CharField(
        _("案卷档号模板"), max_length=120, default=references.DEFAULT_VOLUME_TEMPLATE
    )
    volume_item_template = models.CharField(
        _("卷内文件档号模板"), max_length=120, default=references.DEFAULT_VOLUME_ITEM_TEMPLATE
    )
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = pgettext_lazy("singular", "档案门类")
        verbose_name_plural = _("档案门类")

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def get_absolute_url(self):
        return reverse("catalogue:category", args=[self.pk])

    @property
    def by_volume(self) -> bool:
        return self.filing_level == FilingLevel.VOLUME

    def clean(self):
        errors = {}
        if (
            self.pk
            and self.filing_level != Category.objects.get(pk=self.pk).filing_level
            and (Item.objects.filter(category=self).exists() or Volume.objects.filter(category=self).exists())
        ):
            errors["filing_level"] = _("该门类已有档案，不能改变整理方式")
        checks = [
            ("item_template", references.ITEM_NAMES),
            ("volume_template", references.ITEM_NAMES),
            ("volume_item_template", references.VOLUME_ITEM_NAMES),
        ]
        for field, names in checks:
            try:
                references.validate_template(getattr(self, field), names)
            except ValidationError as e:
                errors[field] = e.messages
        if errors:
            raise ValidationError(errors)

    def extra_definitions(self) -> tuple[dict, bool]:
        """This category's extra fields by key, and whether any is required.

        Worked out once for the fields a caller prefetched (an import validates every row against the same
        list); without a prefetch each call reads them afresh, as ``self.fields.all()`` does.
        """
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("fields")
        known = self.__dict__.get("_extra_definitions")
        if prefetched is not None and known is not None and known[0] is prefetched:
            return known[1]
        fields = {f.key: f for f in self.fields.all()}
        definitions = (fields, any(f.required for f in fields.values()))
        if prefetched is not None:
            self.__dict__["_extra_definitions"] = (prefetched, definitions)
        return definitions

    def validate_extra(self, data) -> dict:
        """Check a record's extra fields against this category's definitions; return them cleaned."""
        if data in (None, ""):
            data = {}
        if not isinstance(data, dict):
            raise ValidationError({"extra": _("扩展字段必须是“字段: 值”的对象")})
        fields, required = self.extra_definitions()
        if not data and not required:
            return {}  # every field may be left out: nothing to check (most rows of an import)
        errors, cleaned = [], {}
        for key in data:
            if key not in fields:
                errors.append(
                    _("未知的扩展字段“%(key)s”（门类 %(category)s）") % {"key": key, "category": self.code}
                )
        for key, field in fields.items():
            try:
                value = field.clean_value(data.get(key))
            except ValidationError as e:
                errors.extend(f"{field.label}：{m}" for m in e.messages)
                continue
            if value not in (None, ""):
                cleaned[key] = value
        if errors:
            raise ValidationError({"extra": errors})
        return cleaned


class CategoryField(ConfigModel):
    """An extra description field of one category (e.g. 摄影者 for photos, 男方身份证号 for marriages)."""

    category = models.ForeignKey(
        Category, verbose_name=_("门类"), on_delete=models.CASCADE, related_name="fields"
    )
    key = models.SlugField(_("字段名"), max_length=40)
    label = models.CharField(_("显示名称"), max_length=50)
    field_type = models.CharField(_("类型"), max_length=20, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField(_("必填"), default=False)
    choices = models.CharField(_("可选值"), max_length=500, blank=True, help_text=_("用逗号分隔"))
    max_length = models.PositiveSmallIntegerField(_("最大长度"), default=200)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["category", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["category", "key"], name="unique_category_field_key")]
        verbose_name = pgettext_lazy("singular", "门类扩展字段")
        verbose_name_plural = _("门类扩展字段")

    def __str__(self):
        return f"{self.category.code}.{self.key}"

    def choice_list(self) -> list[str]:
        return [c.strip() for c in re.split(r"[,，、]", self.choices) if c.strip()]

    def clean_value(self, value):
        if value is None or (isinstance(value, str) and not value.strip()):
            if self.required:
                raise ValidationError(_("必填"))
            return None
        if self.field_type == FieldType.NUMBER:
            if isinstance(value, bool):
                raise ValidationError(_("必须是数字"))
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ValidationError(_("“%(value)s”不是数字") % {"value": value}) from None
            if not math.isfinite(number):  # NaN and infinities are not JSON, and not amounts
                raise ValidationError(_("“%(value)s”不是数字") % {"value": value})
            return int(number) if number.is_integer() else number
        if not isinstance(value, str):
            raise ValidationError(_("必须是文字"))
        value = value.strip()
        if "\x00" in value:  # PostgreSQL cannot store it in JSON
            raise ValidationError(_("不能包含空字符（\\x00）"))
        if len(value) > self.max_length:
            raise ValidationError(_("不能超过 %(n)d 个字符") % {"n": self.max_length})
        if self.field_type == FieldType.DATE:
            try:
                return datetime.date.fromisoformat(value).isoformat()
            except ValueError:
                raise ValidationError(_("“%(value)s”不是有效日期（年-月-日）") % {"value": value}) from None
        if self.field_type == FieldType.ID_NUMBER:
            value = value.upper()
            if not is_valid_id_number(value):
                raise ValidationError(_("“%(value)s”不是有效的居民身份证号码") % {"value": value})
        if self.field_type == FieldType.CHOICE and value not in self.choice_list():
            raise ValidationError(
                _("“%(value)s”不在可选值中：%(choices)s")
                % {"value": value, "choices": "、".join(self.choice_list())}
            )
        return value


class RetentionSchedule(ConfigModel):
    """归档范围与保管期限表 for one kind of unit: what is filed, and for how long."""

    unit_type = models.CharField(_("适用单位类型"), max_length=20, choices=UnitType.choices)
    name = models.CharField(_("名称"), max_length=100)
    basis = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        ordering = ["unit_type", "name"]
        verbose_name = pgettext_lazy("singular", "归档范围与保管期限表")
        verbose_name_plural = _("归档范围与保管期限表")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalogue:schedule", args=[self.pk])


class ScheduleEntry(ConfigModel):
    schedule = models.ForeignKey(
        RetentionSchedule, verbose_name=_("期限表"), on_delete=models.CASCADE, related_name="entries"
    )
    number = models.CharField(_("条目号"), max_length=20)
    description = models.CharField(_("归档范围"), max_length=300)
    category = models.ForeignKey(
        Category, verbose_name=_("门类"), null=True, blank=True, on_delete=models.PROTECT
    )
    retention = models.ForeignKey(Retention, verbose_name=_("保管期限"), on_delete=models.PROTECT)
    keywords = models.CharField(
        _("关键词"), max_length=300, blank=True, help_text=_("用逗号分隔；题名含这些词时建议此期限")
    )

    class Meta:
        ordering = ["schedule", "number"]
        verbose_name = pgettext_lazy("singular", "期限表条目")
        verbose_name_plural = _("期限表条目")

    def __str__(self):
        return f"{self.number} {self.description}（{self.retention}）"

    def keyword_list(self) -> list[str]:
        return [k.strip() for k in re.split(r"[,，、]", self.keywords) if k.strip()]


def suggest_retention(unit_type: str, title: str, category: Category | None = None) -> ScheduleEntry | None:
    """The schedule entry whose keywords best match a title, for the unit type's schedule."""
    if not title:
        return None
    entries = ScheduleEntry.objects.filter(schedule__unit_type=unit_type).select_related("retention")
    if category is not None:
        entries = entries.filter(Q(category=category) | Q(category__isnull=True))
    best, best_score = None, 0
    for entry in entries:
        score = sum(len(k) for k in entry.keyword_list() if k in title)
        if score > best_score:
            best, best_score = entry, score
    return best


class RecordQuerySet(RestrictedQuerySet):
    pass


class ReferenceCodeField(models.CharField):
    """A 档号 column, looked up and kept unique but never sorted by a reader's language: on PostgreSQL it
    takes the "C" collation, so its unique index compares bytes instead of calling the locale's strcoll for
    every step of every insert (an import's million), and a ``LIKE 'prefix%'`` can use that same index, which
    makes the second, ``varchar_pattern_ops`` index Django adds beside a unique text column unnecessary
    (migration 0004 drops it). Other databases keep their default, which already compares bytes (SQLite's
    BINARY)."""

    def db_parameters(self, connection):
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql" and not self.db_collation:
            parameters["collation"] = "C"
        return parameters


class Record(AuditedModel):
    """What items (件) and volumes (案卷) share: classification, reference code and description."""

    fonds = models.ForeignKey(Fonds, verbose_name=_("全宗"), on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, verbose_name=_("门类"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    retention = models.ForeignKey(
        Retention, verbose_name=_("保管期限"), on_delete=models.PROTECT, related_name="+"
    )
    org_code = models.CharField(
        _("机构（问题）代码"), max_length=10, blank=True, validators=[org_code_validator]
    )
    number = models.PositiveIntegerField(_("顺序号"), null=True, blank=True)
    reference_code = ReferenceCodeField(_("档号"), max_length=200, unique=True, editable=False)
    title = models.CharField(_("题名"), max_length=500)
    creator = models.CharField(_("责任者"), max_length=200, blank=True)
    security_level = models.CharField(
        _("密级"), max_length=20, choices=SecurityLevel.choices, default=SecurityLevel.PUBLIC
    )
    control = models.CharField(
        _("控制标识"), max_length=20, choices=ControlStatus.choices, default=ControlStatus.CONTROLLED
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=RecordStatus.choices, default=RecordStatus.FILED
    )
    remarks = models.CharField(_("备注"), max_length=500, blank=True)
    extra = models.JSONField(_("扩展字段"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = RecordQuerySet.as_manager()

    classification_fields = ("fonds_id", "category_id", "year", "retention_id", "org_code")

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.reference_code} {self.title}"

    @classmethod
    def permission_filter(cls, user, action):
        visible = Q(security_level__in=user.visible_security_levels)
        if user.is_bureau:
            return visible
        if user.is_archivist:
            in_scope = Q(fonds__unit_id__in=user.scope_unit_ids) | Q(
                fonds__custodian_id__in=user.scope_unit_ids
            )
            if action == VIEW:
                return visible & in_scope
            if action in (CHANGE, DELETE):
                # Once received by the archives the record is the archives' to change.
                return visible & in_scope & ~Q(status=RecordStatus.TRANSFERRED)
            return False
        if action == VIEW:
            return visible & Q(control=ControlStatus.OPEN, security_level=SecurityLevel.PUBLIC)
        return False

    @classmethod
    def permits_new(cls, user, obj):
        if obj.security_level not in user.visible_security_levels or obj.fonds_id is None:
            return False
        return Fonds.objects.restrict(user, "file").filter(pk=obj.fonds_id).exists()

    # Reference codes ---------------------------------------------------------------------------------------
    def code_template(self) -> str:
        raise NotImplementedError

    def code_values(self) -> dict:
        return {
            "fonds": self.fonds.number,
            "category": self.category.code,
            "year": self.year,
            "retention": self.retention.code,
            "org": self.org_code,
        }

    def code_scope(self) -> str:
        return references.render(self.code_template(), self.code_values(), None)

    def classification(self) -> tuple:
        return tuple(getattr(self, f) for f in self.classification_fields)

    def classification_changed(self) -> bool:
        before = getattr(self, "_audit_before", None)
        if before is None:
            return True
        current = self.classification()  # first: a deferred field, loaded now, joins the snapshot
        return tuple(before.get(f) for f in self.classification_fields) != current

    def assign_reference_code(self) -> None:
        """Give the record its 档号: the next free number in its class, or the number it was given."""
        scope = self.code_scope()
        if self.number and self._state.adding:
            references.claim_number(scope, self.number)
        else:
            self.number = references.next_number(scope)
        self.reference_code = references.render(self.code_template(), self.code_values(), self.number)

    def clean(self):
        errors = {}
        category = self.category if self.category_id else None
        if category is not None and category.by_volume != self.expects_volume_category():
            errors["category"] = self.wrong_category_message()
        # Records already filed under a retired category or period keep it; only new filing is refused.
        if category is not None and not category.active and self.classification_changed():
            errors["category"] = _("门类“%(name)s”已停用") % {"name": category}
        if self.retention_id and not self.retention.active and self.classification_changed():
            errors["retention"] = _("“%(name)s”是停用的旧保管期限，请选择现行期限") % {"name": self.retention}
        if self.year and self.year > latest_year():
            errors["year"] = _("年度不能晚于明年")
        if category is not None:
            try:
                self.extra = category.validate_extra(self.extra)
            except ValidationError as e:
                errors.update(e.message_dict)
            if not self.org_code and "{org}" in self.code_template().replace(" ", ""):
                errors["org_code"] = _("该门类的档号包含机构（问题）代码，请填写")
        if errors:
            raise ValidationError(errors)
        # Bulk filing checks every row's code in a few queries (services._check_unique_codes) instead of one
        # query per row here.
        checked_in_bulk = getattr(self, "_codes_checked_in_bulk", False)
        if (
            self.category_id
            and self.fonds_id
            and self.retention_id
            and self.number
            and self._state.adding
            and not checked_in_bulk
        ):
            code = references.render(self.code_template(), self.code_values(), self.number)
            if type(self).objects.filter(reference_code=code).exists():
                raise ValidationError({"number": _("档号 %(code)s 已存在") % {"code": code}})

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if not self.reference_code or self.classification_changed():
                self.assign_reference_code()
            super().save(*args, **kwargs)


class Volume(Record):
    """案卷: a file of items, for categories filed by volume (科技, 会计 …)."""

    fonds = models.ForeignKey(Fonds, verbose_name=_("全宗"), on_delete=models.PROTECT, related_name="volumes")
    start_date = models.DateField(_("起始日期"), null=True, blank=True)
    end_date = models.DateField(_("终止日期"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)

    class Meta:
        ordering = ["fonds__number", "category__code", "-year", "retention__order", "number"]
        verbose_name = pgettext_lazy("singular", "案卷")
        verbose_name_plural = _("案卷")
        indexes = [models.Index(fields=["fonds", "category", "year"])]

    def get_absolute_url(self):
        return reverse("catalogue:volume", args=[self.pk])

    def code_template(self) -> str:
        return self.category.volume_template

    def expects_volume_category(self) -> bool:
        return True

    def wrong_category_message(self):
        return _("门类“%(name)s”按件整理，不能组卷") % {"name": self.category}

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("终止日期不能早于起始日期")})
        if self.pk and self.classification_changed() and self.items.exists():
            # Its items carry the volume's classification and reference code; they would be left behind.
            before = getattr(self, "_audit_before", None) or {}
            raise ValidationError(
                {
                    field.removesuffix("_id"): _(
                        "案卷内已有文件，不能修改其全宗、门类、年度、保管期限或机构代码"
                    )
                    for field in self.classification_fields
                    if before.get(field) != getattr(self, field)
                }
            )


class Item(Record):
    """件: the unit of description (DA/T 22-2015); inside a volume for categories filed by volume."""

    # No index of its own: the (fonds, category, year) index below begins with it and serves every lookup by
    # fonds, and each index is one more B-tree to update for every item an import files.
    fonds = models.ForeignKey(
        Fonds, verbose_name=_("全宗"), on_delete=models.PROTECT, related_name="items", db_index=False
    )
    # Nor an index on the period: it is only ever looked up together with the fonds (the index above), or
    # when a period is deleted, which a bureau does perhaps once, not for each of the items an import files.
    retention = models.ForeignKey(
        Retention, verbose_name=_("保管期限"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Indexed only where set (Meta.indexes): most categories file items alone, so most items have no volume,
    # and a full index took one more B-tree entry for each of them.
    volume = models.ForeignKey(
        Volume,
        verbose_name=pgettext_lazy("singular", "案卷"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
        db_index=False,
    )
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    date = models.DateField(_("日期"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    full_text = models.TextField(_("全文"), blank=True, editable=False)

    classification_fields = Record.classification_fields + ("volume_id",)
    audit_exclude = ("full_text",)

    class Meta:
        ordering = ["fonds__number", "category__code", "-year", "retention__order", "org_code", "number"]
        verbose_name = pgettext_lazy("singular", "件")
        verbose_name_plural = _("件")
        indexes = [
            models.Index(fields=["fonds", "category", "year"]),
            models.Index(fields=["year"]),
            models.Index(fields=["status"]),
            models.Index(
                fields=["volume"], name="catalogue_item_in_volume", condition=Q(volume__isnull=False)
            ),
        ]

    def get_absolute_url(self):
        return reverse("catalogue:item", args=[self.pk])

    def code_template(self) -> str:
        return self.category.volume_item_template if self.volume_id else self.category.item_template

    def code_values(self) -> dict:
        values = super().code_values()
        if self.volume_id:
            values["volume"] = self.volume.reference_code
        return values

    def expects_volume_category(self) -> bool:
        return self.volume_id is not None

    def wrong_category_message(self):
        if self.volume_id:
            return _("门类“%(name)s”按件整理，件不能放入案卷") % {"name": self.category}
        return _("门类“%(name)s”按卷整理，请先选择案卷") % {"name": self.category}

    def take_volume_classification(self):
        """An item inside a volume is classified by the volume: its year and retention are the volume's."""
        if self.volume_id:
            volume = self.volume
            self.year, self.retention_id = volume.year, volume.retention_id
            for field in ("fonds_id", "category_id"):
                if getattr(self, field) is None:
                    setattr(self, field, getattr(volume, field))

    def clean_fields(self, exclude=None):
        self.take_volume_classification()
        super().clean_fields(exclude)

    def save(self, *args, **kwargs):
        self.take_volume_classification()
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.volume_id:
            volume = self.volume
            if volume.fonds_id != self.fonds_id or volume.category_id != self.category_id:
                errors["volume"] = _("案卷与件的全宗或门类不一致")
        if self.date and self.date.year > latest_year():
            errors["date"] = _("日期不能晚于明年")
        if errors:
            raise ValidationError(errors)
        super().clean()
