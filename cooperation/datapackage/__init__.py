"""The whole catalogue as a Frictionless Data Package: a zip of one CSV per table (records,
links with their roles and titles, citations, many-to-many tables) and datapackage.json
(Table Schema: types, keys, constraints, descriptions from docs/data-model.md, licence, the
catalogue's version and its date). See docs/datapackage.md.

- schema.py: the tables and their descriptors, from the models' _meta;
- build.py: writing the zip from one snapshot (COPY on PostgreSQL, the csv module elsewhere);
- load.py: loading a package into an empty catalogue;
- cache.py: the package /downloads/ serves, kept until the next edit.
"""

from .build import Built, build
from .cache import Package
from .load import PackageError, load
from .schema import Table, tables

__all__ = ["Built", "Package", "PackageError", "Table", "build", "load", "tables"]
