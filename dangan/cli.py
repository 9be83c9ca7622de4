"""The ``dangan`` command: Django's management commands under one name (``dangan up``, ``dangan demo`` …)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangan.settings")
    from dangan.lib.env import ImproperSetting

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["dangan", *(sys.argv[1:] if argv is None else argv)])
    except ImproperSetting as e:
        sys.exit(f"dangan: bad setting: {e}")


if __name__ == "__main__":
    main()
