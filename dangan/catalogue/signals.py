from django.dispatch import receiver

from dangan.catalogue.choices import FondsStatus
from dangan.catalogue.models import Fonds
from dangan.units.signals import unit_merged


@receiver(unit_merged)
def close_fonds_of_merged_unit(sender, unit, successor, date, **kwargs):
    """Close a merged or abolished unit's fonds; its successor holds them unless the archives do."""
    for fonds in Fonds.objects.filter(unit=unit, status=FondsStatus.OPEN):
        custodian = successor if fonds.custodian_id == unit.pk else None
        fonds.close(date, custodian)
    for fonds in Fonds.objects.filter(custodian=unit):
        fonds.custodian = successor
        fonds.save()
