import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangan.core.choices import AuditAction
from dangan.core.context import current_actor
from dangan.core.models import record
from dangan.units.choices import UnitEventKind, UnitStatus
from dangan.units.models import Unit, UnitEvent
from dangan.units.signals import unit_merged


def merge_units(units: list[Unit], successor: Unit, date: datetime.date, note: str = "") -> None:
    """Merge ``units`` into ``successor`` (区划调整) on ``date``.

    Each merged unit stays in the register with status 已合并 and its successor; its sub-units move under
    the successor; its fonds are closed and pass into the successor's custody. No record is renumbered.
    """
    if not units:
        raise ValidationError({"units": _("请选择要合并的单位")})
    if not successor.is_active:
        raise ValidationError({"successor": _("继任单位“%(name)s”不是正常状态") % {"name": successor}})
    for unit in units:
        if unit.pk == successor.pk:
            raise ValidationError({"units": _("单位不能合并到自身")})
        if not unit.is_active:
            raise ValidationError({"units": _("“%(name)s”已不是正常状态，不能再合并") % {"name": unit}})
        if unit.pk in {a.pk for a in successor.ancestors()}:
            raise ValidationError({"successor": _("继任单位不能是被合并单位的下级单位")})
    recorded_by = current_actor().name
    with transaction.atomic():
        for unit in units:
            for child in unit.children.all():
                child.parent = successor
                child.save()
            unit.status = UnitStatus.MERGED
            unit.status_date = date
            unit.successor = successor
            unit.full_clean()
            unit.save()
            UnitEvent.objects.create(
                unit=unit,
                kind=UnitEventKind.MERGED,
                date=date,
                other_unit=successor,
                note=note,
                recorded_by=recorded_by,
            )
            UnitEvent.objects.create(
                unit=successor,
                kind=UnitEventKind.RECEIVED,
                date=date,
                other_unit=unit,
                note=note,
                recorded_by=recorded_by,
            )
            unit_merged.send(sender=Unit, unit=unit, successor=successor, date=date)
            record(
                AuditAction.ACTION, unit, message=f"merged into {successor.code} {successor.name} on {date}"
            )


def abolish_unit(unit: Unit, date: datetime.date, custodian: Unit, note: str = "") -> None:
    """Abolish a unit (撤销); its records pass to ``custodian``, as after a merger."""
    if not unit.is_active:
        raise ValidationError({"unit": _("“%(name)s”已不是正常状态") % {"name": unit}})
    with transaction.atomic():
        unit.status = UnitStatus.ABOLISHED
        unit.status_date = date
        unit.successor = custodian
        unit.save()
        UnitEvent.objects.create(
            unit=unit,
            kind=UnitEventKind.ABOLISHED,
            date=date,
            other_unit=custodian,
            note=note,
            recorded_by=current_actor().name,
        )
        unit_merged.send(sender=Unit, unit=unit, successor=custodian, date=date)
        record(AuditAction.ACTION, unit, message=f"abolished on {date}; records to {custodian.code}")
