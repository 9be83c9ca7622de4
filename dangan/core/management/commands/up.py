from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from dangan.core.management.commands.createadmin import ensure_admin


class Command(BaseCommand):
    help = (
        "Migrate, create an administrator if there is none, load the demo district on first run, and serve."
    )

    def add_arguments(self, parser):
        demo = parser.add_mutually_exclusive_group()
        demo.add_argument(
            "--demo", action="store_true", help="load the demo district (if it is not loaded yet)"
        )
        demo.add_argument("--no-demo", action="store_true", help="never load the demo district")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-serve", action="store_true", help="prepare everything but do not serve")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not run background jobs in this process (run 'dangan worker' instead)",
        )

    def handle(self, *args, demo, no_demo, host, port, threads, no_serve, no_worker, **options):
        from dangan.accounts.models import User
        from dangan.units.models import Unit

        if not 0 < port < 65536:
            raise CommandError(f"--port {port}: must be between 1 and 65535")
        self.stdout.write(f"data folder: {settings.DATA_DIR}")
        self.stdout.write(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
        call_command("migrate", interactive=False, verbosity=0)
        if not User.objects.filter(is_superuser=True).exists():
            password = ensure_admin("admin", None)
            self.stdout.write(self.style.WARNING(f"created administrator 'admin' with password: {password}"))
        if demo or (not no_demo and not Unit.objects.exists()):
            call_command("demo", stdout=self.stdout)
        if no_serve:
            return
        if not no_worker:
            from dangan.core.jobs import start_worker_thread

            start_worker_thread()
        self.serve(host, port, threads)

    def serve(self, host, port, threads):
        from waitress import serve

        from dangan.wsgi import application

        self.stdout.write(
            self.style.SUCCESS(f"Dangan is serving on http://{host}:{port}/  (Ctrl+C stops it)")
        )
        self.stdout.flush()
        serve(application, host=host, port=port, threads=threads, ident="dangan")
