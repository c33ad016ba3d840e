"""A tour of crmkit from Python (ctypes only): load the sample company, score
its leads, route its deals with the $500 rule, and report KPIs.

    cargo build --release
    python3 examples/python/demo.py [path/to/libcrmkit.so] [dataset.json]
"""

import decimal
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import crmkit  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "data", "sample_company.json")
SCORING_MODEL = os.path.join(HERE, "..", "data", "scoring_model.json")
AS_OF = 1793491200  # 2026-11-01T00:00:00Z, the end of the sample year


def score_leads(lib, document):
    print("\n== Lead scoring (examples/data/scoring_model.json) ==")
    with open(SCORING_MODEL, encoding="utf-8") as file:
        model_text = file.read()
    leads = crmkit.leads_from_dataset(document)
    with lib.scoring_model_from_json(model_text) as model:
        # The flat batch path: every lead at once over encoded columns.
        n, columns, events, stages = model.encode_leads(leads)
        results = model.score_batch(n, columns, events, AS_OF, stages)
        grades = {}
        for result in results:
            grade = result["grade"]["grade"] if result["grade"] else "-"
            grades[grade] = grades.get(grade, 0) + 1
        print(f"{n} leads, {len(events)} scored activities; grades:",
              ", ".join(f"{g}: {grades[g]}" for g in sorted(grades)))
        moves = sum(1 for result in results if result["handoff"])
        print(f"{moves} leads should move to another lifecycle stage")
        ranked = sorted(range(n), key=lambda i: results[i]["total"], reverse=True)
        for i in ranked[:3]:
            # The JSON path explains a lead rule by rule (same total).
            explained = model.score_lead(leads[i], AS_OF)
            top = sorted(explained["contributions"], key=lambda c: -abs(float(c["points"])))[:3]
            print(f"  {leads[i]['contact']['id']}: {results[i]['total']} points, grade "
                  f"{explained['grade']}; mostly " +
                  ", ".join(f"{c['rule']} {c['points']}" for c in top))


def route_deals(lib, dataset, document):
    print("\n== The $500 routing (call at $500 or more, nurture below) ==")
    events = [{"id": f"created/{deal['id']}", "type": "deal_created", "at": deal["created_at"],
               "deal": deal["id"]} for deal in document["deals"]]
    events.sort(key=lambda event: (event["at"], event["id"]))
    with lib.rules_from_json(crmkit.USD_500_ROUTING) as rules:
        # One event as a host would send it, then the whole history replayed.
        actions, state = rules.evaluate(dataset, events[0], None, AS_OF)
        print(f"{events[0]['deal']}: {actions[0]['type']} ({actions[0]['id']})")
        again, _ = rules.evaluate(dataset, events[0], state, AS_OF)
        print(f"the same event again with the returned state: {len(again)} actions")
        report = rules.dry_run(dataset, events)
        kinds = {}
        for action in report["actions"]:
            kinds[action["type"]] = kinds.get(action["type"], 0) + 1
        print(f"{report['events']} deals -> {kinds.get('create_task', 0)} call tasks, "
              f"{kinds.get('enroll_in_campaign', 0)} nurture enrollments, "
              f"{len(report['errors'])} errors")
    seed = json.loads(json.dumps(crmkit.USD_500_ROUTING))
    seed["rules"][0]["branches"][0]["if"]["op"] = "gt"  # "over $500", as first written
    with lib.rules_from_json(seed) as unrouted:
        for finding in unrouted.analyze()["findings"]:
            print(f"as first written: {finding['kind']}: {finding['example_text']}")


def kpi_report(lib, dataset):
    print("\n== KPIs, third quarter of 2026 (with the quarter before) ==")
    report = lib.kpi_compute(dataset, {
        "kpis": ["win_rate", "revenue", "average_deal_size", "sales_cycle_length", "churn_rate"],
        "period": {"start": "2026-07-01", "end": "2026-10-01"}, "granularity": "quarter"})
    for kpi in report["kpis"]:
        now, before = kpi["current"], kpi["previous"]

        def show(m):
            if m["status"] != "defined":
                return f"undefined ({m['code']})"
            return str(decimal.Decimal(m["value"]).quantize(decimal.Decimal("0.01")))

        print(f"  {now['kpi']:<20} {show(now):>14} {now['unit']:<8} (before: {show(before)})")
    pipeline = lib.pipeline_report(dataset, {"as_of": "2026-11-01T00:00:00Z"})
    print(f"(money in {report['currency']})")
    print(f"pipeline {pipeline['pipeline']}: {pipeline['open_items']} open deals")
    for finding in pipeline["findings"]:
        print(f"  {finding['code']}: {finding['message']}")


def main():
    lib = crmkit.load(sys.argv[1] if len(sys.argv) > 1 else None)
    sample = sys.argv[2] if len(sys.argv) > 2 else SAMPLE
    print(f"crmkit {lib.version()} (C ABI {lib.abi_version()})")

    with open(sample, encoding="utf-8") as file:
        text = file.read()
    document = json.loads(text)
    with lib.dataset_from_json(text) as dataset:
        counts = dataset.counts()
        print("dataset:", ", ".join(f"{n} {kind}" for kind, n in counts.items()))
        score_leads(lib, document)
        route_deals(lib, dataset, document)
        kpi_report(lib, dataset)

    # Errors are exceptions that name the problem and where it is.
    print()
    try:
        lib.dataset_from_json({"contacts": [{"id": "C-1"}]})
    except crmkit.CrmError as error:
        print("a broken dataset is refused:", error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
