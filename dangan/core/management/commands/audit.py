from django.core.management.base import BaseCommand, CommandError

from dangan.core.audit import verify_chain


class Command(BaseCommand):
    help = (
        "Audit trail tools. 'verify' walks the hash chain and names every entry edited, removed or reordered."
    )

    def add_arguments(self, parser):
        parser.add_argument("task", choices=["verify"])

    def handle(self, *args, task, **options):
        checked, problems = verify_chain()
        if problems:
            for problem in problems:
                self.stderr.write(f"TAMPERED {problem}")
            raise CommandError(f"audit chain broken: {len(problems)} problem(s) in {checked} entries")
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {checked} entries verified"))
