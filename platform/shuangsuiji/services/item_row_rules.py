"""An item row of an import against its tenant's pack (methods allowed, caps within their
category's ceiling), checked as the row is read (:func:`shuangsuiji.services.imports.parse_rows`),
so an item its pack would refuse at task creation is refused with its row and the article."""

from __future__ import annotations

from collections.abc import Sequence

from shuangsuiji.messages import either, msg
from shuangsuiji.rules import ItemCategory, MethodRule
from shuangsuiji.services.import_report import RowProblem


class RowRules:
    """An item row against its tenant's pack: methods allowed, caps within the ceiling."""

    def __init__(self, categories: Sequence[ItemCategory] | None,
                 methods: MethodRule | None) -> None:
        self.categories = {c.code: c for c in categories or ()}
        self.methods = methods

    def problems(self, row: int, fields: tuple[str, ...], values: list[object],
                 headings: dict[str, str]) -> list[RowProblem]:
        out = []
        if self.methods is not None and "methods" in fields:
            listed = values[fields.index("methods")] or []
            refused = [m for m in listed if m not in self.methods.methods]  # type: ignore[attr-defined]
            if refused:
                out.append(RowProblem(row, headings["methods"], ", ".join(refused), msg(
                    "method %(method)s is not allowed by this tenant's rules (%(cite)s allows "
                    "%(allowed)s); remove it from the item", method=either(refused),
                    cite=str(self.methods.cite), allowed=either(self.methods.methods))))
        category = self.categories.get(str(values[fields.index("category")])) if (
            "category" in fields) else self.categories.get("general")
        cap = values[fields.index("cap_permille")] if "cap_permille" in fields else None
        if (category is not None and category.cap_permille is not None
                and isinstance(cap, int) and cap > category.cap_permille):
            out.append(RowProblem(row, headings["cap_permille"], f"{cap}‰", msg(
                "the cap %(cap)s ‰ is above the ceiling of %(ceiling)s ‰ for %(category)s "
                "(%(cite)s); lower the item's cap", cap=cap, ceiling=category.cap_permille,
                category=category.name_zh, cite=str(category.cite))))
        return out
