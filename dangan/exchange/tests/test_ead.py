import datetime
import io

from lxml import etree

from dangan.exchange import ead
from dangan.testing import make_item, make_volume


def export(fonds, items=None) -> bytes:
    out = io.BytesIO()
    ead.write_fonds(fonds, out, items=items)
    return out.getvalue()


def test_a_fonds_exports_as_ead3_valid_against_the_shipped_schema(world):
    make_item(world.fonds_a, date=datetime.date(2023, 5, 1), pages=3, remarks="原件")
    make_item(world.fonds_a, date=None, creator="")
    volume = make_volume(world.fonds_a)
    make_item(world.fonds_a, volume=volume, category=volume.category, title="施工图")
    data = export(world.fonds_a)
    assert ead.validate(data) == []
    root = etree.fromstring(data)
    ns = {"e": ead.NS}
    assert root.xpath("/e:ead/e:archdesc/@level", namespaces=ns) == ["fonds"]
    codes = root.xpath("//e:c[@level='item']/e:did/e:unitid[@localtype='档号']/text()", namespaces=ns)
    assert "A001-WS·2023-Y-BGS-0001" in codes and len(codes) == 3
    assert root.xpath("//e:c[@level='file']/e:did/e:unitid/text()", namespaces=ns) == [volume.reference_code]


def test_the_validator_reports_what_is_wrong(world):
    bad = export(world.fonds_a).replace(b'level="fonds"', b'level="shelf"')
    assert ead.validate(bad)


def test_the_schema_in_the_package_is_the_published_ead3():
    text = ead.SCHEMA.read_text(encoding="utf-8")
    assert 'targetNamespace="http://ead3.archivists.org/schema/"' in text and "Release: 1.1.1" in text
