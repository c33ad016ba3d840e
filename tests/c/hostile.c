/*
 * Hostile arguments for every exported function: NULL pointers, invalid
 * UTF-8, malformed JSON, handles of the wrong kind, out-of-range scalars, and
 * a panic forced inside the library. Each call must return a status and set a
 * message (or, for the functions without a status, do nothing harmful) and
 * leave its out-parameters untouched.
 *
 * tests/ffi_coverage.rs checks that every function declared in
 * include/crmkit.h is called in this file, so a new function cannot be
 * forgotten: add a hostile_<area>() section when you add one.
 *
 * Compiled by tests/c_abi.rs as C99 and as C++17 with warnings as errors, run
 * natively and under valgrind when it is installed.
 */
#include "crmkit.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* `call` must fail with `expected` and leave a non-empty message. */
#define CHECK_FAILS(call, expected)                                            \
    do {                                                                       \
        crm_status got_ = (call);                                              \
        const char *message_ = crm_last_error_message();                      \
        if (got_ != (expected) || message_ == NULL || message_[0] == '\0') {   \
            fprintf(stderr, "%s:%d: %s returned %s (expected %s), "            \
                            "message \"%s\"\n",                                \
                    __FILE__, __LINE__, #call, crm_status_str(got_),           \
                    crm_status_str(expected), message_ ? message_ : "(null)"); \
            failures++;                                                        \
        }                                                                      \
    } while (0)

/* A recognisable pointer value that crmkit must not overwrite on failure. */
static char sentinel_target;
#define SENTINEL ((void *)&sentinel_target)

/* Invalid UTF-8: a lone continuation byte and an overlong encoding. */
static const char BAD_UTF8[] = "{\"contacts\": [\"\x80\xc0\xaf\"]}";

/*
 * Memory that is not a crmkit handle. crmkit reads the first 8 bytes of a
 * handle to check its kind, so a zeroed buffer is a well-defined stand-in
 * for "a pointer to some other object".
 */
static unsigned long long not_a_handle[8];

static void hostile_base(void) {
    int code;
    /* Status names for every value, known or not, are static strings. */
    for (code = -3; code < 40; code++) {
        const char *name = crm_status_str(code);
        CHECK(name != NULL && strncmp(name, "CRM_STATUS_", 11) == 0);
    }
    CHECK(strcmp(crm_status_str(-1), "CRM_STATUS_UNKNOWN") == 0);
    CHECK(strcmp(crm_status_str(2147483647), "CRM_STATUS_UNKNOWN") == 0);
    CHECK(crm_version() != NULL && crm_version()[0] != '\0');
    CHECK(crm_abi_version() == CRM_ABI_VERSION);
    crm_string_free(NULL); /* a no-op */

    /* A panic inside the library becomes a status, and the library goes on. */
    CHECK_FAILS(crm_test_force_panic(), CRM_STATUS_PANIC);
    CHECK(strstr(crm_last_error_message(), "crm_test_force_panic") != NULL);
    CHECK(strcmp(crm_status_str(CRM_STATUS_PANIC), "CRM_STATUS_PANIC") == 0);
}

