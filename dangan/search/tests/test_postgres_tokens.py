"""PostgreSQL: the token set of a search row is written as the server keeps it."""

import psycopg
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
def test_the_token_set_reaches_the_server_as_the_tsvector_of_its_lexemes_in_its_order(values):
    # In the server's order already, as its own text input of the same lexemes gives them back.
    literal = " ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in pg.token_set(values))
    connection.ensure_connection()
    for written in (pg.token_set_binary(values), pg.token_sets([values])[0]):
        # A cursor that sends parameters apart from the query (Django's binds them into its text), in
        # binary as COPY does: the server reads the set with its binary input function.
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.adapters.register_dumper(bytes, pg.TokenSetDumper)
            cursor.execute("SELECT %b::text, %s::tsvector::text", [written, literal])
            assert cursor.fetchone() == (literal, literal)
