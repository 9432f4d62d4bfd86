"""Form widgets of the filter forms: they work without JavaScript and stay small at scale."""

from django import forms


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
    too many for one page. Beyond the limit, a record's own page links to its events."""

    limit = 300

    def __init__(self, attrs=None):
        super().__init__({"size": 6, **(attrs or {})})

    def optgroups(self, name, value, attrs=None):
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return super().optgroups(name, value, attrs)
        field = self.choices.field
        key = field.to_field_name or "pk"
        chosen = {str(v) for v in value if v}
        shown = list(queryset[: self.limit + 1])
        more = len(shown) > self.limit
        shown = shown[: self.limit]
        present = {str(getattr(record, key)) for record in shown}
        missing = chosen - present
        if missing:
            shown += list(queryset.filter(**{f"{key}__in": missing}))
        options = [
            self.create_option(
                name,
                str(getattr(record, key)),
                field.label_from_instance(record),
                str(getattr(record, key)) in chosen,
                index,
                attrs=attrs,
            )
            for index, record in enumerate(shown)
        ]
        if more:
            note = self.create_option(
                name, "", f"(first {self.limit} shown; see a record's page for the others)",
                False, len(shown), attrs={"disabled": True},
            )  # fmt: skip
            options.append(note)
        return [(None, options, 0)]
