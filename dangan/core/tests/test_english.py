"""The English interface: pages read in English once the user switches; the committed catalogue is current.

Strings that nobody has translated yet do not fail these tests (new apps get their English in a later pass);
what fails is a page of the foundation that shows Chinese labels in English, a compiled ``django.mo`` that
lags behind ``django.po``, and a translation that drops or renames a placeholder.
"""

import ast
import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dangan.testing import make_item

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"
HAN = re.compile(r"[\u3400-\u9fff]")


# --- pages -------------------------------------------------------------------------------------------------


class _Labels(HTMLParser):
    """The text of a page's labels: the sidebar, headings, table heads, form labels, legends, buttons, terms.

    Data (cell values, select options, field values, names in headings of records) is left out: it stays in
    Chinese whatever the language.
    """

    LABEL_TAGS = {"th", "label", "legend", "h2", "h3", "h4", "dt", "button", "summary"}
    SKIP_TAGS = {"select", "option", "textarea", "script", "style", "td", "dd"}
    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.labels: list[str] = []

    def _collecting(self):
        collecting = False
        for tag, is_label in self.stack:
            if tag in self.SKIP_TAGS:
                return False
            collecting = collecting or is_label
        return collecting

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        is_label = tag in self.LABEL_TAGS or (tag == "aside" and "sidebar" in (attrs.get("class") or ""))
        if tag == "button" and attrs.get("name") == "language":
            tag, is_label = "script", False  # the language switch names each language in that language
        self.stack.append((tag, is_label))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag or (tag == "button" and self.stack[i][0] == "script"):
                del self.stack[i:]
                return

    def handle_data(self, data):
        if data.strip() and self._collecting():
            self.labels.append(data.strip())


def chinese_labels(html: str) -> list[str]:
    parser = _Labels()
    parser.feed(html)
    return [text for text in parser.labels if HAN.search(text)]


def sidebar(html: str) -> str:
    match = re.search(r'<aside class="sidebar">(.*?)</aside>', html, re.S)
    assert match, "no sidebar on the page"
    return match.group(1)


def english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"
    return client


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.headers.get("Content-Language") == "en"
    return response.content.decode()


def test_login_page_is_english(db, client_for):
    html = page(english(client_for(None)), "/login/")
    assert "Sign in to Dangan" in html
    assert "Username" in html and "Password" in html
    assert '<html lang="en">' in html
    assert chinese_labels(html) == []
    for chinese in ("登录档案管理平台", "用户名", "密码"):
        assert chinese not in html


def test_wrong_password_message_is_english(db, client_for):
    client = english(client_for(None))
    response = client.post("/login/", {"username": "nobody", "password": "wrong"})
    assert "Incorrect username or password" in response.content.decode()


@pytest.mark.parametrize("persona", ["staff", "archivist_a", "reader"])
def test_home_page_is_english(world, client_for, persona):
    html = page(english(client_for(getattr(world, persona))), "/")
    nav = sidebar(html)
    assert not HAN.search(nav), HAN.findall(nav)
    for label in ("Home", "Search", "Items", "Volumes", "Fonds", "Record-keeping units", "Archivists"):
        assert f">{label}</a>" in nav
    assert "Sign out" in html
    assert "Registered units" in html and "Recently modified" in html
    assert chinese_labels(html) == []


def test_item_list_is_english(world, client_for):
    make_item(world.fonds_a)
    html = page(english(client_for(world.staff)), "/catalogue/items/")
    assert "<h1>Items</h1>" in html
    for label in ("Reference code", "Title", "Filter", "Clear", "1 record"):
        assert label in html, label
    assert chinese_labels(html) == []
    assert "关于做好年度档案归档工作的通知" in html  # data stays as it was written


def test_item_form_is_english(world, client_for):
    html = page(english(client_for(world.archivist_a)), "/catalogue/items/add/")
    for label in (
        "New Item",
        "Classification",
        "Description",
        "Fonds",
        "Category",
        "Year",
        "Retention period",
        "Title",
        "Creator",
        "Document number",
        "Security level",
        "Control flag",
        "Save",
        "Cancel",
    ):
        assert label in html, label
    assert chinese_labels(html) == []


def test_item_form_errors_are_english(world, client_for):
    client = english(client_for(world.archivist_a))
    response = client.post("/catalogue/items/add/", {"fonds": world.fonds_a.pk, "title": ""})
    html = response.content.decode()
    assert "Not saved. Please correct the fields marked below" in html
    assert "This field is required." in html


def test_unit_page_is_english(world, client_for):
    html = page(english(client_for(world.staff)), world.unit_a.get_absolute_url())
    for label in ("Unit code", "Unit type", "Parent unit", "Subordinate units", "Town or subdistrict"):
        assert label in html, label
    assert chinese_labels(html) == []


