/*
 * C API test of the lead scoring engine: loading models (valid, malformed,
 * invalid, protected), scoring one lead as JSON, encoding batch values,
 * matching activities, the flat batch call (which must agree with the JSON
 * call), NULL pointers everywhere, and the sample model on the sample data.
 *
 * Compiled by tests/c_abi.rs as C99 and C++17 with warnings as errors and
 * run under valgrind. Argument: the path of examples/data/sample_company.json
 * (the sample scoring model lives beside it).
 */
#include "crmkit.h"
#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char sentinel_target;
#define SENTINEL_MODEL ((crm_scoring_model *)(void *)&sentinel_target)
#define SENTINEL_STRING (&sentinel_target)

/* 2026-03-03T00:00:00Z and two instants before it. */
#define AS_OF 1772496000
#define FEB_01 1769904000
#define MAR_02 1772409600

static const char MODEL[] =
    "{\"categories\":[{\"id\":\"engagement\",\"max\":40}],"
    "\"rules\":["
    "{\"id\":\"title\",\"points\":20,\"when\":{\"field\":\"contact.job_title\","
    "\"op\":\"contains\",\"value\":\"director\"}},"
    "{\"id\":\"size\",\"points\":\"7.5\",\"when\":{\"field\":\"company.employees\","
    "\"op\":\"range\",\"min\":100}},"
    "{\"id\":\"pricing\",\"points\":10,\"max_points\":30,\"decay\":{\"half_life_days\":30},"
    "\"activity\":{\"type\":\"website_visit\",\"url\":\"/pricing*\"}},"
    "{\"id\":\"bounce\",\"points\":-15,\"activity\":{\"type\":\"email\",\"event\":\"bounced\"}}],"
    "\"grades\":[{\"grade\":\"A\",\"min\":40},{\"grade\":\"B\",\"min\":20},{\"grade\":\"C\"}],"
    "\"handoffs\":[{\"from\":[\"lead\"],\"to\":\"mql\",\"min\":30}]}";

static const char LEAD0[] =
    "{\"contact\":{\"id\":\"C-1\",\"job_title\":\"Sales Director\",\"company\":\"CO-1\","
    "\"created_at\":\"2026-01-01T00:00:00Z\"},"
    "\"company\":{\"id\":\"CO-1\",\"name\":\"Acme\",\"employees\":500},"
    "\"activities\":[{\"id\":\"A-1\",\"contact\":\"C-1\",\"at\":\"2026-02-01T00:00:00Z\","
    "\"kind\":{\"type\":\"website_visit\",\"url\":\"/pricing\"}}]}";

static int message_is_set(void) {
    const char *message = crm_last_error_message();
    return message != NULL && message[0] != '\0';
}

static int contains(const char *text, const char *part) {
    return text != NULL && strstr(text, part) != NULL;
}

static crm_scoring_model *load(const char *json) {
    crm_scoring_model *model = NULL;
    CHECK_STATUS(crm_scoring_model_from_json(json, &model), CRM_STATUS_OK);
    CHECK(model != NULL);
    return model;
}

