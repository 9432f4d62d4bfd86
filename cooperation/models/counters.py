from django.db import models


class EventCounter(models.Model):
    """How many published events a simple filter matches, as rows of +1 and -1 that add up to
    it: "all", "type:<type>", "country:<country id>". On PostgreSQL, triggers write the rows
    in the transaction of the edit itself (migration 0012, cooperation/counters.py), so a
    reader's snapshot always adds up to exactly what it sees. Rows are only ever added,
    never updated, so that two editors never wait on one counter; counters.compact() folds
    them into one row per key. SQLite has no triggers for it: the table stays empty."""

    key = models.CharField(max_length=40)
    delta = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["key", "delta"], name="eventcounter_key_idx")]

    def __str__(self):
        return f"{self.key} {self.delta:+d}"
