"""敏感词: words in what the caller said that raise an order's urgency and an alert.

The text is the order's title and description, NFKC-normalised (full-width letters and
digits fold), with the names of the order's own category removed (an order filed under
森林火灾 is routed by its category) and the file's ``ignore`` phrases removed. Matching is
plain substring search: Chinese has no spaces to split words on.

``find_sensitive`` only finds; raising the urgency is the order service's business
(``core.warning.run`` calls ``OrderService.raise_urgency``), so it is an ordinary edit
with its event and its version.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from core.domain.enums import OPEN_STATES, Urgency
from core.taxonomy import CategoryBook
from core.warning.clusters import category_chain
from core.warning.config import SensitiveRule, WordGroup
from core.warning.model import (
    SEVERITY_RANK,
    URGENCY_RANK,
    URGENCY_ZH,
    Candidate,
    Rule,
    Severity,
)
from core.warning.recent import NewOrder


@dataclass(frozen=True)
class WordMatch:
    order: NewOrder
    words: tuple[str, ...]  # in the order of the file
    groups: tuple[str, ...]  # the names of the groups that matched
    urgency: Urgency  # the highest urgency of those groups
    severity: Severity  # the most severe

    @property
    def raises(self) -> bool:
        """Would the order's urgency go up (it is open and below the groups' urgency)?"""
        return (
            self.order.state in OPEN_STATES
            and URGENCY_RANK[Urgency(self.order.urgency)] < URGENCY_RANK[self.urgency]
        )

    def candidate(self, urgency_from: str | None = None) -> Candidate:
        """The alert; ``urgency_from``: the urgency before the service raised it."""
        o = self.order
        words = "、".join(self.words)
        title = f"工单 {o.number} 含敏感词：{words}"
        if urgency_from is not None:
            title += f"（紧急程度 {URGENCY_ZH[Urgency(urgency_from)]}→{URGENCY_ZH[self.urgency]}）"
        return Candidate(
            Rule.SENSITIVE_WORDS,
            f"order:{o.id}",
            self.severity,
            title,
            {
                "orders": [o.id],
                "number": o.number,
                "words": list(self.words),
                "groups": list(self.groups),
                "urgency": self.urgency.value,
                "urgency_from": urgency_from,
            },
            o.location_unit_id,
        )


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def searchable(order: NewOrder, book: CategoryBook, ignore: Sequence[str]) -> str:
    text = _clean(f"{order.title}\n{order.description}")
    for cat in category_chain(book, order.category_node_id):
        if cat.name:
            text = text.replace(_clean(cat.name), " ")
    for phrase in sorted(ignore, key=len, reverse=True):
        text = text.replace(_clean(phrase), " ")
    return text


def match(order: NewOrder, rule: SensitiveRule, book: CategoryBook) -> WordMatch | None:
    text = searchable(order, book, rule.ignore)
    hits: list[tuple[WordGroup, str]] = [
        (g, w) for g in rule.groups for w in g.words if _clean(w) in text
    ]
    if not hits:
        return None
    groups = list(dict.fromkeys(g for g, _ in hits))
    return WordMatch(
        order,
        tuple(dict.fromkeys(w for _, w in hits)),
        tuple(g.name for g in groups),
        max((Urgency(g.urgency) for g in groups), key=URGENCY_RANK.__getitem__),
        min((Severity(g.severity) for g in groups), key=SEVERITY_RANK.__getitem__),
    )


def find_sensitive(
    rule: SensitiveRule, new: Sequence[NewOrder], book: CategoryBook
) -> list[WordMatch]:
    if not rule.enabled or not rule.groups:
        return []
    return [m for n in new if (m := match(n, rule, book)) is not None]
