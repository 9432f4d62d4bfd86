"""Bulk import of events by editors in the admin (docs/import.md).

cells.py reads the events export's cells back into values, resource.py writes rows into the
catalogue (django-import-export's resource), admin.py hooks the import into EventAdmin.
"""
