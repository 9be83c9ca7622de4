from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Load the demo district (示范区): units, archivists, fonds, catalogue records and demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=3000,
                            help="about how many items to file (default 3000)")

    def handle(self, *args, items, **options):
        from dangan.demo import load_demo

        if items < 0:
            raise CommandError("--items: must not be negative")
        load_demo(items=items, stdout=self.stdout)
