"""The events import in the admin: upload, preview (a dry run), confirm.

django-import-export's ImportMixin runs the steps; this module sets what it leaves open: who
may import (editors who may add and change events), the formats (CSV and XLSX), a size limit,
the "publish" choice carried from the upload to the confirmation, messages an editor can act
on instead of exception names, and a confirmation that writes everything or nothing.
"""

import csv
import zipfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.tmp_storages import CacheStorage
from tablib import InvalidDimensions

from .resource import EventResource, ImportFileError

MAX_IMPORT_BYTES = 5 * 1024 * 1024  # thousands of events; a larger file is split
FORMATS = [CSV, XLSX]
EXTENSIONS = {".csv": 0, ".xlsx": 1}  # index in FORMATS
PUBLISH_LABEL = "Publish imported events that cite a source"


class EventImportForm(ImportForm):
    publish = forms.BooleanField(
        required=False,
        label=PUBLISH_LABEL,
        help_text="Otherwise every imported event is a draft. Events that cite no source stay "
        "drafts either way; events already published stay published.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].required = False
        self.fields["format"].help_text = "Found from the file's name when not chosen."
        self.fields["import_file"].help_text = (
            f"CSV (UTF-8) or XLSX with the events export's columns, at most "
            f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB."
        )

    @property
    def media(self):
        # No script: the format is found from the file's name (clean), not guessed in the page.
        return forms.Media()

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB; the limit is "
                f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB. Split it into several files."
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is not None and cleaned.get("format") in (None, ""):
            index = EXTENSIONS.get(Path(upload.name).suffix.lower())
            if index is None:
                self.add_error("format", "Choose the format of the file: CSV or XLSX.")
            else:
                cleaned["format"] = str(index)
        return cleaned


class EventConfirmImportForm(ConfirmImportForm):
    publish = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_format(self):
        # Posted back by the browser: an index into FORMATS, or the form is refused (no 500).
        value = self.cleaned_data["format"]
        if value not in {str(index) for index in range(len(FORMATS))}:
            raise forms.ValidationError("Unknown format.")
        return value


def preview(result) -> dict:
    """The preview's rows in the file's order, and its totals."""
    rows = sorted(
        (row.report for row in result.rows if hasattr(row, "report")),
        key=lambda report: report.line,
    )
    actions = [row.action for row in rows]
    new_links = {
        (link.kind, link.written.casefold()): link
        for row in rows
        for link in row.links
        if link.is_new
    }
    return {
        "import_rows": rows,
        "import_summary": {
            "new": actions.count("new"),
            "update": actions.count("update"),
            "unchanged": actions.count("unchanged"),
            "failed": actions.count("invalid") + actions.count("error"),
            "created": len(new_links),
            "duplicates": sum(1 for link in new_links.values() if link.candidates),
            "drafts": sum(1 for row in rows if row.status == "draft"),
        },
    }


def read_error(error: Exception, file_format) -> str:
    """What to tell an editor whose file could not be read as a table."""
    if isinstance(error, UnicodeDecodeError):
        return (
            "The file is not UTF-8 text. Save it as “CSV UTF-8” (or as XLSX) and upload it again."
        )
    if isinstance(error, InvalidDimensions):
        return (
            "Some rows have more cells than the header has columns: check the file's "
            "quotes and separators (commas)."
        )
    if isinstance(error, zipfile.BadZipFile | KeyError | OSError) or file_format is XLSX:
        return "The file cannot be read as XLSX: save it from the spreadsheet as .xlsx again."
    if isinstance(error, csv.Error):
        return f"The file cannot be read as CSV ({error})."
    return f"The file cannot be read as {file_format().get_title()}."


class EventImportMixin(ImportMixin):
    """The Import button and pages of the events changelist (templates in
    templates/admin/cooperation/event/)."""

    resource_classes = [EventResource]
    import_form_class = EventImportForm
    confirm_form_class = EventConfirmImportForm
    import_template_name = "admin/cooperation/event/import.html"
    import_export_change_list_template = "admin/cooperation/event/change_list_import.html"
    # The database cache, shared by every app server: the confirmation may reach another.
    tmp_storage_class = CacheStorage
    import_error_display = ("message",)

    def get_import_formats(self):
        return FORMATS

    def has_import_permission(self, request):
        """Importing adds events and changes existing ones."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_import_resource_kwargs(self, request, form=None, **kwargs):
        publish = bool(
            form is not None
            and form.is_bound
            and form.is_valid()
            and form.cleaned_data.get("publish")
        )
        return {**super().get_import_resource_kwargs(request, **kwargs), "publish": publish}

    def get_import_data_kwargs(self, **kwargs):
        # One transaction: an invalid row rolls back every other row too.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["publish"] = import_form.cleaned_data.get("publish", False)
        return initial

    def add_data_read_fail_error_to_form(self, form, e):
        file_format = FORMATS[int(form.cleaned_data["format"])]
        form.add_error("import_file", read_error(e, file_format))

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        result, form = context.get("result"), context.get("form")
        # A problem with the file as a whole (its header) belongs on the form, not in a list
        # of row errors with a traceback.
        if result is not None and not result.base_errors:
            context.update(preview(result))
        if result is not None and result.base_errors and form is not None:
            for error in result.base_errors:
                message = (
                    str(error.error)
                    if isinstance(error.error, ImportFileError)
                    else f"The file cannot be imported: {error.error}"
                )
                form.add_error("import_file", message)
            context["result"] = None
            context.pop("confirm_form", None)
        return response

    def process_import(self, request, **kwargs):
        """The confirmed import. The file was kept from the preview; if it is gone (after a
        day, or a cache clear), the editor is asked for it again."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        if request.method == "POST" and form.is_valid():
            storage = self.get_tmp_storage_class()(name=form.cleaned_data["import_file_name"])
            if storage.read() is None:
                messages.error(request, "The uploaded file has expired: upload it again.")
                return self._import_page(request)
        return super().process_import(request, **kwargs)

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Rolled back whole (get_import_data_kwargs): say so, and show why.
            messages.error(
                request, "Nothing was imported: some rows failed when they were written."
            )
            return self._import_page(request, **preview(result))
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            f"Imported {totals['new']} new events and updated {totals['update']}; "
            f"{totals['skip']} were already as the file gives them.",
        )

    def _import_page(self, request, **context):
        # A fresh upload form: the request's data is the confirmation's.
        form = self.get_import_form_class(request)(
            self.get_import_formats(), self.get_import_resource_classes(request)
        )
        return TemplateResponse(
            request,
            [self.import_template_name],
            {
                **self.admin_site.each_context(request),
                "title": "Import",
                "form": form,
                "opts": self.model._meta,
                "media": self.media + form.media,
                "import_error_display": self.import_error_display,
                **context,
            },
        )
