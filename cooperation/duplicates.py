"""Possible duplicates of a person or organization an editor is adding or renaming.

Sources spell one body or person many ways ("Fan Xiaojian", "Xiaojian Fan", "FAN Xiao-jian"),
so an editor typing a name may be about to create a second record of someone already here.
Names are compared after normalising them (case, accents, punctuation and spacing dropped), and
two names are close when they are equal, have the same words in another order, are alike by
difflib's ratio (>= 0.85, on the words in either order), or when one of two or more words has
all its words in the other ("Fan Xiaojian" in "Vice Minister Fan Xiaojian").

The database narrows first: records whose name, alias lines or second name contain a word of
the entered names, those sharing most words first, at most CANDIDATE_LIMIT rows; only those are
scored in Python. LIKE '%word%' scans the table, but needs no extension or index that SQLite
and PostgreSQL would not share; at 20,000 people and 10,000 organizations (catalogue_bench) a
lookup takes 17-45 ms, query and scoring together.
"""

import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db.models import Case, F, Q, TextField, Value, When
from django.db.models.functions import Concat, Lower

from .models import Organization, Person
from .models.base import alias_lines

CLOSE_RATIO = 0.85
CANDIDATE_LIMIT = 200
MOST_SHOWN = 10
EXACT_WEIGHT = 100
# Words too common to narrow anything: "Ministry of ... of ..." would match every ministry.
STOP_WORDS = frozenset(
    ["of", "the", "and", "for", "in", "on", "at", "to", "de", "du", "des", "la", "le", "el"]
)
# At most this many words (the longest) narrow the query: each adds two LIKEs per row, and
# names close enough to warn about share their long words.
MAX_TERMS = 4

# Why two names are close, closest first.
SAME = "same name"
SWAPPED = "same words in another order"
SIMILAR = "similar spelling"
CONTAINED = "one name contains the other"
REASONS = [SAME, SWAPPED, SIMILAR, CONTAINED]

# The fields that name a record, besides its aliases (one per line).
NAME_FIELDS = {
    Person: ["name", "native_name"],
    Organization: ["name", "acronym"],
}


def normalise(text: str) -> str:
    """Lower case, no accents, words separated by single spaces, punctuation dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    spaced = "".join(c if c.isalnum() else " " for c in bare)
    return " ".join(spaced.split())


@dataclass(frozen=True)
class Name:
    """A name as compared: normalised, and its words sorted (to find swapped orders)."""

    text: str
    normal: str
    words: frozenset
    sorted_words: str

    @classmethod
    def of(cls, text):
        normal = normalise(text)
        return cls(text, normal, frozenset(normal.split()), " ".join(sorted(normal.split())))


def closeness(entered: str, existing: str) -> str | None:
    """Why two names may name the same record, or None if they are not close."""
    return _closeness(Name.of(entered), Name.of(existing))


def _ratio_at_least(a: str, b: str, threshold: float) -> bool:
    matcher = SequenceMatcher(None, a, b)
    # The cheap upper bounds first: most pairs fail them and never reach ratio().
    return (
        matcher.real_quick_ratio() >= threshold
        and matcher.quick_ratio() >= threshold
        and matcher.ratio() >= threshold
    )


def _closeness(a: Name, b: Name) -> str | None:
    if not a.normal or not b.normal:
        return None
    if a.normal == b.normal:
        return SAME
    if a.sorted_words == b.sorted_words:
        return SWAPPED
    if _ratio_at_least(a.normal, b.normal, CLOSE_RATIO) or _ratio_at_least(
        a.sorted_words, b.sorted_words, CLOSE_RATIO
    ):
        return SIMILAR
    shorter, longer = sorted([a.words, b.words], key=len)
    if len(shorter) >= 2 and shorter <= longer:
        return CONTAINED
    return None


def names_of(model, values: dict) -> list[str]:
    """The names a record goes by, from a form's or a record's field values."""
    names = [values.get(field) or "" for field in NAME_FIELDS[model]]
    names += alias_lines(values.get("aliases") or "")
    return [name.strip() for name in names if name.strip()]


def search_terms(names: list[str]) -> dict[str, int]:
    """Words to narrow the query with, and their weight in ranking the rows found.

    A word as entered (accents kept) and without accents; for long words their first four
    letters too, weighing less, so that "Traore" still finds "Traoré".
    """
    terms = {}
    for name in names:
        kept = " ".join("".join(c if c.isalnum() else " " for c in name.casefold()).split())
        for word in set(kept.split()) | set(normalise(name).split()):
            if len(word) < 2 or word in STOP_WORDS:
                continue
            terms[word] = 2
            if len(word) >= 6:
                terms.setdefault(word[:4], 1)
    longest = sorted(terms, key=lambda t: (-terms[t], -len(t), t))[:MAX_TERMS]
    return {term: terms[term] for term in longest}


@dataclass
class Candidate:
    record: Person | Organization
    entered: str  # the editor's name that is close
    existing: str  # the record's name or alias it is close to
    reason: str


def candidates(model, names: list[str], exclude_pk=None, most=MOST_SHOWN) -> list[Candidate]:
    """Up to `most` records of `model` with a name or alias close to one of `names`, closest
    first. Rows sharing most words are scored first, and scoring stops at `most` found: an
    editor reads a short list, and at 20,000 records scoring all 200 rows doubles the time."""
    terms = search_terms(names)
    if not terms:
        return []
    fields = [*NAME_FIELDS[model], "aliases"]
    # All the names in one lower-cased text: one LIKE per word instead of one per field.
    haystack = Lower(
        Concat(*[part for f in fields for part in (F(f), Value("\n"))], output_field=TextField())
    )
    matches_any = Q()
    rank = Value(0)
    for term, weight in terms.items():
        matches_any |= Q(_names__contains=term)
        rank += Case(When(_names__contains=term, then=Value(weight)), default=Value(0))
    for name in names:  # the same name first, before the scoring stops at `most`
        rank += Case(When(name__iexact=name, then=Value(EXACT_WEIGHT)), default=Value(0))
    rows = (
        model.objects.alias(_names=haystack)
        .filter(matches_any)
        .annotate(_rank=rank)
        .order_by("-_rank", "pk")
        .only("pk", *fields)
    )
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)

    entered_names = [Name.of(name) for name in names]
    found = []
    for record in rows[:CANDIDATE_LIMIT]:
        existing_names = names_of(model, {f: getattr(record, f) for f in fields})
        match = None  # the closest pair of the editor's names and the record's
        for existing in map(Name.of, existing_names):
            for entered in entered_names:
                reason = _closeness(entered, existing)
                if reason and (
                    match is None or REASONS.index(reason) < REASONS.index(match.reason)
                ):
                    match = Candidate(record, entered.text, existing.text, reason)
        if match:
            found.append(match)
            if len(found) == most:
                break
    return sorted(found, key=lambda c: REASONS.index(c.reason))
