"""Typed environment variables with embedded defaults.

A bad value stops the program at start with the variable's name, instead of failing later somewhere
obscure (Healthchecks' envbool/envint pattern). A ``NAME_FILE`` variable holding a path is read in place
of ``NAME`` so secrets can come from files.
"""

import os


class ImproperSetting(Exception):
    pass


def envstr(name: str, default: str | None = None) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            with open(file_name, encoding="utf-8") as f:
                return f.read().strip()
        except OSError as e:
            raise ImproperSetting(f"{name}_FILE: cannot read {file_name!r}: {e.strerror}") from e
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperSetting(f"{name}={value!r}: expected true or false")


def envint(name: str, default: int, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperSetting(f"{name}={value!r}: expected a whole number") from None
    if minimum is not None and number < minimum:
        raise ImproperSetting(f"{name}={value!r}: must be at least {minimum}")
    return number


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]
