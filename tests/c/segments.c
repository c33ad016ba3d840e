/*
 * C API test of customer segments: crm_cohort_report(), crm_rfm_segments()
 * and crm_segment_members() on a small shop, with NULL pointers, bad JSON
 * and invalid requests.
 *
 * Compiled by tests/c_abi.rs as C99 and as C++17 with warnings as errors, run
 * natively and under valgrind when it is installed.
 */
#include "crmkit.h"
#include "check.h"

#include <stdio.h>
#include <string.h>

static char sentinel_target;
#define SENTINEL_STRING (&sentinel_target)

static int contains(const char *haystack, const char *needle) {
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

/* A buys 2026-01-05 ($100) and 2026-03-02 ($20); B 2026-01-20 ($50); C is
 * an SQL since 2026-02-01 (a lead before) and buys nothing. */
static const char SHOP[] =
    "{\"reporting_currency\":\"USD\",\"contacts\":["
    "{\"id\":\"A\",\"name\":\"A\",\"country\":\"DE\",\"created_at\":\"2026-01-01T00:00:00Z\"},"
    "{\"id\":\"B\",\"name\":\"B\",\"created_at\":\"2026-01-01T00:00:00Z\"},"
    "{\"id\":\"C\",\"name\":\"C\",\"country\":\"DE\",\"created_at\":\"2026-01-01T00:00:00Z\","
    "\"lifecycle\":{\"stage\":\"sql\",\"history\":[{\"from\":\"lead\",\"to\":\"sql\","
    "\"at\":\"2026-02-01T00:00:00Z\"}]}}],"
    "\"activities\":["
    "{\"id\":\"P1\",\"contact\":\"A\",\"at\":\"2026-01-05T10:00:00Z\",\"kind\":{\"type\":"
    "\"purchase\",\"amount\":{\"amount\":\"100\",\"currency\":\"USD\"}}},"
    "{\"id\":\"P2\",\"contact\":\"B\",\"at\":\"2026-01-20T10:00:00Z\",\"kind\":{\"type\":"
    "\"purchase\",\"amount\":{\"amount\":\"50\",\"currency\":\"USD\"}}},"
    "{\"id\":\"P3\",\"contact\":\"A\",\"at\":\"2026-03-02T10:00:00Z\",\"kind\":{\"type\":"
    "\"purchase\",\"amount\":{\"amount\":\"20\",\"currency\":\"USD\"}}}]}";

static void test_cohorts(const crm_dataset *dataset) {
    char *out = NULL;
    CHECK_STATUS(crm_cohort_report(dataset,
                                   "{\"as_of\":\"2026-03-15T00:00:00Z\","
                                   "\"revenue_source\":\"purchases\"}",
                                   &out),
                 CRM_STATUS_OK);
    /* January cohort {A, B}: 150 in January, nobody in February, A's 20 in
     * March (50 %, not complete on 03-15). */
    CHECK(contains(out, "\"customers\":2,\"periods\":[{\"offset\":0"));
    CHECK(contains(out, "\"active\":2,\"retention\":{\"status\":\"defined\",\"value\":\"100\""));
    CHECK(contains(out, "\"revenue\":\"150\""));
    CHECK(contains(out, "\"complete\":false,\"active\":1,\"retention\":{\"status\":\"defined\","
                        "\"value\":\"50\",\"numerator\":\"1\",\"denominator\":\"2\"},"
                        "\"revenue\":\"20\",\"cumulative_revenue\":\"170\""));
    CHECK(!contains(out, ":null"));
    crm_string_free(out);

    out = SENTINEL_STRING;
    CHECK_STATUS(crm_cohort_report(NULL, "{}", &out), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_cohort_report(dataset, NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_cohort_report(dataset, "{\"as_of\":\"2026-03-15T00:00:00Z\"}", NULL),
                 CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_cohort_report(dataset, "{", &out), CRM_STATUS_JSON);
    CHECK_STATUS(crm_cohort_report(dataset,
                                   "{\"as_of\":\"2026-03-15T00:00:00Z\",\"granularity\":\"fortnight\"}",
                                   &out),
                 CRM_STATUS_JSON);
    CHECK(contains(crm_last_error_message(), "granularity"));
    CHECK(out == SENTINEL_STRING);
}

static void test_rfm(const crm_dataset *dataset) {
    char *out = NULL;
    CHECK_STATUS(crm_rfm_segments(dataset, "{\"as_of\":\"2026-03-15T00:00:00Z\"}", &out),
                 CRM_STATUS_OK);
    /* A: 13 days, 2 purchases, $120 -> better than B on all three: 1 + 5/2
     * = 3 each, FM 3, R 3 -> need attention. B: 1, 1, 1 -> lost. */
    CHECK(contains(out, "\"contact\":\"A\",\"recency_days\":13,\"frequency\":2,"
                        "\"monetary\":\"120\",\"r\":3,\"f\":3,\"m\":3,\"fm\":3,"
                        "\"segment\":\"need_attention\""));
    CHECK(contains(out, "\"contact\":\"B\",\"recency_days\":54"));
    CHECK(contains(out, "\"segment\":\"lost\"}"));
    CHECK(contains(out, "{\"segment\":\"champions\",\"customers\":0,\"share\":{\"status\":\"defined\","
                        "\"value\":\"0\""));
    crm_string_free(out);

    out = SENTINEL_STRING;
    CHECK_STATUS(crm_rfm_segments(dataset, "{\"as_of\":\"2026-03-15T00:00:00Z\",\"x\":1}", &out),
                 CRM_STATUS_JSON);
    CHECK_STATUS(crm_rfm_segments(dataset, "{\"as_of\":\"2026-03-15T00:00:00Z\","
                                           "\"currency\":\"usd!\"}",
                                  &out),
                 CRM_STATUS_JSON);
    CHECK(out == SENTINEL_STRING);
}

static void test_segment(const crm_dataset *dataset) {
    char *out = NULL;
    CHECK_STATUS(crm_segment_members(
                     dataset,
                     "{\"segment\":{\"name\":\"german sql\",\"condition\":{\"all\":["
                     "{\"field\":\"contact.lifecycle_stage\",\"op\":\"eq\",\"value\":\"sql\"},"
                     "{\"field\":\"contact.country\",\"op\":\"eq\",\"value\":\"DE\"}]}},"
                     "\"as_of\":\"2026-03-01T00:00:00Z\",\"since\":\"2026-01-15T00:00:00Z\"}",
                     &out),
                 CRM_STATUS_OK);
    /* C became an SQL on 02-01: a member on 03-01, not on 01-15. A is a lead. */
    CHECK(contains(out, "\"count\":1,\"members\":[\"C\"]"));
    CHECK(contains(out, "\"count_then\":0,\"entered\":[\"C\"],\"left\":[]"));
    crm_string_free(out);

    out = SENTINEL_STRING;
    CHECK_STATUS(crm_segment_members(
                     dataset,
                     "{\"segment\":{\"name\":\"s\",\"condition\":{\"any\":["
                     "{\"field\":\"event.at\",\"op\":\"exists\"}]}},"
                     "\"as_of\":\"2026-03-01T00:00:00Z\"}",
                     &out),
                 CRM_STATUS_INVALID);
    CHECK(contains(crm_last_error_message(), "segment.condition.any[0].field"));
    CHECK_STATUS(crm_segment_members(
                     dataset,
                     "{\"segment\":{\"name\":\"s\",\"condition\":{\"field\":\"contact.country\","
                     "\"op\":\"eq\",\"value\":\"DE\"}},\"as_of\":\"2026-03-01T00:00:00Z\","
                     "\"since\":\"2026-04-01T00:00:00Z\"}",
                     &out),
                 CRM_STATUS_INVALID);
    CHECK(contains(crm_last_error_message(), "since"));
    CHECK(out == SENTINEL_STRING);
}

int main(void) {
    crm_dataset *dataset = NULL;
    CHECK_STATUS(crm_dataset_from_json(SHOP, &dataset), CRM_STATUS_OK);
    if (dataset == NULL) {
        fprintf(stderr, "dataset: %s\n", crm_last_error_message());
        return 1;
    }
    test_cohorts(dataset);
    test_rfm(dataset);
    test_segment(dataset);
    crm_dataset_free(dataset);
    if (check_failures() != 0) {
        fprintf(stderr, "segments: %d check(s) failed\n", check_failures());
        return 1;
    }
    printf("segments: ok\n");
    return 0;
}
