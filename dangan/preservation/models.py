"""Digital files of items and volumes, their PREMIS event history, and the four-property checks."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangan.catalogue.models import Item, Volume
from dangan.core.audit import AuditedModel
from dangan.core.context import current_actor
from dangan.core.permissions import CHANGE, VIEW, BureauMaintained, RestrictedQuerySet, can
from dangan.preservation.choices import EventType, FileRole, FileStatus, Outcome, Property, Stage, TextStatus

SOFTWARE_VERSION = "0.1"


class DigitalFileQuerySet(RestrictedQuerySet):
    def complete(self):
        return self.filter(status__in=[FileStatus.COMPLETE, FileStatus.DAMAGED, FileStatus.MISSING])


class DigitalFile(AuditedModel):
    """电子文件: one stored file of an item (件) or a volume (案卷), addressed by its SHA-256."""

    item = models.ForeignKey(
        "catalogue.Item",
        verbose_name=_("件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="digital_files",
    )
    volume = models.ForeignKey(
        "catalogue.Volume",
        verbose_name=_("案卷"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="digital_files",
    )
    original_name = models.CharField(_("计算机文件名"), max_length=255)
    size = models.BigIntegerField(_("文件大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    sm3 = models.CharField(_("SM3"), max_length=64, null=True, blank=True)
    mime = models.CharField(_("MIME 类型"), max_length=100, blank=True)
    puid = models.CharField(_("PRONOM 标识"), max_length=30, blank=True)
    format_name = models.CharField(_("格式名称"), max_length=200, blank=True)
    role = models.CharField(_("用途"), max_length=20, choices=FileRole.choices, default=FileRole.ORIGINAL)
    characterisation = models.JSONField(_("特征信息"), default=dict, blank=True)
    # Bulk ingests leave identification and characterisation to a background job (FIDO takes ~15 ms a file).
    identified = models.BooleanField(_("已识别格式"), default=True)
    storage_key = models.CharField(_("存储键"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=20, choices=FileStatus.choices, default=FileStatus.PENDING, db_index=True
    )
    # host:pid of the process storing a PENDING file, so a file left by a killed process is recognised.
    ingest_owner = models.CharField(max_length=100, blank=True)
    text_status = models.CharField(
        _("文本提取"), max_length=20, choices=TextStatus.choices, default=TextStatus.NONE, db_index=True
    )
    text = models.TextField(_("提取文本"), blank=True)
    checked_at = models.DateTimeField(_("四性检测时间"), null=True, blank=True)
    fixity_checked_at = models.DateTimeField(_("固定性检查时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("接收时间"), default=timezone.now)

    objects = DigitalFileQuerySet.as_manager()
    audit_exclude = ("text", "ingest_owner")

    class Meta:
        ordering = ["item", "volume", "pk"]
        verbose_name = _("电子文件")
        verbose_name_plural = _("电子文件")
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=False, volume__isnull=True)
                | Q(item__isnull=True, volume__isnull=False),
                name="digital_file_belongs_to_item_or_volume",
            ),
        ]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("preservation:file", args=[self.pk])

    @property
    def record(self) -> Item | Volume:
        return self.item if self.item_id else self.volume

    @property
    def alert(self) -> bool:
        return self.status in (FileStatus.DAMAGED, FileStatus.MISSING)

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")

    @property
    def is_pdf(self) -> bool:
        return self.mime == "application/pdf"

    def clean(self):
        if bool(self.item_id) == bool(self.volume_id):
            raise ValidationError(_("电子文件必须属于一件或一个案卷"))

    @classmethod
    def permission_filter(cls, user, action):
        # Who may see a file sees its item; who may change the item adds, replaces or removes its files.
        record_action = VIEW if action == VIEW else CHANGE
        return Q(item__in=Item.objects.restrict(user, record_action).values("pk")) | Q(
            volume__in=Volume.objects.restrict(user, record_action).values("pk")
        )

    @classmethod
    def permits_new(cls, user, obj):
        target = obj.item if obj.item_id else obj.volume
        return target is not None and can(user, CHANGE, target)

    def add_event(
        self, event_type, outcome=Outcome.SUCCESS, detail="", agent="", **data
    ) -> "PreservationEvent":
        return PreservationEvent.objects.create(
            file=self,
            event_type=event_type,
            outcome=outcome,
            detail=detail,
            agent=agent or default_agent(),
            data=data,
        )


def default_agent() -> str:
    """The PREMIS agent: the software, and the person on whose behalf it acts."""
    return f"Dangan {SOFTWARE_VERSION} / {current_actor().name}"


class PreservationEvent(models.Model):
    """A PREMIS event of one file: what happened, when, by which agent, with which outcome."""

    file = models.ForeignKey(
        DigitalFile, verbose_name=_("电子文件"), on_delete=models.CASCADE, related_name="events"
    )
    event_type = models.CharField(_("事件"), max_length=40, choices=EventType.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    agent = models.CharField(_("执行者"), max_length=200)
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices, default=Outcome.SUCCESS)
    detail = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["file", "at", "pk"]
        verbose_name = _("保存事件")
        verbose_name_plural = _("保存事件")

    def __str__(self):
        return f"{self.get_event_type_display()} {self.file} {self.get_outcome_display()}"

    @classmethod
    def permission_filter(cls, user, action):
        if action != VIEW:
            return False
        return Q(file__in=DigitalFile.objects.restrict(user, VIEW).values("pk"))


class BureauConfigModel(BureauMaintained, AuditedModel):
    """Configuration every signed-in user reads and only the bureau changes."""

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True


class AcceptedFormat(BureauConfigModel):
    """A format accepted for long-term preservation (matched by PRONOM PUID, else by MIME type)."""

    name = models.CharField(_("格式"), max_length=100)
    puid = models.CharField(_("PRONOM 标识"), max_length=30, blank=True)
    mime = models.CharField(_("MIME 类型"), max_length=100, blank=True)
    accepted = models.BooleanField(_("接受"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["name", "puid"]
        verbose_name = _("长期保存格式")
        verbose_name_plural = _("长期保存格式")

    def __str__(self):
        return f"{self.name} {self.puid or self.mime}"

    @classmethod
    def is_accepted(cls, puid: str, mime: str) -> bool:
        formats = cls.objects.filter(accepted=True)
        if puid and formats.filter(puid=puid).exists():
            return True
        return bool(mime) and formats.filter(puid="", mime=mime).exists()


class CheckItem(BureauConfigModel):
    """One item of the four-property checks (四性检测项, DA/T 70-2018), configurable by the bureau."""

    code = models.CharField(_("编号"), max_length=20, unique=True)
    name = models.CharField(_("检测项目"), max_length=200)
    property = models.CharField(_("性质"), max_length=20, choices=Property.choices)
    method = models.CharField(_("检测方法"), max_length=50, help_text=_("程序中的检测函数名"))
    at_capture = models.BooleanField(_("归档"), default=True)
    at_transfer = models.BooleanField(_("移交接收"), default=True)
    at_preservation = models.BooleanField(_("长期保存"), default=True)
    enabled = models.BooleanField(_("启用"), default=True)
    description = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("四性检测项")
        verbose_name_plural = _("四性检测项")

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        from dangan.preservation.checks import FILE_CHECKS, RECORD_CHECKS  # checks build on these models

        if self.method not in FILE_CHECKS and self.method not in RECORD_CHECKS:
            raise ValidationError(
                {
                    "method": _("没有名为“%(m)s”的检测方法；可用：%(all)s")
                    % {"m": self.method, "all": ", ".join(sorted({*FILE_CHECKS, *RECORD_CHECKS}))}
                }
            )

    def applies_to(self, stage: str) -> bool:
        return {
            Stage.CAPTURE: self.at_capture,
            Stage.TRANSFER: self.at_transfer,
            Stage.PRESERVATION: self.at_preservation,
        }[stage]


class CheckRun(models.Model):
    """One run of the four-property checks over a batch of files (a capture, a transfer, a periodic run)."""

    stage = models.CharField(_("环节"), max_length=20, choices=Stage.choices)
    title = models.CharField(_("批次"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    files = models.PositiveIntegerField(_("文件数"), default=0)
    passed = models.PositiveIntegerField(_("通过"), default=0)
    warnings = models.PositiveIntegerField(_("警告"), default=0)
    failed = models.PositiveIntegerField(_("不通过"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("四性检测批次")
        verbose_name_plural = _("四性检测批次")

    def __str__(self):
        return f"{self.get_stage_display()} {self.title or self.pk}"

    def get_absolute_url(self):
        return reverse("preservation:run", args=[self.pk])

    @classmethod
    def permission_filter(cls, user, action):
        # A batch report spans many units' files: the bureau reads batches; others read per-item reports.
        return action == VIEW and user.is_bureau


class CheckResult(models.Model):
    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="results")
    file = models.ForeignKey(
        DigitalFile, null=True, blank=True, on_delete=models.CASCADE, related_name="check_results"
    )
    item = models.ForeignKey(
        "catalogue.Item", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    volume = models.ForeignKey(
        "catalogue.Volume", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    check_item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["run", "item", "volume", "file", "check_item__code"]

    @classmethod
    def permission_filter(cls, user, action):
        if action != VIEW:
            return False
        return Q(item__in=Item.objects.restrict(user, VIEW).values("pk")) | Q(
            volume__in=Volume.objects.restrict(user, VIEW).values("pk")
        )

    VERDICTS = {Outcome.SUCCESS: _("通过"), Outcome.WARNING: _("警告"), Outcome.FAILURE: _("不通过"),
                Outcome.SKIPPED: _("未检")}

    @property
    def verdict(self) -> str:
        """The result in the words of a check report (通过 / 不通过), not of an event (成功 / 失败)."""
        return self.VERDICTS.get(self.outcome, self.outcome)
