from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string

from dangan.core.context import Actor, acting_as


def ensure_admin(username: str, password: str | None, reset: bool = False) -> str | None:
    """Create (or with ``reset`` re-password) a bureau administrator; return the password if one was set."""
    from dangan.accounts.choices import Role
    from dangan.core.choices import SecurityLevel

    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None and not reset:
        return None
    password = password or get_random_string(14)
    with acting_as(Actor(None, "cli:createadmin")):
        if user is None:
            user = User(
                username=username,
                role=Role.BUREAU_ADMIN,
                clearance=SecurityLevel.TOP_SECRET,
                is_staff=True,
                is_superuser=True,
            )
        user.set_password(password)
        user.save()
    return password


class Command(BaseCommand):
    help = "Create a bureau administrator (档案局管理员), or set a new password for an existing one."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--password", help="default: DANGAN_ADMIN_PASSWORD, else a random one that is printed"
        )
        parser.add_argument("--reset", action="store_true", help="set a new password if the user exists")

    def handle(self, *args, username, password, reset, **options):
        import os

        password = password or os.environ.get("DANGAN_ADMIN_PASSWORD")
        if password is not None and len(password) < 8:
            raise CommandError("--password: must be at least 8 characters")
        result = ensure_admin(username, password, reset=reset)
        if result is None:
            raise CommandError(f"user {username!r} exists already; use --reset to set a new password")
        self.stdout.write(self.style.SUCCESS(f"administrator {username!r} ready; password: {result}"))
