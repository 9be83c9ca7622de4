"""PostgreSQL: the token set of a search row is written as the server keeps it."""

import pytest
from django.db import connection

from dangan.search.backends import postgres as pg

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the tsvector is PostgreSQL's"),
]


@pytest.mark.parametrize(
    "values",
    [
        ["关于印发安全生产检查实施方案的通知", "区政府办公室"],
        ["a001-ws·2000-y-bgs-0001", "区府办发〔2000〕1号"],
        ["含'引号'与\\反斜杠的题名"],
        ["𠀋𠀌生僻字与常用字", "zz", "ab", "a"],
        ["ÿĀ混合ā文字", "ÿ"],
    ],
)
def test_the_token_literal_lists_its_lexemes_in_the_order_postgresql_keeps_them(values):
    # Already in the server's order, its input function need not sort them; the same set either way.
    for literal in (pg.tsvector_literal(values), pg.tsvector_literals([values])[0]):
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::tsvector::text", [literal])
            assert cursor.fetchone()[0] == literal
