"""Event counters by year, and by country and year (cooperation/counters.py).

`?year=2012` (the events under way in 2012) cannot use an index: an event that started
before the year and ended in it matches, so PostgreSQL reads every event, and `country=kh&
year=2012` counts in seconds at ten million events. These counters answer one year, and one
country in one year, at once and exactly, as 0012's answer every event, one type and one
country. An event counts in every year from its start to its end, as the filter says.

The triggers of 0012 are kept; their functions are replaced: an event's keys now include its
years and its countries' years, the event's trigger also fires when its dates change, and a
link's change counts for its country in each year of the event.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION cooperation_event_years(starts date, ends date) RETURNS SETOF int
LANGUAGE sql IMMUTABLE AS $$
    SELECT generate_series(
        extract(year FROM starts)::int, extract(year FROM coalesce(ends, starts))::int)
$$;

DROP FUNCTION cooperation_event_counter_keys(bigint, text);
CREATE FUNCTION cooperation_event_counter_keys(event bigint, event_type text, starts date,
                                               ends date) RETURNS text[]
LANGUAGE sql STABLE AS $$
    WITH years AS (SELECT cooperation_event_years(starts, ends) AS year),
    countries AS (
        SELECT DISTINCT country_id FROM cooperation_eventcountry WHERE event_id = event)
    SELECT ARRAY['all', 'type:' || event_type]
        || ARRAY(SELECT 'year:' || year FROM years)
        || ARRAY(SELECT 'country:' || country_id FROM countries)
        || ARRAY(SELECT 'country:' || country_id || ':year:' || year FROM countries, years)
$$;

CREATE OR REPLACE FUNCTION cooperation_event_counted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    gone text[] := '{}';
    come text[] := '{}';
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status <> 'draft' THEN
        gone := cooperation_event_counter_keys(OLD.id, OLD.type, OLD.start_date, OLD.end_date);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status <> 'draft' THEN
        come := cooperation_event_counter_keys(NEW.id, NEW.type, NEW.start_date, NEW.end_date);
    END IF;
    PERFORM cooperation_count_events(gone, come);
    RETURN NULL;
END $$;

DROP TRIGGER event_counted_again ON cooperation_event;
CREATE TRIGGER event_counted_again
    AFTER UPDATE OF status, type, start_date, end_date ON cooperation_event
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.type IS DISTINCT FROM NEW.type
          OR OLD.start_date IS DISTINCT FROM NEW.start_date
          OR OLD.end_date IS DISTINCT FROM NEW.end_date)
    EXECUTE FUNCTION cooperation_event_counted();

CREATE OR REPLACE FUNCTION cooperation_count_links(written cooperation_link_change[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- The events' rows locked, in one order: one event's links change one transaction at a
    -- time, and the count below (a new snapshot) sees the links committed before.
    PERFORM 1 FROM cooperation_event
    WHERE id IN (SELECT event FROM unnest(written)) ORDER BY id FOR NO KEY UPDATE;
    INSERT INTO cooperation_eventcounter (key, delta)
    SELECT key, sum(counted.change) FROM (
        SELECT moved.country, e.start_date, e.end_date,
            (now_linked.n > 0)::int - (now_linked.n - moved.n > 0)::int AS change
        FROM (
            SELECT event, country, sum(change) AS n FROM unnest(written)
            GROUP BY event, country
        ) AS moved
        JOIN cooperation_event e ON e.id = moved.event AND e.status <> 'draft'
        CROSS JOIN LATERAL (
            SELECT count(*) AS n FROM cooperation_eventcountry l
            WHERE l.event_id = moved.event AND l.country_id = moved.country
        ) AS now_linked
    ) AS counted
    CROSS JOIN LATERAL (
        SELECT 'country:' || counted.country AS key
        UNION ALL
        SELECT 'country:' || counted.country || ':year:' || year
        FROM cooperation_event_years(counted.start_date, counted.end_date) AS year
    ) AS keys
    WHERE counted.change <> 0
    GROUP BY key HAVING sum(counted.change) <> 0;
END $$;
"""

# The year counters for the existing rows, one row per key (as cooperation.counters.REBUILD
# writes them, frozen here).
FILL = """
INSERT INTO cooperation_eventcounter (key, delta)
SELECT 'year:' || year, count(*)
FROM cooperation_event, cooperation_event_years(start_date, end_date) AS year
WHERE status <> 'draft' GROUP BY year
UNION ALL
SELECT 'country:' || l.country_id || ':year:' || year, count(DISTINCT e.id)
FROM cooperation_event e JOIN cooperation_eventcountry l ON l.event_id = e.id,
    cooperation_event_years(e.start_date, e.end_date) AS year
WHERE e.status <> 'draft' GROUP BY l.country_id, year
"""

# 0012's functions and trigger, as they were.
DROP = """
DELETE FROM cooperation_eventcounter WHERE key ~ '(^|:)year:';

DROP TRIGGER event_counted_again ON cooperation_event;
CREATE TRIGGER event_counted_again AFTER UPDATE OF status, type ON cooperation_event
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.type IS DISTINCT FROM NEW.type)
    EXECUTE FUNCTION cooperation_event_counted();

CREATE OR REPLACE FUNCTION cooperation_event_counted() RETURNS trigger
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

DROP FUNCTION cooperation_event_counter_keys(bigint, text, date, date);
CREATE FUNCTION cooperation_event_counter_keys(event bigint, event_type text) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT ARRAY['all', 'type:' || event_type] || ARRAY(
        SELECT DISTINCT 'country:' || country_id FROM cooperation_eventcountry
        WHERE event_id = event)
$$;

CREATE OR REPLACE FUNCTION cooperation_count_links(written cooperation_link_change[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
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

DROP FUNCTION cooperation_event_years(date, date);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute(FILL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("cooperation", "0012_event_counters"),
    ]

    operations = [migrations.RunPython(create, drop)]
