from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from dangan.catalogue.models import Item, Volume
from dangan.exchange import ead, exports, printing
from dangan.exchange.cli import find_fonds, find_user

FORMS = ("catalogue", "volumes", "volume-contents", "spines", "records")


class Command(BaseCommand):
    help = "Export a catalogue (.csv/.xlsx), a printed form (PDF) or a fonds as EAD3 XML."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True, metavar="WHAT")
        catalogue = sub.add_parser("catalogue", help="items as .csv or .xlsx (the importer reads it back)")
        catalogue.add_argument("output", type=Path, help="file.csv or file.xlsx")
        catalogue.add_argument(
            "--filter", default="", help="list filters as a query string: fonds=1&year=2023"
        )
        catalogue.add_argument("--user", help="export what this user may see (default: everything)")
        pdf = sub.add_parser("pdf", help="a printed form of DA/T 22 as PDF")
        pdf.add_argument("form", choices=FORMS)
        pdf.add_argument("output", type=Path)
        pdf.add_argument("--fonds", required=True)
        pdf.add_argument("--volume", help="档号 of the volume (volume-contents)")
        pdf.add_argument("--per-box", type=int, default=50)
        eadx = sub.add_parser("ead", help="a fonds as EAD3 XML, checked against the EAD3 schema")
        eadx.add_argument("output", type=Path)
        eadx.add_argument("--fonds", required=True)

    def handle(self, *args, what, output, **options):
        getattr(self, f"_{what}")(output, **options)

    def _catalogue(self, output, filter, user, **options):
        user = find_user(user)
        items = exports.items_for_export(user, QueryDict(filter)) if user else Item.objects.all()
        if user is None and filter:
            from dangan.catalogue.filtersets import ItemFilterSet

            items = ItemFilterSet(QueryDict(filter), queryset=Item.objects.all()).qs
        header, rows = exports.export_items(items)
        write = exports.write_xlsx if output.suffix.lower() == ".xlsx" else exports.write_csv
        write(header, rows, output)
        self.stdout.write(f"wrote {output}")

    def _pdf(self, output, form, fonds, volume, per_box, **options):
        fonds = find_fonds(fonds)
        items = Item.objects.filter(fonds=fonds, volume__isnull=True).select_related("fonds", "retention")
        items = items.order_by("category__code", "year", "retention__order", "org_code", "number")
        if form == "catalogue":
            data = printing.item_catalogue(items, str(fonds))
        elif form == "volumes":
            volumes = Volume.objects.filter(fonds=fonds).select_related("retention")
            data = printing.volume_catalogue(volumes, str(fonds))
        elif form == "volume-contents":
            found = Volume.objects.filter(fonds=fonds, reference_code=volume).first()
            if found is None:
                raise CommandError(f"no volume {volume!r} in fonds {fonds.number}")
            data = printing.volume_contents(found, found.items.order_by("number"))
        else:
            boxes = printing.boxes(items, per_box)
            data = printing.box_spines(boxes) if form == "spines" else printing.box_records(boxes)
        output.write_bytes(data)
        self.stdout.write(f"wrote {output}")

    def _ead(self, output, fonds, **options):
        with output.open("wb") as handle:
            ead.write_fonds(find_fonds(fonds), handle)
        problems = ead.validate(output)
        if problems:
            raise CommandError("not valid EAD3: " + "; ".join(problems[:10]))
        self.stdout.write(f"wrote {output} (valid EAD3)")
