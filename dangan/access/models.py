"""利用: readers, access requests and approvals, loans, reading logs, effects, certificates, open review."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangan.access.choices import (
    IdType,
    Mode,
    ReaderKind,
    RequestStatus,
    ReviewDecision,
    Step,
    ViewAction,
)
from dangan.catalogue.choices import ControlStatus, RecordStatus, SecurityLevel
from dangan.catalogue.models import ConfigModel, Fonds, Item
from dangan.core.audit import AuditedModel
from dangan.core.choices import AuditAction
from dangan.core.models import record
from dangan.core.permissions import VIEW, RestrictedQuerySet
from dangan.lib.idnumbers import is_valid_id_number, mask_id_number
from dangan.units.models import Unit

USER = settings.AUTH_USER_MODEL
NOTE_MAX = 1000


def _no_nul(value: str) -> None:
    if "\x00" in (value or ""):
        raise ValidationError(_("不能包含空字符（\\x00）"))


# Which items the public may know about ---------------------------------------


def public_items():
    """Items the portal lists: public-level, filed, and opened (开放) or with a published entry (目录公开).

    The only place that says what the public may see of the catalogue; the portal, its search and the request
    form all go through it.
    """
    return Item.objects.filter(
        Q(control=ControlStatus.OPEN) | Q(catalogue_listing__isnull=False),
        security_level=SecurityLevel.PUBLIC,
        status__in=[RecordStatus.FILED, RecordStatus.TRANSFERRED],
    )


# What the public may read of a public item: the one list for the portal's item page, search results and
# anything else that shows an item to the public. An opened item shows its open metadata (never remarks,
# extra fields or full text) and where it sits; a controlled item with a published entry (目录公开) shows only
# what is needed to find it and ask for it — never its files, text, or any other field.
OPEN_FIELDS = ("reference_code", "title", "creator", "document_number", "date", "year", "pages")
OPEN_CONTEXT = (("fonds", _("全宗")), ("category", _("门类")), ("retention", _("保管期限")))
LISTED_FIELDS = ("reference_code", "title", "creator", "year")


def published_entry(item: Item) -> dict[str, tuple[str, object]]:
    """The fields of ``item`` the public may see, as name → (label, value); only for ``public_items()``."""
    opened = item.control == ControlStatus.OPEN
    entry = {
        name: (Item._meta.get_field(name).verbose_name, getattr(item, name))
        for name in (OPEN_FIELDS if opened else LISTED_FIELDS)
    }
    if opened:
        entry.update({name: (label, getattr(item, name).name) for name, label in OPEN_CONTEXT})
    return entry


def open_items():
    """Public items whose content is open too: granted at once, their published files shown on the portal."""
    return public_items().filter(control=ControlStatus.OPEN)


def requestable_items(user):
    """Items ``user`` may ask to use: what they may see in Dangan, and whatever the portal lists."""
    visible = Item.objects.restrict(user, VIEW).values("pk")
    return Item.objects.filter(Q(pk__in=visible) | Q(pk__in=public_items().values("pk")))


def _in_scope(user, prefix: str = "") -> Q:
    scope = user.scope_unit_ids
    return Q(**{f"{prefix}fonds__unit_id__in": scope}) | Q(**{f"{prefix}fonds__custodian_id__in": scope})


# Configurable data -----------------------------------------------------------


class Purpose(ConfigModel):
    """利用目的 (编史修志, 工作查考 …): data, so the bureau can add its own."""

    name = models.CharField(_("利用目的"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("利用目的")
        verbose_name_plural = _("利用目的")

    def __str__(self):
        return self.name


# Readers ---------------------------------------------------------------------


class ReaderQuerySet(RestrictedQuerySet):
    pass


class Reader(AuditedModel):
    """利用者: the person behind a User who reads archives; public readers register with an ID document."""

    user = models.OneToOneField(
        USER, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="reader_profile"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=ReaderKind.choices, default=ReaderKind.PUBLIC)
    name = models.CharField(_("姓名"), max_length=50, validators=[_no_nul])
    id_type = models.CharField(_("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT)
    id_number = models.CharField(_("证件号码"), max_length=30, validators=[_no_nul])
    phone = models.CharField(_("联系电话"), max_length=20, validators=[_no_nul])
    organisation = models.CharField(_("工作单位"), max_length=100, blank=True, validators=[_no_nul])
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ReaderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("利用者")
        verbose_name_plural = _("利用者")

    def __str__(self):
        return self.name

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)

    def clean(self):
        self.id_number = (self.id_number or "").strip().upper()
        if self.id_type == IdType.RESIDENT and not is_valid_id_number(self.id_number):
            raise ValidationError(
                {
                    "id_number": _("“%(value)s”不是有效的居民身份证号码（请核对校验位）")
                    % {"value": self.id_number[:30]}
                }
            )
        phone = (self.phone or "").replace(" ", "").replace("-", "")
        if not phone.lstrip("+").isdigit() or not 5 <= len(phone) <= 20:
            raise ValidationError({"phone": _("请填写有效的电话号码")})

    @classmethod
    def permission_filter(cls, user, action):
        # Staff who handle requests see readers; a reader sees and edits only themself.
        if user.is_bureau or (user.is_archivist and action == VIEW):
            return True
        return Q(user=user)

    @classmethod
    def permits_new(cls, user, obj):
        return user.is_bureau or obj.user_id == user.pk


def display_name(user) -> str:
    profile = getattr(user, "reader_profile", None) if user is not None else None
    return profile.name if profile is not None else str(user)


# Access requests -------------------------------------------------------------


class AccessRequestQuerySet(RestrictedQuerySet):
    pass


class AccessRequest(AuditedModel):
    """利用申请: items, purpose and mode; open items are granted at once, controlled ones after approval."""

    number = models.CharField(_("申请编号"), max_length=20, unique=True, null=True, blank=True)
    requester = models.ForeignKey(
        USER, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="access_requests"
    )
    items = models.ManyToManyField(Item, verbose_name=_("档案"), through="RequestItem", related_name="+")
    purpose = models.ForeignKey(Purpose, verbose_name=_("利用目的"), on_delete=models.PROTECT)
    mode = models.CharField(_("利用方式"), max_length=20, choices=Mode.choices)
    note = models.TextField(_("说明"), blank=True, validators=[MaxLengthValidator(NOTE_MAX), _no_nul])
    status = models.CharField(
        _("状态"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING, db_index=True
    )
    needs_bureau = models.BooleanField(_("需档案局审批"), default=False)
    allow_download = models.BooleanField(_("允许下载"), default=False)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("利用申请")
        verbose_name_plural = _("利用申请")

    def __str__(self):
        return self.number or f"#{self.pk}"

    def get_absolute_url(self):
        return reverse("access:request", args=[self.pk])

    @classmethod
    def permission_filter(cls, user, action):
        if action == VIEW:
            if user.is_bureau:
                return True
            own = Q(requester=user)
            if user.is_archivist:
                return own | Q(pk__in=RequestItem.objects.filter(_in_scope(user, "item__")).values("request"))
            return own
        if action == "decide":
            # Who may take part in deciding; which step they may decide is ``step_for``.
            pending = Q(status=RequestStatus.PENDING) & ~Q(requester=user)
            if user.is_bureau:
                return pending
            if user.is_archivist:
                return pending & Q(
                    pk__in=RequestItem.objects.filter(_in_scope(user, "item__")).values("request")
                )
            return False
        if action == "cancel":
            return Q(requester=user, status=RequestStatus.PENDING)
        return False

    @classmethod
    def permits_new(cls, user, obj):
        return obj.requester_id == user.pk

    # Creating -----------------------------------------------------------------
    @classmethod
    def submit(cls, requester, items, purpose: Purpose, mode: str, note: str = "") -> "AccessRequest":
        """File a request; items outside ``requestable_items`` are refused as if they did not exist."""
        ids = sorted({int(getattr(i, "pk", i)) for i in items})
        if not ids:
            raise ValidationError({"items": _("请至少选择一件档案")})
        found = list(requestable_items(requester).filter(pk__in=ids).select_related("fonds"))
        if len(found) != len(ids):
            raise ValidationError({"items": _("所选档案不存在或您无权申请")})
        if not purpose.active:
            raise ValidationError({"purpose": _("该利用目的已停用")})
        req = cls(
            requester=requester,
            purpose=purpose,
            mode=mode,
            note=(note or "").strip(),
            needs_bureau=settings.DANGAN_ACCESS_BUREAU_APPROVAL,
        )
        req.full_clean()
        with transaction.atomic():
            req.save()
            req.number = f"LY{req.created_at.year}{req.pk:06d}"
            req.save(update_fields=["number"])
            RequestItem.objects.bulk_create([RequestItem(request=req, item=item) for item in found])
            req.log(requester, "", RequestStatus.PENDING, _("提交申请"))
            if not req.controlled_items():
                req.grant(by=None, reason=_("开放档案，自动批准"))
        return req

    def controlled_items(self) -> list[Item]:
        return [
            ri.item
            for ri in self.request_items.select_related("item__fonds")
            if ri.item.control != ControlStatus.OPEN
        ]

    def required_steps(self) -> list[tuple[str, int | None]]:
        """(step, unit): the holding unit of every controlled item, then the bureau where configured."""
        units = sorted({item.fonds.custodian_id for item in self.controlled_items()})
        steps: list[tuple[str, int | None]] = [(Step.UNIT, unit) for unit in units]
        if units and self.needs_bureau:
            steps.append((Step.BUREAU, None))
        return steps

    def missing_steps(self) -> list[tuple[str, int | None]]:
        done = {(d.step, d.unit_id) for d in self.decisions.filter(approved=True)}
        return [step for step in self.required_steps() if step not in done]

    def step_for(self, user) -> tuple[str, int | None] | None:
        """The first undecided step ``user`` may decide, or None."""
        for step, unit in self.missing_steps():
            if step == Step.UNIT and unit in _units_decided_by(user):
                return step, unit
            if step == Step.BUREAU and user.is_bureau:
                return step, unit
        return None

    # State changes: short methods, each writing its history row ---------------
    def approve(self, by, reason: str = "") -> "Decision":
        return self._decide(by, True, reason)

    def reject(self, by, reason: str) -> "Decision":
        if not (reason or "").strip():
            raise ValidationError({"reason": _("不批准时请填写理由")})
        return self._decide(by, False, reason)

    def _decide(self, by, approved: bool, reason: str) -> "Decision":
        with transaction.atomic():
            current = type(self).objects.select_for_update().get(pk=self.pk)
            step = current._check_decider(by)
            decision = Decision(
                request=current,
                step=step[0],
                unit_id=step[1],
                by=by,
                approved=approved,
                reason=(reason or "").strip(),
            )
            decision.full_clean()
            try:
                with transaction.atomic():
                    decision.save()
            except IntegrityError:  # a concurrent decision by the same person or on the same step
                raise ValidationError(_("该申请的这一环节已经审批过")) from None
            if not approved:
                current._set_status(by, RequestStatus.REJECTED, reason)
            elif not current.missing_steps():
                current.grant(by=by, reason=reason)
            else:
                current.log(
                    by, current.status, current.status, _("%(step)s：同意") % {"step": decision.label}
                )
        self.refresh_from_db()
        return decision

    def _check_decider(self, by) -> tuple[str, int | None]:
        if self.status != RequestStatus.PENDING:
            raise ValidationError(
                _("该申请已办结（%(status)s），不能再审批") % {"status": self.get_status_display()}
            )
        if by.pk == self.requester_id:
            raise ValidationError(_("不能审批本人提出的申请"))
        if self.decisions.filter(by=by).exists():
            raise ValidationError(_("您已审批过该申请，同一人不能重复审批"))
        step = self.step_for(by)
        if step is None:
            raise ValidationError(_("该申请没有需要您审批的环节"))
        return step

    def grant(self, by, reason: str = "") -> None:
        self.allow_download = self.mode in (Mode.COPY,)
        self.valid_until = timezone.localdate() + datetime.timedelta(days=settings.DANGAN_ACCESS_GRANT_DAYS)
        self._set_status(by, RequestStatus.GRANTED, reason)

    def cancel(self, by) -> None:
        if self.status != RequestStatus.PENDING or by.pk != self.requester_id:
            raise ValidationError(_("只有申请人可以撤回待审批的申请"))
        self._set_status(by, RequestStatus.CANCELLED, _("申请人撤回"))

    def _set_status(self, by, status: str, reason: str) -> None:
        before = self.status
        self.status = status
        self.decided_at = timezone.now()
        self.save()
        self.log(by, before, status, reason)

    def log(self, by, before: str, after: str, message: str) -> "RequestEvent":
        return RequestEvent.objects.create(
            request=self,
            actor=by,
            actor_name=str(by) if by else _("系统"),
            status_from=before,
            status_to=after,
            message=str(message)[:500],
        )

    # Reading ------------------------------------------------------------------
    @property
    def is_active_grant(self) -> bool:
        return self.status == RequestStatus.GRANTED and (
            self.valid_until is None or self.valid_until >= timezone.localdate()
        )

    def readable_files(self):
        """The digital files the requester may read under this grant (of its items, complete ones only)."""
        from dangan.preservation.models import DigitalFile

        if not self.is_active_grant or self.mode not in (Mode.ONLINE, Mode.COPY, Mode.CERTIFICATE):
            return DigitalFile.objects.none()
        return DigitalFile.objects.complete().filter(item__in=self.request_items.values("item"))


def _units_decided_by(user) -> set[int]:
    """Units whose holdings ``user`` approves for: an archivist's scope; for bureau staff, the bureau."""
    if user.is_archivist:
        return user.scope_unit_ids
    if user.is_bureau and user.unit_id:
        # The archives itself holds what was transferred to it; its staff approve for it.
        return {user.unit_id}
    return set()


