"""BagIt packages: export items, volumes or fonds as archival information packages (AIP) with catalogue
metadata as XML (schema ``schema/dangan-aip-1.0.xsd``, carried inside every bag), import them back, and
validate any bag (BagIt 0.97 and 1.0), naming each problem.

Layout of an exported bag::

    bagit.txt  bag-info.txt  manifest-sha256.txt  manifest-sm3.txt  tagmanifest-*.txt
    data/metadata/dangan.xml              the catalogue and file metadata
    data/metadata/dangan-aip-1.0.xsd      the schema it validates against
    data/files/<reference code>/<name>    the files, byte for byte
"""

import datetime
import json
import shutil
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import bagit
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from dangan.catalogue.models import Category, Fonds, Item, Retention, Volume
from dangan.preservation import hashing
from dangan.preservation.choices import FileRole
from dangan.preservation.models import DigitalFile
from dangan.preservation.safezip import UnsafeContainer, check_zip
from dangan.preservation.services import IngestError, ingest_batch
from dangan.preservation.storage import get_storage
from dangan.units.models import Unit

NS = "urn:dangan:aip:1"
SCHEMA_PATH = Path(__file__).parent / "schema" / "dangan-aip-1.0.xsd"
METADATA = "metadata/dangan.xml"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)

# bagit writes an sm3 manifest (hashlib has it through OpenSSL) but checks only algorithms it knows of.
if hashing.HAS_OPENSSL_SM3 and "sm3" not in bagit.CHECKSUM_ALGOS:
    bagit.CHECKSUM_ALGOS = frozenset(bagit.CHECKSUM_ALGOS) | {"sm3"}
CHECKSUMS = ["sha256", "sm3"] if hashing.HAS_OPENSSL_SM3 else ["sha256"]


class BagProblem(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), PARSER))


# Export ----------------------------------------------------------------------------------------------------


def records_of(target) -> tuple[list[Volume], list[Item]]:
    if isinstance(target, Fonds):
        return (
            list(Volume.objects.filter(fonds=target).order_by("pk")),
            list(Item.objects.filter(fonds=target).order_by("pk")),
        )
    if isinstance(target, Volume):
        return [target], list(target.items.order_by("pk"))
    return [], [target]


def _sub(parent, tag, value=None):
    element = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if value is not None:
        element.text = str(value)
    return element


def _record_fields(element, record) -> None:
    for tag, value in [
        ("referenceCode", record.reference_code),
        ("fonds", record.fonds.number),
        ("category", record.category.code),
        ("year", record.year),
        ("retention", record.retention.code),
        ("orgCode", record.org_code),
        ("number", record.number),
        ("title", record.title),
        ("creator", record.creator),
        ("securityLevel", record.security_level),
        ("control", record.control),
        ("status", record.status),
        ("remarks", record.remarks),
        ("extra", json.dumps(record.extra, ensure_ascii=False, sort_keys=True)),
    ]:
        _sub(element, tag, value)
    if record.pages is not None:
        _sub(element, "pages", record.pages)


def _file_elements(element, record, payload: dict) -> None:
    files = DigitalFile.objects.complete().filter(
        **{"item" if isinstance(record, Item) else "volume": record}
    )
    for f in files.order_by("pk"):
        path = f"files/{record.reference_code}/{f.original_name}"
        payload[path] = f
        node = _sub(element, "file")
        for tag, value in [
            ("path", path),
            ("name", f.original_name),
            ("size", f.size),
            ("role", f.role),
            ("mime", f.mime),
            ("puid", f.puid),
            ("formatName", f.format_name),
            ("sha256", f.sha256),
        ]:
            _sub(node, tag, value)
        if f.sm3:
            _sub(node, "sm3", f.sm3)
        _sub(node, "created", f.created_at.isoformat())


