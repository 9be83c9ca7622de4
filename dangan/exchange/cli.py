"""What the ``dangan import`` and ``dangan export`` commands share: finding things by their codes."""

from django.core.management.base import CommandError

from dangan.accounts.models import User
from dangan.catalogue.models import Category, Fonds


def find_fonds(number: str) -> Fonds:
    fonds = Fonds.objects.filter(number=number).first() or (
        Fonds.objects.filter(pk=int(number)).first() if number.isdigit() else None
    )
    if fonds is None:
        raise CommandError(f"no fonds numbered {number!r}")
    return fonds


def find_category(code: str) -> Category:
    category = Category.objects.filter(code=code.upper()).first()
    if category is None:
        raise CommandError(f"no category with code {code!r}")
    return category


def find_user(username: str | None):
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user {username!r}")
    return user
