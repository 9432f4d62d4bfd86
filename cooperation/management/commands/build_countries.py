"""Regenerate fixtures/countries.json from ISO 3166-1 (pycountry) and UN regions.

Build-time only: needs the `build-countries` extra (pip install -e '.[build-countries]').
The site itself never imports these packages.
"""

import csv
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Where the common English short name differs from country_converter's or CURATION.md fixes it.
NAME_OVERRIDES = {
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "FM": "Micronesia",
    "VA": "Vatican City",
}

# Spellings the source documents use, kept so that they are searchable (docs/curation.md).
SOURCE_ALIASES = {
    "MM": ["Burma"],
    "TL": ["East Timor"],
    "CD": ["Congo (Kinshasa)", "DR Congo", "DRC"],
    "CG": ["Congo (Brazzaville)", "Congo Republic"],
    "CF": ["Central Africa"],
    "CI": ["Cote d'ivoire", "Cote d'Ivoire", "Ivory Coast"],
    "LA": ["Lao PDR"],
    "PG": ["PNG", "Paxin"],
    "GB": ["UK", "Britain"],
    "US": ["USA", "United States of America"],
}

# country_converter's continents, named as UN M49 regions.
REGION_NAMES = {"America": "Americas", "Antarctica": ""}
# Territories country_converter files under Antarctica but UN M49 places in a region.
REGION_OVERRIDES = {
    "BV": ("Americas", "South America"),
    "GS": ("Americas", "South America"),
    "HM": ("Oceania", "Australia and New Zealand"),
}


class Command(BaseCommand):
    help = "Regenerate fixtures/countries.json (needs the build-countries extra)."

    def handle(self, *args, **options):
        try:
            import country_converter
            import pycountry
        except ImportError as error:
            raise CommandError(
                "Install the build-time extra first: pip install -e '.[build-countries]'"
            ) from error

        # Read country_converter's table directly: its loader breaks on pandas 3.
        table = Path(country_converter.__file__).parent / "country_data.tsv"
        with table.open(encoding="utf-8") as handle:
            un_rows = {row["ISO3"]: row for row in csv.DictReader(handle, delimiter="\t")}

        records = []
        for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
            un = un_rows.get(country.alpha_3)
            if un is None:
                raise CommandError(f"No UN region for {country.alpha_3}")
            name = NAME_OVERRIDES.get(country.alpha_2, un["name_short"])
            official = getattr(country, "official_name", "") or un["name_official"]
            aliases = []
            for alias in [
                country.name,
                getattr(country, "common_name", ""),
                official,
                un["name_official"],
                un["name_short"],
                *SOURCE_ALIASES.get(country.alpha_2, []),
            ]:
                if alias and alias != name and alias not in aliases:
                    aliases.append(alias)
            continent = un["continent"]
            region, subregion = REGION_OVERRIDES.get(
                country.alpha_2,
                (
                    REGION_NAMES.get(continent, continent),
                    "" if continent == "Antarctica" else un["UNregion"],
                ),
            )
            records.append(
                {
                    "model": "cooperation.country",
                    "fields": {
                        "code": country.alpha_2,
                        "alpha3": country.alpha_3,
                        "numeric": country.numeric,
                        "name": name,
                        "official_name": official,
                        "region": region,
                        "subregion": subregion,
                        "aliases": "\n".join(aliases),
                    },
                }
            )
        path = Path(settings.BASE_DIR) / "fixtures" / "countries.json"
        path.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {len(records)} countries to {path}")
