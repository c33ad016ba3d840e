"""Automation rules: evaluate events against a rule set (the $500 routing
and the other presets), replay histories, run time triggers, and find gaps
and overlaps between rules."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any, Iterable, Literal, Optional

from . import _native
from ._convert import JsonInput, from_json, to_json, unix_seconds
from ._dataset import Dataset

Boundary = Literal["call", "nurture", "unrouted"]
"""Where a deal of exactly the threshold goes: a call (``>= $500``, the
default), nurture (``<= $500``), or nowhere, as the seed first wrote it."""


@dataclasses.dataclass(frozen=True)
class Action:
    """One action a rule decided (a task to create, a campaign enrollment, ...).

    Attributes:
        type: the action type (``"create_task"``, ``"enroll_in_campaign"``, ...).
        rule: the id of the rule that fired, when the engine names it.
        raw: the whole action as the engine wrote it (ids, assignee, campaign...).
    """

    type: str
    rule: Optional[str]
    raw: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        """A field of the action (``action["campaign"]``)."""
        return self.raw[key]


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """The result of :meth:`RuleSet.evaluate` or :meth:`RuleSet.tick`.

    Attributes:
        actions: the actions decided, in order.
        state: the enrollment state to pass to the next call (so that a rule
            that enrolls once acts once).
    """

    actions: list[Action]
    state: dict[str, Any]


def _actions(doc: dict[str, Any]) -> Evaluation:
    actions = [Action(a["type"], a.get("rule"), a) for a in doc["actions"]]
    return Evaluation(actions, doc["state"])


class RuleSet:
    """A compiled automation rule set (``crmkit::automation::RuleSet``),
    immutable and safe to share between threads."""

    __slots__ = ("_native",)

    def __init__(self, document: JsonInput) -> None:
        """Validates and compiles a rule set from its JSON document.

        Raises:
            JsonError: malformed JSON or a wrong shape (``rules[3].when.value``).
            InvalidError: a rule that breaks a domain rule.
        """
        self._native = _native.RuleSet.from_json(to_json(document, "rules"))

    @classmethod
    def usd_500_routing(cls, boundary: Boundary = "call") -> "RuleSet":
        """The seed's deal routing: a new deal of $500.00 or more gets a call
        task for its owner, a smaller one the ``nurture`` campaign."""
        rules = cls.__new__(cls)
        rules._native = _native.RuleSet.usd_500_routing(boundary)
        return rules

    @classmethod
    def standard(cls, boundary: Boundary = "call") -> "RuleSet":
        """Every preset in one rule set: the $500 routing, repeat-purchase
        discount, tenure rewards, post-purchase email, feedback after a
        ticket, stuck-deal follow-up and the welcome series."""
        rules = cls.__new__(cls)
        rules._native = _native.RuleSet.standard(boundary)
        return rules

    def to_dict(self) -> dict[str, Any]:
        """The rule set's JSON document as a dict."""
        doc: dict[str, Any] = from_json(self._native.to_json())
        return doc

    def evaluate(
        self,
        dataset: Dataset,
        event: JsonInput,
        as_of: datetime.datetime,
        state: Optional[JsonInput] = None,
    ) -> Evaluation:
        """Evaluates one event (``{"id", "type": "deal_created", "at",
        "deal"}``) against the dataset.

        Raises:
            JsonError: a malformed event or state (path ``event...``/``state...``).
            CurrencyMismatchError: money compared across currencies.
            NotFoundError: an event about a record the dataset lacks.
        """
        text = self._native.evaluate_json(
            dataset._native,
            to_json(event, "event"),
            to_json({} if state is None else state, "state"),
            unix_seconds(as_of, "as_of"),
        )
        return _actions(from_json(text))

    def tick(
        self, dataset: Dataset, as_of: datetime.datetime, state: Optional[JsonInput] = None
    ) -> Evaluation:
        """Runs the time-based triggers (stuck deals, anniversaries) at `as_of`."""
        text = self._native.tick_json(
            dataset._native, to_json({} if state is None else state, "state"),
            unix_seconds(as_of, "as_of"),
        )
        return _actions(from_json(text))

    def dry_run(
        self,
        dataset: Dataset,
        events: Iterable[Any],
        state: Optional[JsonInput] = None,
    ) -> dict[str, Any]:
        """Replays events without side effects; the report (``events``,
        ``actions``, per-rule ``rules`` counts, ``errors``)."""
        events_json = events if isinstance(events, str) else to_json(list(events), "events")
        text = self._native.dry_run_json(
            dataset._native, events_json, to_json({} if state is None else state, "state")
        )
        report: dict[str, Any] = from_json(text)
        return report

    def analyze(self) -> list[dict[str, Any]]:
        """The static analysis findings: gaps (inputs no rule handles, e.g. a
        deal of exactly $500) and overlaps, with examples."""
        findings: list[dict[str, Any]] = from_json(self._native.analyze_json())["findings"]
        return findings
