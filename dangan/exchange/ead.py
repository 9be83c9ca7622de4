"""EAD3 export of a fonds, for international exchange, valid against the EAD3 schema shipped in schema/.

The fonds is the archdesc (level "fonds"); each category is a series, each volume a file and each item an
item component, with its reference code as unitid. Written incrementally (lxml ``xmlfile``), so a fonds of a
million items needs no more memory than one item.
"""

from functools import lru_cache
from pathlib import Path

from django.utils import timezone
from lxml import etree

from dangan.catalogue.choices import ControlStatus
from dangan.catalogue.models import Category, Item, Volume

NS = "http://ead3.archivists.org/schema/"
SCHEMA = Path(__file__).parent / "schema" / "ead3.xsd"


def E(tag: str, text=None, **attrs) -> etree._Element:  # noqa: N802  (an element factory, read like a tag)
    element = etree.Element(
        f"{{{NS}}}{tag}", nsmap={None: NS}, **{k.rstrip("_"): str(v) for k, v in attrs.items()}
    )
    if text is not None:
        element.text = str(text)
    return element


def sub(parent, tag: str, text=None, **attrs) -> etree._Element:
    element = E(tag, text, **attrs)
    parent.append(element)
    return element


def write_fonds(fonds, out, items=None, agency: str = "Dangan") -> None:
    """Write the EAD3 document of ``fonds`` to the binary file ``out``; ``items`` defaults to all of it."""
    items = Item.objects.filter(fonds=fonds) if items is None else items
    items = items.select_related("category", "retention", "volume").order_by(
        "category__code", "volume__reference_code", "year", "retention__order", "org_code", "number", "pk"
    )
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{NS}}}ead", nsmap={None: NS}):
            xf.write(_control(fonds, agency))
            with xf.element(f"{{{NS}}}archdesc", level="fonds"):
                xf.write(_fonds_did(fonds))
                if fonds.description:
                    scope = E("scopecontent")
                    sub(scope, "p", fonds.description)
                    xf.write(scope)
                with xf.element(f"{{{NS}}}dsc"):
                    _write_components(xf, items)


def _control(fonds, agency: str):
    control = E("control")
    sub(control, "recordid", f"dangan-fonds-{fonds.number}")
    title = sub(control, "filedesc")
    statement = sub(title, "titlestmt")
    sub(statement, "titleproper", f"{fonds.number} {fonds.name}")
    sub(control, "maintenancestatus", value="new")
    maintenance = sub(control, "maintenanceagency")
    sub(maintenance, "agencyname", agency)
    language = sub(control, "languagedeclaration")
    sub(language, "language", "Chinese", langcode="chi")
    sub(language, "script", "Han (Simplified variant)", scriptcode="Hans")
    history = sub(control, "maintenancehistory")
    event = sub(history, "maintenanceevent")
    sub(event, "eventtype", value="created")
    now = timezone.now()
    sub(
        event,
        "eventdatetime",
        now.strftime("%Y-%m-%d %H:%M"),
        standarddatetime=now.strftime("%Y-%m-%dT%H:%M:%S"),
    )
    sub(event, "agenttype", value="machine")
    sub(event, "agent", "Dangan")
    return control


def _fonds_did(fonds):
    did = E("did")
    sub(did, "unitid", fonds.number)
    sub(did, "unittitle", fonds.name)
    if fonds.start_year or fonds.end_year:
        structured = sub(did, "unitdatestructured")
        if fonds.start_year and fonds.end_year:
            dates = sub(structured, "daterange")
            sub(dates, "fromdate", fonds.start_year, standarddate=f"{fonds.start_year:04d}")
            sub(dates, "todate", fonds.end_year, standarddate=f"{fonds.end_year:04d}")
        else:
            year = fonds.start_year or fonds.end_year
            sub(structured, "datesingle", year, standarddate=f"{year:04d}")
    origination = sub(did, "origination", label="立档单位")
    name = sub(origination, "corpname")
    sub(name, "part", fonds.unit.name)
    return did


def _write_components(xf, items) -> None:
    category_id, volume_id = None, None
    series = file_ = None
    for item in items.iterator(chunk_size=2000):
        if item.category_id != category_id:
            if file_ is not None:
                file_.__exit__(None, None, None)
                file_, volume_id = None, None
            if series is not None:
                series.__exit__(None, None, None)
            series = xf.element(f"{{{NS}}}c", level="series")
            series.__enter__()
            xf.write(_category_did(item.category))
            category_id = item.category_id
        if item.volume_id != volume_id:
            if file_ is not None:
                file_.__exit__(None, None, None)
                file_ = None
            if item.volume_id:
                file_ = xf.element(f"{{{NS}}}c", level="file")
                file_.__enter__()
                xf.write(_volume_did(item.volume))
            volume_id = item.volume_id
        xf.write(_item(item))
    for open_element in (file_, series):
        if open_element is not None:
            open_element.__exit__(None, None, None)


def _category_did(category: Category):
    did = E("did")
    sub(did, "unitid", category.code)
    sub(did, "unittitle", category.name)
    return did


def _volume_did(volume: Volume):
    did = E("did")
    sub(did, "unitid", volume.reference_code)
    sub(did, "unittitle", volume.title)
    return did


def _item(item: Item):
    component = E("c", level="item", id=f"item-{item.pk}")
    did = sub(component, "did")
    sub(did, "unitid", item.reference_code, localtype="档号")
    if item.document_number:
        sub(did, "unitid", item.document_number, localtype="文号")
    sub(did, "unittitle", item.title)
    if item.date:
        structured = sub(did, "unitdatestructured")
        sub(structured, "datesingle", item.date.isoformat(), standarddate=item.date.isoformat())
    else:
        sub(did, "unitdate", str(item.year), normal=f"{item.year:04d}")
    if item.creator:
        origination = sub(did, "origination", label="责任者")
        name = sub(origination, "corpname")
        sub(name, "part", item.creator)
    if item.pages:
        physdesc = sub(did, "physdescstructured", physdescstructuredtype="carrier", coverage="whole")
        sub(physdesc, "quantity", item.pages)
        sub(physdesc, "unittype", "pages")
    appraisal = sub(component, "appraisal", localtype="保管期限")
    sub(appraisal, "p", item.retention.name)
    access = sub(component, "accessrestrict", localtype=item.security_level)
    sub(access, "p", f"{item.get_security_level_display()}；{item.get_control_display()}")
    if item.control != ControlStatus.OPEN:
        access.set("audience", "internal")
    if item.remarks:
        note = sub(component, "odd")
        sub(note, "p", item.remarks)
    return component


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def validate(path_or_bytes) -> list[str]:
    """Schema errors of an EAD3 document (empty when it is valid)."""
    source = path_or_bytes
    if isinstance(source, bytes):
        document = etree.fromstring(source).getroottree()
    else:
        document = etree.parse(str(source))
    checker = schema()
    if checker.validate(document):
        return []
    return [f"{e.line}: {e.message}" for e in checker.error_log]
