/*
 * C API test of the marketing analytics: crm_experiment_analyze(),
 * crm_sample_size() and crm_attribution_report(), with NULL pointers, bad
 * JSON and invalid requests.
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

static const char AB_TEST[] =
    "{\"metric\":\"conversion\",\"arms\":["
    "{\"name\":\"A\",\"visitors\":1000,\"conversions\":100},"
    "{\"name\":\"B\",\"visitors\":1000,\"conversions\":130}]}";

static const char JOURNEYS[] =
    "{\"currency\":\"USD\",\"models\":[{\"model\":\"linear\"},{\"model\":\"markov\"}],"
    "\"journeys\":["
    "{\"touches\":[{\"channel\":\"C1\",\"at\":\"2026-01-01T00:00:00Z\"},"
    "{\"channel\":\"C2\",\"at\":\"2026-01-02T00:00:00Z\"},"
    "{\"channel\":\"C3\",\"at\":\"2026-01-03T00:00:00Z\"}],\"conversions\":1,\"value\":\"50.00\"},"
    "{\"touches\":[{\"channel\":\"C1\",\"at\":\"2026-01-01T00:00:00Z\"}]},"
    "{\"touches\":[{\"channel\":\"C2\",\"at\":\"2026-01-01T00:00:00Z\"},"
    "{\"channel\":\"C3\",\"at\":\"2026-01-02T00:00:00Z\"}]}]}";

static void test_experiment(void) {
    char *out = NULL;
    CHECK_STATUS(crm_experiment_analyze(AB_TEST, &out), CRM_STATUS_OK);
    CHECK(contains(out, "\"verdict\":{\"code\":\"variant_better\""));
    CHECK(contains(out, "\"test\":\"two_proportion_z_test\""));
    CHECK(contains(out, "\"probability_variant_beats_control\":0.98216506611"));
    CHECK(!contains(out, ":null"));
    crm_string_free(out);

    out = SENTINEL_STRING;
    CHECK_STATUS(crm_experiment_analyze(NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_experiment_analyze(AB_TEST, NULL), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_experiment_analyze("{", &out), CRM_STATUS_JSON);
    CHECK_STATUS(crm_experiment_analyze(
                     "{\"metric\":\"conversion\",\"arms\":[{\"name\":\"A\",\"visitors\":0,"
                     "\"conversions\":0},{\"name\":\"B\",\"visitors\":5,\"conversions\":1}]}",
                     &out),
                 CRM_STATUS_INVALID);
    CHECK(contains(crm_last_error_message(), "arms[0].visitors"));
    CHECK(out == SENTINEL_STRING);
}

static void test_sample_size(void) {
    char *out = NULL;
    CHECK_STATUS(
        crm_sample_size("{\"metric\":\"conversion\",\"baseline\":0.1,\"effect\":{\"relative\":0.2}}",
                        &out),
        CRM_STATUS_OK);
    CHECK(contains(out, "\"per_arm\":3841"));
    CHECK(contains(out, "\"total\":7682"));
    crm_string_free(out);

    out = SENTINEL_STRING;
    CHECK_STATUS(crm_sample_size("{\"metric\":\"conversion\",\"baseline\":1.5,\"per_arm\":10}",
                                 &out),
                 CRM_STATUS_INVALID);
    CHECK_STATUS(crm_sample_size("{\"metric\":\"median\"}", &out), CRM_STATUS_JSON);
    CHECK(out == SENTINEL_STRING);
}

static void test_attribution(void) {
    char *out = NULL;
    CHECK_STATUS(crm_attribution_report(JOURNEYS, &out), CRM_STATUS_OK);
    /* Markov: removal effects 0.5, 1, 1 -> credit 0.2, 0.4, 0.4. */
    CHECK(contains(out, "{\"key\":\"C1\",\"conversions\":\"0.2"));
    CHECK(contains(out, "\"removal_effects\":{\"C1\":0.5,\"C2\":1.0,\"C3\":1.0}"));
    CHECK(contains(out, "\"total_conversions\":\"1\""));
    crm_string_free(out);

    out = SENTINEL_STRING;
    CHECK_STATUS(crm_attribution_report("{\"currency\":\"USD\",\"models\":[],\"journeys\":[]}",
                                        &out),
                 CRM_STATUS_INVALID);
    CHECK_STATUS(crm_attribution_report("[]", &out), CRM_STATUS_JSON);
    CHECK_STATUS(crm_attribution_report(NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK(out == SENTINEL_STRING);
}

/* A shop of the Rust tests (tests/attribution_dataset.rs): S-1 arrives by
 * a UTM-tagged social link and buys 30.00; S-2 clicks the newsletter
 * (CMP-9, e-mail) and buys 45.50. Last touch credits one purchase to each. */
static const char SHOP[] =
    "{\"reporting_currency\":\"USD\",\"campaigns\":[{\"id\":\"CMP-9\",\"name\":\"Newsletter\","
    "\"channel\":\"email\",\"cost\":{\"amount\":\"100\",\"currency\":\"USD\"},"
    "\"start\":\"2024-05-01\",\"end\":\"2024-05-31\"}],"
    "\"contacts\":[{\"id\":\"S-1\",\"created_at\":\"2024-05-01T00:00:00Z\"},"
    "{\"id\":\"S-2\",\"created_at\":\"2024-05-01T00:00:00Z\"}],"
    "\"activities\":[{\"id\":\"V-1\",\"contact\":\"S-1\",\"at\":\"2024-05-01T10:00:00Z\","
    "\"kind\":{\"type\":\"website_visit\",\"url\":\"/shoes?utm_source=insta&utm_medium=social\"}},"
    "{\"id\":\"P-1\",\"contact\":\"S-1\",\"at\":\"2024-05-02T10:00:00Z\",\"kind\":{\"type\":"
    "\"purchase\",\"amount\":{\"amount\":\"30.00\",\"currency\":\"USD\"}}},"
    "{\"id\":\"E-1\",\"contact\":\"S-2\",\"at\":\"2024-05-03T09:00:00Z\",\"campaign\":\"CMP-9\","
    "\"kind\":{\"type\":\"email\",\"event\":\"clicked\"}},"
    "{\"id\":\"P-3\",\"contact\":\"S-2\",\"at\":\"2024-05-03T09:30:00Z\",\"kind\":{\"type\":"
    "\"purchase\",\"amount\":{\"amount\":\"45.50\",\"currency\":\"USD\"}}}]}";

static void test_attribution_from_a_dataset(void) {
    crm_dataset *shop = NULL;
    char *out = NULL;
    CHECK_STATUS(crm_dataset_from_json(SHOP, &shop), CRM_STATUS_OK);
    CHECK_STATUS(crm_attribution_dataset_report(
                     shop,
                     "{\"conversion\":{\"event\":\"purchase\"},"
                     "\"models\":[{\"model\":\"last_touch\"}]}",
                     &out),
                 CRM_STATUS_OK);
    CHECK(contains(out, "\"total_conversions\":\"2\""));
    CHECK(contains(out, "{\"key\":\"social\",\"conversions\":\"1\""));
    CHECK(contains(out, "{\"key\":\"email\",\"conversions\":\"1\""));
    crm_string_free(out);

    out = SENTINEL_STRING;
    CHECK_STATUS(crm_attribution_dataset_report(
                     shop, "{\"conversion\":{\"event\":\"refund\"},\"models\":[]}", &out),
                 CRM_STATUS_JSON);
    CHECK(contains(crm_last_error_message(), "conversion"));
    CHECK(out == SENTINEL_STRING);
    crm_dataset_free(shop);
}

int main(void) {
    test_experiment();
    test_sample_size();
    test_attribution();
    test_attribution_from_a_dataset();
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("analytics: all checks passed\n");
    return 0;
}
