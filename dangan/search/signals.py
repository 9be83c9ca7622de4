"""The index follows every change of an item, inside the transaction that makes it."""

from django.apps import apps
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dangan.catalogue.models import Item
from dangan.catalogue.services import items_changed
from dangan.search.backends import get_backend


@receiver(post_save, sender=Item)
def index_saved_item(sender, instance, raw=False, **kwargs):
    if not raw:
        get_backend().items_changed([instance.pk])


@receiver(post_delete, sender=Item)
def unindex_deleted_item(sender, instance, **kwargs):
    get_backend().items_deleted([instance.pk])


@receiver(items_changed)
def index_changed_items(sender, item_ids, new_items=None, **kwargs):
    if item_ids:
        get_backend().items_changed(item_ids, new_items=new_items)


def digital_file_changed(sender, instance, **kwargs):
    # Whether an item has digital files is a filter and a facet.
    if instance.item_id:
        get_backend().items_changed([instance.item_id])


def connect_digital_files() -> None:
    """Follow DigitalFile too, once the preservation app provides it (it does not exist yet)."""
    relation = getattr(Item, "digital_files", None)
    if relation is None:
        return
    model = relation.rel.related_model
    post_save.connect(digital_file_changed, sender=model, dispatch_uid="search_digital_file_saved")
    post_delete.connect(digital_file_changed, sender=model, dispatch_uid="search_digital_file_deleted")


if apps.ready or apps.models_ready:
    connect_digital_files()