def metadata_xml(volumes, items, payload: dict, creator: str = "") -> etree._Element:
    records = [*volumes, *items]
    root = etree.Element(
        f"{{{NS}}}package",
        nsmap={None: NS},
        version="1.0",
        created=timezone.now().isoformat(),
        creator=creator,
    )
    fonds = {r.fonds_id: r.fonds for r in records}
    units = {}
    for f in fonds.values():
        units[f.unit.code], units[f.custodian.code] = f.unit, f.custodian
    for unit in units.values():
        node = _sub(root, "unit")
        _sub(node, "code", unit.code), _sub(node, "name", unit.name), _sub(node, "unitType", unit.unit_type)
    for category in {r.category_id: r.category for r in records}.values():
        node = _sub(root, "category")
        for tag, value in [
            ("code", category.code),
            ("name", category.name),
            ("filingLevel", category.filing_level),
            ("itemTemplate", category.item_template),
            ("volumeTemplate", category.volume_template),
            ("volumeItemTemplate", category.volume_item_template),
        ]:
            _sub(node, tag, value)
    for retention in {r.retention_id: r.retention for r in records}.values():
        node = _sub(root, "retention")
        _sub(node, "code", retention.code), _sub(node, "name", retention.name)
        if retention.years is not None:
            _sub(node, "years", retention.years)
    for f in fonds.values():
        node = _sub(root, "fonds")
        for tag, value in [
            ("number", f.number),
            ("name", f.name),
            ("unit", f.unit.code),
            ("custodian", f.custodian.code),
            ("startYear", f.start_year),
            ("endYear", f.end_year),
            ("status", f.status),
            ("description", f.description),
        ]:
            if value is not None:
                _sub(node, tag, value)
    for volume in volumes:
        node = _sub(root, "volume")
        _record_fields(node, volume)
        for tag in ("start_date", "end_date"):
            if getattr(volume, tag):
                _sub(
                    node, "startDate" if tag == "start_date" else "endDate", getattr(volume, tag).isoformat()
                )
        _file_elements(node, volume, payload)
    for item in items:
        node = _sub(root, "item")
        _record_fields(node, item)
        if item.volume_id:
            _sub(node, "volume", item.volume.reference_code)
        _sub(node, "documentNumber", item.document_number)
        if item.date:
            _sub(node, "date", item.date.isoformat())
        _file_elements(node, item, payload)
    return root


def export_bag(target, destination: Path, creator: str = "") -> Path:
    """Write ``target`` (an item, volume or fonds) as a bag in ``destination`` (a new folder)."""
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise BagProblem([_("目标文件夹 %(path)s 不是空的") % {"path": destination}])
    volumes, items = records_of(target)
    payload: dict = {}
    root = metadata_xml(volumes, items, payload, creator)
    xml_schema = schema()
    if not xml_schema.validate(root):
        raise BagProblem([str(e) for e in xml_schema.error_log])
    work = Path(
        tempfile.mkdtemp(prefix="bag-", dir=destination.parent if destination.parent.exists() else None)
    )
    try:
        (work / "metadata").mkdir()
        (work / METADATA).write_bytes(
            etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        )
        shutil.copyfile(SCHEMA_PATH, work / "metadata" / SCHEMA_PATH.name)
        storage = get_storage()
        for path, f in payload.items():
            target_path = work / path
            target_path.parent.mkdir(parents=True, exist_ok=True)
            with storage.open(f.storage_key) as source, open(target_path, "wb") as out:
                shutil.copyfileobj(source, out, 4 * 1024 * 1024)
        bagit.make_bag(
            str(work),
            {"Source-Organization": "Dangan", "External-Description": str(target)[:200]},
            checksums=CHECKSUMS,
        )
        if destination.exists():
            destination.rmdir()
        shutil.move(str(work), str(destination))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return destination


# Validation ------------------------------------------------------------------------------------------------


def validate_bag(path: Path) -> list[str]:
    """Every problem found in the bag at ``path`` (a folder); an empty list for a valid bag."""
    path = Path(path)
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as e:
        return [_("不是有效的 BagIt 包：%(error)s") % {"error": e}]
    problems = []
    if not bag.algorithms:
        problems.append(_("缺少清单文件（manifest-*.txt）"))
    try:
        bag.validate(processes=1)
    except bagit.BagValidationError as e:
        problems.extend([str(d) for d in e.details] or [e.message])
        # bagit stops at the first failed stage (a wrong Payload-Oxum hides which files are missing or
        # wrong); run the later stages too so every problem is named.
        for stage in (bag._validate_completeness, lambda: bag._validate_entries(1)):
            try:
                stage()
            except bagit.BagValidationError as later:
                problems.extend(str(d) for d in later.details if str(d) not in problems)
            except bagit.BagError as later:
                problems.append(str(later))
    except bagit.BagError as e:
        problems.append(str(e))
    problems.extend(_name_clashes(bag))
    metadata = path / "data" / METADATA
    if metadata.exists():
        problems.extend(_schema_problems(metadata))
    return problems


def _name_clashes(bag) -> list[str]:
    seen, problems = {}, []
    for name in bag.payload_files():
        folded = unicodedata.normalize("NFC", name).casefold()
        if folded in seen:
            problems.append(_("“%(a)s”与“%(b)s”仅大小写或编码形式不同") % {"a": seen[folded], "b": name})
        seen[folded] = name
    return problems


