// The C++ wrapper over the engines: scoring models (JSON and batch), rule
// sets (the $500 routing), SMART goals, KPIs and the pipeline report, each
// with its error paths (exceptions carrying status and message, NUL bytes
// refused, vector lengths checked before the C call).
//
// Compiled by tests/c_abi.rs as C++17 with warnings as errors and run
// natively and under valgrind. argv[1]: examples/data/sample_company.json.
#include "crmkit.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

static int failures = 0;

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                                   \
        }                                                                                 \
    } while (0)

// Runs `body`, which must throw crmkit::Error with `expected` and a message
// containing `part`.
template <class Body>
static void expect_error(crm_status expected, const char *part, Body body, int line) {
    try {
        body();
        std::fprintf(stderr, "line %d: no exception, expected %s\n", line,
                     crm_status_str(expected));
        failures++;
    } catch (const crmkit::Error &error) {
        if (error.status() != expected || error.message().find(part) == std::string::npos) {
            std::fprintf(stderr, "line %d: got %s, expected %s containing \"%s\"\n", line,
                         error.what(), crm_status_str(expected), part);
            failures++;
        }
    }
}
#define EXPECT_ERROR(status, part, ...) expect_error(status, part, [&] { __VA_ARGS__; }, __LINE__)

static bool contains(const std::string &text, const char *part) {
    return text.find(part) != std::string::npos;
}

static std::string read_file(const std::string &path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// Handles are move-only: copying would free twice.
static_assert(!std::is_copy_constructible_v<crmkit::ScoringModel>, "move-only");
static_assert(!std::is_copy_assignable_v<crmkit::Rules>, "move-only");
static_assert(std::is_nothrow_move_constructible_v<crmkit::Rules>, "cheap moves");
static_assert(!std::is_copy_constructible_v<crmkit::Dataset>, "move-only");

// 2026-03-03T00:00:00Z and two instants before it (as tests/c/scoring.c).
static const std::int64_t SCORE_AS_OF = 1772496000;
static const std::int64_t FEB_01 = 1769904000;
static const std::int64_t MAR_02 = 1772409600;

static const char MODEL[] = R"({"categories":[{"id":"engagement","max":40}],
 "rules":[
  {"id":"title","points":20,"when":{"field":"contact.job_title","op":"contains","value":"director"}},
  {"id":"size","points":"7.5","when":{"field":"company.employees","op":"range","min":100}},
  {"id":"pricing","points":10,"max_points":30,"decay":{"half_life_days":30},
   "activity":{"type":"website_visit","url":"/pricing*"}},
  {"id":"bounce","points":-15,"activity":{"type":"email","event":"bounced"}}],
 "grades":[{"grade":"A","min":40},{"grade":"B","min":20},{"grade":"C"}],
 "handoffs":[{"from":["lead"],"to":"mql","min":30}]})";

static const char LEAD0[] = R"({"contact":{"id":"C-1","job_title":"Sales Director","company":"CO-1",
  "created_at":"2026-01-01T00:00:00Z"},
 "company":{"id":"CO-1","name":"Acme","employees":500},
 "activities":[{"id":"A-1","contact":"C-1","at":"2026-02-01T00:00:00Z",
  "kind":{"type":"website_visit","url":"/pricing"}}]})";

