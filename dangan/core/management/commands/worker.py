import signal
import threading

from django.core.management.base import BaseCommand

from dangan.core.jobs import work


class Command(BaseCommand):
    help = "Run background jobs (imports, checks, OCR …) from the database queue until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between looks at an empty queue")

    def handle(self, *args, once, poll, **options):
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            count = work(stop, poll=poll, once=once)
        except KeyboardInterrupt:
            count = 0
        self.stdout.write(f"worker stopped after {count} job(s)")
