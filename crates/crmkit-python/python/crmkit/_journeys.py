"""Journeys (``crmkit::journeys``): multi-step customer journeys defined in
JSON, advanced one contact at a time with the state in and out (store it
where you keep the contact), simulated over a dataset's history and
analysed for defects."""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any, Optional, Sequence

from . import _native
from ._convert import JsonInput, to_json, unix_seconds
from ._dataset import Dataset
from ._record import Record, instant_or_none, record


@dataclasses.dataclass(frozen=True)
class JourneyAdvance:
    """What one :meth:`Journey.advance` did.

    Attributes:
        actions: the actions to carry out now (e-mails, tasks...), in order,
            each with its idempotency id.
        taken: the steps taken, for the contact's history.
        next_wake_at: when to advance the contact again (a ``"tick"``), or
            None when nothing is scheduled.
        idle: why nothing happened (``"replay"``, ``"not_due"``...), or None.
        state: the contact's new state as JSON text, to store and pass to
            the next call.
        result: the whole result document.
    """

    actions: list[Any]
    taken: list[Any]
    next_wake_at: Optional[datetime.datetime]
    idle: Optional[str]
    state: str
    result: Record


class Journey:
    """A compiled journey, immutable and shareable between threads.

    >>> journey = Journey(definition)                     # doctest: +SKIP
    >>> step = journey.advance(dataset, None, {"event": created}, as_of)  # doctest: +SKIP
    >>> step = journey.advance(dataset, step.state, "tick", step.next_wake_at)  # doctest: +SKIP
    """

    __slots__ = ("_native",)

    def __init__(self, definition: JsonInput) -> None:
        """Parses, validates and compiles a journey definition.

        Raises:
            JsonError: the text is not JSON or has the wrong shape.
            InvalidError: a broken journey (the path names the step, e.g.
                ``steps[0].to``).
        """
        self._native = _native.Journey.from_json(to_json(definition, "journey"))

    @property
    def id(self) -> str:
        """The journey's id."""
        return self._native.id()

    @property
    def version(self) -> int:
        """The journey's version."""
        return self._native.version()

    @property
    def steps(self) -> list[str]:
        """The step ids, in definition order."""
        return self._native.step_ids()

    @property
    def definition(self) -> Record:
        """The definition, as the engine read it."""
        return record(self._native.definition_json())

    @staticmethod
    def new_state() -> str:
        """The state of a contact that has not entered yet (JSON text)."""
        return _native.Journey.new_state_json()

    def advance(
        self,
        dataset: Dataset,
        state: Optional[str],
        input: JsonInput,
        as_of: datetime.datetime,
    ) -> JourneyAdvance:
        """Advances one contact: `state` is its stored state (None for a
        contact that has not entered), `input` an event (``{"event": {...}}``),
        ``"tick"`` (a wake-up) or another input of ``crmkit::journeys::Input``.
        Pure: the same call gives the same result, and replaying an input
        gives no second action.

        Raises:
            InvalidError: a state of another journey or contact, an event
                later than `as_of` (paths start with ``state`` or ``input``).
            JsonError: a state or input that is not JSON.
        """
        input_text = '"tick"' if input == "tick" else to_json(input, "input")
        result_text, state_text = self._native.advance_json(
            dataset._native, state or "", input_text, unix_seconds(as_of, "as_of")
        )
        result = record(result_text)
        doc = json.loads(result_text)
        return JourneyAdvance(
            actions=list(result.get("actions", [])),
            taken=list(result.get("taken", [])),
            next_wake_at=instant_or_none(doc.get("next_wake_at")),
            idle=doc.get("idle") if isinstance(doc.get("idle"), str) else None,
            state=state_text,
            result=result,
        )

    def simulate(
        self,
        dataset: Dataset,
        until: datetime.datetime,
        events: Optional[Sequence[Any]] = None,
    ) -> Record:
        """Runs every contact through the journey over `events` (automation
        events; default: the dataset's own history) up to `until`: entered,
        completed and exited counts, per-step and per-arm statistics with
        the split arms' z-test, goal conversions."""
        events_text = None if events is None else to_json(list(events), "events")
        return record(
            self._native.simulate_json(dataset._native, unix_seconds(until, "until"), events_text)
        )

    def analyze(self) -> Record:
        """The static analysis: unreachable steps, waits that never end,
        splits without a control... as findings with codes."""
        return record(self._native.analyze_json())

    def __repr__(self) -> str:
        return f"Journey(id={self.id!r}, version={self.version}, steps={len(self.steps)})"
