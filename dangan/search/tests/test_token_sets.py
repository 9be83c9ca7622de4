"""The token sets of PostgreSQL's search rows, made many items at once, are each item's own."""

import random

import pytest

from dangan.search.backends.postgres import token_set, token_set_binary, token_sets

AWKWARD = [
    [],
    ["a"],
    ["a", "b"],
    ["aa", "a"],
    ["ab", "ba", "ab"],
    ["𠀋𠀌生僻字", "ÿĀ混合"],
    ["含'引号'的题名"],  # escaped: made one by one
    ["含\\反斜杠"],
    ["值里\n有换行", "第二个"],
    ["区府办发〔2000〕1号", "a001-ws·2000-y-bgs-0001", "关于印发安全生产检查实施方案的通知"],
]


@pytest.mark.parametrize("index", range(len(AWKWARD)))
def test_each_items_tokens_are_those_made_for_it_alone(index):
    # In a batch with every other case around it, so that neighbours' characters never pair across items.
    batch = AWKWARD[index:] + AWKWARD[:index]
    assert token_sets(batch) == [token_set_binary(values) for values in batch]


def test_random_batches_give_each_item_its_own_tokens():
    rng = random.Random(7)
    alphabet = "ab中文档0-·𠀋ÿ"
    batch = [
        ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(rng.randint(0, 4))]
        for _ in range(3000)
    ]
    assert token_sets(batch) == [token_set_binary(values) for values in batch]


def lexemes(written: bytes) -> list[str]:
    """A token set's lexemes, read back from COPY's binary form of a tsvector."""
    count, rest, found = int.from_bytes(written[:4], "big"), written[4:], []
    while rest:
        text, rest = rest.split(b"\0", 1)
        assert rest[:2] == b"\0\0"  # no positions
        found.append(text.decode())
        rest = rest[2:]
    assert len(found) == count
    return found


def test_a_characters_own_token_comes_before_its_pairs():
    assert lexemes(token_sets([["ba", "b"]])[0]) == token_set(["ba", "b"]) == ["a", "b", "ba"]


def test_the_binary_form_holds_each_lexeme_once_in_order_quotes_and_backslashes_as_they_are():
    values = ["含'引号'与\\反斜杠", "𠀋𠀌", "ÿĀ"]
    assert lexemes(token_sets([values])[0]) == token_set(values) == sorted(set(token_set(values)))
    assert "'引" in token_set(values) and "\\反" in token_set(values)


def test_an_item_without_text_has_an_empty_token_set():
    assert token_sets([[]]) == [token_set_binary([])] == [bytes(4)]


def test_a_batch_made_a_few_characters_at_a_time_gives_the_same_tokens(monkeypatch):
    from dangan.search import text

    batch = [["关于印发通知", "区政府办公室"], ["a001-ws·2000"], ["ab"], ["第三件文件的题名"]] * 5
    whole = token_sets(batch)
    monkeypatch.setattr(text, "TOKENISED_AT_ONCE", 7)
    assert token_sets(batch) == whole == [token_set_binary(values) for values in batch]
