"""crmkit from Python, with nothing but the standard library's ctypes.

    import crmkit
    lib = crmkit.load("target/release/libcrmkit.so")
    with lib.dataset_from_json(open("examples/data/sample_company.json").read()) as ds:
        print(ds.counts())
        with lib.rules_from_json(crmkit.USD_500_ROUTING) as rules:
            actions, state = rules.evaluate(ds, {"id": "E-1", "type": "deal_created",
                "at": "2026-05-01T08:00:00Z", "deal": "D-0001"}, None, as_of)
        report = lib.kpi_compute(ds, {"period": {"start": "2026-07-01", "end": "2026-10-01"}})

Every C function returns a crm_status; a failure raises CrmError with the
status name and crm_last_error_message(). Strings returned by crmkit are
copied into Python and freed with crm_string_free. Handles are freed by
`close()` or a `with` block (and, as a last resort, when garbage-collected).

JSON arguments may be strings or Python values (dicts, lists), which are
encoded with json.dumps; JSON results are decoded into Python values. Times
(`as_of`) are Unix seconds or timezone-aware datetimes. Datasets, scoring
models and rule sets are immutable, so one object may be used from several
Python threads at once (ctypes releases the GIL during each call); closing
it must not race with another use.
"""

import ctypes
import datetime
import decimal
import json
import os

__all__ = [
    "CrmError",
    "Library",
    "LIFECYCLE_STAGES",
    "NO_VALUE",
    "ScoreEvent",
    "LeadScore",
    "USD_500_ROUTING",
    "leads_from_dataset",
    "load",
]

CRM_STATUS_OK = 0

# The batch code of a missing value (INT64_MIN) in crm_score_batch columns.
NO_VALUE = -(2**63)

# Lifecycle stages in the order crm_score_batch's `stages` bytes index them.
LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "mql",
    "sql",
    "opportunity",
    "customer",
    "evangelist",
    "disqualified",
)

# The $500 deal routing (crmkit::automation::presets::routing_rule_set with
# RoutingConfig::usd_500(Boundary::Call)): on deal_created, a call task for
# the owner at $500 or more, the nurture campaign below. Deals in other
# currencies are converted with the dataset's exchange rates.
USD_500_ROUTING = {
    "hit_policy": "first",
    "rules": [
        {
            "id": "deal-value-routing",
            "name": "Route new deals at 500.00 USD",
            "trigger": {"type": "deal_created"},
            "branches": [
                {
                    "if": {"field": "deal.value", "op": "ge",
                           "value": {"amount": "500.00", "currency": "USD"}},
                    "then": [{"type": "create_task", "task": "call",
                              "title": "Call {{contact.name}} about {{deal.name}} ({{deal.value}})",
                              "due_in_days": 1}],
                },
                {
                    "if": {"field": "deal.value", "op": "lt",
                           "value": {"amount": "500.00", "currency": "USD"}},
                    "then": [{"type": "enroll_in_campaign", "campaign": "nurture"}],
                },
            ],
        }
    ],
}


class ScoreEvent(ctypes.Structure):
    """crm_score_event: one activity of lead `lead` matched by activity rule
    `rule`, at `at_unix` seconds."""

    _fields_ = [("lead", ctypes.c_uint32), ("rule", ctypes.c_uint32), ("at_unix", ctypes.c_int64)]


class LeadScore(ctypes.Structure):
    """crm_lead_score: the total in 1/10000 points, the grade and handoff
    indices (-1 for none)."""

    _fields_ = [("total_units", ctypes.c_int64), ("grade", ctypes.c_int32), ("handoff", ctypes.c_int32)]


def _unix(value):
    """Unix seconds from an int or a timezone-aware datetime."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError("as_of must be timezone-aware (e.g. datetime.timezone.utc)")
        return int(value.timestamp())
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("as_of must be Unix seconds (int) or an aware datetime")
    return value


class CrmError(Exception):
    """A crmkit call failed: `status` is the crm_status code, `name` its
    name (CRM_STATUS_JSON...) and `message` the library's explanation."""

    def __init__(self, status, name, message):
        super().__init__(f"{name}: {message}")
        self.status = status
        self.name = name
        self.message = message


