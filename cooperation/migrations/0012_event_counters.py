"""Counters of published events (all, per type, per country) kept by triggers on PostgreSQL.

An export states its number of records (X-Record-Count) before its first byte, counted in
the snapshot it reads. A COUNT of most of ten million events takes seconds; these counters
answer the unfiltered list, one type and one country at once, and exactly, because the
triggers write them in the edit's own transaction (cooperation/counters.py reads them).

Each change adds rows of +1 or -1 rather than updating one row per key, so two editors'
transactions never wait on each other's counter. A link's country counts once per event
however many roles it has there: the links' triggers run once per statement (two roles
written or deleted together are weighed together), and lock the events' rows before they
look at their other links, so that two transactions adding one country in two roles cannot
both count it. SQLite gets the table but no triggers (its exports count as they go).
"""

from django.db import migrations, models

CREATE = """
CREATE FUNCTION cooperation_event_counter_keys(event bigint, event_type text) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT ARRAY['all', 'type:' || event_type] || ARRAY(
        SELECT DISTINCT 'country:' || country_id FROM cooperation_eventcountry
        WHERE event_id = event)
$$;

CREATE FUNCTION cooperation_count_events(gone text[], come text[]) RETURNS void
LANGUAGE sql VOLATILE AS $$
    INSERT INTO cooperation_eventcounter (key, delta)
    SELECT key, sum(delta) FROM (
        SELECT unnest(gone) AS key, -1 AS delta UNION ALL SELECT unnest(come), 1
    ) AS changes GROUP BY key HAVING sum(delta) <> 0
$$;

CREATE FUNCTION cooperation_event_counted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    gone text[] := '{}';
    come text[] := '{}';
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status <> 'draft' THEN
        gone := cooperation_event_counter_keys(OLD.id, OLD.type);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status <> 'draft' THEN
        come := cooperation_event_counter_keys(NEW.id, NEW.type);
    END IF;
    PERFORM cooperation_count_events(gone, come);
    RETURN NULL;
END $$;

-- Links written by one statement, each (event, country, +1 added or -1 removed): the
-- triggers run once per statement, after it, so that two links of one event to one country
-- written together (or the two roles deleted with their event) are weighed together.
CREATE TYPE cooperation_link_change AS (event bigint, country bigint, change int);

CREATE FUNCTION cooperation_count_links(written cooperation_link_change[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- The events' rows locked, in one order: one event's links change one transaction at a
    -- time, and the count below (a new snapshot) sees the links committed before.
    PERFORM 1 FROM cooperation_event
    WHERE id IN (SELECT event FROM unnest(written)) ORDER BY id FOR NO KEY UPDATE;
    INSERT INTO cooperation_eventcounter (key, delta)
    SELECT 'country:' || moved.country, sum(
        (now_linked.n > 0)::int - (now_linked.n - moved.n > 0)::int
    )
    FROM (
        SELECT event, country, sum(change) AS n FROM unnest(written) GROUP BY event, country
    ) AS moved
    JOIN cooperation_event e ON e.id = moved.event AND e.status <> 'draft'
    CROSS JOIN LATERAL (
        SELECT count(*) AS n FROM cooperation_eventcountry l
        WHERE l.event_id = moved.event AND l.country_id = moved.country
    ) AS now_linked
    GROUP BY moved.country
    HAVING sum((now_linked.n > 0)::int - (now_linked.n - moved.n > 0)::int) <> 0;
END $$;

CREATE FUNCTION cooperation_eventcountry_counted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM cooperation_count_links(ARRAY(
            SELECT (event_id, country_id, 1)::cooperation_link_change FROM added));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM cooperation_count_links(ARRAY(
            SELECT (event_id, country_id, -1)::cooperation_link_change FROM removed));
    ELSE
        PERFORM cooperation_count_links(ARRAY(
            SELECT (event_id, country_id, 1)::cooperation_link_change FROM added
            UNION ALL
            SELECT (event_id, country_id, -1)::cooperation_link_change FROM removed));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER event_counted AFTER INSERT OR DELETE ON cooperation_event
    FOR EACH ROW EXECUTE FUNCTION cooperation_event_counted();
CREATE TRIGGER event_counted_again AFTER UPDATE OF status, type ON cooperation_event
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.type IS DISTINCT FROM NEW.type)
    EXECUTE FUNCTION cooperation_event_counted();
CREATE TRIGGER eventcountry_counted AFTER INSERT ON cooperation_eventcountry
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION cooperation_eventcountry_counted();
CREATE TRIGGER eventcountry_counted_again AFTER UPDATE ON cooperation_eventcountry
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION cooperation_eventcountry_counted();
CREATE TRIGGER eventcountry_uncounted AFTER DELETE ON cooperation_eventcountry
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION cooperation_eventcountry_counted();
"""

# What the triggers would have written for the existing rows, one row per key (the same
# statement as cooperation.counters.REBUILD, frozen here).
FILL = """
INSERT INTO cooperation_eventcounter (key, delta)
SELECT 'all', count(*) FROM cooperation_event WHERE status <> 'draft'
UNION ALL
SELECT 'type:' || type, count(*) FROM cooperation_event WHERE status <> 'draft' GROUP BY type
UNION ALL
SELECT 'country:' || country_id, count(DISTINCT event_id) FROM cooperation_eventcountry
WHERE event_id IN (SELECT id FROM cooperation_event WHERE status <> 'draft')
GROUP BY country_id
"""

DROP = """
DROP TRIGGER eventcountry_uncounted ON cooperation_eventcountry;
DROP TRIGGER eventcountry_counted_again ON cooperation_eventcountry;
DROP TRIGGER eventcountry_counted ON cooperation_eventcountry;
DROP TRIGGER event_counted_again ON cooperation_event;
DROP TRIGGER event_counted ON cooperation_event;
DROP FUNCTION cooperation_eventcountry_counted();
DROP FUNCTION cooperation_event_counted();
DROP FUNCTION cooperation_count_links(cooperation_link_change[]);
DROP TYPE cooperation_link_change;
DROP FUNCTION cooperation_count_events(text[], text[]);
DROP FUNCTION cooperation_event_counter_keys(bigint, text);
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute(FILL)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("cooperation", "0011_event_status"),
    ]

    operations = [
        migrations.CreateModel(
            name="EventCounter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=40)),
                ("delta", models.BigIntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["key", "delta"], name="eventcounter_key_idx")],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
