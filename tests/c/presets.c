/*
 * C API test of the automation presets: list them with crm_preset_names(),
 * read each with crm_preset_json() and load it with crm_rules_from_json();
 * route deals with the $500 preset; an unknown name is CRM_STATUS_NOT_FOUND;
 * NULL arguments are refused without writing the output. An event naming a
 * deal the dataset does not hold is CRM_STATUS_NOT_FOUND as well.
 *
 * Compiled by tests/c_abi.rs as C99 and as C++17 with warnings as errors, run
 * natively and under valgrind when it is installed.
 */
#include "crmkit.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char sentinel_target;
#define SENTINEL_STRING (&sentinel_target)

static const char DATASET[] =
    "{\"pipelines\": [{\"id\": \"sales\", \"name\": \"Sales\", \"stages\": ["
    "  {\"id\": \"new\", \"name\": \"New\", \"probability\": 10}]}],"
    " \"reps\": [{\"id\": \"R-1\", \"name\": \"Ann\"}],"
    " \"contacts\": [{\"id\": \"C-1\", \"name\": \"Ada\", \"owner\": \"R-1\","
    "   \"created_at\": \"2026-01-01T00:00:00Z\"}],"
    " \"deals\": ["
    "  {\"id\": \"D-1\", \"name\": \"Big\", \"contact\": \"C-1\", \"pipeline\": \"sales\", \"stage\": \"new\","
    "   \"value\": {\"amount\": \"750.00\", \"currency\": \"USD\"}, \"created_at\": \"2026-04-01T00:00:00Z\"},"
    "  {\"id\": \"D-2\", \"name\": \"Edge\", \"contact\": \"C-1\", \"pipeline\": \"sales\", \"stage\": \"new\","
    "   \"value\": {\"amount\": \"500.00\", \"currency\": \"USD\"}, \"created_at\": \"2026-04-01T00:00:00Z\"},"
    "  {\"id\": \"D-3\", \"name\": \"Small\", \"contact\": \"C-1\", \"pipeline\": \"sales\", \"stage\": \"new\","
    "   \"value\": {\"amount\": \"499.99\", \"currency\": \"USD\"}, \"created_at\": \"2026-04-01T00:00:00Z\"}]}";

/* 2026-05-01T09:00:00Z */
static const int64_t AS_OF = 1777626000;

static char *deal_created(const char *id, const char *deal) {
    static char buffer[256];
    snprintf(buffer, sizeof buffer,
             "{\"id\": \"%s\", \"type\": \"deal_created\", \"at\": \"2026-05-01T08:00:00Z\","
             " \"deal\": \"%s\"}",
             id, deal);
    return buffer;
}

/* Every listed preset can be read and loaded. */
static void test_every_preset_loads(void) {
    static const char *const expected[] = {
        "usd_500_routing", "repeat_purchase_discount", "tenure_milestone_reward",
        "post_purchase_email", "feedback_after_ticket", "stuck_deal_follow_up",
        "welcome_series", "standard"};
    char *names = NULL;
    size_t i;
    CHECK_STATUS(crm_preset_names(&names), CRM_STATUS_OK);
    CHECK(names != NULL && names[0] == '[');
    if (names == NULL) {
        return;
    }
    for (i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        char *json = NULL;
        crm_rules *rules = NULL;
        char quoted[64];
        snprintf(quoted, sizeof quoted, "\"%s\"", expected[i]);
        CHECK(strstr(names, quoted) != NULL);
        CHECK_STATUS(crm_preset_json(expected[i], &json), CRM_STATUS_OK);
        CHECK(json != NULL && strstr(json, "\"rules\"") != NULL);
        if (json == NULL) {
            continue;
        }
        CHECK_STATUS(crm_rules_from_json(json, &rules), CRM_STATUS_OK);
        CHECK(rules != NULL);
        crm_rules_free(rules);
        crm_string_free(json);
    }
    crm_string_free(names);
}

/* The $500 preset routes: a call at $500 and above, nurture below. */
static void test_routing_preset(crm_dataset *dataset) {
    char *json = NULL;
    crm_rules *rules = NULL;
    char *actions = NULL;
    char *state = NULL;
    char *untouched = SENTINEL_STRING;
    char *untouched_state = SENTINEL_STRING;
    CHECK_STATUS(crm_preset_json("usd_500_routing", &json), CRM_STATUS_OK);
    if (json == NULL) {
        return;
    }
    CHECK(strstr(json, "\"500.00\"") != NULL);
    CHECK_STATUS(crm_rules_from_json(json, &rules), CRM_STATUS_OK);
    crm_string_free(json);
    if (rules == NULL) {
        return;
    }
    CHECK_STATUS(crm_rules_evaluate(rules, dataset, deal_created("E-1", "D-1"), "", AS_OF,
                                    &actions, &state),
                 CRM_STATUS_OK);
    CHECK(actions != NULL && strstr(actions, "\"type\":\"create_task\"") != NULL);
    CHECK(actions != NULL && strstr(actions, "\"assignee\":\"R-1\"") != NULL);
    crm_string_free(actions);
    crm_string_free(state);
    /* Exactly $500 gets the call (the boundary is assigned). */
    CHECK_STATUS(crm_rules_evaluate(rules, dataset, deal_created("E-2", "D-2"), "", AS_OF,
                                    &actions, &state),
                 CRM_STATUS_OK);
    CHECK(actions != NULL && strstr(actions, "\"type\":\"create_task\"") != NULL);
    crm_string_free(actions);
    crm_string_free(state);
    CHECK_STATUS(crm_rules_evaluate(rules, dataset, deal_created("E-3", "D-3"), "", AS_OF,
                                    &actions, &state),
                 CRM_STATUS_OK);
    CHECK(actions != NULL && strstr(actions, "\"campaign\":\"nurture\"") != NULL);
    crm_string_free(actions);
    crm_string_free(state);
    /* A deal the dataset does not hold: not found, nothing written. */
    CHECK_STATUS(crm_rules_evaluate(rules, dataset, deal_created("E-4", "D-9999"), "", AS_OF,
                                    &untouched, &untouched_state),
                 CRM_STATUS_NOT_FOUND);
    CHECK(untouched == SENTINEL_STRING && untouched_state == SENTINEL_STRING);
    CHECK(strstr(crm_last_error_message(), "D-9999") != NULL);
    crm_rules_free(rules);
}

static void test_hostile(void) {
    char *out = SENTINEL_STRING;
    CHECK_STATUS(crm_preset_json("no-such-preset", &out), CRM_STATUS_NOT_FOUND);
    CHECK(out == SENTINEL_STRING);
    CHECK(strstr(crm_last_error_message(), "usd_500_routing") != NULL);
    CHECK_STATUS(crm_preset_json(NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK(out == SENTINEL_STRING);
    CHECK_STATUS(crm_preset_json("standard", NULL), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_preset_names(NULL), CRM_STATUS_NULL_POINTER);
}

int main(void) {
    crm_dataset *dataset = NULL;
    CHECK_STATUS(crm_dataset_from_json(DATASET, &dataset), CRM_STATUS_OK);
    if (dataset == NULL) {
        return 1;
    }
    test_every_preset_loads();
    test_routing_preset(dataset);
    test_hostile();
    crm_dataset_free(dataset);
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("presets: all checks passed\n");
    return 0;
}