class _Handle:
    """An owned crmkit handle, freed once by `close()`."""

    def __init__(self, lib, pointer, free):
        self._lib = lib
        self._pointer = pointer
        self._free = free

    @property
    def pointer(self):
        if not self._pointer:
            raise ValueError("the handle has been closed")
        return self._pointer

    def close(self):
        if self._pointer:
            self._free(self._pointer)
            self._pointer = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


class Dataset(_Handle):
    """A validated, immutable snapshot of CRM records (crm_dataset)."""

    def counts(self):
        """The number of records of each kind."""
        return json.loads(self._lib._json_out(self._lib._c.crm_dataset_counts_json, self.pointer))


def _field(lead, path):
    """The value at a dotted field path of a lead dict, or None."""
    value = lead
    for part in path.split("."):
        if part == "attributes" and isinstance(value, dict):
            value = value.get("attributes", {})
            continue
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def leads_from_dataset(document):
    """The leads of a dataset document (a dict): one {"contact", "company",
    "activities"} per contact, in the dataset's order, for score_lead and
    ScoringModel.encode_leads."""
    companies = {company["id"]: company for company in document.get("companies", [])}
    activities = {}
    for activity in document.get("activities", []):
        if "contact" in activity:
            activities.setdefault(activity["contact"], []).append(activity)
    leads = []
    for contact in document.get("contacts", []):
        lead = {"contact": contact, "activities": activities.get(contact["id"], [])}
        if contact.get("company") in companies:
            lead["company"] = companies[contact["company"]]
        leads.append(lead)
    return leads


