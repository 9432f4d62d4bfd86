"""Optimistic locking in the admin: a save from a form that no longer shows the record as it is
is refused, with what changed since the form was opened, and nothing is written.

Two editors open the same event; one saves a new title, the other a new description. Without
this the second save writes back the title its form was opened with, and the first change is
lost without a word. Here the change form carries a token of what it showed: the values of the
record's editable fields and of every row of its editable inlines. A save reads them again
inside its transaction, with the record's row (and its inline rows) locked, so two saves of one
record cannot both pass the check (PostgreSQL; SQLite lets one writer in at a time anyway). If
anything differs, the form comes back with the editor's input and the differences field by
field, attributed from the records' history (django-simple-history).

The values travel in the token rather than in a version column: no migration, and the message
can say what the editor saw. The token is signed, so it cannot be forged into "I saw the
current version". A change posted without a token (not from a rendered form: a script, a test)
is not checked. The delete page carries a token too.
"""

import datetime
import json
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.admin.options import InlineModelAdmin, csrf_protect_m
from django.contrib.admin.utils import unquote
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router, transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, capfirst
from simple_history.utils import get_m2m_reverse_field_name

TOKEN_FIELD = "_edit_token"
SALT = "cooperation.admin_locking"
# How many versions of a record are searched for the one that made a change.
HISTORY_DEPTH = 50
UNKNOWN = object()


def editable_fields(model, leave_out=()):
    """What an admin form can write on a record: its editable columns and its plain
    many-to-many fields (links that carry a role are inline rows of their own)."""
    fields = [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]
    fields += [
        f
        for f in model._meta.many_to_many
        if f.editable and f.remote_field.through._meta.auto_created
    ]
    return [f for f in fields if f.name not in leave_out]