static void scoring_json_and_info() {
    const crmkit::ScoringModel model = crmkit::ScoringModel::from_json(MODEL);
    CHECK(model.column_count() == 2);
    CHECK(model.activity_rule_count() == 2);
    CHECK(model.category_count() == 2); // fit (implicit) and engagement
    const std::string info = model.info_json();
    CHECK(contains(info, "\"activity_rules\":[\"pricing\",\"bounce\"]"));

    const std::string score = model.score_lead_json(LEAD0, SCORE_AS_OF);
    CHECK(contains(score, "\"total\":\"32.5\""));
    CHECK(contains(score, "\"grade\":\"B\""));
    CHECK(contains(score, "\"to\":\"mql\""));

    CHECK(model.encode_text(0, "VP and Director") == 1);
    CHECK(model.encode_text(0, "analyst") == 0);
    CHECK(crmkit::ScoringModel::encode_decimal("12.5") == 250000);
    CHECK(model.match_activity(R"({"type":"website_visit","url":"/pricing/team"})") ==
          std::vector<std::uint32_t>{0});
    CHECK(model.match_activity(R"({"type":"email","event":"bounced"})") ==
          std::vector<std::uint32_t>{1});
    CHECK(model.match_activity(R"({"type":"referral"})").empty());

    // Errors: status, and a message that names the argument or JSON path.
    EXPECT_ERROR(CRM_STATUS_JSON, "", crmkit::ScoringModel::from_json(R"({"rules": [)"));
    EXPECT_ERROR(CRM_STATUS_INVALID, "rules[0].when.op",
                 crmkit::ScoringModel::from_json(
                     R"({"rules":[{"id":"r","points":1,"when":{"field":"company.employees","op":"contains","value":"x"}}]})"));
    EXPECT_ERROR(CRM_STATUS_PROTECTED_ATTRIBUTE, "rules[0].when.field",
                 crmkit::ScoringModel::from_json(
                     R"({"rules":[{"id":"r","points":1,"when":{"field":"contact.gender","op":"exists"}}]})"));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "NUL",
                 crmkit::ScoringModel::from_json(std::string_view("{}\0x", 4)));
    EXPECT_ERROR(CRM_STATUS_JSON, "", model.score_lead_json(R"({"contact":)", SCORE_AS_OF));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "as_of_unix",
                 model.score_lead_json(LEAD0, INT64_MAX));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "", model.encode_text(7, "x"));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "NUL",
                 model.encode_text(0, std::string_view("dir\0ector", 9)));
    EXPECT_ERROR(CRM_STATUS_INVALID, "", crmkit::ScoringModel::encode_decimal("twelve"));
    EXPECT_ERROR(CRM_STATUS_JSON, "", model.match_activity(R"({"type":"teleport"})"));

    // A moved-from model is empty; using it is a NULL-pointer error, not a crash.
    crmkit::ScoringModel first = crmkit::ScoringModel::from_json(MODEL);
    crmkit::ScoringModel second = std::move(first);
    CHECK(first.get() == nullptr); // NOLINT(bugprone-use-after-move): on purpose
    CHECK(second.get() != nullptr);
    EXPECT_ERROR(CRM_STATUS_NULL_POINTER, "model", first.info_json());
}

static void scoring_batch() {
    const crmkit::ScoringModel model = crmkit::ScoringModel::from_json(MODEL);
    // Lead 0: a director at a 500-person company who saw the pricing page;
    // lead 1: no title, 50 people, a bounce; lead 2: an analyst, no company.
    const std::vector<std::vector<std::int64_t>> columns = {
        {model.encode_text(0, "Sales Director"), INT64_MIN, model.encode_text(0, "Analyst")},
        {crmkit::ScoringModel::encode_decimal("500"), crmkit::ScoringModel::encode_decimal("50"),
         INT64_MIN}};
    const std::vector<crmkit::ScoreEvent> events = {{0, 0, FEB_01}, {1, 1, MAR_02}};
    using Stage = crmkit::LifecycleStage;
    const std::vector<Stage> stages = {Stage::lead, Stage::lead, Stage::mql};

    const crmkit::BatchScores plain = model.score_batch(3, columns, events, SCORE_AS_OF);
    CHECK(plain.scores.size() == 3 && plain.categories.empty());
    CHECK(plain.scores[0].total_units == 325000); // 32.5, as the JSON call says
    CHECK(plain.scores[0].grade == 1);
    CHECK(plain.scores[0].handoff == -1);          // no stages: no handoffs
    CHECK(plain.scores[1].total_units == -150000);

    const crmkit::BatchScores full = model.score_batch(3, columns, events, SCORE_AS_OF, stages, true);
    CHECK(full.scores[0].handoff == 0); // lead at 32.5: the MQL handoff
    CHECK(full.scores[1].handoff == -1 && full.scores[2].handoff == -1);
    CHECK(full.categories == (std::vector<std::int64_t>{275000, 50000, 0, -150000, 0, 0}));

    // The pointer form is the C call itself.
    const std::int64_t *pointers[2] = {columns[0].data(), columns[1].data()};
    crmkit::LeadScore out[3] = {};
    model.score_batch(pointers, 2, 3, events.data(), events.size(), nullptr, SCORE_AS_OF, out,
                      nullptr, 0);
    CHECK(out[0].total_units == 325000);

    // Lengths are checked in C++ before C could read past a vector's end.
    const std::vector<std::vector<std::int64_t>> short_column = {columns[0], {1}};
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "columns[1]",
                 model.score_batch(3, short_column, events, SCORE_AS_OF));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "stages",
                 model.score_batch(3, columns, events, SCORE_AS_OF, {Stage::lead}));
    // The library's own checks come through as exceptions too.
    EXPECT_ERROR(CRM_STATUS_INVALID, "columns",
                 model.score_batch(3, {columns[0]}, events, SCORE_AS_OF));
    EXPECT_ERROR(CRM_STATUS_INVALID, "sorted",
                 model.score_batch(3, columns, {{1, 0, FEB_01}, {0, 1, MAR_02}}, SCORE_AS_OF));
    EXPECT_ERROR(CRM_STATUS_INVALID, "stages[2]",
                 model.score_batch(3, columns, events, SCORE_AS_OF,
                                   {Stage::lead, Stage::lead, static_cast<Stage>(8)}));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "as_of_unix",
                 model.score_batch(3, columns, events, INT64_MIN));
    // No leads at all is fine.
    CHECK(model.score_batch(0, {{}, {}}, {}, SCORE_AS_OF).scores.empty());
}

