"""Change logging for models, and verification of the audit chain."""

import json
from dataclasses import dataclass

from django.db import models, transaction

from dangan.core.choices import AuditAction
from dangan.core.models import GENESIS_HASH, AuditEntry, AuditHead, canonical_json, record


def snapshot(instance: models.Model, attnames: set[str] | None = None) -> dict:
    """The instance's stored field values as plain JSON data (foreign keys as ids); only ``attnames``'s
    when given."""
    data = {
        field.attname: field.value_from_object(instance)
        for field in instance._meta.concrete_fields
        if attnames is None or field.attname in attnames
    }
    return json.loads(canonical_json(data))


class AuditedModel(models.Model):
    """A model whose every create, change and delete is written to the audit trail with before/after."""

    audit_exclude: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if len(values) == len(cls._meta.concrete_fields):
            instance._audit_before = snapshot(instance)
        else:
            # Read with .only() or .defer(): the fields left out join the snapshot when they are loaded
            # (refresh_from_db below); reading them here would load each, and loading makes another instance.
            instance._audit_before = snapshot(instance, instance._loaded_attnames())
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        before = self._audit_before
        if before is not None:  # the values just read are the stored ones a later save compares against
            before.update(snapshot(self, self._loaded_attnames(fields)))

    def _loaded_attnames(self, names=None) -> set[str]:
        """The attnames of the fields this instance holds (not deferred), of ``names`` only when given."""
        deferred = self.get_deferred_fields()
        return {
            f.attname for f in self._meta.concrete_fields
            if f.attname not in deferred and (names is None or f.name in names or f.attname in names)
        }

    @property
    def _audit_before(self) -> dict | None:
        """The stored values as last read or saved (``snapshot``): what a save records its changes against."""
        before = self.__dict__.get("_audit_snapshot")
        if type(before) is tuple:  # left by ``defer_snapshot``: made into the dict when first asked for
            before = self.__dict__["_audit_snapshot"] = dict(zip(*before, strict=True))
        return before

    @_audit_before.setter
    def _audit_before(self, value: dict | None) -> None:
        self.__dict__["_audit_snapshot"] = value

    def save(self, *args, **kwargs):
        before = self._audit_before
        with transaction.atomic():
            super().save(*args, **kwargs)
            after = snapshot(self)
            if before is None:
                record(AuditAction.CREATE, self, changes={"after": self._audit_filter(after)})
            else:
                changed = self._audit_diff(before, after)
                if changed:
                    record(AuditAction.UPDATE, self, changes=changed)
        self._audit_before = after

    def _audit_filter(self, data: dict) -> dict:
        return {key: value for key, value in data.items() if key not in self.audit_exclude}

    def _audit_diff(self, before: dict, after: dict) -> dict:
        # A timestamp that moves on every save is not a change anybody made.
        ignored = set(self.audit_exclude) | {
            f.attname for f in self._meta.concrete_fields if getattr(f, "auto_now", False)
        }
        keys = [k for k in after if before.get(k) != after.get(k) and k not in ignored]
        if not keys:
            return {}
        return {"before": {k: before.get(k) for k in keys}, "after": {k: after[k] for k in keys}}


def defer_snapshot(instance: AuditedModel, names: list[str], values: list) -> None:
    """Give ``instance`` the snapshot ``dict(zip(names, values))`` (its values in ``snapshot``'s form), made
    only if a later save or change asks for it: a bulk filing stores a million instances that nothing saves
    again, and making each one's dict cost more than the rest of its audit entry."""
    instance.__dict__["_audit_snapshot"] = (names, values)


def record_deletion(instance: models.Model) -> None:
    data = getattr(instance, "_audit_before", None) or snapshot(instance)
    record(AuditAction.DELETE, instance, changes={"before": data})


@dataclass
class ChainProblem:
    sequence: int
    reason: str

    def __str__(self):
        return f"#{self.sequence}: {self.reason}"


def verify_chain(batch_size: int = 5000) -> tuple[int, list[ChainProblem]]:
    """Walk the whole chain; return how many entries were checked and every problem found."""
    problems: list[ChainProblem] = []
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    entries = AuditEntry.objects.order_by("sequence")
    for entry in entries.iterator(chunk_size=batch_size):
        checked += 1
        if entry.sequence != expected_sequence:
            missing = (
                f"{expected_sequence}"
                if entry.sequence == expected_sequence + 1
                else (f"{expected_sequence}–{entry.sequence - 1}")
            )
            problems.append(ChainProblem(entry.sequence, f"entries {missing} are missing (removed)"))
        elif entry.previous_hash != expected_previous:
            problems.append(
                ChainProblem(
                    entry.sequence,
                    "previous-hash link is broken: an entry before it was removed, replaced or reordered",
                )
            )
        if entry.compute_hash() != entry.entry_hash:
            problems.append(
                ChainProblem(entry.sequence, "content does not match its hash: the row was edited")
            )
        expected_previous = entry.entry_hash
        expected_sequence = entry.sequence + 1
    head = AuditHead.objects.filter(pk=1).first()
    last_sequence = expected_sequence - 1
    if head is not None and head.last_sequence != last_sequence:
        if head.last_sequence > last_sequence:
            missing_from = last_sequence + 1
            problems.append(
                ChainProblem(
                    missing_from,
                    f"entries {missing_from}–{head.last_sequence} at the end are missing (removed)",
                )
            )
        else:
            problems.append(
                ChainProblem(last_sequence, "entries were appended behind the application's back")
            )
    elif head is not None and checked and head.last_hash != expected_previous:
        problems.append(
            ChainProblem(
                last_sequence, "the last entry does not match the chain head: it was edited or replaced"
            )
        )
    return checked, problems
