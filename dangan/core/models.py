import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.db.models.expressions import Col
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from dangan.core.bulk import insert_instances
from dangan.core.choices import AuditAction, JobStatus
from dangan.core.context import current_actor
from dangan.core.querysets import RestrictedQuerySet

GENESIS_HASH = "0" * 64


def canonical_json(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class JSONTextField(models.JSONField):
    """JSON kept as the text it was written in: PostgreSQL's ``json`` type instead of ``jsonb``.

    The server only checks the text instead of converting it to ``jsonb``'s binary form: an audit entry of a
    bulk filing holds a thousand items' values (about 300 kB), and the conversion was half the server's work
    of storing them (a million items' entries by COPY: 6.3 → 3.1 s). Queries read the column as ``jsonb``
    (``_JsonbColumn``), so key lookups and containment work as on any JSONField; the cost of converting moves
    to the few entries a query reads. Other databases store JSON as text anyway.
    """

    def db_type(self, connection):
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def get_col(self, alias, output_field=None):
        # As Field.get_col, with the column class below.
        if alias == self.model._meta.db_table and (output_field is None or output_field == self):
            return self.cached_col
        return _JsonbColumn(alias, self, output_field)

    @cached_property
    def cached_col(self):
        return _JsonbColumn(self.model._meta.db_table, self)

    def from_db_value(self, value, expression, connection):
        if value is not None and not isinstance(value, str):
            return value  # read outside the ORM as json, which psycopg's loader has parsed already
        return super().from_db_value(value, expression, connection)


class _JsonbColumn(Col):
    """A ``JSONTextField`` column in a query: as ``jsonb`` on PostgreSQL, where ``json`` has no equality or
    containment operators for the values Django compares it with."""

    def as_postgresql(self, compiler, connection):
        sql, params = self.as_sql(compiler, connection)
        return f"({sql})::jsonb", params


class AuditHead(models.Model):
    """One row that writers lock, so entries are appended to the chain strictly one after another."""

    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("审计链头")


class AuditEntry(models.Model):
    """One line of the tamper-evident audit trail (审计日志).

    ``entry_hash`` covers every field of the entry and the previous entry's hash, so editing, removing or
    reordering rows behind the application's back breaks the chain at that row.
    """

    sequence = models.BigIntegerField(_("序号"), unique=True)
    timestamp = models.DateTimeField(_("时间"), db_index=True)
    actor_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True)
    actor_name = models.CharField(_("操作人"), max_length=150)
    ip = models.CharField(_("IP地址"), max_length=45, blank=True)
    action = models.CharField(_("动作"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    changes = JSONTextField(_("变更内容"), default=dict, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")

    def __str__(self):
        return f"#{self.sequence} {self.actor_name} {self.action} {self.object_repr}"

    @classmethod
    def permission_filter(cls, user, action):
        # Bureau staff read the trail; nobody changes it through the application.
        if action == "view":
            return user.is_bureau
        if action == "verify":
            return user.is_bureau_admin
        return False

    def hashed_content(self) -> dict:
        return {
            "sequence": self.sequence,
            "timestamp": self.timestamp.isoformat(),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "ip": self.ip,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changes": self.changes,
            "message": self.message,
            "previous_hash": self.previous_hash,
        }

    def compute_hash(self) -> str:
        content = self.hashed_content()
        known = self.__dict__.get("changes_json")
        if known is None:
            text = canonical_json(content)
        else:
            # The canonical text of ``changes`` that new_entry made, spliced in: a bulk filing's entry holds
            # a thousand items, and writing them out again cost as much as the filing's checks. Keys are
            # sorted and the values before "changes" are strings and numbers, in which an unescaped
            # '"changes":' cannot occur, so the first one is the key.
            content["changes"] = 0
            text = canonical_json(content).replace('"changes":0', '"changes":' + known, 1)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bulk_object_id(first: int, last: int) -> str:
    """The ``object_id`` of one entry about a run of new objects with ids ``first``…``last`` (bulk filing).

    Zero-padded behind a sign no plain id has, so the entries' index keeps runs in id order and
    ``about_object`` finds the run holding an id with one indexed lookup.
    """
    return f"+{first:020d}-{last:020d}"


def about_object(object_type: str, object_id: str) -> models.Q:
    """Entries about one object: its own, and the bulk entry (``bulk_object_id``) whose run holds its id."""
    about = models.Q(object_id=object_id)
    if object_type and object_id.isdigit():
        pk = int(object_id)
        # Runs hold consecutive ids and each id is created once, so they never overlap: the one that starts
        # last at or before the id is the only one that can hold it.
        run = (
            AuditEntry.objects.filter(
                object_type=object_type,
                object_id__startswith="+",
                object_id__lte=bulk_object_id(pk, 10**20 - 1),  # every run starting at or before the id
            )
            .order_by("-object_id")
            .values_list("pk", "object_id")
            .first()
        )
        if run and int(run[1].rsplit("-", 1)[1]) >= pk:
            about |= models.Q(pk=run[0])
    return about


def new_entry(
    action, obj=None, *, changes=None, plain=False, message="", object_type="", object_id="", object_repr=""
):
    """An unsaved, unchained entry by the current actor; ``append`` gives it its place in the chain.

    ``changes`` is copied through JSON (dates become text, tuples lists), unless ``plain`` says it holds
    nothing but JSON's own types already (a bulk filing's thousand rows), when it is kept as given.
    """
    actor = current_actor()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk or "")
        object_repr = object_repr or str(obj)
    text = canonical_json(changes or {})
    entry = AuditEntry(
        timestamp=timezone.now(),
        actor_id=actor.user_id,
        actor_name=actor.name[:150],
        ip=actor.ip,
        action=action,
        object_type=object_type,
        object_id=object_id[:64],
        object_repr=object_repr[:300],
        changes=(changes or {}) if plain else json.loads(text),
        message=message[:500],
    )
    entry.changes_json = text  # for compute_hash
    return entry


def append(entries: list[AuditEntry], batch_size: int = 2000) -> list[AuditEntry]:
    """Chain and store entries, in the caller's transaction when there is one.

    The chain head is locked for the duration, so concurrent writers append strictly one after another.
    """
    if not entries:
        return entries
    with transaction.atomic():
        AuditHead.objects.bulk_create([AuditHead(pk=1)], ignore_conflicts=True)
        head = AuditHead.objects.select_for_update().get(pk=1)
        previous, sequence = head.last_hash, head.last_sequence
        for entry in entries:
            sequence += 1
            entry.sequence = sequence
            entry.previous_hash = previous
            entry.entry_hash = previous = entry.compute_hash()
        _insert_entries(entries, batch_size)
        head.last_sequence, head.last_hash = sequence, previous
        head.save(update_fields=["last_sequence", "last_hash"])
    return entries


def _insert_entries(entries: list[AuditEntry], batch_size: int) -> None:
    """Store chained entries. ``changes`` goes in as the canonical text its hash was made from (JSON either
    way), instead of being written out a second time: a bulk filing's entry holds a thousand items."""
    connection = connections[router.db_for_write(AuditEntry)]
    fields = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
    changes = AuditEntry._meta.get_field("changes")
    for start in range(0, len(entries), batch_size):
        batch = entries[start:start + batch_size]
        rows = [
            [
                entry.__dict__.get("changes_json") or canonical_json(entry.changes)
                if field is changes
                else field.get_db_prep_save(getattr(entry, field.attname), connection)
                for field in fields
            ]
            for entry in batch
        ]
        insert_instances(batch, fields, rows)


def record(action, obj=None, **kwargs) -> AuditEntry:
    """Append one entry to the audit chain (see ``new_entry`` for the arguments)."""
    return append([new_entry(action, obj, **kwargs)])[0]


class Job(models.Model):
    """A background task (import, OCR, fixity audit …) with its progress and log, run by ``dangan worker``."""

    name = models.CharField(_("任务"), max_length=100, db_index=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING,
                              db_index=True)
    done = models.BigIntegerField(_("已完成"), default=0)
    total = models.BigIntegerField(_("总数"), null=True, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    log = models.TextField(_("日志"), blank=True)
    created_by_id = models.BigIntegerField(_("提交人ID"), null=True, blank=True)
    created_by_name = models.CharField(_("提交人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    worker = models.CharField(_("执行者"), max_length=100, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self):
        return f"{self.name} #{self.pk}"

    @classmethod
    def permission_filter(cls, user, action):
        # Everybody follows their own jobs; the bureau follows all of them.
        if user.is_bureau:
            return True
        return models.Q(created_by_id=user.pk) if action == "view" else False

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class PeriodicRun(models.Model):
    """When a periodic job was last started, so several workers start it once per period between them."""

    name = models.CharField(max_length=100, unique=True)
    last_started = models.DateTimeField()