class ScoringModel(_Handle):
    """A compiled lead scoring model (crm_scoring_model)."""

    def __init__(self, lib, pointer, free):
        super().__init__(lib, pointer, free)
        self.info = json.loads(lib._json_out(lib._c.crm_scoring_model_info_json, pointer))

    def score_lead(self, lead, as_of):
        """Scores one lead ({"contact", "company", "activities", "previous"})
        and returns its explanation (crm_score_lead_json)."""
        lib = self._lib
        return json.loads(lib._json_out(lib._c.crm_score_lead_json, self.pointer,
                                        lib._text(lead), _unix(as_of)))

    def encode_text(self, column, text):
        """The batch code of `text` for text column `column`."""
        out = ctypes.c_int64()
        self._lib._check(self._lib._c.crm_scoring_encode_text(
            self.pointer, column, self._lib._text_arg(text), ctypes.byref(out)))
        return out.value

    def match_activity(self, kind):
        """The indices of the activity rules counting an activity kind
        ({"type": "website_visit", "url": "/pricing"})."""
        capacity = len(self.info["activity_rules"])
        rules = (ctypes.c_uint32 * max(capacity, 1))()
        count = ctypes.c_size_t()
        self._lib._check(self._lib._c.crm_scoring_match_activity_json(
            self.pointer, self._lib._text(kind), rules, capacity, ctypes.byref(count)))
        return list(rules[: count.value])

    def encode_leads(self, leads):
        """Encodes leads (dicts as for score_lead) into the arguments of
        score_batch: (n_leads, columns, events, stages).

        Each column of info["columns"] is read from the lead by its field
        path ("company.employees", "contact.attributes.plan_interest");
        activities are matched to activity rules with match_activity. Money
        in another currency than the column's raises ValueError (convert it
        first).
        """
        leads = list(leads)
        columns = []
        for index, column in enumerate(self.info["columns"]):
            codes = [self._encode_value(index, column, _field(lead, column["field"]))
                     for lead in leads]
            columns.append(codes)
        events = []
        matched = {}
        for number, lead in enumerate(leads):
            for activity in lead.get("activities", []):
                key = json.dumps(activity["kind"], sort_keys=True)
                if key not in matched:
                    matched[key] = self.match_activity(activity["kind"])
                at = _unix(datetime.datetime.fromisoformat(activity["at"].replace("Z", "+00:00")))
                events.extend((number, rule, at) for rule in matched[key])
        events.sort(key=lambda event: event[0])
        stages = [lead["contact"].get("lifecycle", {}).get("stage", "lead") for lead in leads]
        return len(leads), columns, events, stages

    def _encode_value(self, index, column, value):
        """The batch code of one value of column `column` (number `index`)."""
        if value is None:
            return NO_VALUE
        kind = column["kind"]
        if kind == "text":
            return self.encode_text(index, value)
        if kind == "number":
            return self._lib.encode_decimal(decimal.Decimal(str(value)))
        if kind == "money":
            if value["currency"] != column.get("currency"):
                raise ValueError(f"{column['field']}: {value['currency']} money for a "
                                 f"{column.get('currency')} column; convert it first")
            return self._lib.encode_decimal(value["amount"])
        if kind == "flag":
            return 1 if value else 0
        if kind == "date":
            return (datetime.date.fromisoformat(value) - datetime.date(1970, 1, 1)).days
        if kind == "timestamp":
            return 2 * _unix(datetime.datetime.fromisoformat(value.replace("Z", "+00:00")))
        raise ValueError(f"{column['field']}: unknown column kind {kind!r}")

    def score_batch(self, n_leads, columns, events, as_of, stages=None, with_categories=False):
        """Scores `n_leads` leads over flat arrays (crm_score_batch).

        `columns`: one sequence of `n_leads` encoded ints per entry of
        info["columns"] (NO_VALUE for none); `events`: (lead, rule, at_unix)
        tuples sorted by lead; `stages`: None or one stage name (or index)
        per lead. Returns one dict per lead: "total" (a Decimal), "grade"
        and "handoff" (None or the entry of info["grades"]/["handoffs"]) and,
        with `with_categories`, "categories" {category id: Decimal}.
        """
        lib = self._lib
        columns = [list(column) for column in columns]
        for i, column in enumerate(columns):
            if len(column) != n_leads:
                raise ValueError(f"columns[{i}]: expected {n_leads} values, found {len(column)}")
        arrays = [(ctypes.c_int64 * len(column))(*column) for column in columns]
        pointers = (ctypes.POINTER(ctypes.c_int64) * max(len(arrays), 1))(
            *[ctypes.cast(array, ctypes.POINTER(ctypes.c_int64)) for array in arrays])
        events = list(events)
        c_events = (ScoreEvent * max(len(events), 1))(*[ScoreEvent(*event) for event in events])
        c_stages = None
        if stages is not None:
            stages = list(stages)
            if len(stages) != n_leads:
                raise ValueError(f"stages: expected {n_leads} stages, found {len(stages)}")
            codes = [LIFECYCLE_STAGES.index(s) if isinstance(s, str) else s for s in stages]
            c_stages = (ctypes.c_uint8 * max(n_leads, 1))(*codes)
        out = (LeadScore * max(n_leads, 1))()
        categories = self.info["categories"]
        n_categories = n_leads * len(categories) if with_categories else 0
        c_categories = (ctypes.c_int64 * max(n_categories, 1))() if with_categories else None
        lib._check(lib._c.crm_score_batch(
            self.pointer, pointers, len(arrays), n_leads, c_events, len(events), c_stages,
            _unix(as_of), out, c_categories, n_categories))
        unit = decimal.Decimal(10000)
        results = []
        for lead in range(n_leads):
            score = out[lead]
            result = {
                "total": decimal.Decimal(score.total_units) / unit,
                "grade": self.info["grades"][score.grade] if score.grade >= 0 else None,
                "handoff": self.info["handoffs"][score.handoff] if score.handoff >= 0 else None,
            }
            if with_categories:
                row = c_categories[lead * len(categories):(lead + 1) * len(categories)]
                result["categories"] = {
                    c["id"]: decimal.Decimal(v) / unit for c, v in zip(categories, row)}
            results.append(result)
        return results


class Rules(_Handle):
    """A compiled automation rule set (crm_rules)."""

    def evaluate(self, dataset, event, state, as_of):
        """Evaluates one event; returns (actions, new_state). `state` is None
        at first, then the state returned by the previous call."""
        lib = self._lib
        actions = ctypes.c_void_p()
        new_state = ctypes.c_void_p()
        lib._check(lib._c.crm_rules_evaluate(
            self.pointer, dataset.pointer, lib._text(event), lib._state(state), _unix(as_of),
            ctypes.byref(actions), ctypes.byref(new_state)))
        return json.loads(lib._take_string(actions)), lib._take_string(new_state)

    def tick(self, dataset, state, as_of):
        """Evaluates the date-based and "stuck" triggers; (actions, new_state)."""
        lib = self._lib
        actions = ctypes.c_void_p()
        new_state = ctypes.c_void_p()
        lib._check(lib._c.crm_rules_tick(
            self.pointer, dataset.pointer, lib._state(state), _unix(as_of),
            ctypes.byref(actions), ctypes.byref(new_state)))
        return json.loads(lib._take_string(actions)), lib._take_string(new_state)

    def dry_run(self, dataset, events, state=None):
        """Replays a list of events and reports what each rule would do."""
        lib = self._lib
        return json.loads(lib._json_out(lib._c.crm_rules_dry_run, self.pointer, dataset.pointer,
                                        lib._text(events), lib._state(state)))

    def analyze(self):
        """Gaps, overlaps, conflicts... of the rule set, with examples."""
        return json.loads(self._lib._json_out(self._lib._c.crm_rules_analyze, self.pointer))


