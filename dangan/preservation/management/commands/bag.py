from django.core.management.base import BaseCommand, CommandError

from dangan.catalogue.models import Fonds, Item, Volume
from dangan.core.context import Actor, acting_as
from dangan.preservation.bags import BagProblem, export_bag, unpack_zip, validate_bag


class Command(BaseCommand):
    help = (
        "BagIt packages: `dangan bag validate PATH` (0.97 and 1.0; names each problem); "
        "`dangan bag export --item CODE | --volume CODE | --fonds NUMBER DEST`."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["validate", "export"])
        parser.add_argument("path")
        parser.add_argument("--item")
        parser.add_argument("--volume")
        parser.add_argument("--fonds")

    def handle(self, *args, action, path, item, volume, fonds, **options):
        if action == "validate":
            return self._validate(path)
        target = self._target(item, volume, fonds)
        with acting_as(Actor(None, "dangan bag export")):
            try:
                export_bag(target, path, creator="dangan bag export")
            except BagProblem as e:
                raise CommandError("; ".join(e.problems)) from e
        self.stdout.write(f"exported {target} to {path}")

    def _validate(self, path):
        import tempfile
        import zipfile
        from pathlib import Path

        if Path(path).is_file() and zipfile.is_zipfile(path):
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    problems = validate_bag(unpack_zip(Path(path), Path(tmp)))
                except Exception as e:
                    problems = [str(e)]
        else:
            problems = validate_bag(path)
        for problem in problems:
            self.stdout.write(f"problem: {problem}")
        if problems:
            raise CommandError(f"{path}: invalid bag, {len(problems)} problem(s)")
        self.stdout.write(f"{path}: valid bag")

    def _target(self, item, volume, fonds):
        try:
            if item:
                return Item.objects.get(reference_code=item)
            if volume:
                return Volume.objects.get(reference_code=volume)
            if fonds:
                return Fonds.objects.get(number=fonds)
        except (Item.DoesNotExist, Volume.DoesNotExist, Fonds.DoesNotExist):
            raise CommandError("no such record") from None
        raise CommandError("give --item, --volume or --fonds")
