"""Text handling shared by every backend: normalisation, the character n-grams that are indexed, and the
parsing of what a user types.

Chinese has no spaces, so words cannot be found by splitting. Every character and every pair of adjacent
characters is indexed instead; a query of n ≥ 2 characters becomes the phrase of its n-1 pairs. That finds
exactly what a substring match (``LIKE '%q%'``) finds, for one- and two-character queries too, and needs no
dictionary. Tokens are made here in Python rather than by an engine's n-gram tokenizer: tantivy's puts
every n-gram at position 0, so its phrases give false hits.
"""

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate, islice

from django.utils.translation import gettext as _

# Whitespace inside a field is kept as one visible character, so a quoted phrase with a space still matches.
SPACE = "\u2423"
# Between two values of one field (reference code, remarks, extra fields): a token no query can produce,
# twice, so no phrase runs from one value into the next. A phrase checks every other pair (see ``phrase``),
# so the three positions between two checked pairs go unchecked; one GAP there would stand where the pair
# across the boundary stands in running text, and the pairs on either side would line up. Two GAPs, with the
# last and the first character alone, make four positions without a pair: more than fits between two
# checked pairs.
GAP = "\ue000"
BETWEEN_VALUES = f" {GAP} {GAP} "
MAX_QUERY_LENGTH = 200
MAX_TERMS = 10

FIELD_PREFIXES = {"题名": "title", "责任者": "creator", "文号": "document_number"}
# Characters that end a term when typed outside quotes (sentence punctuation and query-language syntax).
# Others — 〔〕 - / . # — stay inside, so 区府发〔2023〕12号 is one term, as LIKE would see it.
SEPARATORS = set(",;!?()*&|+，。、；！？（）【】《》<>[]{}=~^")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """One form for index and query: full-width and half-width alike (NFKC), lower case, one space mark."""
    if not text:
        return ""
    if not text.isprintable():  # the common case skips the regular expressions
        text = _SPACES.sub(" ", _CONTROL.sub("", text))
    text = unicodedata.normalize("NFKC", text).lower().strip()
    if "  " in text:
        text = _SPACES.sub(" ", text)
    return text.replace(" ", SPACE) if " " in text else text


def tokens(text: str) -> list[str]:
    """Already-normalised text as interleaved unigrams and bigrams: a, ab, b, bc, c (see module docstring)."""
    return token_strings([text])[0].split(" ") if text else []


# The encoding numpy reads a text in as one 32-bit code point a character (here and in the PostgreSQL
# backend's token sets).
UTF32 = "utf-32-le"
# Characters tokenised in one go: each becomes five, and the arrays between hold four bytes each (some 16 MB).
TOKENISED_AT_ONCE = 200_000


def token_strings(texts: list[str]) -> list[str]:
    """Each text's tokens as the whitespace-separated string the index splits again, for many texts at once.

    Each character c is written as "c c c": where two such runs meet, "… a a a" + "b b b" reads "… a ab b …",
    so a text's runs without their first two and last two characters are its tokens in order (a ab b bc c).
    numpy writes the runs of a whole batch at once, a quarter of the time of pairing each text's characters
    in Python; a rebuild or an import tokenises millions of values."""
    if not texts:
        return []
    import numpy  # here, not at the top: every process that only searches would pay for loading it

    codes = numpy.frombuffer("".join(texts).encode(UTF32, "surrogatepass"), dtype="<u4")
    runs = numpy.full((len(codes), 5), ord(" "), dtype="<u4")
    runs[:, ::2] = codes[:, None]
    written = runs.tobytes().decode(UTF32, "surrogatepass")
    ends = list(accumulate(map(len, texts)))
    return [
        written[5 * start + 2 : 5 * end - 2] if end > start else ""
        for start, end in zip([0, *ends[:-1]], ends, strict=True)
    ]


def field_token_strings(fields: list[list[str]]) -> Iterator[str]:
    """The token string of each field (the values of one field of one document, kept apart by GAP tokens),
    in order, for many fields: their values are tokenised about ``TOKENISED_AT_ONCE`` characters at a time, as
    the strings are taken, so a chunk of items with long full texts is never held five times over at once."""
    tokenised = _value_token_strings([value for values in fields for value in values])
    for values in fields:
        if len(values) == 1:  # most fields
            yield next(tokenised)
        elif not values:  # the full text of most items
            yield ""
        else:
            yield BETWEEN_VALUES.join(t for t in islice(tokenised, len(values)) if t)


