"""A record's history page in the admin shows the changes to its inline rows too.

A save of the event form writes the event (one history row, often with no field changed) and
then its inline rows: countries, organizations, people, citations, each with a history of its
own (django-simple-history). Without this the event's history row for such a save says nothing
changed. Here each change of an inline row is listed under the record's history row it belongs
to: the latest one at or before it, since the admin saves the record before its inline rows. A
row changed later on its own admin page is listed there too, marked with when and by whom.
"""

import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.forms.models import _get_foreign_key
from django.utils import timezone
from django.utils.text import capfirst

from .admin_locking import editable_fields, shown, versions

# An inline row saved longer than this after the record, or by someone else, was not saved
# from the record's form: its change says when and by whom.
SAME_SAVE = datetime.timedelta(seconds=5)


def label(version):
    try:
        return str(version.instance)
    except ObjectDoesNotExist:  # a related record gone from the database
        return f"#{version.instance_type._meta.pk.value_from_object(version)}"


class InlineHistoryMixin:
    """For a SimpleHistoryAdmin (before it in the bases)."""

    object_history_list_template = "admin/cooperation/object_history_list.html"

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        super().set_history_delta_changes(request, historical_records, **kwargs)
        records = list(historical_records)  # newest first
        for record in records:
            record.inline_changes = []
            if record.history_change_reason is None:
                # The page shows the reason as it is; no reason is nothing, not "None".
                record.history_change_reason = ""
        if not records:
            return
        object_pk = getattr(records[0], self.model._meta.pk.attname)
        newer = versions(self.model, object_pk).filter(history_date__gt=records[0].history_date)
        newer = newer.order_by("history_date").first()  # on the previous page, if any
        oldest = records[-1].history_date
        for version, changes in self._inline_changes(object_pk):
            when = version.history_date
            if when < oldest or (newer is not None and when >= newer.history_date):
                continue  # belongs to a record's row on another page
            record = next(r for r in records if r.history_date <= when)
            if when - record.history_date > SAME_SAVE or (
                version.history_user_id != record.history_user_id
            ):
                at = f"{timezone.localtime(when):%Y-%m-%d %H:%M}"
                user = version.history_user
                saved = f"saved {at} by {user.get_username()}" if user else f"saved {at}"
                changes = [dict(change, separately=saved) for change in changes]
            record.inline_changes.extend(changes)

    def _inline_changes(self, object_pk):
        """(version, changes) for every version of the record's inline rows, oldest first."""
        found = []
        for inline in self.inlines:
            model = inline.model
            if model is self.model:
                continue  # parts of a trip: records with their own history pages
            attribute = getattr(model._meta, "simple_history_manager_attribute", None)
            if attribute is None:
                continue
            fk = _get_foreign_key(self.model, model, fk_name=inline.fk_name)
            fields = editable_fields(model, leave_out={fk.name})
            name = capfirst(inline.verbose_name or model._meta.verbose_name)
            rows = (
                getattr(model, attribute)
                .filter(**{fk.attname: object_pk})
                .select_related("history_user")
                .order_by(model._meta.pk.attname, "history_date", "history_id")
            )
            pk = model._meta.pk.attname
            previous = None
            for version in rows:
                if previous is not None and getattr(previous, pk) != getattr(version, pk):
                    previous = None
                found.append((version, self._changes(name, fields, previous, version)))
                previous = version
        found.sort(key=lambda pair: (pair[0].history_date, pair[0].history_id))
        return found

    @staticmethod
    def _changes(name, fields, previous, version):
        if version.history_type == "+":
            return [{"link": f"{name} '{label(version)}'", "action": "added"}]
        if version.history_type == "-":
            return [{"link": f"{name} '{label(previous or version)}'", "action": "deleted"}]
        if previous is None:  # its history starts here: what it was before is not known
            return []
        changes = []
        for field in fields:
            before = getattr(previous, field.attname)
            after = getattr(version, field.attname)
            if before != after:
                changes.append(
                    {
                        "link": f"{name} '{label(previous)}'",
                        "field": field.verbose_name,
                        "old": shown(field, before),
                        "new": shown(field, after),
                    }
                )
        return changes
