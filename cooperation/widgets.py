"""Form widgets of the filter forms: they work without JavaScript and stay small at scale."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


class YearsInput(forms.TextInput):
    """One box for one or more years ("2012 2013"), read from a repeated parameter."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "size": 12, **(attrs or {})})

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return " ".join(str(year) for year in value)
        return super().format_value(value)


class BoundedSelectMultiple(forms.SelectMultiple):
    """A multiple choice over records that renders at most `limit` of them (in the model's
    order), plus the chosen ones: a million-event catalogue has tens of thousands of people,
    too many for one page. Beyond the limit, a record's own page links to its events.

    The options are written in Python, not through one template per option as Django's
    widgets do: a form with several hundred options each would otherwise spend a third of
    a second rendering them.
    """

    limit = 300

    def __init__(self, attrs=None):
        super().__init__({"size": 6, **(attrs or {})})

    def options(self, value) -> tuple[list[tuple[str, str, bool]], bool]:
        """([(value, label, chosen)], whether records beyond the limit were left out).

        Only the key and the name are read (no model instances): the form shows a few
        hundred of each kind of record."""
        queryset = self.choices.queryset.order_by(*self.choices.queryset.model._meta.ordering)
        key = self.choices.field.to_field_name or "pk"
        names = [f.name for f in queryset.model._meta.fields if f.name in ("name", "title")]
        rows = queryset.values_list(key, names[0])
        chosen = {str(v) for v in value or () if v}
        shown = list(rows[: self.limit + 1])
        more = len(shown) > self.limit
        shown = shown[: self.limit]
        missing = chosen - {str(option) for option, _ in shown}
        if missing:
            shown += list(rows.filter(**{f"{key}__in": missing}))
        return [(str(option), label, str(option) in chosen) for option, label in shown], more

    def render(self, name, value, attrs=None, renderer=None):
        if not hasattr(self.choices, "queryset"):
            return super().render(name, value, attrs, renderer)
        if value is not None and not isinstance(value, list | tuple):
            value = [value]
        options, more = self.options(value)
        # html.escape on plain strings: format_html per option costs more than the query.
        rows = "".join(
            f'<option value="{escape(option)}"{" selected" if chosen else ""}>'
            f"{escape(label)}</option>"
            for option, label, chosen in options
        )
        if more:
            rows += (
                f'<option value="" disabled>(first {self.limit} shown; see a record\'s page '
                "for the others)</option>"
            )
        final = self.build_attrs(self.attrs, attrs)
        return mark_safe(f'<select name="{escape(name)}" multiple{flatatt(final)}>{rows}</select>')