class RequestItem(models.Model):
    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="request_items")
    item = models.ForeignKey(Item, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="+")
    pages = models.PositiveIntegerField(_("复制页数"), default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["request", "item"], name="unique_request_item")]


class Decision(AuditedModel):
    """One approval or refusal of a request, with its reason."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="decisions")
    step = models.CharField(_("环节"), max_length=20, choices=Step.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("保管单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    by = models.ForeignKey(USER, verbose_name=_("审批人"), on_delete=models.PROTECT, related_name="+")
    approved = models.BooleanField(_("同意"))
    reason = models.TextField(_("意见"), blank=True, validators=[MaxLengthValidator(NOTE_MAX), _no_nul])
    at = models.DateTimeField(_("审批时间"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("审批")
        verbose_name_plural = _("审批")
        constraints = [
            # No double approval: one decision per person and one per step, whatever the race.
            models.UniqueConstraint(fields=["request", "by"], name="one_decision_per_person"),
            models.UniqueConstraint(fields=["request", "step", "unit"], name="one_decision_per_step"),
            models.UniqueConstraint(
                fields=["request", "step"], condition=Q(unit__isnull=True), name="one_bureau_decision"
            ),
        ]

    def __str__(self):
        return f"{self.request} {self.label}"

    @property
    def label(self) -> str:
        return f"{self.get_step_display()}{f'（{self.unit.name}）' if self.unit_id else ''}"


class RequestEvent(models.Model):
    """The history of a request: every change of state, who made it, and why."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=150)
    status_from = models.CharField(max_length=20, choices=RequestStatus.choices, blank=True)
    status_to = models.CharField(_("状态"), max_length=20, choices=RequestStatus.choices)
    message = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]