def _schema_problems(metadata: Path) -> list[str]:
    try:
        document = etree.parse(str(metadata), PARSER)
    except etree.XMLSyntaxError as e:
        return [_("元数据 XML 无法解析：%(error)s") % {"error": e}]
    xml_schema = schema()
    if xml_schema.validate(document):
        return []
    return [f"{METADATA}:{e.line}: {e.message}" for e in xml_schema.error_log]


def unpack_zip(archive: Path, into: Path) -> Path:
    """Unpack a zipped bag safely (no path outside ``into``, no zip bomb); return the bag folder."""
    with zipfile.ZipFile(archive) as zf:
        check_zip(zf)
        for info in zf.infolist():
            target = (into / info.filename).resolve()
            if not str(target).startswith(str(into.resolve())):
                raise UnsafeContainer(_("压缩包中的路径“%(name)s”指向包外") % {"name": info.filename})
            zf.extract(info, into)
    tops = [p for p in into.iterdir()]
    return tops[0] if len(tops) == 1 and tops[0].is_dir() else into


# Import ----------------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    volumes: int = 0
    items: int = 0
    files: int = 0
    skipped_files: int = 0
    problems: list[str] = field(default_factory=list)


def _t(node, tag, default=""):
    found = node.find(f"{{{NS}}}{tag}")
    return found.text or "" if found is not None else default


def _opt_int(node, tag):
    value = _t(node, tag, None)
    return int(value) if value not in (None, "") else None


def _opt_date(node, tag):
    value = _t(node, tag, None)
    return datetime.date.fromisoformat(value) if value else None


def import_bag(path: Path, user=None) -> ImportResult:
    """Take a bag in as a submission: validate it, then create its catalogue records and capture its files.

    Re-running an import that was cut short continues it: identical records are reused, files already
    captured are skipped.
    """
    path = Path(path)
    if path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="bag-") as tmp:
            return import_bag(unpack_zip(path, Path(tmp)), user)
    problems = validate_bag(path)
    if problems:
        raise BagProblem(problems)
    bag = bagit.Bag(str(path))
    data = path / "data"
    if (data / METADATA).exists():
        return _import_with_metadata(data, user)
    return _import_by_folder(bag, data, user)


def _import_with_metadata(data: Path, user) -> ImportResult:
    root = etree.parse(str(data / METADATA), PARSER).getroot()
    result = ImportResult()
    with transaction.atomic():
        _ensure_code_tables(root)
        records = []
        for node in root.findall(f"{{{NS}}}volume"):
            records.append((node, _ensure_record(Volume, node, result)))
        for node in root.findall(f"{{{NS}}}item"):
            records.append((node, _ensure_record(Item, node, result)))
    for node, record in records:
        _import_files(node, record, data, user, result)
    return result


def _ensure_code_tables(root) -> None:
    units = {}
    for node in root.findall(f"{{{NS}}}unit"):
        units[_t(node, "code")] = Unit.objects.get_or_create(
            code=_t(node, "code"), defaults={"name": _t(node, "name"), "unit_type": _t(node, "unitType")}
        )[0]
    for node in root.findall(f"{{{NS}}}category"):
        Category.objects.get_or_create(
            code=_t(node, "code"),
            defaults={
                "name": _t(node, "name"),
                "filing_level": _t(node, "filingLevel"),
                "item_template": _t(node, "itemTemplate"),
                "volume_template": _t(node, "volumeTemplate"),
                "volume_item_template": _t(node, "volumeItemTemplate"),
            },
        )
    for node in root.findall(f"{{{NS}}}retention"):
        Retention.objects.get_or_create(
            code=_t(node, "code"), defaults={"name": _t(node, "name"), "years": _opt_int(node, "years")}
        )
    for node in root.findall(f"{{{NS}}}fonds"):
        Fonds.objects.get_or_create(
            number=_t(node, "number"),
            defaults={
                "name": _t(node, "name"),
                "unit": units.get(_t(node, "unit")) or Unit.objects.get(code=_t(node, "unit")),
                "custodian": units.get(_t(node, "custodian")) or Unit.objects.get(code=_t(node, "custodian")),
                "start_year": _opt_int(node, "startYear"),
                "end_year": _opt_int(node, "endYear"),
                "status": _t(node, "status"),
                "description": _t(node, "description"),
            },
        )