// The seed's $500 routing with the boundary given to the call branch.
static const char ROUTING[] = R"({"hit_policy": "first", "rules": [{"id": "route",
 "trigger": {"type": "deal_created"}, "branches": [
  {"if": {"field": "deal.value", "op": "ge", "value": {"amount": "500", "currency": "USD"}},
   "then": [{"type": "create_task", "task": "call", "title": "Call {{contact.name}}"}]},
  {"if": {"field": "deal.value", "op": "lt", "value": {"amount": "500", "currency": "USD"}},
   "then": [{"type": "enroll_in_campaign", "campaign": "nurture"}]}]},
 {"id": "stuck", "trigger": {"type": "stuck", "entity": "deal", "days": 10},
  "enrollment": "every_time", "then": [{"type": "notify", "message": "stuck"}]}]})";

static const char SMALL_DATASET[] = R"({"pipelines": [{"id": "sales", "name": "Sales", "stages": [
  {"id": "new", "name": "New", "probability": 10}]}],
 "reps": [{"id": "R-1", "name": "Ann"}],
 "contacts": [{"id": "C-1", "name": "Ada", "owner": "R-1", "created_at": "2026-01-01T00:00:00Z"}],
 "deals": [{"id": "D-1", "contact": "C-1", "pipeline": "sales", "stage": "new",
  "value": {"amount": "750.00", "currency": "USD"}, "created_at": "2026-04-01T00:00:00Z"}]})";

static const std::int64_t RULES_AS_OF = 1777626000; // 2026-05-01T09:00:00Z

