"""Tests of the ctypes binding (run by tests/python.rs when python3 exists).

    python3 examples/python/test_crmkit.py path/to/libcrmkit.so
"""

import datetime
import decimal
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import crmkit  # noqa: E402

LIB_PATH = None
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
SAMPLE = os.path.join(DATA, "sample_company.json")
SCORING_MODEL = os.path.join(DATA, "scoring_model.json")

SAMPLE_AS_OF = 1793491200  # 2026-11-01T00:00:00Z, the end of the sample year

# A small model and lead (as tests/c/scoring.c): 32.5 points, grade B.
MODEL = {
    "categories": [{"id": "engagement", "max": 40}],
    "rules": [
        {"id": "title", "points": 20,
         "when": {"field": "contact.job_title", "op": "contains", "value": "director"}},
        {"id": "size", "points": "7.5",
         "when": {"field": "company.employees", "op": "range", "min": 100}},
        {"id": "pricing", "points": 10, "max_points": 30, "decay": {"half_life_days": 30},
         "activity": {"type": "website_visit", "url": "/pricing*"}},
        {"id": "bounce", "points": -15, "activity": {"type": "email", "event": "bounced"}},
    ],
    "grades": [{"grade": "A", "min": 40}, {"grade": "B", "min": 20}, {"grade": "C"}],
    "handoffs": [{"from": ["lead"], "to": "mql", "min": 30}],
}
LEAD = {
    "contact": {"id": "C-1", "job_title": "Sales Director", "company": "CO-1",
                "created_at": "2026-01-01T00:00:00Z"},
    "company": {"id": "CO-1", "name": "Acme", "employees": 500},
    "activities": [{"id": "A-1", "contact": "C-1", "at": "2026-02-01T00:00:00Z",
                    "kind": {"type": "website_visit", "url": "/pricing"}}],
}
SCORE_AS_OF = datetime.datetime(2026, 3, 3, tzinfo=datetime.timezone.utc)

SMALL_DATASET = {
    "pipelines": [{"id": "sales", "name": "Sales",
                   "stages": [{"id": "new", "name": "New", "probability": 10}]}],
    "reps": [{"id": "R-1", "name": "Ann"}],
    "contacts": [{"id": "C-1", "name": "Ada", "owner": "R-1",
                  "created_at": "2026-01-01T00:00:00Z"}],
    "deals": [{"id": "D-1", "contact": "C-1", "pipeline": "sales", "stage": "new",
               "value": {"amount": "750.00", "currency": "USD"},
               "created_at": "2026-04-01T00:00:00Z"}],
}
RULES_AS_OF = 1777626000  # 2026-05-01T09:00:00Z


def deal_event(event_id, amount, currency="USD", deal="D-1"):
    return {"id": event_id, "type": "deal_created", "at": "2026-05-01T08:00:00Z", "deal": deal,
            "value": {"amount": amount, "currency": currency}}


def read_sample():
    with open(SAMPLE, encoding="utf-8") as file:
        return file.read()


class BindingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = crmkit.load(LIB_PATH)

    def test_versions_are_reported(self):
        self.assertRegex(self.lib.version(), r"^\d+\.\d+\.\d+")
        self.assertGreaterEqual(self.lib.abi_version(), 1)

    def test_the_sample_dataset_loads_and_counts(self):
        with open(SAMPLE, encoding="utf-8") as file:
            with self.lib.dataset_from_json(file.read()) as dataset:
                counts = dataset.counts()
        self.assertEqual(counts["contacts"], 300)
        self.assertEqual(counts["companies"], 60)

    def test_a_dict_is_accepted_as_json(self):
        with self.lib.dataset_from_json({"contacts": []}) as dataset:
            self.assertEqual(dataset.counts()["contacts"], 0)

    def test_errors_carry_status_name_and_path(self):
        with self.assertRaises(crmkit.CrmError) as caught:
            self.lib.dataset_from_json('{"deals": [{"id": 7}]}')
        self.assertEqual(caught.exception.name, "CRM_STATUS_JSON")
        self.assertIn("deals[0]", caught.exception.message)

    def test_malformed_json_is_an_error(self):
        for text in ["", "{", "[1,2", "null", "\ufeff{}"]:
            with self.assertRaises(crmkit.CrmError):
                self.lib.dataset_from_json(text)

    def test_nul_characters_are_refused_before_reaching_c(self):
        with self.assertRaises(ValueError):
            self.lib.dataset_from_json("{}\0{}")

    def test_a_closed_handle_cannot_be_used(self):
        dataset = self.lib.dataset_from_json("{}")
        dataset.close()
        dataset.close()  # closing twice is harmless
        with self.assertRaises(ValueError):
            dataset.counts()



class ScoringTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = crmkit.load(LIB_PATH)
        cls.model = cls.lib.scoring_model_from_json(MODEL)

    @classmethod
    def tearDownClass(cls):
        cls.model.close()

    def test_one_lead_is_scored_and_explained(self):
        score = self.model.score_lead(LEAD, SCORE_AS_OF)
        self.assertEqual(score["total"], "32.5")
        self.assertEqual(score["grade"], "B")
        self.assertIn("pricing", [c["rule"] for c in score["contributions"]])
        self.assertEqual(score["recommendation"]["to"], "mql")

    def test_the_batch_equals_the_json_call(self):
        lead2 = {"contact": {"id": "C-2", "job_title": "Analyst",
                             "created_at": "2026-01-01T00:00:00Z"},
                 "activities": [{"id": "A-2", "contact": "C-2", "at": "2026-03-02T00:00:00Z",
                                 "kind": {"type": "email", "event": "bounced"}}]}
        n, columns, events, stages = self.model.encode_leads([LEAD, lead2])
        self.assertEqual(events, [(0, 0, 1769904000), (1, 1, 1772409600)])
        results = self.model.score_batch(n, columns, events, SCORE_AS_OF, stages,
                                         with_categories=True)
        self.assertEqual(results[0]["total"], decimal.Decimal("32.5"))
        self.assertEqual(results[0]["grade"]["grade"], "B")
        self.assertEqual(results[0]["handoff"]["to"], "mql")
        self.assertEqual(results[0]["categories"]["engagement"], decimal.Decimal("5"))
        self.assertEqual(results[1]["total"], decimal.Decimal("-15"))
        self.assertIsNone(results[1]["handoff"])
        json_total = self.model.score_lead(lead2, SCORE_AS_OF)["total"]
        self.assertEqual(results[1]["total"], decimal.Decimal(json_total))

    def test_the_sample_model_gives_the_same_totals_both_ways(self):
        with open(SCORING_MODEL, encoding="utf-8") as file:
            model_text = file.read()
        leads = crmkit.leads_from_dataset(json.loads(read_sample()))[:60]
        with self.lib.scoring_model_from_json(model_text) as model:
            n, columns, events, stages = model.encode_leads(leads)
            batch = model.score_batch(n, columns, events, SAMPLE_AS_OF, stages)
            for lead, result in zip(leads, batch):
                one = model.score_lead(lead, SAMPLE_AS_OF)
                self.assertEqual(result["total"], decimal.Decimal(one["total"]), lead["contact"]["id"])
                self.assertEqual(result["grade"]["grade"] if result["grade"] else None, one["grade"])

    def test_encoding_helpers(self):
        self.assertEqual(self.lib.encode_decimal("12.5"), 250000)
        self.assertEqual(self.lib.encode_decimal(decimal.Decimal("0.00001")), 1)
        self.assertEqual(self.model.encode_text(0, "VP and Director"), 1)
        self.assertEqual(self.model.match_activity({"type": "email", "event": "bounced"}), [1])
        self.assertEqual(self.model.match_activity({"type": "referral"}), [])
        with self.assertRaises(TypeError):
            self.lib.encode_decimal(12.5)  # floats would lose digits silently

    def test_scoring_errors(self):
        cases = [
            (lambda: self.lib.scoring_model_from_json('{"rules": ['), "CRM_STATUS_JSON", ""),
            (lambda: self.lib.scoring_model_from_json({"rules": [{"id": "r", "points": 1, "when": {
                "field": "contact.gender", "op": "exists"}}]}),
             "CRM_STATUS_PROTECTED_ATTRIBUTE", "rules[0].when.field"),
            (lambda: self.model.score_lead({"contact": {"id": ""}}, SCORE_AS_OF),
             "CRM_STATUS_JSON", ""),
            (lambda: self.model.score_lead(LEAD, 2**62), "CRM_STATUS_INVALID_ARGUMENT", "as_of"),
            (lambda: self.model.encode_text(7, "x"), "CRM_STATUS_INVALID_ARGUMENT", ""),
            (lambda: self.lib.encode_decimal("twelve"), "CRM_STATUS_INVALID", ""),
            (lambda: self.model.match_activity({"type": "teleport"}), "CRM_STATUS_JSON", ""),
            (lambda: self.model.score_batch(2, [[0, 0], [0, 0]], [(1, 0, 0), (0, 0, 0)],
                                                   SCORE_AS_OF),
             "CRM_STATUS_INVALID", "sorted"),
            (lambda: self.model.score_batch(1, [[0]], [], SCORE_AS_OF), "CRM_STATUS_INVALID",
             "columns"),
            (lambda: self.model.score_batch(1, [[0], [0]], [], SCORE_AS_OF, stages=[9]),
             "CRM_STATUS_INVALID", "stages[0]"),
        ]
        for call, name, part in cases:
            with self.assertRaises(crmkit.CrmError) as caught:
                call()
            self.assertEqual(caught.exception.name, name)
            self.assertIn(part, caught.exception.message)

    def test_batch_lengths_are_checked_before_c(self):
        with self.assertRaises(ValueError):
            self.model.score_batch(3, [[0, 0, 0], [0]], [], SCORE_AS_OF)
        with self.assertRaises(ValueError):
            self.model.score_batch(2, [[0, 0], [0, 0]], [], SCORE_AS_OF, stages=["lead"])
        with self.assertRaises(ValueError):
            self.model.score_batch(1, [[0], [0]], [], SCORE_AS_OF, stages=["boss"])
        with self.assertRaises(ValueError):
            self.model.score_lead(LEAD, datetime.datetime(2026, 3, 3))  # naive time
        self.assertEqual(self.model.score_batch(0, [[], []], [], SCORE_AS_OF), [])


class RoutingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = crmkit.load(LIB_PATH)
        cls.dataset = cls.lib.dataset_from_json(SMALL_DATASET)
        cls.rules = cls.lib.rules_from_json(crmkit.USD_500_ROUTING)

    @classmethod
    def tearDownClass(cls):
        cls.rules.close()
        cls.dataset.close()

    def test_over_500_is_a_call_under_is_nurture_and_500_is_a_call(self):
        actions, _ = self.rules.evaluate(self.dataset, deal_event("E-1", "750.00"), None, RULES_AS_OF)
        self.assertEqual([a["type"] for a in actions], ["create_task"])
        self.assertEqual(actions[0]["assignee"], "R-1")
        actions, _ = self.rules.evaluate(self.dataset, deal_event("E-2", "499.99"), None, RULES_AS_OF)
        self.assertEqual(actions[0]["campaign"], "nurture")
        actions, _ = self.rules.evaluate(self.dataset, deal_event("E-3", "500.00"), None, RULES_AS_OF)
        self.assertEqual(actions[0]["type"], "create_task")

    def test_replaying_an_event_with_the_state_acts_once(self):
        actions, state = self.rules.evaluate(self.dataset, deal_event("E-1", "750.00"), None,
                                             RULES_AS_OF)
        self.assertEqual(len(actions), 1)
        again, state2 = self.rules.evaluate(self.dataset, deal_event("E-1", "750.00"), state,
                                            RULES_AS_OF)
        self.assertEqual(again, [])
        self.assertEqual(state2, state)

    def test_dry_run_tick_and_analysis(self):
        report = self.rules.dry_run(self.dataset, [deal_event("E-1", "750.00")] * 2)
        self.assertEqual(report["rules"][0]["fired"], 1)
        self.assertEqual(report["rules"][0]["suppressed"], 1)
        actions, _ = self.rules.tick(self.dataset, None, RULES_AS_OF)
        self.assertEqual(actions, [])  # the routing rule has no time trigger
        self.assertNotIn("gap", [f["kind"] for f in self.rules.analyze()["findings"]])
        seed = json.loads(json.dumps(crmkit.USD_500_ROUTING))
        seed["rules"][0]["branches"][0]["if"]["op"] = "gt"  # "over $500", as the seed wrote
        with self.lib.rules_from_json(seed) as unrouted:
            gaps = [f for f in unrouted.analyze()["findings"] if f["kind"] == "gap"]
        self.assertEqual(gaps[0]["example_text"], "deal.value = 500.00 USD")

    def test_every_sample_deal_is_routed(self):
        sample = json.loads(read_sample())
        with self.lib.dataset_from_json(sample) as dataset:
            events = [{"id": f"created/{d['id']}", "type": "deal_created", "at": d["created_at"],
                       "deal": d["id"]} for d in sample["deals"]]
            report = self.rules.dry_run(dataset, events)
        self.assertEqual(report["errors"], [])
        self.assertEqual(len(report["actions"]), len(sample["deals"]))

    def test_routing_errors(self):
        cases = [
            (lambda: self.lib.rules_from_json({"rules": 3}), "CRM_STATUS_JSON", "rules"),
            (lambda: self.rules.evaluate(self.dataset, {"id": 1}, None, RULES_AS_OF),
             "CRM_STATUS_JSON", "event"),
            (lambda: self.rules.evaluate(self.dataset, deal_event("E", "1"), [1, 2], RULES_AS_OF),
             "CRM_STATUS_JSON", "state"),
            (lambda: self.rules.evaluate(self.dataset, deal_event("E-9", "600", "EUR"), None,
                                         RULES_AS_OF),
             "CRM_STATUS_CURRENCY_MISMATCH", "EUR"),
            (lambda: self.rules.tick(self.dataset, "nope", RULES_AS_OF), "CRM_STATUS_JSON", ""),
            (lambda: self.rules.dry_run(self.dataset, {}), "CRM_STATUS_JSON", ""),
        ]
        for call, name, part in cases:
            with self.assertRaises(crmkit.CrmError) as caught:
                call()
            self.assertEqual(caught.exception.name, name)
            self.assertIn(part, caught.exception.message)


class KpiAndGoalTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = crmkit.load(LIB_PATH)
        cls.dataset = cls.lib.dataset_from_json(read_sample())

    @classmethod
    def tearDownClass(cls):
        cls.dataset.close()

    def test_catalog_report_and_series(self):
        ids = [kpi["id"] for kpi in self.lib.kpi_catalog()]
        self.assertIn("win_rate", ids)
        report = self.lib.kpi_compute(self.dataset, {
            "kpis": ["win_rate", "revenue"], "granularity": "quarter",
            "period": {"start": "2026-07-01", "end": "2026-10-01"}})
        self.assertEqual([k["current"]["kpi"] for k in report["kpis"]], ["win_rate", "revenue"])
        win_rate = report["kpis"][0]["current"]
        if win_rate["status"] == "defined":
            ratio = decimal.Decimal(win_rate["numerator"]) / decimal.Decimal(win_rate["denominator"])
            self.assertAlmostEqual(float(ratio * 100), float(win_rate["value"]), places=6)
        series = self.lib.kpi_time_series(self.dataset, {
            "kpis": ["revenue"], "granularity": "month",
            "range": {"start": "2026-01-01", "end": "2026-04-01"}})
        self.assertEqual(len(series["points"]), 3)

    def test_pipeline_report_finds_the_seed_bottleneck(self):
        report = self.lib.pipeline_report(self.dataset, {"as_of": "2026-11-01T00:00:00Z"})
        self.assertEqual(report["open_items"], 61)
        codes = [finding["code"] for finding in report["findings"]]
        self.assertIn("bottleneck_without_follow_up", codes)

    def test_kpi_errors(self):
        cases = [
            (lambda: self.lib.kpi_compute(self.dataset, {"kpis": ["happiness"], "period": {
                "start": "2024-01-01", "end": "2024-04-01"}}), "CRM_STATUS_JSON", "kpis"),
            (lambda: self.lib.kpi_compute(self.dataset, {"period": {
                "start": "2024-01-01", "end": "2024-04-01"}, "segment": {"owner": "R-404"}}),
             "CRM_STATUS_NOT_FOUND", ""),
            (lambda: self.lib.kpi_time_series(self.dataset, {"granularity": "fortnight"}),
             "CRM_STATUS_JSON", ""),
            (lambda: self.lib.pipeline_report(self.dataset, {"as_of": "not a time"}),
             "CRM_STATUS_JSON", "as_of"),
        ]
        for call, name, part in cases:
            with self.assertRaises(crmkit.CrmError) as caught:
                call()
            self.assertEqual(caught.exception.name, name)
            self.assertIn(part, caught.exception.message)

    def test_goal_validation_and_progress(self):
        july = datetime.datetime(2024, 7, 1, 12, tzinfo=datetime.timezone.utc)
        report = self.lib.goal_validate({
            "name": "reduce churn by 25% by the end of next quarter",
            "objective": "increase_retention", "kpi": "churn_rate", "target": "-25%",
            "deadline": "end of next quarter",
            "plan": {"action": "use our new CRM to improve communication between sales and"
                               " support", "resources": ["our new CRM"]},
            "reason": "repeat customers spend more and cost less"}, july)
        self.assertTrue(report["smart"])
        self.assertEqual(report["deadline"], "2024-12-31")
        vague = self.lib.goal_validate({"name": "prevent churn"}, july, "de")
        self.assertFalse(vague["smart"])
        self.assertEqual([c["letter"] for c in vague["criteria"]], list("SMART"))
        codes = {r["code"] for c in vague["criteria"] for r in c["reasons"]}
        self.assertTrue({"no_kpi", "no_deadline"} <= codes)
        progress = self.lib.goal_progress(
            {"kpi": "churn_rate", "baseline": {"value": 8, "date": "2024-07-01"}, "target": 6,
             "deadline": "2024-12-31"},
            [{"date": "2024-07-01", "value": "8"}, {"date": "2024-09-01", "value": "7.4"}],
            1725192000)
        self.assertEqual(progress["progress"], "0.3")

    def test_goal_errors(self):
        cases = [
            (lambda: self.lib.goal_validate({"target": True}, 0), "CRM_STATUS_JSON", "target"),
            (lambda: self.lib.goal_validate({}, 0, "fr"), "CRM_STATUS_UNSUPPORTED", "locale"),
            (lambda: self.lib.goal_validate({}, 2**62), "CRM_STATUS_INVALID_ARGUMENT", "as_of"),
            (lambda: self.lib.goal_progress({"name": "prevent churn"}, [], 0),
             "CRM_STATUS_INVALID", "target"),
        ]
        for call, name, part in cases:
            with self.assertRaises(crmkit.CrmError) as caught:
                call()
            self.assertEqual(caught.exception.name, name)
            self.assertIn(part, caught.exception.message)
        with self.assertRaises(ValueError):
            self.lib.goal_validate({}, 0, "en\0")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        LIB_PATH = sys.argv.pop(1)
    unittest.main(verbosity=1)