static void test_loading(void) {
    crm_scoring_model *model = SENTINEL_MODEL;
    static const char not_utf8[] = {'{', '"', 'a', (char)0xff, '"', ':', '1', '}', '\0'};

    CHECK_STATUS(crm_scoring_model_from_json(NULL, &model), CRM_STATUS_NULL_POINTER);
    CHECK(model == SENTINEL_MODEL);
    CHECK(message_is_set());
    CHECK_STATUS(crm_scoring_model_from_json(MODEL, NULL), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_scoring_model_from_json("{\"rules\": [", &model), CRM_STATUS_JSON);
    CHECK_STATUS(crm_scoring_model_from_json("", &model), CRM_STATUS_JSON);
    CHECK_STATUS(crm_scoring_model_from_json(not_utf8, &model), CRM_STATUS_INVALID_UTF8);
    CHECK_STATUS(crm_scoring_model_from_json(
                     "{\"rules\":[{\"id\":\"r\",\"points\":1,\"when\":{\"field\":"
                     "\"company.employees\",\"op\":\"contains\",\"value\":\"x\"}}]}",
                     &model),
                 CRM_STATUS_INVALID);
    CHECK(contains(crm_last_error_message(), "rules[0].when.op"));
    CHECK_STATUS(crm_scoring_model_from_json(
                     "{\"rules\":[{\"id\":\"r\",\"points\":1,\"when\":{\"field\":"
                     "\"contact.gender\",\"op\":\"exists\"}}]}",
                     &model),
                 CRM_STATUS_PROTECTED_ATTRIBUTE);
    CHECK(contains(crm_last_error_message(), "rules[0].when.field"));
    CHECK(model == SENTINEL_MODEL);

    model = load("{\"allow_protected_attributes\":true,\"rules\":[{\"id\":\"r\",\"points\":1,"
                 "\"when\":{\"field\":\"contact.gender\",\"op\":\"exists\"}}]}");
    {
        char *json = NULL;
        CHECK_STATUS(crm_score_lead_json(model,
                                         "{\"contact\":{\"id\":\"C-1\","
                                         "\"created_at\":\"2026-01-01T00:00:00Z\"}}",
                                         AS_OF, &json),
                     CRM_STATUS_OK);
        CHECK(contains(json, "\"protected_attributes_used\":[\"gender\"]"));
        crm_string_free(json);
    }
    crm_scoring_model_free(model);
    crm_scoring_model_free(NULL);
}

static void test_lead_json(crm_scoring_model *model) {
    char *json = SENTINEL_STRING;

    CHECK_STATUS(crm_score_lead_json(model, LEAD0, AS_OF, &json), CRM_STATUS_OK);
    CHECK(contains(json, "\"total\":\"32.5\""));
    CHECK(contains(json, "\"grade\":\"B\""));
    CHECK(contains(json, "\"rule\":\"pricing\""));
    CHECK(contains(json, "\"points_after_decay\":\"5\""));
    CHECK(contains(json, "\"to\":\"mql\""));
    crm_string_free(json);

    json = SENTINEL_STRING;
    CHECK_STATUS(crm_score_lead_json(NULL, LEAD0, AS_OF, &json), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_score_lead_json(model, NULL, AS_OF, &json), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_score_lead_json(model, LEAD0, AS_OF, NULL), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_score_lead_json(model, "{\"contact\":", AS_OF, &json), CRM_STATUS_JSON);
    CHECK_STATUS(crm_score_lead_json(model, "{\"contact\":{\"id\":\"\"}}", AS_OF, &json),
                 CRM_STATUS_JSON);
    CHECK_STATUS(crm_score_lead_json(model, LEAD0, INT64_MAX, &json),
                 CRM_STATUS_INVALID_ARGUMENT);
    CHECK(json == SENTINEL_STRING);
    /* A handle of another type is refused, not misread. */
    {
        crm_dataset *dataset = NULL;
        CHECK_STATUS(crm_dataset_from_json("{}", &dataset), CRM_STATUS_OK);
        CHECK_STATUS(crm_score_lead_json((const crm_scoring_model *)(const void *)dataset,
                                         LEAD0, AS_OF, &json),
                     CRM_STATUS_INVALID_ARGUMENT);
        crm_dataset_free(dataset);
    }
    CHECK(json == SENTINEL_STRING);
}