static std::string deal_event(const char *id, const char *amount, const char *currency) {
    return std::string(R"({"type": "deal_created", "at": "2026-05-01T08:00:00Z", "deal": "D-1", "id": ")") +
           id + R"(", "value": {"amount": ")" + amount + R"(", "currency": ")" + currency + "\"}}";
}

static void rules_routing() {
    const crmkit::Dataset dataset = crmkit::Dataset::from_json(SMALL_DATASET);
    const crmkit::Rules rules = crmkit::Rules::from_json(ROUTING);

    const crmkit::RulesOutcome call = rules.evaluate(dataset, deal_event("E-1", "750.00", "USD"), "", RULES_AS_OF);
    CHECK(contains(call.actions_json, "\"type\":\"create_task\""));
    CHECK(contains(call.actions_json, "\"title\":\"Call Ada\""));
    // Replaying with the returned state acts once only.
    const crmkit::RulesOutcome replay =
        rules.evaluate(dataset, deal_event("E-1", "750.00", "USD"), call.state_json, RULES_AS_OF);
    CHECK(replay.actions_json == "[]");
    CHECK(replay.state_json == call.state_json);
    // Exactly $500 is a call with this boundary; below is nurture.
    CHECK(contains(rules.evaluate(dataset, deal_event("E-2", "500.00", "USD"), "{}", RULES_AS_OF).actions_json,
                   "\"create_task\""));
    CHECK(contains(rules.evaluate(dataset, deal_event("E-3", "499.99", "USD"), "{}", RULES_AS_OF).actions_json,
                   "\"campaign\":\"nurture\""));

    const crmkit::RulesOutcome ticked = rules.tick(dataset, "", RULES_AS_OF);
    CHECK(contains(ticked.actions_json, "\"rule\":\"stuck\""));
    // Ticking again with the returned state fires nothing twice.
    CHECK(rules.tick(dataset, ticked.state_json, RULES_AS_OF).actions_json == "[]");

    const std::string report = rules.dry_run(
        dataset, "[" + deal_event("E-1", "750.00", "USD") + "," + deal_event("E-1", "750.00", "USD") + "]");
    CHECK(contains(report, "\"fired\":1"));
    CHECK(contains(report, "\"suppressed\":1"));
    // With the boundary assigned there is no gap at $500.
    CHECK(!contains(rules.analyze(), "\"example_text\":\"deal.value = 500.00 USD\""));

    // The seed's own wording leaves exactly $500 unrouted: the analysis says so.
    std::string seed = ROUTING;
    seed.replace(seed.find("\"ge\""), 4, "\"gt\"");
    CHECK(contains(crmkit::Rules::from_json(seed).analyze(),
                   "\"example_text\":\"deal.value = 500.00 USD\""));

    // Errors.
    EXPECT_ERROR(CRM_STATUS_JSON, "rules", crmkit::Rules::from_json(R"({"rules": 3})"));
    EXPECT_ERROR(CRM_STATUS_INVALID, "rules[0].when.value",
                 crmkit::Rules::from_json(R"({"rules": [{"id": "r", "trigger": {"type": "deal_created"},
                   "when": {"field": "deal.value", "op": "gt", "value": 500},
                   "then": [{"type": "add_tag", "tag": "x"}]}]})"));
    EXPECT_ERROR(CRM_STATUS_JSON, "event", rules.evaluate(dataset, R"({"id": 1})", "", RULES_AS_OF));
    EXPECT_ERROR(CRM_STATUS_JSON, "state",
                 rules.evaluate(dataset, deal_event("E-1", "750.00", "USD"), "[1,2]", RULES_AS_OF));
    EXPECT_ERROR(CRM_STATUS_CURRENCY_MISMATCH, "EUR",
                 rules.evaluate(dataset, deal_event("E-9", "600", "EUR"), "", RULES_AS_OF));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "as_of_unix",
                 rules.evaluate(dataset, deal_event("E-1", "750.00", "USD"), "", INT64_MAX));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "NUL",
                 rules.evaluate(dataset, std::string_view("{}\0{}", 5), "", RULES_AS_OF));
    EXPECT_ERROR(CRM_STATUS_JSON, "", rules.tick(dataset, "nope", RULES_AS_OF));
    EXPECT_ERROR(CRM_STATUS_JSON, "", rules.dry_run(dataset, "{}"));
    crmkit::Rules moved = crmkit::Rules::from_json(ROUTING);
    crmkit::Rules owner = std::move(moved);
    EXPECT_ERROR(CRM_STATUS_NULL_POINTER, "", moved.analyze()); // NOLINT: on purpose
    CHECK(!owner.analyze().empty());
}

static void rules_on_the_sample(const std::string &sample) {
    const crmkit::Dataset dataset = crmkit::Dataset::from_json(sample);
    const crmkit::Rules rules = crmkit::Rules::from_json(ROUTING);
    // D-0001 as of the sample's end; EUR and GBP deals convert with the
    // dataset's exchange rates, so every deal routes one way or the other.
    const crmkit::RulesOutcome outcome = rules.evaluate(
        dataset, R"({"id": "S-1", "type": "deal_created", "at": "2026-05-01T08:00:00Z", "deal": "D-0001"})",
        "", RULES_AS_OF);
    CHECK(contains(outcome.actions_json, "\"create_task\"") ||
          contains(outcome.actions_json, "\"campaign\":\"nurture\""));
}

static const std::int64_t JULY_1ST = 1719835200; // 2024-07-01T12:00:00Z
static const std::int64_t SEPT_1ST = 1725192000; // 2024-09-01T12:00:00Z

