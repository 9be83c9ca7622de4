"""Snippets with the matched terms marked: escape the text first, then add ``<mark>``, so stored text can
never inject markup."""

import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dangan.search.text import SPACE, normalize

SNIPPET_CHARS = 80


def _normalised_with_origins(text: str) -> tuple[str, list[int]]:
    """``text`` normalised character by character, and for each normalised character its source index."""
    out, origins = [], []
    for i, char in enumerate(text):
        n = SPACE if char.isspace() else unicodedata.normalize("NFKC", char).lower()
        out.append(n)
        origins.extend([i] * len(n))
    return "".join(out), origins


def spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Merged (start, end) ranges of ``text`` where any of the normalised ``words`` occurs."""
    norm, origins = _normalised_with_origins(text)
    found = []
    for word in words:
        start = norm.find(word)
        while start != -1:
            end = start + len(word)
            found.append((origins[start], origins[end - 1] + 1))
            start = norm.find(word, start + 1)
    merged: list[list[int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def highlight(text: str, words: list[str], window: int | None = None) -> SafeString:
    """``text`` escaped with matches in ``<mark>``; with ``window``, only that many characters around the
    first match (empty when nothing matches)."""
    text = text or ""
    found = spans(text, words)
    start, end = 0, len(text)
    if window is not None:
        if not found:
            return mark_safe("")
        start = max(0, found[0][0] - window // 4)
        end = min(len(text), start + window)
    parts, cursor = [], start
    for s, e in found:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        parts.append(escape(text[cursor:s]))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        cursor = e
    parts.append(escape(text[cursor:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)


def matches(text: str, words: list[str]) -> bool:
    norm = normalize(text or "")
    return any(w in norm for w in words)