class Library:
    """The crmkit shared library, loaded with ctypes."""

    def __init__(self, path):
        self._c = c = ctypes.CDLL(path)
        c.crm_last_error_message.restype = ctypes.c_char_p
        c.crm_last_error_message.argtypes = []
        c.crm_status_str.restype = ctypes.c_char_p
        c.crm_status_str.argtypes = [ctypes.c_int32]
        c.crm_string_free.restype = None
        c.crm_string_free.argtypes = [ctypes.c_void_p]
        c.crm_version.restype = ctypes.c_char_p
        c.crm_version.argtypes = []
        c.crm_abi_version.restype = ctypes.c_uint32
        c.crm_abi_version.argtypes = []
        c.crm_dataset_from_json.restype = ctypes.c_int
        c.crm_dataset_from_json.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        c.crm_dataset_free.restype = None
        c.crm_dataset_free.argtypes = [ctypes.c_void_p]
        c.crm_dataset_counts_json.restype = ctypes.c_int
        c.crm_dataset_counts_json.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]

        out = ctypes.POINTER(ctypes.c_void_p)
        text = ctypes.c_char_p
        handle = ctypes.c_void_p
        i64 = ctypes.c_int64
        signatures = {
            # SMART goals
            "crm_goal_validate": [text, i64, text, out],
            "crm_goal_progress": [text, text, i64, text, out],
            # KPIs
            "crm_kpi_catalog": [out],
            "crm_kpi_compute": [handle, text, out],
            "crm_kpi_time_series": [handle, text, out],
            "crm_pipeline_report": [handle, text, out],
            # lead scoring
            "crm_scoring_model_from_json": [text, out],
            "crm_scoring_model_info_json": [handle, out],
            "crm_score_lead_json": [handle, text, i64, out],
            "crm_scoring_encode_text": [handle, ctypes.c_size_t, text, ctypes.POINTER(i64)],
            "crm_scoring_encode_decimal": [text, ctypes.POINTER(i64)],
            "crm_scoring_match_activity_json": [
                handle, text, ctypes.POINTER(ctypes.c_uint32), ctypes.c_size_t,
                ctypes.POINTER(ctypes.c_size_t)],
            "crm_score_batch": [
                handle, ctypes.POINTER(ctypes.POINTER(i64)), ctypes.c_size_t, ctypes.c_size_t,
                ctypes.POINTER(ScoreEvent), ctypes.c_size_t, ctypes.POINTER(ctypes.c_uint8), i64,
                ctypes.POINTER(LeadScore), ctypes.POINTER(i64), ctypes.c_size_t],
            # automation
            "crm_rules_from_json": [text, out],
            "crm_rules_evaluate": [handle, handle, text, text, i64, out, out],
            "crm_rules_tick": [handle, handle, text, i64, out, out],
            "crm_rules_dry_run": [handle, handle, text, text, out],
            "crm_rules_analyze": [handle, out],
        }
        for name, argtypes in signatures.items():
            function = getattr(c, name)
            function.restype = ctypes.c_int
            function.argtypes = argtypes
        for name in ["crm_scoring_model_free", "crm_rules_free"]:
            getattr(c, name).restype = None
            getattr(c, name).argtypes = [handle]

    # -- plumbing ---------------------------------------------------------

    def _check(self, status):
        if status != CRM_STATUS_OK:
            name = self._c.crm_status_str(status).decode()
            message = self._c.crm_last_error_message().decode("utf-8", "replace")
            raise CrmError(status, name, message)

    def _take_string(self, pointer):
        """Copies a string returned by crmkit and frees the original."""
        try:
            return ctypes.string_at(pointer).decode("utf-8")
        finally:
            self._c.crm_string_free(pointer)

    def _json_out(self, function, *args):
        """Calls `function(*args, &out)` and returns the string written to out."""
        out = ctypes.c_void_p()
        self._check(function(*args, ctypes.byref(out)))
        return self._take_string(out)

    @staticmethod
    def _text(value):
        """UTF-8 bytes for a C string argument; JSON-encodes non-strings."""
        if not isinstance(value, str):
            value = json.dumps(value)
        return Library._text_arg(value)

    @staticmethod
    def _text_arg(value):
        """UTF-8 bytes for a plain text argument (not JSON)."""
        if not isinstance(value, str):
            raise TypeError("expected a str")
        if "\0" in value:
            raise ValueError("text passed to crmkit must not contain NUL characters")
        return value.encode("utf-8")

    @staticmethod
    def _state(state):
        """An enrollment state argument: None is the empty state."""
        return b"" if state is None else Library._text(state)

    # -- the API ----------------------------------------------------------

    def version(self):
        """The library's version string."""
        return self._c.crm_version().decode()

    def abi_version(self):
        """The library's C ABI version."""
        return self._c.crm_abi_version()

    def dataset_from_json(self, document):
        """Loads and validates a dataset (a JSON string or a Python dict)."""
        out = ctypes.c_void_p()
        self._check(self._c.crm_dataset_from_json(self._text(document), ctypes.byref(out)))
        return Dataset(self, out, self._c.crm_dataset_free)

    # SMART goals

    def goal_validate(self, goal, as_of, locale="en"):
        """The SMART report of a goal (crm_goal_validate)."""
        return json.loads(self._json_out(self._c.crm_goal_validate, self._text(goal), _unix(as_of),
                                         self._text_arg(locale)))

    def goal_progress(self, goal, measurements, as_of, locale="en"):
        """The progress report of a goal from its KPI's measurements."""
        return json.loads(self._json_out(self._c.crm_goal_progress, self._text(goal),
                                         self._text(measurements), _unix(as_of),
                                         self._text_arg(locale)))

    # KPIs

    def kpi_catalog(self):
        """Every KPI crmkit computes, with its unit, direction and formula."""
        return json.loads(self._json_out(self._c.crm_kpi_catalog))

    def kpi_compute(self, dataset, request):
        """A KPI report for a period, with the previous period (crm_kpi_compute)."""
        return json.loads(self._json_out(self._c.crm_kpi_compute, dataset.pointer,
                                         self._text(request)))

    def kpi_time_series(self, dataset, request):
        """KPIs per week, month, quarter or year over a range."""
        return json.loads(self._json_out(self._c.crm_kpi_time_series, dataset.pointer,
                                         self._text(request)))

    def pipeline_report(self, dataset, request):
        """The pipeline bottleneck report (crm_pipeline_report)."""
        return json.loads(self._json_out(self._c.crm_pipeline_report, dataset.pointer,
                                         self._text(request)))

    # lead scoring

    def scoring_model_from_json(self, document):
        """Loads, validates and compiles a scoring model."""
        out = ctypes.c_void_p()
        self._check(self._c.crm_scoring_model_from_json(self._text(document), ctypes.byref(out)))
        return ScoringModel(self, out, self._c.crm_scoring_model_free)

    def encode_decimal(self, value):
        """The batch code of a number or amount (a str, int or Decimal)."""
        if isinstance(value, float):
            raise TypeError("pass decimals as str, int or Decimal, not float")
        out = ctypes.c_int64()
        self._check(self._c.crm_scoring_encode_decimal(self._text_arg(str(value)),
                                                       ctypes.byref(out)))
        return out.value

    # automation

    def rules_from_json(self, document):
        """Loads, validates and compiles an automation rule set."""
        out = ctypes.c_void_p()
        self._check(self._c.crm_rules_from_json(self._text(document), ctypes.byref(out)))
        return Rules(self, out, self._c.crm_rules_free)


def load(path=None):
    """Loads libcrmkit.so from `path`, $CRMKIT_LIB, or target/release."""
    if path is None:
        path = os.environ.get("CRMKIT_LIB")
    if path is None:
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        path = os.path.join(root, "target", "release", "libcrmkit.so")
    return Library(path)