static void hostile_dataset(void) {
    crm_dataset *out = (crm_dataset *)SENTINEL;
    char *json = (char *)SENTINEL;
    crm_dataset *dataset = NULL;

    CHECK_FAILS(crm_dataset_from_json(NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_dataset_from_json("{}", NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_dataset_from_json(BAD_UTF8, &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_dataset_from_json("", &out), CRM_STATUS_JSON);
    CHECK_FAILS(crm_dataset_from_json("[1, 2", &out), CRM_STATUS_JSON);
    CHECK_FAILS(crm_dataset_from_json("null", &out), CRM_STATUS_JSON);
    CHECK_FAILS(crm_dataset_from_json("{\"deals\": 1e999}", &out), CRM_STATUS_JSON);
    CHECK(out == (crm_dataset *)SENTINEL);

    CHECK_FAILS(crm_dataset_counts_json(NULL, &json), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_dataset_counts_json((const crm_dataset *)(void *)not_a_handle, &json),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK(json == (char *)SENTINEL);

    if (crm_dataset_from_json("{}", &dataset) == CRM_STATUS_OK) {
        CHECK_FAILS(crm_dataset_counts_json(dataset, NULL), CRM_STATUS_NULL_POINTER);
        crm_dataset_free(dataset);
    } else {
        fprintf(stderr, "the empty dataset did not load: %s\n", crm_last_error_message());
        failures++;
    }
    crm_dataset_free(NULL); /* a no-op */
}

static void hostile_kpi(void) {
    char *out = (char *)SENTINEL;
    crm_dataset *dataset = NULL;
    const crm_dataset *wrong = (const crm_dataset *)(void *)not_a_handle;
    static const char REQUEST[] =
        "{\"kpis\":[\"lead_count\"],\"period\":{\"start\":\"2024-01-01\",\"end\":\"2024-04-01\"}}";

    CHECK_FAILS(crm_kpi_catalog(NULL), CRM_STATUS_NULL_POINTER);
    if (crm_dataset_from_json("{}", &dataset) != CRM_STATUS_OK) {
        fprintf(stderr, "the empty dataset did not load: %s\n", crm_last_error_message());
        failures++;
        return;
    }
    CHECK_FAILS(crm_kpi_compute(NULL, REQUEST, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_kpi_compute(wrong, REQUEST, &out), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_kpi_compute(dataset, BAD_UTF8, &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_kpi_compute(dataset, "{\"kpis\": [1e999]}", &out), CRM_STATUS_JSON);
    CHECK_FAILS(crm_kpi_compute(dataset, REQUEST, NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_kpi_time_series(wrong, "{}", &out), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_kpi_time_series(dataset, BAD_UTF8, &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_kpi_time_series(dataset, "{", &out), CRM_STATUS_JSON);
    CHECK_FAILS(crm_pipeline_report(wrong, "{}", &out), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_pipeline_report(dataset, BAD_UTF8, &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_pipeline_report(dataset, "{\"as_of\": -1}", &out), CRM_STATUS_JSON);
    CHECK(out == (char *)SENTINEL);
    crm_dataset_free(dataset);
}

static void hostile_goals(void) {
    char *out = (char *)SENTINEL;
    static const char GOAL[] = "{\"name\": \"prevent churn\"}";
    const int64_t as_of = 1782864000; /* 2026-07-01 */

    CHECK_FAILS(crm_goal_validate(NULL, as_of, "en", &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_goal_validate(GOAL, as_of, NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_goal_validate(GOAL, as_of, "en", NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_goal_validate(BAD_UTF8, as_of, "en", &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_goal_validate(GOAL, as_of, "\xff", &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_goal_validate("{\"baseline\": {\"value\": 1e999}}", as_of, "en", &out),
                CRM_STATUS_JSON);
    CHECK_FAILS(crm_goal_validate(GOAL, INT64_MIN, "en", &out),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_goal_validate(GOAL, as_of, "", &out), CRM_STATUS_UNSUPPORTED);

    CHECK_FAILS(crm_goal_progress(NULL, "[]", as_of, "en", &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_goal_progress(GOAL, NULL, as_of, "en", &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_goal_progress(GOAL, "[]", as_of, NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_goal_progress(GOAL, "[]", as_of, "en", NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_goal_progress(GOAL, BAD_UTF8, as_of, "en", &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_goal_progress(GOAL, "[{\"date\": 5}]", as_of, "en", &out), CRM_STATUS_JSON);
    CHECK_FAILS(crm_goal_progress(GOAL, "[]", INT64_MAX, "en", &out),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK(out == (char *)SENTINEL);
}

static void hostile_rules(void) {
    char *out = (char *)SENTINEL;
    char *out2 = (char *)SENTINEL;
    crm_rules *rules = (crm_rules *)SENTINEL;
    crm_dataset *dataset = NULL;
    const crm_rules *wrong_rules = (const crm_rules *)(void *)not_a_handle;
    static const char RULES[] =
        "{\"rules\": [{\"id\": \"r\", \"trigger\": {\"type\": \"deal_created\"},"
        " \"then\": [{\"type\": \"notify\", \"message\": \"hi\"}]}]}";
    static const char EVENT[] =
        "{\"id\": \"E-1\", \"type\": \"deal_created\", \"at\": \"2026-05-01T08:00:00Z\","
        " \"deal\": \"D-1\"}";
    const int64_t as_of = 1777626000;

    CHECK_FAILS(crm_rules_from_json(NULL, &rules), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_rules_from_json(RULES, NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_rules_from_json(BAD_UTF8, &rules), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_rules_from_json("{\"rules\": [{\"id\": 1e999}]}", &rules), CRM_STATUS_JSON);
    CHECK(rules == (crm_rules *)SENTINEL);
    rules = NULL;
    if (crm_rules_from_json(RULES, &rules) != CRM_STATUS_OK ||
        crm_dataset_from_json("{}", &dataset) != CRM_STATUS_OK) {
        fprintf(stderr, "rules or dataset did not load: %s\n", crm_last_error_message());
        failures++;
        crm_rules_free(rules);
        crm_dataset_free(dataset);
        return;
    }
    /* Each handle checked for NULL and for the wrong kind, in both places. */
    CHECK_FAILS(crm_rules_evaluate(NULL, dataset, EVENT, "{}", as_of, &out, &out2),
                CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_rules_evaluate(wrong_rules, dataset, EVENT, "{}", as_of, &out, &out2),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_rules_evaluate(rules, (const crm_dataset *)(const void *)rules, EVENT, "{}",
                                   as_of, &out, &out2),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_rules_evaluate(rules, dataset, BAD_UTF8, "{}", as_of, &out, &out2),
                CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_rules_evaluate(rules, dataset, EVENT, "[", as_of, &out, &out2),
                CRM_STATUS_JSON);
    CHECK_FAILS(crm_rules_evaluate(rules, dataset, EVENT, "{}", INT64_MIN, &out, &out2),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_rules_evaluate(rules, dataset, EVENT, "{}", as_of, &out, NULL),
                CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_rules_tick(NULL, dataset, "{}", as_of, &out, &out2), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_rules_tick(rules, NULL, "{}", as_of, &out, &out2), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_rules_tick(rules, dataset, BAD_UTF8, as_of, &out, &out2),
                CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_rules_tick(rules, dataset, "{}", INT64_MAX, &out, &out2),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_rules_dry_run(wrong_rules, dataset, "[]", "{}", &out),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_rules_dry_run(rules, dataset, "[{}]", "{}", &out), CRM_STATUS_JSON);
    CHECK_FAILS(crm_rules_dry_run(rules, dataset, "[]", "{}", NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_rules_analyze(NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_rules_analyze(wrong_rules, &out), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_rules_analyze(rules, NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_preset_names(NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_preset_json(NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_preset_json(BAD_UTF8, &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_preset_json("", &out), CRM_STATUS_NOT_FOUND);
    CHECK_FAILS(crm_preset_json("standard", NULL), CRM_STATUS_NULL_POINTER);
    CHECK(out == (char *)SENTINEL && out2 == (char *)SENTINEL);
    crm_rules_free(rules);
    crm_rules_free(NULL);
    crm_dataset_free(dataset);
}

static void hostile_scoring(void) {
    char *out = (char *)SENTINEL;
    crm_scoring_model *model = (crm_scoring_model *)SENTINEL;
    const crm_scoring_model *wrong = (const crm_scoring_model *)(void *)not_a_handle;
    int64_t code = 42;
    uint32_t rules[4] = {0, 0, 0, 0};
    size_t count = 99;
    crm_lead_score scores[2];
    int64_t column[2] = {0, 0};
    const int64_t *columns[1];
    static const char MODEL[] =
        "{\"id\": \"m\", \"rules\": [{\"id\": \"visit\", \"points\": 5,"
        " \"activity\": {\"type\": \"website_visit\"}}]}";
    const int64_t as_of = 1777626000;

    columns[0] = column;
    CHECK_FAILS(crm_scoring_model_from_json(NULL, &model), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_scoring_model_from_json(MODEL, NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_scoring_model_from_json(BAD_UTF8, &model), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_scoring_model_from_json("{\"rules\": [{\"points\": 1e999}]}", &model),
                CRM_STATUS_JSON);
    CHECK(model == (crm_scoring_model *)SENTINEL);
    CHECK_FAILS(crm_scoring_model_info_json(wrong, &out), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_score_lead_json(wrong, "{}", as_of, &out), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_scoring_encode_text(wrong, 0, "x", &code), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_scoring_encode_decimal(NULL, &code), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_scoring_encode_decimal("1e999999", &code), CRM_STATUS_INVALID);
    CHECK_FAILS(crm_scoring_encode_decimal("NaN", &code), CRM_STATUS_INVALID);
    CHECK(code == 42);
    CHECK_FAILS(crm_scoring_match_activity_json(wrong, "{}", rules, 4, &count),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_score_batch(wrong, columns, 1, 2, NULL, 0, NULL, as_of, scores, NULL, 0),
                CRM_STATUS_INVALID_ARGUMENT);

    model = NULL;
    if (crm_scoring_model_from_json(MODEL, &model) != CRM_STATUS_OK) {
        fprintf(stderr, "the scoring model did not load: %s\n", crm_last_error_message());
        failures++;
        return;
    }
    CHECK_FAILS(crm_scoring_model_info_json(model, NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_score_lead_json(model, NULL, as_of, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_score_lead_json(model, BAD_UTF8, as_of, &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_score_lead_json(model, "{\"contact\": []}", as_of, &out), CRM_STATUS_JSON);
    CHECK_FAILS(crm_score_lead_json(model, "{}", INT64_MIN, &out), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_scoring_encode_text(model, 99, "x", &code), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_scoring_encode_text(model, 0, BAD_UTF8, &code), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_scoring_match_activity_json(model, "{\"type\": \"teleport\"}", rules, 4,
                                                &count),
                CRM_STATUS_JSON);
    /* A capacity with no array to hold it. */
    CHECK_FAILS(crm_scoring_match_activity_json(model, "{\"type\": \"website_visit\"}", NULL, 4,
                                                &count),
                CRM_STATUS_NULL_POINTER);
    CHECK(count == 99);
    /* Lengths that promise more than the arrays hold are refused up front. */
    CHECK_FAILS(crm_score_batch(model, NULL, 1, 2, NULL, 0, NULL, as_of, scores, NULL, 0),
                CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_score_batch(model, columns, 1, 2, NULL, 5, NULL, as_of, scores, NULL, 0),
                CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_score_batch(model, columns, 1, (size_t)-1, NULL, 0, NULL, as_of, scores, NULL,
                                0),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK(out == (char *)SENTINEL);
    crm_scoring_model_free(model);
    crm_scoring_model_free(NULL);
}

static void hostile_predict(void) {
    char *out = (char *)SENTINEL;
    crm_dataset *dataset = NULL;
    crm_propensity_model *propensity = (crm_propensity_model *)SENTINEL;
    crm_logistic *logistic = (crm_logistic *)SENTINEL;
    crm_clv_model *clv = (crm_clv_model *)SENTINEL;
    const crm_dataset *wrong_dataset = (const crm_dataset *)(void *)not_a_handle;
    const double not_a_number = strtod("nan", NULL);
    const double infinity = strtod("inf", NULL);
    double x[4] = {0.0, 1.0, 2.0, 3.0};
    double probabilities[4] = {-1.0, -1.0, -1.0, -1.0};
    uint8_t y[4] = {0, 1, 0, 1};
    uint32_t frequency[2] = {1, 0};
    double recency[2] = {5.0, 0.0};
    double age[2] = {10.0, 10.0};
    double monetary[2] = {20.0, 0.0};
    uint32_t customers[2] = {0, 0};
    int64_t at[2] = {0, 86400};
    double amounts[2] = {10.0, 20.0};
    const int64_t as_of = 1777626000;
    const char *SPEC = "{\"model\": \"logistic\", \"features\": [{\"type\": \"deal_value\"}]}";

    if (crm_dataset_from_json("{}", &dataset) != CRM_STATUS_OK) {
        fprintf(stderr, "the empty dataset did not load: %s\n", crm_last_error_message());
        failures++;
        return;
    }
    /* Propensity: NULLs, wrong handles, bad JSON, and nothing to learn from. */
    CHECK_FAILS(crm_propensity_train(NULL, SPEC, as_of, &propensity), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_propensity_train(wrong_dataset, SPEC, as_of, &propensity),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_propensity_train(dataset, BAD_UTF8, as_of, &propensity),
                CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_propensity_train(dataset, "{\"features\": 7}", as_of, &propensity),
                CRM_STATUS_JSON);
    CHECK(crm_propensity_train(dataset, SPEC, as_of, &propensity) != CRM_STATUS_OK);
    CHECK_FAILS(crm_propensity_train(dataset, SPEC, INT64_MIN, &propensity),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_propensity_model_from_json("{", &propensity), CRM_STATUS_JSON);
    CHECK_FAILS(crm_propensity_model_from_json(NULL, &propensity), CRM_STATUS_NULL_POINTER);
    CHECK(propensity == (crm_propensity_model *)SENTINEL);
    CHECK_FAILS(crm_propensity_model_to_json(
                    (const crm_propensity_model *)(const void *)dataset, &out),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_propensity_predict_json(NULL, dataset, as_of, &out),
                CRM_STATUS_NULL_POINTER);
    crm_propensity_model_free(NULL);

    /* Logistic regression on flat arrays: NaN, infinity, lengths, NULLs. */
    CHECK_FAILS(crm_logistic_fit(NULL, y, 4, 1, 1.0, &logistic), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_logistic_fit(x, NULL, 4, 1, 1.0, &logistic), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_logistic_fit(x, y, 4, 1, 1.0, NULL), CRM_STATUS_NULL_POINTER);
    CHECK(crm_logistic_fit(x, y, 4, 1, not_a_number, &logistic) != CRM_STATUS_OK);
    CHECK(crm_logistic_fit(x, y, 4, 1, -1.0, &logistic) != CRM_STATUS_OK);
    CHECK(crm_logistic_fit(x, y, 0, 1, 1.0, &logistic) != CRM_STATUS_OK);
    CHECK(crm_logistic_fit(x, y, (size_t)-1, (size_t)-1, 1.0, &logistic) != CRM_STATUS_OK);
    x[2] = infinity;
    CHECK(crm_logistic_fit(x, y, 4, 1, 1.0, &logistic) != CRM_STATUS_OK);
    y[0] = 7; /* not a 0/1 outcome */
    CHECK(crm_logistic_fit(x, y, 4, 1, 1.0, &logistic) != CRM_STATUS_OK);
    CHECK(logistic == (crm_logistic *)SENTINEL);
    CHECK_FAILS(crm_logistic_predict(NULL, x, 4, 1, probabilities), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_logistic_predict((const crm_logistic *)(const void *)dataset, x, 4, 1,
                                     probabilities),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK(probabilities[0] == -1.0);
    CHECK_FAILS(crm_logistic_from_json("[]", &logistic), CRM_STATUS_JSON);
    CHECK_FAILS(crm_logistic_to_json(NULL, &out), CRM_STATUS_NULL_POINTER);
    crm_logistic_free(NULL);

    /* CLV: degenerate customers, NaN, NULL arrays, wrong handles, bad units. */
    CHECK_FAILS(crm_clv_fit_dataset(NULL, "{}", as_of, &clv), CRM_STATUS_NULL_POINTER);
    CHECK(crm_clv_fit_dataset(dataset, "{}", as_of, &clv) != CRM_STATUS_OK);
    CHECK_FAILS(crm_clv_fit_dataset(dataset, BAD_UTF8, as_of, &clv), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_clv_fit_arrays(NULL, recency, age, monetary, 2, 0, &clv),
                CRM_STATUS_NULL_POINTER);
    CHECK(crm_clv_fit_arrays(frequency, recency, age, monetary, 2, 0, &clv) != CRM_STATUS_OK);
    recency[0] = not_a_number;
    CHECK(crm_clv_fit_arrays(frequency, recency, age, monetary, 2, 0, &clv) != CRM_STATUS_OK);
    CHECK(crm_clv_fit_arrays(frequency, recency, age, monetary, 2, 99, &clv) != CRM_STATUS_OK);
    CHECK(clv == (crm_clv_model *)SENTINEL);
    CHECK_FAILS(crm_clv_predict(NULL, frequency, recency, age, monetary, 2, 12, 0.01, x, x, x),
                CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_clv_model_from_json("{\"bgnbd\": 1}", &clv), CRM_STATUS_JSON);
    CHECK_FAILS(crm_clv_model_to_json(NULL, &out), CRM_STATUS_NULL_POINTER);
    crm_clv_model_free(NULL);
    /* CLV flat calls: NULL and wrong handles, NULL arrays, bad units. */
    CHECK_FAILS(crm_clv_fit_bgnbd_arrays(NULL, recency, age, 2, 0, &clv), CRM_STATUS_NULL_POINTER);
    CHECK(crm_clv_fit_bgnbd_arrays(frequency, recency, age, 2, 99, &clv) != CRM_STATUS_OK);
    CHECK(clv == (crm_clv_model *)SENTINEL);
    {
        uint32_t unit = 7;
        uint8_t fallback[2] = {9, 9};
        const crm_clv_model *wrong_clv = (const crm_clv_model *)(void *)not_a_handle;
        CHECK_FAILS(crm_clv_model_unit(NULL, &unit), CRM_STATUS_NULL_POINTER);
        CHECK_FAILS(crm_clv_model_unit(wrong_clv, &unit), CRM_STATUS_INVALID_ARGUMENT);
        CHECK(unit == 7);
        CHECK_FAILS(crm_clv_expected_purchases_new(NULL, 1.0, x), CRM_STATUS_NULL_POINTER);
        CHECK_FAILS(crm_clv_conditional_expected_purchases(NULL, 1.0, frequency, recency, age, 2, x),
                    CRM_STATUS_NULL_POINTER);
        CHECK_FAILS(crm_clv_expected_spend(wrong_clv, frequency, monetary, 2, x, fallback),
                    CRM_STATUS_INVALID_ARGUMENT);
        CHECK(fallback[0] == 9);
        CHECK_FAILS(crm_clv_bgnbd_params(NULL, x, NULL), CRM_STATUS_NULL_POINTER);
        CHECK_FAILS(crm_clv_gamma_gamma_params(wrong_clv, x, x), CRM_STATUS_INVALID_ARGUMENT);
    }
    CHECK_FAILS(crm_clv_report_json(wrong_dataset, "{}", as_of, 0.5, 10, &out),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK(crm_clv_report_json(dataset, "{}", as_of, not_a_number, 10, &out) != CRM_STATUS_OK);

    /* Profiles and RFM summaries. */
    CHECK_FAILS(crm_profile_json(NULL, "{}", as_of, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_profile_json(dataset, "{\"group\": []}", as_of, &out), CRM_STATUS_JSON);
    CHECK_FAILS(crm_rfm_json(NULL, at, amounts, 2, 0, 86400 * 30, 86400 * 60, &out),
                CRM_STATUS_NULL_POINTER);
    CHECK(crm_rfm_json(customers, at, amounts, 2, 0, 86400 * 60, 86400 * 30, &out) !=
          CRM_STATUS_OK);
    amounts[1] = infinity;
    CHECK(crm_rfm_json(customers, at, amounts, 2, 0, 86400 * 30, 86400 * 60, &out) !=
          CRM_STATUS_OK);
    CHECK(out == (char *)SENTINEL);
    crm_dataset_free(dataset);
}

/* Issue 20: exact numbers, the supported time range (years 1 to 9999) and
 * the grammar of amounts and locales. */
static void hostile_numbers_and_time(void) {
    char *out = (char *)SENTINEL;
    crm_dataset *dataset = (crm_dataset *)SENTINEL;
    const int64_t as_of = 1782864000; /* 2026-07-01 */
    static const char FAR_CONTACT[] =
        "{\"contacts\": [{\"id\": \"C-1\", \"created_at\": \"+262142-12-30T00:00:00Z\"}]}";
    static const char INEXACT_DEAL[] =
        "{\"pipelines\": [{\"id\": \"sales\", \"name\": \"Sales\", \"stages\": ["
        "{\"id\": \"new\", \"name\": \"New\", \"probability\": 10}]}],"
        "\"contacts\": [{\"id\": \"C-1\", \"created_at\": \"2024-01-01T00:00:00Z\"}],"
        "\"deals\": [{\"id\": \"D-1\", \"contact\": \"C-1\", \"pipeline\": \"sales\","
        "\"stage\": \"new\", \"value\": {\"amount\": AMOUNT, \"currency\": \"USD\"},"
        "\"created_at\": \"2024-01-02T00:00:00Z\"}]}";
    char json[sizeof INEXACT_DEAL + 64];
    const char *amount_at = strstr(INEXACT_DEAL, "AMOUNT");
    size_t head = (size_t)(amount_at - INEXACT_DEAL);

    /* Instants beyond year 9999 are refused when the dataset loads. */
    CHECK_FAILS(crm_dataset_from_json(FAR_CONTACT, &dataset), CRM_STATUS_INVALID);
    CHECK(strstr(crm_last_error_message(), "contacts[0].created_at") != NULL);

    /* A JSON number that a double cannot hold is refused, not rounded. */
    memcpy(json, INEXACT_DEAL, head);
    strcpy(json + head, "12345678901234567.89");
    strcat(json, amount_at + strlen("AMOUNT"));
    CHECK_FAILS(crm_dataset_from_json(json, &dataset), CRM_STATUS_JSON);
    CHECK(strstr(crm_last_error_message(), "deals[0].value.amount") != NULL);
    /* Lenient amount text is refused too. */
    strcpy(json + head, "\" 12 \"");
    strcat(json, amount_at + strlen("AMOUNT"));
    CHECK_FAILS(crm_dataset_from_json(json, &dataset), CRM_STATUS_JSON);
    CHECK(dataset == (crm_dataset *)SENTINEL);

    /* The same amount as a string is exact; the report at an as_of beyond
     * year 9999 is an error, not a panic. */
    strcpy(json + head, "\"12345678901234567.89\"");
    strcat(json, amount_at + strlen("AMOUNT"));
    if (crm_dataset_from_json(json, &dataset) == CRM_STATUS_OK) {
        CHECK_FAILS(crm_pipeline_report(dataset, "{\"as_of\": \"+262142-12-30T00:00:00Z\"}",
                                        &out),
                    CRM_STATUS_INVALID);
        CHECK_FAILS(crm_pipeline_report(dataset,
                                        "{\"as_of\": \"+262142-12-30T00:00:00Z\","
                                        " \"items\": \"leads\"}",
                                        &out),
                    CRM_STATUS_INVALID);
        CHECK(out == (char *)SENTINEL);
        crm_dataset_free(dataset);
    } else {
        fprintf(stderr, "the exact dataset did not load: %s\n", crm_last_error_message());
        failures++;
    }

    /* as_of from C: year 10000 is outside the range. */
    CHECK_FAILS(crm_goal_validate("{\"name\": \"x\"}", 253402300800LL, "en", &out),
                CRM_STATUS_INVALID_ARGUMENT);
    /* Locales follow the tag grammar. */
    CHECK_FAILS(crm_goal_validate("{\"name\": \"x\"}", as_of, "ru\n", &out),
                CRM_STATUS_UNSUPPORTED);
    CHECK_FAILS(crm_goal_validate("{\"name\": \"x\"}", as_of, "en-", &out),
                CRM_STATUS_UNSUPPORTED);
    CHECK(out == (char *)SENTINEL);
}

/* Issue 20: an output array that overlaps an input (partly or exactly) is
 * refused instead of giving wrong results. */
static void hostile_overlap(void) {
    double x[8] = {0.0, 1.0, 2.0, 3.0, 0.5, 2.5, 1.5, 1.2};
    uint8_t y[8] = {0, 0, 1, 1, 0, 1, 0, 1};
    double buffer[4] = {0.0, 3.0, 1.0, -1.0};
    crm_logistic *model = NULL;

    if (crm_logistic_fit(x, y, 8, 1, 1.0, &model) != CRM_STATUS_OK) {
        fprintf(stderr, "the logistic model did not fit: %s\n", crm_last_error_message());
        failures++;
        return;
    }
    CHECK_FAILS(crm_logistic_predict(model, buffer, 3, 1, buffer + 1), CRM_STATUS_INVALID);
    CHECK(strstr(crm_last_error_message(), "overlap") != NULL);
    CHECK_FAILS(crm_logistic_predict(model, buffer + 1, 3, 1, buffer), CRM_STATUS_INVALID);
    CHECK_FAILS(crm_logistic_predict(model, buffer, 3, 1, buffer), CRM_STATUS_INVALID);
    CHECK(buffer[0] == 0.0 && buffer[1] == 3.0 && buffer[2] == 1.0 && buffer[3] == -1.0);
    /* Disjoint buffers still work. */
    CHECK(crm_logistic_predict(model, buffer, 2, 1, buffer + 2) == CRM_STATUS_OK);
    CHECK(buffer[2] > 0.0 && buffer[2] < buffer[3] && buffer[3] < 1.0);
    crm_logistic_free(model);
}

static void hostile_analytics(void) {
    char *out = (char *)SENTINEL;
    CHECK_FAILS(crm_experiment_analyze(NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_experiment_analyze("{}", NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_experiment_analyze(BAD_UTF8, &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_experiment_analyze("{\"metric\": 1e999}", &out), CRM_STATUS_JSON);
    CHECK_FAILS(crm_sample_size(NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_sample_size("{}", NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_sample_size(BAD_UTF8, &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_sample_size("{", &out), CRM_STATUS_JSON);
    CHECK_FAILS(crm_attribution_report(NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_attribution_report("{}", NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_attribution_report(BAD_UTF8, &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_attribution_report("{\"journeys\": [[]]}", &out), CRM_STATUS_JSON);
    CHECK(out == (char *)SENTINEL);
}

static void hostile_segments(void) {
    char *out = (char *)SENTINEL;
    crm_dataset *dataset = NULL;
    const crm_dataset *wrong = (const crm_dataset *)(void *)not_a_handle;
    static const char COHORT[] = "{\"as_of\": \"2026-01-01T00:00:00Z\"}";
    static const char SEGMENT[] =
        "{\"segment\": {\"name\": \"s\", \"condition\": {\"field\": \"contact.country\","
        " \"op\": \"eq\", \"value\": \"DE\"}}, \"as_of\": \"2026-01-01T00:00:00Z\"}";
    if (crm_dataset_from_json("{}", &dataset) != CRM_STATUS_OK) {
        fprintf(stderr, "dataset did not load: %s\n", crm_last_error_message());
        failures++;
        return;
    }
    CHECK_FAILS(crm_cohort_report(NULL, COHORT, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_cohort_report(wrong, COHORT, &out), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_cohort_report(dataset, NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_cohort_report(dataset, BAD_UTF8, &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_cohort_report(dataset, "{\"as_of\": 1e999}", &out), CRM_STATUS_JSON);
    CHECK_FAILS(crm_cohort_report(dataset, COHORT, NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_rfm_segments(NULL, COHORT, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_rfm_segments(wrong, COHORT, &out), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_rfm_segments(dataset, BAD_UTF8, &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_rfm_segments(dataset, "[", &out), CRM_STATUS_JSON);
    CHECK_FAILS(crm_rfm_segments(dataset, COHORT, NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_segment_members(NULL, SEGMENT, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_segment_members(wrong, SEGMENT, &out), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_segment_members(dataset, BAD_UTF8, &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_segment_members(dataset, "{\"segment\": {}}", &out), CRM_STATUS_JSON);
    CHECK_FAILS(crm_segment_members(dataset, SEGMENT, NULL), CRM_STATUS_NULL_POINTER);
    static const char ATTRIBUTION[] =
        "{\"conversion\": {\"event\": \"won_deal\"}, \"models\": [{\"model\": \"linear\"}]}";
    CHECK_FAILS(crm_attribution_dataset_report(NULL, ATTRIBUTION, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_attribution_dataset_report(wrong, ATTRIBUTION, &out),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_attribution_dataset_report(dataset, NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_attribution_dataset_report(dataset, BAD_UTF8, &out), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_attribution_dataset_report(dataset, "{\"models\": []}", &out), CRM_STATUS_JSON);
    CHECK_FAILS(crm_attribution_dataset_report(dataset, ATTRIBUTION, NULL),
                CRM_STATUS_NULL_POINTER);
    CHECK(out == (char *)SENTINEL);
    crm_dataset_free(dataset);
}

static void hostile_journeys(void) {
    char *out = (char *)SENTINEL;
    char *out2 = (char *)SENTINEL;
    int64_t wake = 42;
    crm_journey *journey = (crm_journey *)SENTINEL;
    crm_dataset *dataset = NULL;
    const crm_journey *wrong = (const crm_journey *)(void *)not_a_handle;
    static const char JOURNEY[] =
        "{\"id\": \"j\", \"start\": \"a\", \"entry\": {\"triggers\": [{\"type\": \"contact_created\"}]},"
        " \"steps\": [{\"id\": \"a\", \"type\": \"end\"}]}";
    const int64_t as_of = 1777626000;

    CHECK_FAILS(crm_journey_from_json(NULL, &journey), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_journey_from_json(JOURNEY, NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_journey_from_json(BAD_UTF8, &journey), CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_journey_from_json("{\"id\": 1e999}", &journey), CRM_STATUS_JSON);
    CHECK(journey == (crm_journey *)SENTINEL);
    journey = NULL;
    if (crm_journey_from_json(JOURNEY, &journey) != CRM_STATUS_OK ||
        crm_dataset_from_json("{}", &dataset) != CRM_STATUS_OK) {
        fprintf(stderr, "journey or dataset did not load: %s\n", crm_last_error_message());
        failures++;
        crm_journey_free(journey);
        crm_dataset_free(dataset);
        return;
    }
    CHECK_FAILS(crm_journey_advance(NULL, dataset, "", "\"tick\"", as_of, &out, &out2, &wake),
                CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_journey_advance(wrong, dataset, "", "\"tick\"", as_of, &out, &out2, &wake),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_journey_advance(journey, dataset, BAD_UTF8, "\"tick\"", as_of, &out, &out2, &wake),
                CRM_STATUS_INVALID_UTF8);
    CHECK_FAILS(crm_journey_advance(journey, dataset, "[", "\"tick\"", as_of, &out, &out2, &wake),
                CRM_STATUS_JSON);
    CHECK_FAILS(crm_journey_advance(journey, dataset, "", "{\"event\": 1}", as_of, &out, &out2, &wake),
                CRM_STATUS_JSON);
    CHECK_FAILS(crm_journey_advance(journey, dataset, "", "\"tick\"", INT64_MIN, &out, &out2, &wake),
                CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_journey_advance(journey, dataset, "", "\"tick\"", as_of, &out, &out2, NULL),
                CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_journey_simulate(NULL, dataset, as_of, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_journey_simulate(journey, NULL, as_of, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_journey_simulate(journey, dataset, INT64_MAX, &out), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_journey_simulate(journey, dataset, as_of, NULL), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_journey_analyze(NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK_FAILS(crm_journey_analyze(wrong, &out), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_FAILS(crm_journey_analyze(journey, NULL), CRM_STATUS_NULL_POINTER);
    CHECK(out == (char *)SENTINEL && out2 == (char *)SENTINEL && wake == 42);
    crm_journey_free(journey);
    crm_journey_free(NULL);
    crm_dataset_free(dataset);
}

int main(void) {
    hostile_base();
    hostile_numbers_and_time();
    hostile_overlap();
    hostile_dataset();
    hostile_kpi();
    hostile_goals();
    hostile_rules();
    hostile_journeys();
    hostile_scoring();
    hostile_predict();
    hostile_analytics();
    hostile_segments();
    if (failures != 0) {
        fprintf(stderr, "hostile: %d check(s) failed\n", failures);
        return 1;
    }
    printf("hostile: every exported function survived hostile arguments\n");
    return 0;
}
