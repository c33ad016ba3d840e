"""SMART goals: validation with reasons and localized messages, and
progress tracking against measurements."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
from typing import Any, Iterable, Literal, Optional, Union

from . import _native
from ._convert import JsonInput, from_json, to_json, unix_seconds

Locale = Literal["en", "de", "pt", "ru", "zh-Hans", "zh-Hant"]
"""The locales of the messages (English, German, Portuguese, Russian,
simplified and traditional Chinese); tags such as ``"pt-BR"`` or
``"zh_TW"`` are read too, an unsupported one is UnsupportedError."""


@dataclasses.dataclass(frozen=True)
class Reason:
    """Why a SMART criterion passed or failed.

    Attributes:
        code: a machine-readable reason code (``"no_kpi"``).
        severity: ``"fail"``, ``"warn"``, ``"info"``, ``"cannot_tell"``, ...
        message: the localized message.
        suggestion: a localized suggestion, or None.
    """

    code: str
    severity: str
    message: str
    suggestion: Optional[str]


@dataclasses.dataclass(frozen=True)
class Criterion:
    """One letter of SMART.

    Attributes:
        letter: ``"S"``, ``"M"``, ``"A"``, ``"R"`` or ``"T"``.
        name: the criterion's localized name.
        verdict: ``"pass"``, ``"fail"``, ...
        verdict_label: the verdict, localized.
        reasons: the reasons, in order.
    """

    letter: str
    name: str
    verdict: str
    verdict_label: str
    reasons: list[Reason]


@dataclasses.dataclass(frozen=True)
class GoalReport:
    """The SMART verdict on a goal (:func:`validate_goal`).

    Attributes:
        smart: whether every criterion passes.
        locale: the locale of the messages.
        criteria: the five criteria, S to T.
        raw: the whole report as the engine wrote it (deadline, details).
    """

    smart: bool
    locale: str
    criteria: list[Criterion]
    raw: dict[str, Any]

    @property
    def codes(self) -> set[str]:
        """Every reason code of every criterion."""
        return {r.code for c in self.criteria for r in c.reasons}


def validate_goal(
    goal: JsonInput, as_of: datetime.datetime, locale: Union[Locale, str] = "en"
) -> GoalReport:
    """Checks a goal against SMART at the date of `as_of` (relative
    deadlines such as "end of next quarter" are resolved from it), with
    messages in `locale`.

    Raises:
        JsonError: a malformed goal (path ``target``).
        UnsupportedError: an unsupported locale.
    """
    text = _native.goal_validate_json(to_json(goal, "goal"), unix_seconds(as_of, "as_of"), locale)
    doc: dict[str, Any] = from_json(text)
    criteria = [
        Criterion(
            letter=c["letter"],
            name=c["name"],
            verdict=c["verdict"],
            verdict_label=c["verdict_label"],
            reasons=[
                Reason(r["code"], r["severity"], r["message"], r.get("suggestion"))
                for r in c["reasons"]
            ],
        )
        for c in doc["criteria"]
    ]
    return GoalReport(bool(doc["smart"]), doc["locale"], criteria, doc)


def goal_progress(
    goal: JsonInput,
    measurements: Iterable[Any],
    as_of: datetime.datetime,
    locale: Union[Locale, str] = "en",
) -> dict[str, Any]:
    """Tracks a goal from measurements (``[{"date", "value"}, ...]``): the
    progress document (``progress``, ``expected_progress``, ``status``,
    ``status_label`` and a localized ``summary``; numbers as Decimal).

    Raises:
        InvalidError: a goal that cannot be tracked (no target).
        JsonError: malformed measurements (path ``measurements[1].value``).
    """
    text = _native.goal_progress_json(
        to_json(goal, "goal"),
        measurements if isinstance(measurements, str) else to_json(list(measurements), "measurements"),
        unix_seconds(as_of, "as_of"),
        locale,
    )
    progress: dict[str, Any] = from_json(text)
    for key in _PROGRESS_NUMBERS:
        if isinstance(progress.get(key), str):
            progress[key] = decimal.Decimal(progress[key])
    return progress


_PROGRESS_NUMBERS = (
    "baseline",
    "target",
    "current",
    "progress",
    "expected_progress",
    "projected",
    "projected_progress",
    "required_per_day",
    "observed_per_day",
)