static void test_info_and_encoding(crm_scoring_model *model) {
    char *info = NULL;
    int64_t code = 0;
    uint32_t rules[4] = {99, 99, 99, 99};
    size_t count = 0;

    CHECK_STATUS(crm_scoring_model_info_json(model, &info), CRM_STATUS_OK);
    CHECK(contains(info, "\"activity_rules\":[\"pricing\",\"bounce\"]"));
    CHECK(contains(info, "{\"field\":\"contact.job_title\",\"kind\":\"text\"}"));
    CHECK(contains(info, "{\"field\":\"company.employees\",\"kind\":\"number\"}"));
    crm_string_free(info);
    CHECK_STATUS(crm_scoring_model_info_json(NULL, &info), CRM_STATUS_NULL_POINTER);

    CHECK_STATUS(crm_scoring_encode_text(model, 0, "VP and Director", &code), CRM_STATUS_OK);
    CHECK(code == 1);
    CHECK_STATUS(crm_scoring_encode_text(model, 0, "analyst", &code), CRM_STATUS_OK);
    CHECK(code == 0);
    CHECK_STATUS(crm_scoring_encode_text(model, 1, "x", &code), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(crm_scoring_encode_text(model, 7, "x", &code), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(crm_scoring_encode_text(model, 0, NULL, &code), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_scoring_encode_decimal("12.5", &code), CRM_STATUS_OK);
    CHECK(code == 250000);
    CHECK_STATUS(crm_scoring_encode_decimal("0.00001", &code), CRM_STATUS_OK);
    CHECK(code == 1);
    CHECK_STATUS(crm_scoring_encode_decimal("twelve", &code), CRM_STATUS_INVALID);
    CHECK_STATUS(crm_scoring_encode_decimal("1", NULL), CRM_STATUS_NULL_POINTER);

    CHECK_STATUS(crm_scoring_match_activity_json(
                     model, "{\"type\":\"website_visit\",\"url\":\"/pricing/team\"}", rules, 4,
                     &count),
                 CRM_STATUS_OK);
    CHECK(count == 1 && rules[0] == 0);
    CHECK_STATUS(crm_scoring_match_activity_json(
                     model, "{\"type\":\"email\",\"event\":\"bounced\"}", rules, 4, &count),
                 CRM_STATUS_OK);
    CHECK(count == 1 && rules[0] == 1);
    CHECK_STATUS(crm_scoring_match_activity_json(model, "{\"type\":\"referral\"}", NULL, 0,
                                                 &count),
                 CRM_STATUS_OK);
    CHECK(count == 0);
    CHECK_STATUS(crm_scoring_match_activity_json(
                     model, "{\"type\":\"email\",\"event\":\"bounced\"}", NULL, 0, &count),
                 CRM_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(crm_scoring_match_activity_json(model, "{\"type\":\"teleport\"}", rules, 4,
                                                 &count),
                 CRM_STATUS_JSON);
}

static void test_batch(crm_scoring_model *model) {
    /* Lead 0: a director at a 500-person company who saw the pricing page
     * 30 days ago; lead 1: no title, 50 people, a bounce yesterday; lead 2:
     * an analyst without a company. */
    int64_t titles[3];
    int64_t employees[3];
    const int64_t *columns[2];
    crm_score_event events[2];
    crm_lead_score out[3];
    int64_t categories[3 * 2];
    int64_t fifty = 0;
    crm_lead_score untouched;
    /* Lifecycle stages: lead, lead, mql. */
    const uint8_t stages[3] = {1, 1, 2};
    const uint8_t bad_stages[3] = {1, 1, 8};

    CHECK_STATUS(crm_scoring_encode_text(model, 0, "Sales Director", &titles[0]), CRM_STATUS_OK);
    titles[1] = INT64_MIN;
    CHECK_STATUS(crm_scoring_encode_text(model, 0, "Analyst", &titles[2]), CRM_STATUS_OK);
    CHECK_STATUS(crm_scoring_encode_decimal("500", &employees[0]), CRM_STATUS_OK);
    CHECK_STATUS(crm_scoring_encode_decimal("50", &fifty), CRM_STATUS_OK);
    employees[1] = fifty;
    employees[2] = INT64_MIN;
    columns[0] = titles;
    columns[1] = employees;
    events[0].lead = 0;
    events[0].rule = 0;
    events[0].at_unix = FEB_01;
    events[1].lead = 1;
    events[1].rule = 1;
    events[1].at_unix = MAR_02;

    CHECK_STATUS(
        crm_score_batch(model, columns, 2, 3, events, 2, stages, AS_OF, out, categories, 6),
        CRM_STATUS_OK);
    CHECK(out[0].total_units == 325000); /* 32.5, as crm_score_lead_json says */
    CHECK(out[0].grade == 1);
    CHECK(out[1].total_units == -150000);
    CHECK(out[1].grade == 2);
    CHECK(out[2].total_units == 0);
    CHECK(out[2].grade == 2);
    /* Lead 0 is a lead at 32.5: the MQL handoff (index 0); the others none. */
    CHECK(out[0].handoff == 0);
    CHECK(out[1].handoff == -1 && out[2].handoff == -1);
    /* Categories: fit, engagement, in the order of the info JSON. */
    CHECK(categories[0] == 275000 && categories[1] == 50000);
    CHECK(categories[2] == 0 && categories[3] == -150000);
    CHECK(categories[4] == 0 && categories[5] == 0);

    CHECK_STATUS(
        crm_score_batch(model, columns, 2, 3, events, 2, bad_stages, AS_OF, out, NULL, 0),
        CRM_STATUS_INVALID);
    CHECK(contains(crm_last_error_message(), "stages[2]"));

    /* The same without category scores or stages. */
    CHECK_STATUS(crm_score_batch(model, columns, 2, 3, events, 2, NULL, AS_OF, out, NULL, 0),
                 CRM_STATUS_OK);
    CHECK(out[0].total_units == 325000);

    /* Bad shapes and NULLs leave the output alone. */
    out[0].total_units = 7;
    untouched = out[0];
    CHECK_STATUS(crm_score_batch(model, columns, 1, 3, events, 2, NULL, AS_OF, out, NULL, 0),
                 CRM_STATUS_INVALID);
    CHECK(contains(crm_last_error_message(), "columns"));
    CHECK_STATUS(crm_score_batch(model, columns, 2, 3, events, 2, NULL, AS_OF, out, categories, 5),
                 CRM_STATUS_INVALID);
    CHECK_STATUS(crm_score_batch(model, NULL, 2, 3, events, 2, NULL, AS_OF, out, NULL, 0),
                 CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_score_batch(model, columns, 2, 3, NULL, 2, NULL, AS_OF, out, NULL, 0),
                 CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_score_batch(model, columns, 2, 3, events, 2, NULL, AS_OF, NULL, NULL, 0),
                 CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_score_batch(NULL, columns, 2, 3, events, 2, NULL, AS_OF, out, NULL, 0),
                 CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_score_batch(model, columns, 2, 3, events, 2, NULL, INT64_MIN, out, NULL, 0),
                 CRM_STATUS_INVALID_ARGUMENT);
    events[1].lead = 0; /* still sorted, now lead 0 has both */
    events[0].lead = 1; /* unsorted */
    CHECK_STATUS(crm_score_batch(model, columns, 2, 3, events, 2, NULL, AS_OF, out, NULL, 0),
                 CRM_STATUS_INVALID);
    CHECK(contains(crm_last_error_message(), "sorted"));
    CHECK(memcmp(&out[0], &untouched, sizeof untouched) == 0);

    /* No leads at all is fine, with NULL arrays. */
    CHECK_STATUS(crm_score_batch(model, columns, 2, 0, NULL, 0, NULL, AS_OF, NULL, NULL, 0),
                 CRM_STATUS_OK);
}

/* Loads examples/data/scoring_model.json (beside the sample dataset) and
 * scores a lead with it. */
static void test_sample_model(const char *dataset_path) {
    char path[4096];
    const char *slash = strrchr(dataset_path, '/');
    size_t dir = slash == NULL ? 0 : (size_t)(slash - dataset_path) + 1;
    char *json;
    crm_scoring_model *model;
    char *result = NULL;

    if (dir + sizeof "scoring_model.json" > sizeof path) {
        CHECK(0);
        return;
    }
    memcpy(path, dataset_path, dir);
    strcpy(path + dir, "scoring_model.json");
    json = read_file(path);
    CHECK(json != NULL);
    if (json == NULL) {
        return;
    }
    model = load(json);
    free(json);
    CHECK_STATUS(crm_score_lead_json(model, LEAD0, AS_OF, &result), CRM_STATUS_OK);
    CHECK(contains(result, "\"model\":\"sample-b2b\""));
    CHECK(contains(result, "\"rule\":\"eng.pricing\""));
    printf("sample model on lead 0: %.120s...\n", result == NULL ? "" : result);
    crm_string_free(result);
    crm_scoring_model_free(model);
}

int main(int argc, char **argv) {
    crm_scoring_model *model;
    test_loading();
    model = load(MODEL);
    test_lead_json(model);
    test_info_and_encoding(model);
    test_batch(model);
    crm_scoring_model_free(model);
    if (argc > 1) {
        test_sample_model(argv[1]);
    }
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    puts("scoring: all checks passed");
    return 0;
}