# Loans -----------------------------------------------------------------------


class LoanQuerySet(RestrictedQuerySet):
    def active(self):
        return self.filter(returned_at__isnull=True)

    def overdue(self, today=None):
        return self.active().filter(due_date__lt=today or timezone.localdate())


class Loan(AuditedModel):
    """借出: one physical item lent to one person; at most one active loan per item (a DB constraint)."""

    item = models.ForeignKey(Item, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="loans")
    borrower = models.ForeignKey(
        USER, verbose_name=_("借阅人"), on_delete=models.PROTECT, related_name="loans"
    )
    request = models.ForeignKey(
        AccessRequest,
        verbose_name=_("利用申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans",
    )
    lent_by = models.ForeignKey(USER, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+")
    lent_at = models.DateTimeField(_("借出时间"), default=timezone.now)
    due_date = models.DateField(_("应还日期"))
    renewals = models.PositiveSmallIntegerField(_("续借次数"), default=0)
    returned_at = models.DateTimeField(_("归还时间"), null=True, blank=True)
    returned_to = models.ForeignKey(
        USER, verbose_name=_("接收人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminded_at = models.DateTimeField(_("催还时间"), null=True, blank=True)

    objects = LoanQuerySet.as_manager()

    class Meta:
        ordering = ["-lent_at", "-pk"]
        verbose_name = _("借出登记")
        verbose_name_plural = _("借出登记")
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(returned_at__isnull=True), name="one_active_loan_per_item"
            ),
        ]

    def __str__(self):
        return f"{self.item.reference_code} → {display_name(self.borrower)}"

    @property
    def is_overdue(self) -> bool:
        return self.returned_at is None and self.due_date < timezone.localdate()

    @classmethod
    def permission_filter(cls, user, action):
        if user.is_bureau:
            return True
        if user.is_archivist:
            return _in_scope(user, "item__")
        return Q(borrower=user) if action == VIEW else False

    @classmethod
    def permits_new(cls, user, obj):
        if user.is_bureau:
            return True
        return user.is_archivist and Item.objects.filter(_in_scope(user), pk=obj.item_id).exists()

    @classmethod
    def lend(cls, item: Item, borrower, by, due_date: datetime.date | None = None, request=None) -> "Loan":
        """Lend ``item``; refused while it is on loan. The item row is locked, and the partial unique
        constraint stops the race the lock cannot (SQLite has no row locks)."""
        due = due_date or timezone.localdate() + datetime.timedelta(days=settings.DANGAN_LOAN_DAYS)
        if due < timezone.localdate():
            raise ValidationError({"due_date": _("应还日期不能早于今天")})
        with transaction.atomic():
            Item.objects.select_for_update().filter(pk=item.pk).first()
            if cls.objects.active().filter(item=item).exists():
                raise ValidationError(_("档案 %(code)s 已借出，尚未归还") % {"code": item.reference_code})
            loan = cls(item=item, borrower=borrower, lent_by=by, due_date=due, request=request)
            try:
                with transaction.atomic():
                    loan.save()
            except IntegrityError:
                raise ValidationError(
                    _("档案 %(code)s 已借出，尚未归还") % {"code": item.reference_code}
                ) from None
        return loan

    @classmethod
    def active_for(cls, item: Item) -> "Loan":
        loan = cls.objects.active().filter(item=item).first()
        if loan is None:
            raise ValidationError(_("档案 %(code)s 不在借出状态，无需归还") % {"code": item.reference_code})
        return loan

    def mark_returned(self, by) -> None:
        with transaction.atomic():
            current = type(self).objects.select_for_update().get(pk=self.pk)
            if current.returned_at is not None:
                raise ValidationError(
                    _("该档案已于 %(at)s 归还")
                    % {"at": timezone.localtime(current.returned_at).strftime("%Y-%m-%d %H:%M")}
                )
            self.returned_at, self.returned_to = timezone.now(), by
            self.save()

    def renew(self, by, days: int | None = None) -> None:
        if self.returned_at is not None:
            raise ValidationError(_("已归还的借出不能续借"))
        if self.renewals >= settings.DANGAN_LOAN_MAX_RENEWALS:
            raise ValidationError(_("已续借 %(n)d 次，不能再续借") % {"n": self.renewals})
        self.due_date = max(self.due_date, timezone.localdate()) + datetime.timedelta(
            days=days or settings.DANGAN_LOAN_DAYS
        )
        self.renewals += 1
        self.save()
        record(AuditAction.ACTION, self, message=f"renewed by {by} until {self.due_date}")


# Reading log, effects, certificates ------------------------------------------


class ViewLog(models.Model):
    """Every page read online and every download, with who, when and under which grant."""

    request = models.ForeignKey(AccessRequest, on_delete=models.PROTECT, related_name="views")
    file = models.ForeignKey("preservation.DigitalFile", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20, choices=ViewAction.choices, default=ViewAction.VIEW)
    page = models.PositiveIntegerField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]


class Effect(AuditedModel):
    """利用效果: what a use achieved, entered afterwards (令第13号: every use gets feedback)."""

    request = models.ForeignKey(
        AccessRequest, verbose_name=_("利用申请"), on_delete=models.PROTECT, related_name="effects"
    )
    summary = models.TextField(_("利用效果"), validators=[MaxLengthValidator(2000), _no_nul])
    entered_by = models.ForeignKey(USER, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-entered_at", "-pk"]
        verbose_name = _("利用效果")
        verbose_name_plural = _("利用效果")

    def __str__(self):
        return f"{self.request} {self.summary[:20]}"

    @classmethod
    def permission_filter(cls, user, action):
        return Q(request__in=AccessRequest.objects.restrict(user, VIEW).values("pk"))

    @classmethod
    def permits_new(cls, user, obj):
        return (
            user.is_bureau or user.is_archivist or obj.request.requester_id == user.pk
        ) and AccessRequest.objects.restrict(user, VIEW).filter(pk=obj.request_id).exists()


def new_certificate_code() -> str:
    # 80 random bits in base 32: unguessable, so a made-up code finds nothing.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


class Certificate(AuditedModel):
    """档案证明: a PDF of copied pages with certification text, a verification code and its digest."""

    code = models.CharField(_("核验码"), max_length=19, unique=True, default=new_certificate_code)
    request = models.ForeignKey(
        AccessRequest, verbose_name=_("利用申请"), on_delete=models.PROTECT, related_name="certificates"
    )
    item = models.ForeignKey(Item, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(_("证明内容"), validators=[MaxLengthValidator(NOTE_MAX), _no_nul])
    pages = models.PositiveIntegerField(_("页数"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    issued_by = models.ForeignKey(USER, verbose_name=_("出具人"), on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("出具时间"), default=timezone.now)
    revoked = models.BooleanField(_("已作废"), default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("档案证明")
        verbose_name_plural = _("档案证明")

    def __str__(self):
        return self.code

    @classmethod
    def permission_filter(cls, user, action):
        return Q(request__in=AccessRequest.objects.restrict(user, VIEW).values("pk"))

    @classmethod
    def permits_new(cls, user, obj):
        return user.is_bureau or (user.is_archivist and obj.item.fonds.custodian_id in user.scope_unit_ids)

    def revoke(self, by, reason: str) -> None:
        """作废: the code then fails verification; who and why is in the audit trail."""
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("作废证明须填写理由")})
        if self.revoked:
            raise ValidationError(_("该证明已作废"))
        if not type(self).permits_new(by, self):
            raise ValidationError(_("只有保管该档案的单位或档案局可以作废证明"))
        self.revoked = True
        self.save()
        record(AuditAction.ACTION, self, message=f"revoked: {reason}"[:500])

    @property
    def pdf(self) -> bytes:
        return bytes(self.document.pdf)


class CertificateDocument(models.Model):
    """The issued PDF itself, apart from the audited row: its digest is what the audit trail keeps."""

    certificate = models.OneToOneField(Certificate, on_delete=models.PROTECT, related_name="document")
    pdf = models.BinaryField()


# Open review -----------------------------------------------------------------


class CatalogueListing(AuditedModel):
    """目录公开: a controlled item whose catalogue entry the public may see and apply to use."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="catalogue_listing")
    listed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    listed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("目录公开")
        verbose_name_plural = _("目录公开")

    def __str__(self):
        return str(self.item)

    @classmethod
    def publish(cls, items, by) -> list["CatalogueListing"]:
        """Publish the catalogue entries of controlled items (bureau staff only). Items that are not public
        level or not filed are skipped: ``public_items()`` would never show them anyway.

        What the public then sees of a listed item is ``LISTED_FIELDS``, nothing more.
        """
        if not by.is_bureau:
            raise ValidationError(_("只有档案局工作人员可以公开档案目录"))
        filed = (RecordStatus.FILED, RecordStatus.TRANSFERRED)
        with transaction.atomic():
            return [
                cls.objects.get_or_create(item=item, defaults={"listed_by": by})[0]
                for item in items
                if item.security_level == SecurityLevel.PUBLIC and item.status in filed
            ]

    def withdraw(self, by) -> None:
        """Take the entry off the portal again (the deletion is audited)."""
        if not by.is_bureau:
            raise ValidationError(_("只有档案局工作人员可以公开档案目录"))
        self.delete()


def due_for_review(fonds: Fonds | None = None, year: int | None = None):
    """Controlled items at least OPEN_AFTER_YEARS old and not yet reviewed, oldest first."""
    last_year = (year or timezone.localdate().year) - settings.OPEN_AFTER_YEARS
    items = Item.objects.filter(
        control=ControlStatus.CONTROLLED,
        year__lte=last_year,
        status__in=[RecordStatus.FILED, RecordStatus.TRANSFERRED],
    )
    items = items.exclude(
        pk__in=OpenReview.objects.filter(
            decision=ReviewDecision.DEFER, defer_until__gt=timezone.localdate().year
        ).values("item")
    )
    if fonds is not None:
        items = items.filter(fonds=fonds)
    return items.select_related("fonds", "category").order_by("fonds__number", "year", "reference_code")


class OpenReview(AuditedModel):
    """开放审核: a decision to open an item, or to defer its opening, with the reason."""

    item = models.ForeignKey(
        Item, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="open_reviews"
    )
    batch = models.CharField(_("批次"), max_length=32, db_index=True)
    decision = models.CharField(_("审核结论"), max_length=20, choices=ReviewDecision.choices)
    reason = models.TextField(_("理由"), blank=True, validators=[MaxLengthValidator(NOTE_MAX), _no_nul])
    defer_until = models.PositiveSmallIntegerField(_("延期至（年）"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        USER, verbose_name=_("审核人"), on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_at", "-pk"]
        verbose_name = _("开放审核")
        verbose_name_plural = _("开放审核")

    def __str__(self):
        return f"{self.item.reference_code} {self.get_decision_display()}"

    @classmethod
    def permission_filter(cls, user, action):
        return user.is_bureau

    @classmethod
    def permits_new(cls, user, obj):
        return user.is_bureau

    @classmethod
    def decide_batch(
        cls, items, decision: str, by, reason: str = "", defer_years: int = 5
    ) -> list["OpenReview"]:
        """Record one decision for a batch of items; opening sets their control flag to 开放."""
        if not by.is_bureau:
            raise ValidationError(_("只有档案局工作人员可以进行开放审核"))
        if decision not in ReviewDecision.values:
            raise ValidationError(_("请选择审核结论"))
        reason = (reason or "").strip()
        if decision == ReviewDecision.DEFER and not reason:
            raise ValidationError({"reason": _("延期开放须填写理由")})
        batch = secrets.token_hex(8)
        until = timezone.localdate().year + defer_years if decision == ReviewDecision.DEFER else None
        reviews = []
        with transaction.atomic():
            for item in items:
                review = cls(
                    item=item,
                    batch=batch,
                    decision=decision,
                    reason=reason,
                    defer_until=until,
                    reviewed_by=by,
                )
                review.full_clean()
                review.save()
                if decision == ReviewDecision.OPEN:
                    item.control = ControlStatus.OPEN
                    item.save()  # audited by the item itself
                reviews.append(review)
        return reviews
