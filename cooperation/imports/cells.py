"""The events export's cells read back: the inverse of columns.py.

Every function takes the text of one cell and returns Python values, or raises CellError with
a message an editor can act on. Spreadsheets give some cells as numbers or dates (XLSX);
`text()` turns them back into the text the export wrote.
"""

import datetime
import re

from ..columns import EVENT_COLUMNS, FORMULA_PREFIXES, LIST, SEPARATOR, TEXT
from ..models import Precision
from ..models.base import FIRST_YEAR, LAST_YEAR, YEARS_MESSAGE


class CellError(ValueError):
    """A cell that cannot be read; the message says what to write instead."""


# The export neutralises these columns' formulas with a leading apostrophe (columns.neutralise).
NEUTRALISED = frozenset(column.name for column in EVENT_COLUMNS if column.kind in (TEXT, LIST)) | {
    "slug"
}

PRECISIONS = [Precision.YEAR, Precision.MONTH, Precision.DAY]  # coarsest first
DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
COUNT = re.compile(r"(?:(over)\s+)?(\d+)", re.IGNORECASE)


def text(value, column: str = "") -> str:
    """A cell as the export wrote it: numbers and dates from a spreadsheet as text, no
    surrounding spaces, and the apostrophe that neutralised a formula taken off again."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        value = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    value = str(value).strip()
    if column in NEUTRALISED and value[:1] == "'" and value[1:2] and value[1] in FORMULA_PREFIXES:
        value = value[1:]
    return value


def date(value: str, precision: str = "") -> tuple[datetime.date, str]:
    """("2012-07", "") → (2012-07-01, "month"). A precision coarser than the written date is
    accepted when the date is the first day of that month or year (a spreadsheet turns
    "2012-07" into 2012-07-01)."""
    match = DATE.fullmatch(value)
    if not match:
        raise CellError(f"“{value}” is not a date: write 2012, 2012-07 or 2012-07-21.")
    year, month, day = (int(part) if part else None for part in match.groups())
    written = Precision.DAY if day else Precision.MONTH if month else Precision.YEAR
    try:
        result = datetime.date(year, month or 1, day or 1)
    except ValueError as error:
        raise CellError(f"“{value}” is not a date: {error}.") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CellError(YEARS_MESSAGE)
    if not precision:
        return result, written
    if precision not in PRECISIONS:
        raise CellError(f"“{precision}” is not a precision: write day, month or year.")
    if PRECISIONS.index(precision) > PRECISIONS.index(written):
        raise CellError(f"“{value}” is not precise to the {precision}.")
    if (precision == Precision.YEAR and (result.month, result.day) != (1, 1)) or (
        precision == Precision.MONTH and result.day != 1
    ):
        raise CellError(f"“{value}” is more precise than the {precision} the file gives.")
    return result, precision


def count(value: str) -> tuple[int | None, bool]:
    """ "" → (None, False); "120" → (120, False); "over 120" → (120, True)."""
    if not value:
        return None, False
    match = COUNT.fullmatch(value)
    if not match:
        raise CellError(f"“{value}” is not a number: write 120, or over 120 for a lower bound.")
    return int(match[2]), bool(match[1])


def items(value: str) -> list[str]:
    """A list cell's items: "; " between them, except within brackets (a title may hold
    "; " in brackets)."""
    found, depth, start = [], 0, 0
    i = 0
    while i < len(value):
        char = value[i]
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth <= 0 and value.startswith(SEPARATOR, i):
            found.append(value[start:i])
            start = i + len(SEPARATOR)
            i = start
            depth = 0
            continue
        i += 1
    found.append(value[start:])
    return [item.strip() for item in found if item.strip()]


def details(item: str) -> tuple[str, str | None]:
    """ "Fan Xiaojian (speaker, Minister)" → ("Fan Xiaojian", "speaker, Minister"): the
    bracketed group at the end, which may itself hold brackets; None without one."""
    if not item.endswith(")"):
        return item, None
    depth = 0
    for i in range(len(item) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(item[i], 0)
        if depth == 0:
            name = item[:i].rstrip()
            return (name, item[i + 1 : -1].strip()) if name else (item, None)
    return item, None


def choice(choices, word: str) -> str | None:
    """The value of a choice given by its words ("head of delegation") or its value
    ("head_of_delegation"), in any case; None if there is none."""
    wanted = " ".join(word.replace("_", " ").split()).casefold()
    for value, label in choices.choices:
        if wanted in (str(label).casefold(), value.replace("_", " ")):
            return value
    return None


def label(choices, value: str) -> str:
    """A choice's words in lower case, as the export writes roles."""
    return str(dict(choices.choices).get(value, value)).lower()


def choice_words(choices) -> str:
    return ", ".join(str(label).lower() for label in choices.labels)


def slug_from_url(value: str, prefix: str = "events") -> str:
    """The key at the end of a record's address: ".../events/2012-visit/" → "2012-visit"."""
    match = re.search(rf"/{prefix}/([^/?#]+)/?(?:[?#].*)?$", value)
    if not match:
        raise CellError(f"“{value}” is not an address of the form …/{prefix}/<key>/.")
    return match[1]
