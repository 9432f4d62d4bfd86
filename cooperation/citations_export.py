"""“Cite this record”: one dict of fields per record, written as a reference in words, as
RIS, BibTeX and CSL-JSON for reference managers and as the page's citation_* meta tags (what
Zotero and Google Scholar read). Every format reads the same fields, so a citation says the
same thing wherever it is taken from."""

import json
import re
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from .models import Country, Event, Organization, Person, Programme, Source

CATALOGUE = "Cooperation catalogue"


@dataclass(frozen=True)
class RecordKind:
    """How a kind of record is found from its URL and what its citation is called."""

    name: str  # the URL name's prefix: "event" as in "event-detail"
    model: type
    lookup: str  # the URL keyword that finds the record
    title_field: str
    label: str  # what the reference calls it, after its title
    abstract_field: str = ""  # the editors' summary, for the page's citation_abstract


KINDS = {
    kind.name: kind
    for kind in (
        RecordKind("event", Event, "slug", "title", "event record", "description"),
        RecordKind("country", Country, "code", "name", "country record"),
        RecordKind("programme", Programme, "slug", "name", "programme record"),
        RecordKind("organization", Organization, "slug", "name", "organization record"),
        RecordKind("person", Person, "slug", "name", "person record"),
        RecordKind("source", Source, "slug", "title", "source record"),
    )
}


def citation_fields(request, kind, record):
    """The one dict every format is written from."""
    updated_at = getattr(record, "updated_at", None)
    key = str(getattr(record, kind.lookup))
    return {
        "id": f"{kind.name}-{key.lower()}",
        "kind": kind,
        "title": one_line(getattr(record, kind.title_field)),
        "catalogue": CATALOGUE,
        "url": request.build_absolute_uri(record.get_absolute_url()),
        "updated": timezone.localtime(updated_at).date() if updated_at else None,
        "accessed": timezone.localdate(),
        "abstract": one_line(getattr(record, kind.abstract_field)) if kind.abstract_field else "",
    }


def one_line(value):
    return " ".join(str(value).split())


def long_date(day):
    return format_date(day, "j F Y")


def as_text(fields):
    """The reference in words, as the page shows it."""
    parts = [f"“{fields['title']}” ({fields['kind'].label})", fields["catalogue"]]
    if fields["updated"]:
        parts.append(f"last updated {long_date(fields['updated'])}")
    parts.append(f"{fields['url']} (accessed {long_date(fields['accessed'])})")
    return ". ".join(parts) + "."


# ---- RIS -----------------------------------------------------------------------------------
# One "TG  - value" per line, CRLF line ends, TY first and ER last; a value cannot span lines.


def ris_value(value):
    return " ".join(str(value).split())


def ris_date(day):
    return day.strftime("%Y/%m/%d/")


def as_ris(fields):
    lines = [
        ("TY", "ELEC"),
        ("ID", fields["id"]),
        ("TI", fields["title"]),
        ("T2", fields["catalogue"]),
        ("PB", fields["catalogue"]),
        ("UR", fields["url"]),
    ]
    if fields["updated"]:
        lines += [("PY", fields["updated"].year), ("DA", ris_date(fields["updated"]))]
    lines += [("Y2", ris_date(fields["accessed"])), ("ER", "")]
    return "".join(f"{tag}  - {ris_value(value)}\r\n" for tag, value in lines)


# ---- BibTeX --------------------------------------------------------------------------------

BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
BIBTEX_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in BIBTEX_SPECIAL))


def bibtex_escape(value):
    """Text safe inside a braced BibTeX field: LaTeX's special characters escaped (so braces
    always balance); other characters, 范小建 included, stay as UTF-8."""
    return BIBTEX_SPECIAL_RE.sub(lambda m: BIBTEX_SPECIAL[m.group()], " ".join(str(value).split()))


def bibtex_key(fields):
    """A citation key BibTeX and biber accept: letters, digits, - _ : only."""
    return re.sub(r"[^A-Za-z0-9_:-]", "-", fields["id"])


def as_bibtex(fields):
    entries = [
        # Double braces keep the title's capitals as written.
        ("title", "{" + bibtex_escape(fields["title"]) + "}"),
        ("organization", bibtex_escape(fields["catalogue"])),
        ("howpublished", bibtex_escape(fields["catalogue"])),
        # The URL is built from a slug or country code: no character BibTeX treats specially.
        ("url", fields["url"]),
        ("urldate", fields["accessed"].isoformat()),
        ("note", f"Accessed {fields['accessed'].isoformat()}"),
    ]
    if fields["updated"]:
        entries += [
            ("year", str(fields["updated"].year)),
            ("date", fields["updated"].isoformat()),
        ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in entries)
    return f"@misc{{{bibtex_key(fields)},\n{body}\n}}\n"


# ---- CSL-JSON ------------------------------------------------------------------------------


def date_parts(day):
    return {"date-parts": [[day.year, day.month, day.day]]}


def as_csl_json(fields):
    item = {
        "id": fields["id"],
        "type": "webpage",
        "title": fields["title"],
        "container-title": fields["catalogue"],
        "publisher": fields["catalogue"],
        "URL": fields["url"],
        "accessed": date_parts(fields["accessed"]),
    }
    if fields["updated"]:
        item["issued"] = date_parts(fields["updated"])
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


# ---- Highwire meta tags --------------------------------------------------------------------
# The citation_* tags in a record page's <head>, which Zotero and Google Scholar read. A record
# has no personal author, and a citation_author of "Cooperation catalogue" would be read as a
# person (family name "catalogue"), so the catalogue is given as the publisher only, as RIS's
# PB and CSL's publisher give it. The date is the reference's "last updated" date.


def highwire_date(day):
    return day.strftime("%Y/%m/%d")


def event_keywords(event):
    """The event's kind and the countries involved, from the relations its page prefetches."""
    countries = dict.fromkeys(link.country.name for link in event.country_links.all())
    return [event.get_type_display(), *countries]


def as_highwire(fields, keywords=()):
    """(name, content) pairs; the template escapes the content."""
    tags = [("citation_title", fields["title"]), ("citation_publisher", fields["catalogue"])]
    if fields["updated"]:
        tags += [
            ("citation_publication_date", highwire_date(fields["updated"])),
            ("citation_online_date", highwire_date(fields["updated"])),
        ]
    tags += [("citation_public_url", fields["url"]), ("citation_language", "en")]
    if fields["abstract"]:
        tags.append(("citation_abstract", fields["abstract"]))
    tags += [("citation_keywords", keyword) for keyword in keywords]
    return tags


@dataclass(frozen=True)
class Format:
    extension: str
    label: str
    content_type: str
    write: object


FORMATS = {
    f.extension: f
    for f in (
        Format("ris", "RIS", "application/x-research-info-systems", as_ris),
        Format("bib", "BibTeX", "application/x-bibtex", as_bibtex),
        Format("json", "CSL-JSON", "application/vnd.citationstyles.csl+json", as_csl_json),
    )
}


def url_name(kind_name, extension):
    return f"{kind_name}-cite-{extension}"


def citation_context(request, kind_name, record):
    """What the "Cite this record" box on a record's page shows."""
    kind = KINDS[kind_name]
    fields = citation_fields(request, kind, record)
    key = getattr(record, kind.lookup)
    keywords = event_keywords(record) if kind_name == "event" else ()
    return {
        "text": as_text(fields),
        "fields": fields,
        "meta": as_highwire(fields, keywords),
        "downloads": [
            (f, reverse(f"cooperation:{url_name(kind_name, f.extension)}", args=[key]))
            for f in FORMATS.values()
        ],
    }