def test_api_error_for_a_bad_field_is_english(world):
    client = APIClient()
    english(client)
    token, _ = Token.objects.get_or_create(user=world.staff)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    payload = {
        "fonds": world.fonds_a.pk,
        "category": world.category.pk,
        "year": 2099,
        "retention": world.retention.pk,
        "title": "关于做好防汛工作的通知",
    }
    response = client.post("/api/v1/items/", payload, format="json")
    assert response.status_code == 400, response.content
    message = " ".join(response.json()["year"])
    assert "The year cannot be later than next year" in message
    assert not HAN.search(message)


def test_chinese_stays_the_default(world, client_for):
    html = client_for(world.staff).get("/").content.decode()
    assert "首页" in sidebar(html) and "Sign out" not in html


# --- the catalogue -----------------------------------------------------------------------------------------


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def read_po(path: Path) -> list[dict]:
    """The live entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (a list), flags."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line or line.startswith("#~"):
            if entry is not None and "msgid" in entry:
                finish()
                entry, field = None, None
            continue
        if line.startswith("#"):
            if entry is not None and "msgid" in entry:
                finish()
                entry, field = None, None
            entry = entry or {"flags": set(), "msgstr": {}}
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if entry is None or ("msgid" in entry and line.startswith(("msgctxt", "msgid "))):
            finish()
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith('"'):
            value = _unquote(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += value
            else:
                entry[field] += value
            continue
        keyword, _, rest = line.partition(" ")
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            field = ("msgstr", int(match.group(1)))
            entry["msgstr"][field[1]] = _unquote(rest)
        elif keyword == "msgstr":
            field = ("msgstr", 0)
            entry["msgstr"][0] = _unquote(rest)
        else:
            field = keyword
            entry[keyword] = _unquote(rest)
    return [
        {**e, "msgstr": [e["msgstr"][i] for i in sorted(e["msgstr"])], "msgctxt": e.get("msgctxt")}
        for e in entries
    ]


def translated(entries):
    return [
        e for e in entries if e["msgid"] and "fuzzy" not in e["flags"] and all(e["msgstr"]) and e["msgstr"]
    ]


@pytest.fixture(scope="module")
def po_entries():
    return read_po(LOCALE / "django.po")


@pytest.fixture(scope="module")
def mo():
    with open(LOCALE / "django.mo", "rb") as f:
        return gettext.GNUTranslations(f)


def test_po_file_parses_and_has_english(po_entries):
    assert len(translated(po_entries)) > 500
    header = next(e for e in po_entries if e["msgid"] == "")
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]


def test_compiled_catalogue_matches_the_po_file(po_entries, mo):
    """A forgotten `dangan compilemessages` (or msgfmt) after editing django.po fails here."""
    stale = []
    for e in translated(po_entries):
        if "msgid_plural" in e:
            got = [mo.ngettext(e["msgid"], e["msgid_plural"], n) for n in (1, 2)]
            if e["msgctxt"] is not None:
                got = [mo.npgettext(e["msgctxt"], e["msgid"], e["msgid_plural"], n) for n in (1, 2)]
            want = e["msgstr"][:2]
        else:
            got = mo.gettext(e["msgid"]) if e["msgctxt"] is None else mo.pgettext(e["msgctxt"], e["msgid"])
            want = e["msgstr"][0]
        if got != want:
            stale.append((e["msgctxt"], e["msgid"], want, got))
    assert stale == [], f"django.mo is out of date for {len(stale)} messages, e.g. {stale[:3]}"
    # …and holds nothing the .po file no longer has (plural messages take one key per form).
    keys = sum(len(e["msgstr"]) if "msgid_plural" in e else 1 for e in translated(po_entries))
    assert len(mo._catalog) - 1 == keys  # minus the header


PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdfirx]|\{(\w+)(?::[^}]*)?\}")


def test_translations_keep_their_placeholders(po_entries):
    broken = []
    for e in translated(po_entries):
        flags = e["flags"]
        for source, target in zip([e["msgid"], e.get("msgid_plural", e["msgid"])], e["msgstr"], strict=False):
            if "python-format" in flags or "python-brace-format" in flags:
                if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
                    broken.append((e["msgid"], target))
    assert broken == []


def test_translations_are_not_copies_of_the_chinese(po_entries):
    """A msgstr that repeats its Chinese msgid would hide a missing translation from the counts."""
    copies = [
        e["msgid"] for e in translated(po_entries) if HAN.search(e["msgid"]) and e["msgstr"][0] == e["msgid"]
    ]
    assert copies == []
