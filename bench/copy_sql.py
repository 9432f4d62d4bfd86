"""The events export's columns as one SQL query, for PostgreSQL's COPY: what the database
alone needs to produce the same file. Multi-valued cells are aggregated per event."""

COPY_SQL = """
SELECT e.id,
       'http://testserver/events/' || e.slug || '/' AS url,
       e.title, e.type, e.start_date, e.end_date, e.date_precision, e.city,
       hc.names AS host_country, hc.codes AS host_country_code,
       c.names AS countries, c.codes AS country_codes,
       p.names AS programmes, o.names AS organizations, pe.names AS people,
       e.participants, e.participant_countries, e.description, s.names AS sources
FROM cooperation_event e
LEFT JOIN (
    SELECT ec.event_id,
           string_agg(co.name || ' (' || ec.role || ')', '; ' ORDER BY ec.role, co.name) AS names,
           string_agg(DISTINCT co.code, '; ') AS codes
    FROM cooperation_eventcountry ec JOIN cooperation_country co ON co.id = ec.country_id
    GROUP BY ec.event_id
) c ON c.event_id = e.id
LEFT JOIN (
    SELECT ec.event_id, string_agg(co.name, '; ' ORDER BY co.name) AS names,
           string_agg(co.code, '; ' ORDER BY co.name) AS codes
    FROM cooperation_eventcountry ec JOIN cooperation_country co ON co.id = ec.country_id
    WHERE ec.role = 'host'
    GROUP BY ec.event_id
) hc ON hc.event_id = e.id
LEFT JOIN (
    SELECT ep.event_id, string_agg(pr.name, '; ' ORDER BY pr.name) AS names
    FROM cooperation_event_programmes ep JOIN cooperation_programme pr ON pr.id = ep.programme_id
    GROUP BY ep.event_id
) p ON p.event_id = e.id
LEFT JOIN (
    SELECT eo.event_id,
           string_agg(org.name || ' (' || eo.role || ')', '; ' ORDER BY eo.role, org.name) AS names
    FROM cooperation_eventorganization eo
    JOIN cooperation_organization org ON org.id = eo.organization_id
    GROUP BY eo.event_id
) o ON o.event_id = e.id
LEFT JOIN (
    SELECT ep.event_id,
           string_agg(per.name || ' (' || ep.role || ', ' || ep.title || ')', '; '
                      ORDER BY ep.id) AS names
    FROM cooperation_eventperson ep JOIN cooperation_person per ON per.id = ep.person_id
    GROUP BY ep.event_id
) pe ON pe.event_id = e.id
LEFT JOIN (
    SELECT ci.event_id, string_agg(so.title || ' — ' || ci.locator, '; '
                                   ORDER BY so.title, ci.id) AS names
    FROM cooperation_eventcitation ci JOIN cooperation_source so ON so.id = ci.source_id
    GROUP BY ci.event_id
) s ON s.event_id = e.id
ORDER BY e.start_date DESC, e.id DESC
"""
