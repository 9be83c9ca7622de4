from pathlib import Path

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangan.catalogue.models import Category, Fonds
from dangan.core.models import Job
from dangan.core.querysets import RestrictedQuerySet
from dangan.exchange.choices import BatchStatus, MatchKey

MAX_SHOWN_ERRORS = 200  # on the page; the downloadable report has all of them


def uploads_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


class ImportBatch(models.Model):
    """One uploaded catalogue file on its way in: its mapping, the outcome of validation, and its report."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    fonds = models.ForeignKey(Fonds, verbose_name=_("全宗"), on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, verbose_name=_("门类"), on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("文件名"), max_length=255)
    stored_as = models.CharField(max_length=255, editable=False)
    size = models.BigIntegerField(_("大小"), default=0)
    headers = models.JSONField(_("表头"), default=list, blank=True)
    mapping = models.JSONField(
        _("列对应"), default=dict, blank=True, help_text=_("列序号 → 字段（extra:键 为扩展字段）")
    )
    key = models.CharField(
        _("重复导入按"), max_length=20, choices=MatchKey.choices, default=MatchKey.REFERENCE_CODE
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.UPLOADED
    )
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    notices = models.JSONField(_("提示"), default=list, blank=True)
    errors = models.JSONField(_("错误（前若干条）"), default=list, blank=True)
    message = models.TextField(_("说明"), blank=True)
    job = models.ForeignKey(
        Job, verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")

    def __str__(self):
        return f"{self.file_name}（{self.fonds.number} {self.category.code}）"

    def get_absolute_url(self):
        return reverse("exchange:batch", args=[self.pk])

    @classmethod
    def permission_filter(cls, user, action):
        # An import is its uploader's work in progress; the bureau may look at any of them.
        if user.is_bureau and action == "view":
            return True
        return models.Q(created_by_id=user.pk)

    @property
    def path(self) -> Path:
        return uploads_dir() / self.stored_as

    @property
    def report_path(self) -> Path:
        return uploads_dir() / f"{self.stored_as}.errors.csv"

    def int_mapping(self) -> dict[int, str]:
        return {int(position): target for position, target in self.mapping.items() if target}

    def record_outcome(self, outcome, *, committed: bool) -> None:
        self.row_count = outcome.rows
        self.created_count, self.updated_count = outcome.created, outcome.updated
        self.unchanged_count, self.error_count = outcome.unchanged, len(outcome.errors)
        self.notices = outcome.notices[:MAX_SHOWN_ERRORS]
        self.errors = [list(e) for e in outcome.errors[:MAX_SHOWN_ERRORS]]
        self.message = outcome.fatal
        if outcome.errors or outcome.fatal:
            self.status = BatchStatus.INVALID
        else:
            self.status = BatchStatus.COMMITTED if committed else BatchStatus.VALID
        self.save()


class ColumnMapping(models.Model):
    """A column mapping an archivist saved for a category, to reuse on the next file laid out the same way."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, verbose_name=_("门类"), on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    # header text (as compared: columns.header_key) → target field
    columns = models.JSONField(_("列对应"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "category", "name"], name="unique_column_mapping")
        ]
        verbose_name = _("列对应方案")
        verbose_name_plural = _("列对应方案")

    def __str__(self):
        return self.name

    def apply(self, headers: list[str]) -> dict[int, str]:
        from dangan.exchange.columns import header_key

        return {
            pos: self.columns[header_key(h)]
            for pos, h in enumerate(headers)
            if self.columns.get(header_key(h))
        }