def jsonable(value):
    """A value as the token keeps it (dates as ISO text), so that fresh values compare equal."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def values_of(instance, fields, m2m=None):
    """The fields' values on a record; many-to-many ones as sorted primary keys, taken from
    `m2m` (a form's initial data) when given, so that they are the ones the form shows."""
    values = {}
    for field in fields:
        if field.many_to_many:
            related = (m2m or {}).get(field.name)
            if related is None:
                related = field.value_from_object(instance)
            values[field.name] = sorted(getattr(item, "pk", item) for item in related)
        else:
            values[field.name] = field.value_from_object(instance)
    return jsonable(values)


@dataclass
class InlineRows:
    """The rows of one inline that a save of the form can write."""

    prefix: str
    inline: InlineModelAdmin
    fields: list
    fk: models.ForeignKey
    rows: dict  # str(pk) -> instance

    @property
    def model(self):
        return self.inline.model


@dataclass
class Conflict:
    opened: datetime.datetime | None  # None: the token is not valid
    changes: list[str]


def versions(model, pk):
    """A record's versions, newest first; None for a model without history."""
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    if attribute is None:
        return None
    manager = getattr(model, attribute)
    return manager.filter(**{model._meta.pk.attname: pk}).order_by("-history_date", "-history_id")


def latest_version(model, pk, history_type):
    """The latest version of a record of one type ("+" created, "-" deleted), if known."""
    found = versions(model, pk)
    return None if found is None else found.filter(history_type=history_type).first()


def historical_value(version, field):
    if not field.many_to_many:
        return jsonable(getattr(version, field.attname))
    if field.name not in {f.name for f in getattr(version, "_history_m2m_fields", ())}:
        return UNKNOWN
    rows = getattr(version, field.name)
    return sorted(rows.values_list(get_m2m_reverse_field_name(field), flat=True))


def version_that_set(model, pk, field, value):
    """The version in which the field took the value it has now: the oldest of the newest
    versions that all have it. None if the history does not know (a raw write)."""
    found = None
    newest = versions(model, pk)
    for version in [] if newest is None else newest[:HISTORY_DEPTH]:
        if historical_value(version, field) != value:
            break
        found = version
    return found


def attribution(version, verb):
    if version is None:
        return f"no history says who {verb} it"
    when = timezone.localtime(version.history_date)
    at = f"{when:%H:%M}"
    if when.date() != timezone.localdate():
        at += f" on {when.day} {when:%B %Y}"
    user = version.history_user
    return f"{verb} by {user.get_username()} at {at}" if user else f"{verb} at {at}"


def shown(field, value):
    """A value as an editor reads it: a related record by its name, a choice by its label."""
    if value is None or value == "" or value == []:
        return "empty"
    related = field.related_model._base_manager if field.is_relation else None
    if field.many_to_many:
        found = related.in_bulk(value)
        text = ", ".join(str(found[pk]) if pk in found else f"#{pk} (deleted)" for pk in value)
    elif field.is_relation:
        target = related.filter(**{field.target_field.attname: value}).first()
        text = str(target) if target else f"#{value} (deleted)"
    elif field.flatchoices:
        text = str(dict(field.flatchoices).get(value, value))
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        text = str(value)
    return f"'{Truncator(text).chars(200)}'"


def was_is(model, pk, field, before, after):
    who = attribution(version_that_set(model, pk, field, after), "changed")
    return (
        f"was {shown(field, before)} when you opened this form, "
        f"is now {shown(field, after)} ({who})"
    )


class OptimisticLockingMixin:
    """For a ModelAdmin (before it in the bases): saves and deletions from pages opened before
    someone else changed the record or its inline rows are refused, showing what changed."""

    change_form_template = "admin/cooperation/change_form_with_token.html"
    delete_confirmation_template = "admin/cooperation/delete_confirmation_with_token.html"

    # Pages: each carries the token of what it shows.

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None:
            if request.method == "POST":
                # A form sent back (with errors) keeps the version it was opened on: a fresh
                # token would let its next save overwrite what the editor has never seen.
                token = request.POST.get(TOKEN_FIELD, "")
            else:
                inlines = [(f.opts, f.formset) for f in context["inline_admin_formsets"]]
                parts = self._inline_rows(request, obj, inlines)
                form = context["adminform"].form
                token = self._token(obj, self._state(obj, parts, m2m=form.initial))
            context.update(edit_token=token, edit_token_field=TOKEN_FIELD)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def render_delete_form(self, request, context):
        obj = context["object"]
        parts = self._inline_rows(request, obj, self._inline_formsets(request, obj))
        context.update(
            edit_token=self._token(obj, self._state(obj, parts)), edit_token_field=TOKEN_FIELD
        )
        return super().render_delete_form(request, context)

    # Saving and deleting: the check, under lock, in the transaction that writes.

    @csrf_protect_m
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        token = request.POST.get(TOKEN_FIELD) if request.method == "POST" else None
        if not token or object_id is None or "_saveasnew" in request.POST:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic(using=router.db_for_write(self.model)):
            obj = self._locked(object_id)
            if obj is not None:
                conflict = self._conflict(request, obj, token)
                if conflict:
                    # Read by get_form, whose form then refuses to validate: the admin shows
                    # it again with the editor's input, and saves nothing.
                    request._edit_conflict = [
                        self._headline(conflict, "this form", "saved"),
                        *conflict.changes,
                        format_html(
                            'Your input is kept below. <a href="{}">Open the current version'
                            "</a> and apply your changes to it.",
                            request.get_full_path(),
                        ),
                    ]
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        problems = getattr(request, "_edit_conflict", None)
        if not problems:
            return form

        class RefusedForm(form):
            def clean(self):
                super().clean()
                raise ValidationError(problems)

        return RefusedForm

    @csrf_protect_m
    def delete_view(self, request, object_id, extra_context=None):
        token = request.POST.get(TOKEN_FIELD) if request.method == "POST" else None
        if not token:
            return super().delete_view(request, object_id, extra_context)
        with transaction.atomic(using=router.db_for_write(self.model)):
            obj = self._locked(object_id)
            if obj is not None and self.has_delete_permission(request, obj):
                conflict = self._conflict(request, obj, token)
                if conflict:
                    message = format_html(
                        "{} <ul>{}</ul>The page shows it as it is now: confirm again if it "
                        "should still be deleted.",
                        self._headline(conflict, "the delete page", "deleted"),
                        format_html_join("", "<li>{}</li>", ((c,) for c in conflict.changes)),
                    )
                    self.message_user(request, message, messages.ERROR)
                    return HttpResponseRedirect(request.get_full_path())
            return super().delete_view(request, object_id, extra_context)

    # The parts.

    def _locked(self, object_id):
        """The record, its row locked until the transaction ends."""
        try:
            pk = self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            return None
        return self.model._base_manager.select_for_update(of=("self",)).filter(pk=pk).first()

    def _inline_formsets(self, request, obj):
        """(inline, formset) of the change form, prefixed as the admin prefixes them."""
        prefixes = {}
        for formset_class, inline in self.get_formsets_with_inlines(request, obj):
            prefix = formset_class.get_default_prefix()
            prefixes[prefix] = prefixes.get(prefix, 0) + 1
            if prefixes[prefix] != 1 or not prefix:
                prefix = f"{prefix}-{prefixes[prefix]}"
            queryset = inline.get_queryset(request)
            yield inline, formset_class(instance=obj, prefix=prefix, queryset=queryset)

    def _inline_rows(self, request, obj, inlines, lock=False):
        """The rows of the inlines a save can write. Read-only inlines (the parts of a trip)
        are left out: a save does not touch them, so changes to them are no conflict."""
        parts = []
        for inline, formset in inlines:
            writes = (
                set(formset.form.base_fields) - {formset.fk.name}
                or formset.can_delete
                or inline.has_add_permission(request, obj)
            )
            if not writes:
                continue
            rows = formset.get_queryset()  # on a rendered page, the rows its forms show
            if lock:
                rows = rows.select_for_update(of=("self",))
            parts.append(
                InlineRows(
                    prefix=formset.prefix,
                    inline=inline,
                    fields=editable_fields(inline.model, leave_out={formset.fk.name}),
                    fk=formset.fk,
                    rows={str(row.pk): row for row in rows},
                )
            )
        return parts

    def _state(self, obj, parts, m2m=None):
        return {
            "record": values_of(obj, editable_fields(self.model), m2m),
            "inlines": {
                part.prefix: {pk: values_of(row, part.fields) for pk, row in part.rows.items()}
                for part in parts
            },
        }

    def _token(self, obj, state):
        payload = {
            "record": f"{self.opts.label_lower}:{obj.pk}",
            "opened": timezone.now().isoformat(),
            "state": state,
        }
        return signing.dumps(payload, salt=SALT, compress=True)

    def _conflict(self, request, obj, token):
        """None if the page was opened on the record as it is now, else a Conflict."""
        try:
            payload = signing.loads(token, salt=SALT)
        except signing.BadSignature:
            payload = None
        if not isinstance(payload, dict) or payload.get("record") != (
            f"{self.opts.label_lower}:{obj.pk}"
        ):
            return Conflict(opened=None, changes=[])
        parts = self._inline_rows(request, obj, self._inline_formsets(request, obj), lock=True)
        current = self._state(obj, parts)
        if payload["state"] == current:
            return None
        changes = self._differences(obj, payload["state"], current, parts)
        if not changes:  # only fields or inlines the page did not have (a newer release)
            return None
        return Conflict(datetime.datetime.fromisoformat(payload["opened"]), changes)

    def _headline(self, conflict, page, action):
        if conflict.opened is None:
            return (
                f"The version token sent with {page} is not valid (altered, or made for "
                f"another record), so nothing has been {action}."
            )
        opened = timezone.localtime(conflict.opened)
        return (
            f"This {self.opts.verbose_name} was changed after you opened {page} (at "
            f"{opened:%H:%M}), so nothing has been {action}. What is different now:"
        )

    def _differences(self, obj, opened, current, parts):
        """One line per field that differs, on the record and on each inline row, and per
        inline row added or deleted."""
        lines = []
        for field in editable_fields(self.model):
            before = opened["record"].get(field.name, UNKNOWN)
            after = current["record"][field.name]
            if before is not UNKNOWN and before != after:
                change = was_is(self.model, obj.pk, field, before, after)
                lines.append(f"{capfirst(field.verbose_name)}: {change}.")
        for part in parts:
            rows_before = opened["inlines"].get(part.prefix)
            if rows_before is None:
                continue
            name = capfirst(part.inline.verbose_name)
            rows_after = current["inlines"][part.prefix]
            for pk, after in rows_after.items():
                row = part.rows[pk]
                if pk not in rows_before:
                    version = latest_version(part.model, row.pk, "+")
                    lines.append(
                        f"{name} '{row}': added since you opened this form "
                        f"({attribution(version, 'added')})."
                    )
                    continue
                for field in part.fields:
                    before = rows_before[pk].get(field.name, UNKNOWN)
                    if before is not UNKNOWN and before != after[field.name]:
                        change = was_is(part.model, row.pk, field, before, after[field.name])
                        lines.append(f"{name} '{row}', {field.verbose_name}: {change}.")
            for pk, before in rows_before.items():
                if pk not in rows_after:
                    version = latest_version(part.model, pk, "-")
                    lines.append(
                        f"{name} '{self._row_label(obj, part, pk, before)}': deleted since you "
                        f"opened this form ({attribution(version, 'deleted')})."
                    )
        return lines

    @staticmethod
    def _row_label(obj, part, pk, values):
        """A deleted row named as it was, rebuilt from the values the page showed."""
        row = part.model(pk=pk)
        setattr(row, part.fk.attname, getattr(obj, part.fk.target_field.attname))
        for field in part.fields:
            if not field.many_to_many and field.name in values:
                setattr(row, field.attname, field.to_python(values[field.name]))
        try:
            return str(row)
        except ObjectDoesNotExist:
            return f"#{pk}"
