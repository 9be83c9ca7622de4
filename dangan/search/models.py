from django.db import models
from django.utils.translation import gettext_lazy as _


class IndexOutbox(models.Model):
    """Items changed in a committed transaction whose change an index outside the database has not yet taken.

    Written in the same transaction as the change, so a crash between commit and indexing loses nothing:
    the rows are applied after commit, and again before every search and by ``dangan search reindex``.
    """

    item_id = models.BigIntegerField(_("件"), db_index=True)
    # With it, every item from item_id to last_item_id: an import's batch of a thousand new items is one row.
    last_item_id = models.BigIntegerField(_("末件"), null=True, blank=True)
    queued_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检索索引待更新")
        verbose_name_plural = _("检索索引待更新")


class TsVectorField(models.Field):
    """PostgreSQL's ``tsvector``; plain text elsewhere, where the table exists but is never used."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"


class IndexRow(models.Model):
    """The columns of one item in the PostgreSQL backend's index (``SearchDocument``, ``SearchSample``).

    ``tokens`` holds each distinct character pair (and each value's last character) once, under a GIN
    index: it finds candidates. ``body`` (and ``title`` etc.) hold the normalised text, on which a term of
    3+ characters or limited to one field is confirmed with ``strpos``, so results equal a substring
    match however long the text is (tsvector positions stop at 16,383 and at 256 per lexeme, so phrases
    over positions would miss matches in long full texts).
    No foreign key to the item: test-database flushes truncate tables one by one.
    """

    item_id = models.BigIntegerField(primary_key=True)
    fonds_id = models.BigIntegerField()
    category_id = models.BigIntegerField()
    year = models.SmallIntegerField()
    retention_id = models.BigIntegerField()
    security_level = models.CharField(max_length=20)
    control = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    has_files = models.BooleanField(default=False)
    date_ordinal = models.IntegerField()
    fingerprint = models.BigIntegerField()
    title = models.TextField()
    creator = models.TextField()
    document_number = models.TextField()
    body = models.TextField()
    tokens = TsVectorField()

    class Meta:
        abstract = True


class SearchDocument(IndexRow):
    """The PostgreSQL backend's index: one row per item, written in the item's own transaction."""

    class Meta:
        indexes = [models.Index(fields=["-date_ordinal", "-item_id"], name="search_doc_date")]


class SearchSample(IndexRow):
    """The same rows for a fixed pseudo-random sixteenth of the items (``postgres.in_sample``).

    Counting a term found in 200,000 items reads 200,000 scattered rows of ``SearchDocument`` (a second
    and more); this table is small enough to stay in memory, so such totals and facet counts are estimated
    from it in milliseconds and shown as approximate (约). Smaller results are counted exactly.
    """
