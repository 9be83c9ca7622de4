"""Reading containers (zip) safely: no member outside the container, no expansion past a limit."""

import posixpath
import unicodedata
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _


class UnsafeContainer(Exception):
    pass


def check_member_name(name: str) -> None:
    """Refuse absolute paths, drive letters and ``..`` steps (a zip-slip writes outside the target)."""
    normal = name.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        raise UnsafeContainer(_("压缩包中的路径“%(name)s”是绝对路径") % {"name": name})
    if ".." in posixpath.normpath(normal).split("/") or ".." in normal.split("/"):
        raise UnsafeContainer(_("压缩包中的路径“%(name)s”指向包外") % {"name": name})


def check_zip(zf: zipfile.ZipFile, limit: int | None = None) -> None:
    """Check names and the declared expanded size; duplicates by case or Unicode form are refused too."""
    limit = limit or settings.DANGAN_ZIP_MAX_BYTES
    total, seen = 0, {}
    for info in zf.infolist():
        check_member_name(info.filename)
        total += info.file_size
        folded = unicodedata.normalize("NFC", info.filename).casefold()
        if folded in seen and seen[folded] != info.filename:
            raise UnsafeContainer(
                _("压缩包中“%(a)s”与“%(b)s”仅大小写或编码形式不同") % {"a": seen[folded], "b": info.filename}
            )
        seen[folded] = info.filename
    if total > limit:
        raise UnsafeContainer(_("压缩包解开后达 %(size)d 字节，超过上限（疑似压缩炸弹）") % {"size": total})


def read_member(zf: zipfile.ZipFile, name: str, limit: int | None = None) -> bytes:
    """Read one member, stopping past ``limit`` bytes whatever its header claims (headers can lie)."""
    limit = limit or min(settings.DANGAN_ZIP_MAX_BYTES, 256 * 1024 * 1024)
    check_member_name(name)
    out, size = [], 0
    with zf.open(name) as member:
        while True:
            data = member.read(1024 * 1024)
            if not data:
                break
            size += len(data)
            if size > limit:
                raise UnsafeContainer(
                    _("“%(name)s”解开后超过 %(limit)d 字节（疑似压缩炸弹）") % {"name": name, "limit": limit}
                )
            out.append(data)
    return b"".join(out)