def _value_token_strings(values: list[str]) -> Iterator[str]:
    for some in character_rounds(values, map(len, values)):
        yield from token_strings(some)


def character_rounds(items: list, lengths: Iterable[int]) -> Iterator[list]:
    """``items`` (of ``lengths`` characters each) in consecutive rounds of about ``TOKENISED_AT_ONCE``
    characters, as each backend's tokens are made: enough at once for numpy to pay, never a whole chunk of
    long full texts."""
    ends = list(accumulate(lengths))
    start = 0
    while start < len(items):
        # Up to the item that reaches the limit, so each round takes at least one.
        before = ends[start - 1] if start else 0
        stop = bisect_left(ends, before + TOKENISED_AT_ONCE, start) + 1
        yield items[start:stop]
        start = stop


def phrase(term: str) -> list[tuple[int, str]]:
    """The tokens that must follow one another for ``term`` to occur, with their offsets in the stream.

    Every other pair covers the term (ab, cd, …; an odd length ends with its last pair overlapping): as exact
    as all n-1 pairs, with half the posting lists to intersect and positions to compare, which is what a
    long phrase of common pairs costs."""
    if len(term) == 1:
        return [(0, term)]
    pairs = [(2 * i, term[i : i + 2]) for i in range(0, len(term) - 1, 2)]
    if len(term) % 2:
        pairs.append((2 * (len(term) - 2), term[-2:]))
    return pairs


class QueryError(ValueError):
    """A query that cannot be searched; the message tells the user what to change."""


@dataclass(frozen=True)
class Term:
    text: str  # normalised
    field: str | None = None  # None: any indexed field


@dataclass
class Query:
    raw: str
    terms: list[Term] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        return [t.text for t in self.terms]


def _searchable(term: str) -> bool:
    return any(c.isalnum() for c in term)


def parse(raw: str | None) -> Query:
    """Split a user's query into terms; all of them must match. Raises ``QueryError`` with a message."""
    raw = raw or ""
    if len(raw) > MAX_QUERY_LENGTH:
        raise QueryError(_("检索词过长（最多 %(n)d 个字符），请缩短后再试") % {"n": MAX_QUERY_LENGTH})
    text = normalize(raw.replace("“", '"').replace("”", '"').replace("「", '"').replace("」", '"'))
    if not text:
        raise QueryError(_("请输入检索词"))
    terms: list[Term] = []
    pending_field = None  # 题名:"…" — a prefix right before a quoted phrase applies to it
    for index, part in enumerate(text.split('"')):
        # Odd parts were inside quotes; an unpaired quote simply quotes the rest of the query.
        if index % 2:
            phrase_text = part.strip(SPACE)
            if _searchable(phrase_text):
                terms.append(Term(phrase_text, pending_field))
            pending_field = None
            continue
        words = part.split(SPACE)
        pending_field = FIELD_PREFIXES.get(words[-1][:-1]) if words[-1].endswith(":") else None
        if pending_field and index + 1 < len(text.split('"')):
            words = words[:-1]
        for word in words:
            terms.extend(_plain_terms(word))
    terms = list(dict.fromkeys(terms))
    if not terms:
        raise QueryError(_("检索词中没有可检索的文字、字母或数字"))
    if len(terms) > MAX_TERMS:
        raise QueryError(_("检索词过多（最多 %(n)d 个），请减少后再试") % {"n": MAX_TERMS})
    return Query(raw, terms)


def _plain_terms(word: str) -> list[Term]:
    target = None
    for prefix, name in FIELD_PREFIXES.items():
        if word.startswith(prefix + ":") and len(word) > len(prefix) + 1:
            target, word = name, word[len(prefix) + 1 :]
            break
    pieces = "".join(SPACE if c in SEPARATORS else c for c in word).split(SPACE)
    return [Term(p, target) for p in pieces if _searchable(p)]
