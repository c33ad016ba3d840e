"""Journeys from Python: the welcome series of the C test (enter, wait,
catch up late, replay without a second action), simulation over a
dataset's history, analysis, broken definitions with their JSON paths,
hostile states and inputs, and one journey shared by threads."""

from __future__ import annotations

import concurrent.futures
import datetime

import pytest
from conftest import UTC

import crmkit

WELCOME = {
    "id": "welcome", "start": "hello",
    "entry": {"triggers": [{"type": "contact_created"}]},
    "exits": [{"id": "bought", "event": {"type": "purchase_made"}}],
    "steps": [
        {"id": "hello", "type": "action", "action": {"type": "send_email", "template": "w1"},
         "next": "pause"},
        {"id": "pause", "type": "wait", "days": 3, "next": "tips"},
        {"id": "tips", "type": "action", "action": {"type": "send_email", "template": "w2"},
         "next": "done"},
        {"id": "done", "type": "end"}]}
CONTACTS = {"contacts": [{"id": "C-1", "name": "Ada", "created_at": "2026-05-01T09:00:00Z"},
                         {"id": "C-2", "name": "Bo", "created_at": "2026-05-02T09:00:00Z"}]}
T0 = datetime.datetime(2026, 5, 1, 9, tzinfo=UTC)
CREATED = {"event": {"id": "E-1", "type": "contact_created", "at": T0, "contact": "C-1"}}


@pytest.fixture(scope="module")
def journey() -> crmkit.Journey:
    """The welcome series."""
    return crmkit.Journey(WELCOME)


@pytest.fixture(scope="module")
def contacts() -> crmkit.Dataset:
    """Two contacts."""
    return crmkit.Dataset.from_json(CONTACTS)


def test_a_contact_walks_the_welcome_series(journey: crmkit.Journey,
                                            contacts: crmkit.Dataset) -> None:
    assert (journey.id, journey.version) == ("welcome", 1)
    assert journey.steps == ["hello", "pause", "tips", "done"]
    entered = journey.advance(contacts, None, CREATED, T0)
    assert [a.effect.rule.template for a in entered.actions] == ["w1"]
    assert entered.actions[0].id == "welcome:hello/then/contact:C-1/r1.v1/0"
    assert entered.next_wake_at == T0 + datetime.timedelta(days=3)
    # A week later (four days late): the second e-mail, and done.
    later = journey.advance(contacts, entered.state, "tick", T0 + datetime.timedelta(days=7))
    assert [a.effect.rule.template for a in later.actions] == ["w2"]
    assert later.actions[0].late_seconds == 4 * 86_400
    assert later.actions[0].at == T0 + datetime.timedelta(days=3)
    assert later.next_wake_at is None and '"status":"completed"' in later.state
    # Replaying the entry: no second action.
    replay = journey.advance(contacts, later.state, CREATED, T0 + datetime.timedelta(days=7))
    assert replay.actions == [] and replay.idle == "replay"
    # The state given is not changed: the same call gives the same result.
    assert journey.advance(contacts, entered.state, "tick",
                           T0 + datetime.timedelta(days=7)).state == later.state
    assert journey.advance(contacts, journey.new_state(), CREATED, T0).state == entered.state


def test_simulation_and_analysis(journey: crmkit.Journey, contacts: crmkit.Dataset) -> None:
    report = journey.simulate(contacts, T0 + datetime.timedelta(days=8))
    assert (report.entered, report.completed, report.actions) == (2, 2, 4)
    assert [s.reached for s in report.steps] == [2, 2, 2, 2]
    only_ada = journey.simulate(contacts, T0 + datetime.timedelta(days=8),
                                events=[CREATED["event"]])
    assert only_ada.entered == 1
    analysis = journey.analyze()
    assert analysis.journey == "welcome" and analysis.findings == []


def test_broken_journeys_and_hostile_inputs(journey: crmkit.Journey,
                                            contacts: crmkit.Dataset) -> None:
    with pytest.raises(crmkit.InvalidError) as caught:
        crmkit.Journey({"id": "j", "start": "a",
                        "entry": {"triggers": [{"type": "contact_created"}]},
                        "steps": [{"id": "a", "type": "jump", "to": "b"}]})
    assert caught.value.path is not None and "steps[0].to" in caught.value.path
    with pytest.raises(crmkit.JsonError):
        crmkit.Journey("{")
    with pytest.raises(crmkit.InvalidError) as infinite:
        crmkit.Journey({"id": "j", "steps": float("inf")})
    assert infinite.value.path == "journey"
    with pytest.raises(crmkit.JsonError) as state_error:
        journey.advance(contacts, "{not json", "tick", T0)
    assert state_error.value.path is not None and state_error.value.path.startswith("state")
    with pytest.raises(crmkit.CrmError) as input_error:
        journey.advance(contacts, None, {"event": {"id": "E", "type": "nope"}}, T0)
    assert input_error.value.path is not None and input_error.value.path.startswith("input")
    with pytest.raises(crmkit.InvalidError):  # an event later than as_of
        journey.advance(contacts, None, CREATED, T0 - datetime.timedelta(days=1))
    with pytest.raises(crmkit.InvalidError):
        journey.advance(contacts, None, CREATED, datetime.datetime(2026, 5, 1))
    other = crmkit.Journey(dict(WELCOME, id="other"))
    entered = journey.advance(contacts, None, CREATED, T0)
    with pytest.raises(crmkit.InvalidError):
        other.advance(contacts, entered.state, "tick", T0 + datetime.timedelta(days=7))
    with pytest.raises(crmkit.JsonError):
        journey.simulate(contacts, T0, events=[{"type": "nope"}])


def test_one_journey_is_shared_by_threads(journey: crmkit.Journey,
                                          contacts: crmkit.Dataset) -> None:
    expected = journey.advance(contacts, None, CREATED, T0).state
    expected_report = journey.simulate(contacts, T0 + datetime.timedelta(days=8)).to_dict()

    def work(i: int) -> None:
        for _ in range(20):
            step = journey.advance(contacts, None, CREATED, T0)
            assert step.state == expected
            later = journey.advance(contacts, step.state, "tick", T0 + datetime.timedelta(days=7))
            assert later.next_wake_at is None
        assert journey.simulate(contacts, T0 + datetime.timedelta(days=8)).to_dict() == \
            expected_report

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(16)))
