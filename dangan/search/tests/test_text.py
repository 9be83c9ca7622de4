"""Normalisation, indexed tokens and query parsing: the rules every backend shares."""

import pytest

from dangan.search import text
from dangan.search.text import (
    GAP,
    SPACE,
    QueryError,
    Term,
    field_token_strings,
    normalize,
    parse,
    phrase,
    token_strings,
    tokens,
)


def test_full_width_and_half_width_forms_normalise_to_one_lower_case_form():
    assert normalize("ＡＢＣ１２３ａｂｃ") == normalize("abc123ABC") == "abc123abc"


def test_control_characters_are_dropped_and_whitespace_becomes_one_space_mark():
    assert normalize(" 档案\x00\x07 \t\u3000 工作\n") == f"档案{SPACE}工作"


def test_tokens_interleave_every_character_with_every_adjacent_pair():
    assert tokens("档案局") == ["档", "档案", "案", "案局", "局"]
    assert tokens("档") == ["档"]


def test_token_strings_of_a_batch_are_each_texts_own_tokens_in_order():
    texts = ["", "档", "档案局", "", f"区{SPACE}档案", "𠀀a", "\ud800b", ""]
    assert token_strings(texts) == [
        "",
        "档",
        "档 档案 案 案局 局",
        "",
        f"区 区{SPACE} {SPACE} {SPACE}档 档 档案 案",
        "𠀀 𠀀a a",
        "\ud800 \ud800b b",
        "",
    ]
    assert token_strings([]) == []


def test_a_fields_values_are_kept_apart_by_gaps_and_blank_values_left_out():
    assert list(field_token_strings([["档案"], [], ["档", "", "局"], [""]])) == [
        "档 档案 案",
        "",
        f"档 {GAP} {GAP} 局",
        "",
    ]


def test_fields_tokenised_a_few_characters_at_a_time_are_the_same_as_all_at_once(monkeypatch):
    fields = [["档案局"], ["区档", "", "案局关于"], [], [""], ["防汛工作安排" * 3], ["a", "bc"]]
    at_once = list(field_token_strings(fields))
    monkeypatch.setattr(text, "TOKENISED_AT_ONCE", 4)
    assert list(field_token_strings(fields)) == at_once


def test_a_term_is_the_phrase_of_its_pairs_at_their_offsets_in_the_token_stream():
    assert phrase("档案局") == [(0, "档案"), (2, "案局")]
    assert phrase("档") == [(0, "档")]


def test_a_long_term_is_covered_by_every_other_pair():
    assert phrase("区档案局关于") == [(0, "区档"), (4, "案局"), (8, "关于")]
    assert phrase("档案局关于") == [(0, "档案"), (4, "局关"), (6, "关于")]


@pytest.mark.parametrize(
    "term", ["案", "档案", "案局", "档案局", "局档案", "档案局档", "区档案局档案", "档案局档案局"]
)
def test_a_phrase_of_pairs_occurs_in_the_token_stream_exactly_where_the_term_occurs_in_the_text(term):
    text = "区档案局档案局关于档案"
    stream = tokens(text)
    stream += [""] * len(stream)  # room past the end
    starts = range(2 * len(text))
    found = any(all(stream[start + offset] == token for offset, token in phrase(term)) for start in starts)
    assert found == (term in text)


def test_spaces_separate_terms_that_must_all_match():
    assert parse("档案  通知").words == ["档案", "通知"]


def test_quoted_phrase_is_one_term_with_its_space():
    assert parse('"区 档案局" 通知').terms == [Term(f"区{SPACE}档案局"), Term("通知")]


def test_field_prefixes_limit_a_term_to_a_field_with_half_or_full_width_colon():
    assert parse("题名:档案 责任者：财政局 文号:区财发").terms == [
        Term("档案", "title"),
        Term("财政局", "creator"),
        Term("区财发", "document_number"),
    ]


def test_field_prefix_applies_to_the_quoted_phrase_after_it():
    assert parse('题名:"档案 工作"').terms == [Term(f"档案{SPACE}工作", "title")]


def test_unpaired_quote_quotes_the_rest_of_the_query():
    assert parse('通知 "档案 工作').terms == [Term("通知"), Term(f"档案{SPACE}工作")]


def test_query_syntax_characters_of_fts_engines_are_plain_separators():
    assert parse("档案 AND (通知 OR 报告) NEAR *").words == ["档案", "and", "通知", "or", "报告", "near"]


def test_document_number_brackets_stay_inside_a_term():
    assert parse("区府发〔2023〕12号").words == ["区府发〔2023〕12号"]


@pytest.mark.parametrize("raw", ["", "   ", "\x00\x01", "！？。，", '"" ()', "*:*"])
def test_a_query_with_nothing_searchable_is_refused_with_a_message(raw):
    with pytest.raises(QueryError) as e:
        parse(raw)
    assert str(e.value)


def test_a_very_long_query_is_refused_with_a_message():
    with pytest.raises(QueryError, match="过长"):
        parse("档" * 10_000)


@pytest.mark.parametrize("term", ["1防", "01防", "01防汛", "001防汛", "A-01防汛附", "防汛附件2", "1防汛附件"])
def test_no_phrase_runs_from_one_value_of_a_field_into_the_next(term):
    values = ["a-01", "防汛附件", "2"]
    stream = next(field_token_strings([values])).split(" ")
    stream += [""] * len(stream)
    starts = range(len(stream) // 2)
    pairs = phrase(term.lower())
    found = any(all(stream[start + offset] == token for offset, token in pairs) for start in starts)
    assert found == any(term.lower() in value for value in values)