def _record_values(model, node) -> dict:
    values = {
        "fonds": Fonds.objects.get(number=_t(node, "fonds")),
        "category": Category.objects.get(code=_t(node, "category")),
        "year": int(_t(node, "year")),
        "retention": Retention.objects.get(code=_t(node, "retention")),
        "org_code": _t(node, "orgCode"),
        "number": int(_t(node, "number")),
        "title": _t(node, "title"),
        "creator": _t(node, "creator"),
        "security_level": _t(node, "securityLevel"),
        "control": _t(node, "control"),
        "status": _t(node, "status"),
        "remarks": _t(node, "remarks"),
        "extra": json.loads(_t(node, "extra") or "{}"),
        "pages": _opt_int(node, "pages"),
    }
    if model is Volume:
        values.update(start_date=_opt_date(node, "startDate"), end_date=_opt_date(node, "endDate"))
    else:
        volume_code = _t(node, "volume", None)
        values.update(
            volume=Volume.objects.get(reference_code=volume_code) if volume_code else None,
            document_number=_t(node, "documentNumber"),
            date=_opt_date(node, "date"),
        )
    return values


def _ensure_record(model, node, result):
    code = _t(node, "referenceCode")
    values = _record_values(model, node)
    existing = model.objects.filter(reference_code=code).first()
    if existing is not None:
        different = [k for k, v in values.items() if getattr(existing, k) != v]
        if different:
            raise BagProblem(
                [
                    _("档号 %(code)s 已存在且著录不同：%(fields)s")
                    % {"code": code, "fields": ", ".join(different)}
                ]
            )
        return existing
    record = model(**values)
    record.save()
    if record.reference_code != code:
        raise BagProblem(
            [
                _("档号 %(code)s 导入后成为 %(new)s：门类的档号模板不同")
                % {"code": code, "new": record.reference_code}
            ]
        )
    if model is Volume:
        result.volumes += 1
    else:
        result.items += 1
    return record


def _import_files(node, record, data: Path, user, result) -> None:
    kind = "item" if isinstance(record, Item) else "volume"
    have = set(DigitalFile.objects.complete().filter(**{kind: record}).values_list("original_name", "sha256"))
    todo = [f for f in node.findall(f"{{{NS}}}file") if (_t(f, "name"), _t(f, "sha256")) not in have]
    result.skipped_files += len(node.findall(f"{{{NS}}}file")) - len(todo)
    if not todo:
        return
    with ingest_batch(user, identify=False) as batch:
        for file_node in todo:
            relative = PurePosixPath(_t(file_node, "path"))
            if relative.is_absolute() or ".." in relative.parts:
                raise BagProblem([_("元数据中的路径“%(path)s”指向包外") % {"path": relative}])
            with open(data / relative, "rb") as stream:
                row = batch.add(
                    record,
                    stream,
                    _t(file_node, "name"),
                    _t(file_node, "role") or FileRole.ORIGINAL,
                    expected_sha256=_t(file_node, "sha256"),
                )
            # The bag's sm3 manifest was checked against the payload by validate_bag: it is verified.
            row.sm3 = _t(file_node, "sm3") or None
            row.created_at = datetime.datetime.fromisoformat(_t(file_node, "created"))
            result.files += 1


def _import_by_folder(bag, data: Path, user) -> ImportResult:
    """A bag without our metadata: ``data/<reference code>/<files>`` attach to existing items or volumes."""
    result = ImportResult()
    sha256 = bag.entries
    groups: dict[str, list[str]] = {}
    for name in bag.payload_files():
        parts = PurePosixPath(name).parts
        if len(parts) < 3:
            result.problems.append(_("“%(name)s”不在以档号命名的文件夹中") % {"name": name})
            continue
        groups.setdefault(parts[1], []).append(name)
    for code, names in sorted(groups.items()):
        record = (
            Item.objects.filter(reference_code=code).first()
            or Volume.objects.filter(reference_code=code).first()
        )
        if record is None:
            result.problems.append(_("找不到档号为 %(code)s 的件或案卷") % {"code": code})
            continue
        try:
            with ingest_batch(user, identify=False) as batch:
                for name in sorted(names):
                    with open(bag.path + "/" + name, "rb") as stream:
                        batch.add(
                            record,
                            stream,
                            "/".join(PurePosixPath(name).parts[2:]),
                            expected_sha256=sha256.get(name, {}).get("sha256"),
                        )
                    result.files += 1
        except IngestError as e:
            result.problems.append(f"{code}: {e}")
    return result
