"""``dangan ingest folder``: files laid out one folder per item (named by its reference code), or listed in
a spreadsheet (xlsx or csv) mapping each file to a reference code. Each item's files are captured together;
re-running skips files already captured, so an interrupted ingest is finished by running it again.
"""

import csv
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from dangan.catalogue.models import Fonds, Item, Volume
from dangan.preservation.models import DigitalFile
from dangan.preservation.services import IngestBatch, IngestError, clean_filename

CODE_HEADERS = {"档号", "reference_code", "reference code"}
FILE_HEADERS = {"文件", "文件名", "file", "path"}


@dataclass
class FolderResult:
    records: int = 0
    files: int = 0
    bytes: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def find_fonds(value: str) -> Fonds:
    fonds = Fonds.objects.filter(number=value).first()
    if fonds is None and str(value).isdigit():
        fonds = Fonds.objects.filter(pk=int(value)).first()
    if fonds is None:
        raise IngestError(_("找不到全宗 %(value)s") % {"value": value})
    return fonds


def layout_by_folder(root: Path) -> dict[str, list[Path]]:
    groups = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
        groups[unicodedata.normalize("NFC", folder.name)] = files
    return groups


def layout_by_sheet(root: Path, sheet: Path) -> dict[str, list[Path]]:
    rows = _read_sheet(sheet)
    if not rows:
        raise IngestError(_("对照表是空的"))
    header = [str(c or "").strip().lower() for c in rows[0]]
    try:
        code_col = next(i for i, h in enumerate(header) if h in CODE_HEADERS)
        file_col = next(i for i, h in enumerate(header) if h in FILE_HEADERS)
    except StopIteration:
        raise IngestError(_("对照表第一行须有“档号”和“文件”两列")) from None
    groups: dict[str, list[Path]] = {}
    base = root.resolve()
    for row in rows[1:]:
        if len(row) <= max(code_col, file_col) or not row[code_col] or not row[file_col]:
            continue
        path = (root / str(row[file_col]).strip()).resolve()
        if not path.is_relative_to(base):
            raise IngestError(_("对照表中的文件“%(path)s”不在导入文件夹内") % {"path": row[file_col]})
        groups.setdefault(str(row[code_col]).strip(), []).append(path)
    return groups


def _read_sheet(sheet: Path) -> list[list]:
    if sheet.suffix.lower() == ".csv":
        with open(sheet, encoding="utf-8-sig", newline="") as f:
            return list(csv.reader(f))
    import openpyxl

    workbook = openpyxl.load_workbook(sheet, read_only=True, data_only=True)
    try:
        return [list(row) for row in workbook.active.iter_rows(values_only=True)]
    finally:
        workbook.close()


# Several items go into one capture batch, up to these limits: each batch costs a few transactions, an fsync
# round and a search index commit (~0.1 s), too much to pay for every item of a few small files.
BATCH_FILES = 1000
BATCH_BYTES = 64 * 1024 * 1024


def ingest_folder(root, fonds: Fonds, user=None, sheet=None, progress=None) -> FolderResult:
    root = Path(root)
    groups = layout_by_sheet(root, Path(sheet)) if sheet else layout_by_folder(root)
    result = FolderResult()
    total = sum(len(files) for files in groups.values())
    batch = _Batch(user, result)
    try:
        for code, files in groups.items():
            record = (
                Item.objects.filter(fonds=fonds, reference_code=code).first()
                or Volume.objects.filter(fonds=fonds, reference_code=code).first()
            )
            if record is None:
                result.problems.append(
                    _("全宗 %(fonds)s 中找不到档号 %(code)s") % {"fonds": fonds.number, "code": code}
                )
                continue
            try:
                batch.add_record(code, record, files)
            except (IngestError, OSError) as e:
                result.problems.append(f"{code}: {e}")
            if batch.full:
                batch.complete()
            if progress:
                progress(result.files + result.skipped + batch.files, total)
        batch.complete()
    except BaseException:
        batch.abandon()
        raise
    return result


class _Batch:
    """The capture batch being filled, and what its items will add to the result once it is complete."""

    def __init__(self, user, result: FolderResult):
        self.user, self.result = user, result
        self._start()

    def _start(self):
        self.capture = IngestBatch(user=self.user, identify=False)
        self.codes, self.files, self.bytes = [], 0, 0

    @property
    def full(self) -> bool:
        return self.files >= BATCH_FILES or self.bytes >= BATCH_BYTES

    def add_record(self, code: str, record, files: list[Path]) -> None:
        """Add the files of one item or volume not captured yet: all of them, or (raising) none."""
        kind = "item" if isinstance(record, Item) else "volume"
        have = set(
            DigitalFile.objects.complete().filter(**{kind: record}).values_list("original_name", "size")
        )
        todo = [p for p in files if (clean_filename(p.name), p.stat().st_size) not in have]
        self.result.skipped += len(files) - len(todo)
        if not todo:
            self.result.records += 1
            return
        added = 0
        with self.capture.savepoint():
            for path in todo:
                with open(path, "rb") as stream:
                    added += self.capture.add(record, stream, path.name).size
        self.codes.append(code)
        self.files += len(todo)
        self.bytes += added

    def complete(self) -> None:
        try:
            self.capture.complete()
        except IngestError as e:
            self.result.problems.extend(f"{code}: {e}" for code in self.codes)
        else:
            self.result.records += len(self.codes)
            self.result.files += self.files
            self.result.bytes += self.bytes
        self._start()

    def abandon(self) -> None:
        self.capture.abandon()
