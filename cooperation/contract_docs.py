"""The parameter and column tables of docs/csv.md, generated from the lists' declarations.

`python manage.py contract_docs` rewrites the tables between their markers
(`<!-- parameters:events -->` ... `<!-- end -->`); tests/test_contract.py fails when the file
and the declarations disagree.
"""

import re
from pathlib import Path

from django.conf import settings

from .filters import SortFilter
from .lists import LISTS

DOC = Path(settings.BASE_DIR) / "docs" / "csv.md"
BLOCK = re.compile(r"<!-- (parameters|columns):(\w+) -->\n.*?<!-- end -->", re.DOTALL)


def cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def parameter_table(name: str) -> str:
    filterset = LISTS[name].filterset
    lines = ["| parameter | values | meaning |", "| --- | --- | --- |"]
    for param_name, param in filterset.base_filters.items():
        if isinstance(param, SortFilter):
            values = ", ".join(
                f"`{key}`{' (default)' if key == param.default else ''}" for key in param.sorts
            )
            meaning = "order: " + "; ".join(
                f"`{key}` {sort.label.lower()}" for key, sort in param.sorts.items()
            )
        else:
            values = param.doc_values()
            meaning = param.label + (f": {param.extra['help_text']}" if "help_text" in
                                     param.extra else "")  # fmt: skip
        lines.append(f"| `{param_name}` | {cell(values)} | {cell(meaning)} |")
    return "\n".join(lines)


def column_table(name: str) -> str:
    lines = ["| column | content |", "| --- | --- |"]
    for column in LISTS[name].columns:
        lines.append(f"| `{column.name}` | {cell(column.doc)} |")
    return "\n".join(lines)


def render(text: str) -> str:
    """The document with every marked table regenerated."""

    def table(match):
        kind, name = match.groups()
        body = parameter_table(name) if kind == "parameters" else column_table(name)
        return f"<!-- {kind}:{name} -->\n{body}\n<!-- end -->"

    return BLOCK.sub(table, text)
