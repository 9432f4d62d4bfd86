"""Form widgets of the filter forms: they work without JavaScript and stay small at scale."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
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
        """([(value, label, chosen)], whether records beyond the limit were left out)."""
        queryset = self.choices.queryset
        field = self.choices.field
        key = field.to_field_name or "pk"
        chosen = {str(v) for v in value or () if v}
        shown = list(queryset[: self.limit + 1])
        more = len(shown) > self.limit
        shown = shown[: self.limit]
        present = {str(getattr(record, key)) for record in shown}
        if chosen - present:
            shown += list(queryset.filter(**{f"{key}__in": chosen - present}))
        options = []
        for record in shown:
            option = str(getattr(record, key))
            options.append((option, field.label_from_instance(record), option in chosen))
        return options, more

    def render(self, name, value, attrs=None, renderer=None):
        if not hasattr(self.choices, "queryset"):
            return super().render(name, value, attrs, renderer)
        if value is not None and not isinstance(value, list | tuple):
            value = [value]
        options, more = self.options(value)
        rows = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((option, mark_safe(" selected") if chosen else "", label)
             for option, label, chosen in options),
        )  # fmt: skip
        if more:
            rows += format_html(
                '<option value="" disabled>(first {} shown; see a record\'s page for the '
                "others)</option>",
                self.limit,
            )
        final = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}" multiple{}>{}</select>', name, flatatt(final), rows)