static void goals() {
    const char *reduce_churn = R"({"name": "reduce churn by 25% by the end of next quarter",
      "objective": "increase_retention", "kpi": "churn_rate", "target": "-25%",
      "deadline": "end of next quarter",
      "plan": {"action": "use our new CRM to improve communication between sales and support",
               "resources": ["our new CRM"]},
      "reason": "repeat customers spend more and cost less"})";
    const std::string report = crmkit::goal_validate(reduce_churn, JULY_1ST);
    CHECK(contains(report, "\"smart\":true"));
    CHECK(contains(report, "\"deadline\":\"2024-12-31\""));
    const std::string vague = crmkit::goal_validate(R"({"name": "prevent churn"})", JULY_1ST, "de");
    CHECK(contains(vague, "\"smart\":false"));
    CHECK(contains(vague, "\"locale\":\"de\""));
    CHECK(contains(vague, "\"code\":\"no_kpi\""));

    const char *tracked = R"({"kpi": "churn_rate", "baseline": {"value": 8, "date": "2024-07-01"},
      "target": 6, "deadline": "2024-12-31"})";
    const std::string progress = crmkit::goal_progress(
        tracked,
        R"([{"date": "2024-07-01", "value": "8"}, {"date": "2024-08-01", "value": 7.7},
            {"date": "2024-09-01", "value": "7.4"}])",
        SEPT_1ST, "pt-BR");
    CHECK(contains(progress, "\"status\":\"at_risk\""));
    CHECK(contains(progress, "\"progress\":\"0.3\""));

    EXPECT_ERROR(CRM_STATUS_JSON, "target", crmkit::goal_validate(R"({"target": true})", JULY_1ST));
    EXPECT_ERROR(CRM_STATUS_UNSUPPORTED, "locale", crmkit::goal_validate("{}", JULY_1ST, "fr"));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "as_of_unix", crmkit::goal_validate("{}", INT64_MAX));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "locale",
                 crmkit::goal_validate("{}", JULY_1ST, std::string_view("en\0", 3)));
    EXPECT_ERROR(CRM_STATUS_INVALID, "target",
                 crmkit::goal_progress(R"({"name": "prevent churn"})", "[]", SEPT_1ST));
    EXPECT_ERROR(CRM_STATUS_JSON, "measurements[0].date",
                 crmkit::goal_progress(tracked, R"([{"date": "2024-13-01", "value": 1}])", SEPT_1ST));
}

static void kpis(const std::string &sample) {
    const std::string catalog = crmkit::kpi_catalog();
    CHECK(!catalog.empty() && catalog[0] == '[');
    CHECK(contains(catalog, "\"id\":\"win_rate\""));

    const crmkit::Dataset dataset = crmkit::Dataset::from_json(sample);
    const std::string report = crmkit::kpi_compute(
        dataset, R"({"kpis": ["win_rate", "revenue"], "period": {"start": "2026-07-01", "end": "2026-10-01"},
                    "granularity": "quarter"})");
    CHECK(contains(report, "\"kpi\":\"win_rate\""));
    CHECK(contains(report, "\"previous_period\""));
    const std::string series = crmkit::kpi_time_series(
        dataset, R"({"kpis": ["revenue"], "granularity": "month",
                    "range": {"start": "2026-01-01", "end": "2026-04-01"}})");
    CHECK(contains(series, "\"granularity\":\"month\""));
    const std::string pipeline = crmkit::pipeline_report(dataset, R"({"as_of": "2026-11-01T00:00:00Z"})");
    CHECK(contains(pipeline, "\"code\":\"bottleneck_without_follow_up\""));
    CHECK(contains(pipeline, "(28 of 61) sit in Needs analysis"));

    EXPECT_ERROR(CRM_STATUS_JSON, "kpis",
                 crmkit::kpi_compute(dataset, R"({"kpis": ["happiness"],
                   "period": {"start": "2024-01-01", "end": "2024-04-01"}})"));
    EXPECT_ERROR(CRM_STATUS_NOT_FOUND, "",
                 crmkit::kpi_compute(dataset, R"({"period": {"start": "2024-01-01", "end": "2024-04-01"},
                   "segment": {"owner": "R-404"}})"));
    EXPECT_ERROR(CRM_STATUS_JSON, "", crmkit::kpi_time_series(dataset, R"({"granularity": "fortnight"})"));
    EXPECT_ERROR(CRM_STATUS_JSON, "as_of", crmkit::pipeline_report(dataset, R"({"as_of": "not a time"})"));
    EXPECT_ERROR(CRM_STATUS_NOT_FOUND, "",
                 crmkit::pipeline_report(dataset, R"({"as_of": "2026-11-01T00:00:00Z", "pipeline": "nope"})"));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "request_json",
                 crmkit::kpi_compute(dataset, std::string_view("{}\0", 3)));
}

int main(int argc, char **argv) {
    try {
        scoring_json_and_info();
        scoring_batch();
        rules_routing();
        goals();
        if (argc > 1) {
            const std::string sample = read_file(argv[1]);
            CHECK(!sample.empty());
            rules_on_the_sample(sample);
            kpis(sample);
        }
    } catch (const std::exception &error) {
        std::fprintf(stderr, "unexpected exception: %s\n", error.what());
        return 1;
    }
    if (failures != 0) {
        std::fprintf(stderr, "engines: %d check(s) failed\n", failures);
        return 1;
    }
    std::printf("engines: the C++ wrappers of the engines work\n");
    return 0;
}
