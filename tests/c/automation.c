/*
 * C API test of the automation rules engine: load the $500 routing rule set,
 * route deals, replay an event (no second action), tick, dry-run, analyse
 * (the unrouted $500 deal), and hostile inputs: NULLs, bad JSON, wrong
 * handles, money in another currency without rates.
 *
 * Compiled by tests/c_abi.rs as C99 and as C++17 with warnings as errors, run
 * natively and under valgrind when it is installed. Optional argument: the
 * path of examples/data/sample_company.json.
 */
#include "crmkit.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char sentinel_target;
#define SENTINEL_STRING (&sentinel_target)
#define SENTINEL_RULES ((crm_rules *)(void *)&sentinel_target)

/* The seed's rule: over $500 call, under $500 nurture (exactly $500: nothing). */
static const char SEED_RULES[] =
    "{\"hit_policy\": \"first\", \"rules\": [{\"id\": \"route\","
    " \"trigger\": {\"type\": \"deal_created\"}, \"branches\": ["
    " {\"if\": {\"field\": \"deal.value\", \"op\": \"gt\", \"value\": {\"amount\": \"500\", \"currency\": \"USD\"}},"
    "  \"then\": [{\"type\": \"create_task\", \"task\": \"call\", \"title\": \"Call {{contact.name}}\"}]},"
    " {\"if\": {\"field\": \"deal.value\", \"op\": \"lt\", \"value\": {\"amount\": \"500\", \"currency\": \"USD\"}},"
    "  \"then\": [{\"type\": \"enroll_in_campaign\", \"campaign\": \"nurture\"}]}]},"
    " {\"id\": \"stuck\", \"trigger\": {\"type\": \"stuck\", \"entity\": \"deal\", \"days\": 10},"
    "  \"enrollment\": \"every_time\", \"then\": [{\"type\": \"notify\", \"message\": \"stuck\"}]}]}";

static const char DATASET[] =
    "{\"pipelines\": [{\"id\": \"sales\", \"name\": \"Sales\", \"stages\": ["
    "  {\"id\": \"new\", \"name\": \"New\", \"probability\": 10}]}],"
    " \"reps\": [{\"id\": \"R-1\", \"name\": \"Ann\"}],"
    " \"contacts\": [{\"id\": \"C-1\", \"name\": \"Ada\", \"owner\": \"R-1\","
    "   \"created_at\": \"2026-01-01T00:00:00Z\"}],"
    " \"deals\": [{\"id\": \"D-1\", \"contact\": \"C-1\", \"pipeline\": \"sales\", \"stage\": \"new\","
    "   \"value\": {\"amount\": \"750.00\", \"currency\": \"USD\"}, \"created_at\": \"2026-04-01T00:00:00Z\"},"
    "  {\"id\": \"D-2\", \"contact\": \"C-1\", \"pipeline\": \"sales\", \"stage\": \"new\","
    "   \"value\": {\"amount\": \"499.99\", \"currency\": \"USD\"}, \"created_at\": \"2026-04-01T00:00:00Z\"},"
    "  {\"id\": \"D-3\", \"contact\": \"C-1\", \"pipeline\": \"sales\", \"stage\": \"new\","
    "   \"value\": {\"amount\": \"500.00\", \"currency\": \"USD\"}, \"created_at\": \"2026-04-01T00:00:00Z\"},"
    "  {\"id\": \"D-9\", \"contact\": \"C-1\", \"pipeline\": \"sales\", \"stage\": \"new\","
    "   \"value\": {\"amount\": \"600.00\", \"currency\": \"EUR\"}, \"created_at\": \"2026-04-01T00:00:00Z\"}]}";

/* 2026-05-01T09:00:00Z */
static const int64_t AS_OF = 1777626000;

static int message_is_set(void) {
    const char *message = crm_last_error_message();
    return message != NULL && message[0] != '\0';
}

static char *deal_event(const char *id, const char *deal, const char *amount, const char *currency) {
    static char buffer[512];
    snprintf(buffer, sizeof buffer,
             "{\"id\": \"%s\", \"type\": \"deal_created\", \"at\": \"2026-05-01T08:00:00Z\","
             " \"deal\": \"%s\", \"value\": {\"amount\": \"%s\", \"currency\": \"%s\"}}",
             id, deal, amount, currency);
    return buffer;
}

static void test_routing_and_replay(crm_rules *rules, crm_dataset *dataset) {
    char *actions = NULL;
    char *state = NULL;
    char *actions2 = SENTINEL_STRING;
    char *state2 = SENTINEL_STRING;

    CHECK_STATUS(crm_rules_evaluate(rules, dataset, deal_event("E-1", "D-1", "750.00", "USD"), "",
                                    AS_OF, &actions, &state),
                 CRM_STATUS_OK);
    CHECK(actions != NULL && state != NULL);
    if (actions == NULL || state == NULL) {
        return;
    }
    CHECK(strstr(actions, "\"type\":\"create_task\"") != NULL);
    CHECK(strstr(actions, "\"id\":\"route/if[0]/deal:D-1/E-1/0\"") != NULL);
    CHECK(strstr(actions, "\"assignee\":\"R-1\"") != NULL);
    CHECK(strstr(actions, "\"title\":\"Call Ada\"") != NULL);
    CHECK(strstr(state, "deal:D-1") != NULL);

    /* Replaying the same event with the new state does nothing. */
    CHECK_STATUS(crm_rules_evaluate(rules, dataset, deal_event("E-1", "D-1", "750.00", "USD"), state,
                                    AS_OF, &actions2, &state2),
                 CRM_STATUS_OK);
    CHECK(actions2 != SENTINEL_STRING && strcmp(actions2, "[]") == 0);
    CHECK(state2 != SENTINEL_STRING && strcmp(state2, state) == 0);
    crm_string_free(actions2);
    crm_string_free(state2);
    crm_string_free(actions);
    crm_string_free(state);

    /* Under $500: nurture. Exactly $500: nothing. */
    CHECK_STATUS(crm_rules_evaluate(rules, dataset, deal_event("E-2", "D-2", "499.99", "USD"), "{}",
                                    AS_OF, &actions, &state),
                 CRM_STATUS_OK);
    CHECK(strstr(actions, "\"campaign\":\"nurture\"") != NULL);
    crm_string_free(actions);
    crm_string_free(state);
    CHECK_STATUS(crm_rules_evaluate(rules, dataset, deal_event("E-3", "D-3", "500.00", "USD"), "{}",
                                    AS_OF, &actions, &state),
                 CRM_STATUS_OK);
    CHECK(strcmp(actions, "[]") == 0);
    crm_string_free(actions);
    crm_string_free(state);
}

static void test_tick_dry_run_and_analysis(crm_rules *rules, crm_dataset *dataset) {
    char *actions = NULL;
    char *state = NULL;
    char *report = NULL;
    const char *events =
        "[{\"id\": \"E-1\", \"type\": \"deal_created\", \"at\": \"2026-05-01T08:00:00Z\", \"deal\": \"D-1\"},"
        " {\"id\": \"E-1\", \"type\": \"deal_created\", \"at\": \"2026-05-01T08:00:00Z\", \"deal\": \"D-1\"}]";

    /* D-1 has been in "new" since 2026-04-01: 30 days, past the 10 of the rule. */
    CHECK_STATUS(crm_rules_tick(rules, dataset, "", AS_OF, &actions, &state), CRM_STATUS_OK);
    CHECK(actions != NULL && strstr(actions, "\"rule\":\"stuck\"") != NULL);
    crm_string_free(actions);
    crm_string_free(state);

    CHECK_STATUS(crm_rules_dry_run(rules, dataset, events, "", &report), CRM_STATUS_OK);
    CHECK(report != NULL && strstr(report, "\"fired\":1") != NULL);
    CHECK(report != NULL && strstr(report, "\"suppressed\":1") != NULL);
    crm_string_free(report);
    report = NULL;

    CHECK_STATUS(crm_rules_analyze(rules, &report), CRM_STATUS_OK);
    CHECK(report != NULL);
    if (report != NULL) {
        CHECK(strstr(report, "\"kind\":\"gap\"") != NULL);
        CHECK(strstr(report, "\"example_text\":\"deal.value = 500.00 USD\"") != NULL);
        crm_string_free(report);
    }
}

static void test_hostile_inputs(crm_rules *rules, crm_dataset *dataset) {
    crm_rules *out = SENTINEL_RULES;
    char *actions = SENTINEL_STRING;
    char *state = SENTINEL_STRING;
    char *report = SENTINEL_STRING;
    const char *event = "{\"id\": \"E\", \"type\": \"deal_created\", \"at\": \"2026-05-01T08:00:00Z\", \"deal\": \"D-1\"}";

    /* Loading. */
    CHECK_STATUS(crm_rules_from_json(NULL, &out), CRM_STATUS_NULL_POINTER);
    CHECK(message_is_set());
    CHECK_STATUS(crm_rules_from_json("{}", NULL), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_rules_from_json("{", &out), CRM_STATUS_JSON);
    CHECK_STATUS(crm_rules_from_json("{\"rules\": 3}", &out), CRM_STATUS_JSON);
    CHECK(strstr(crm_last_error_message(), "rules") != NULL);
    CHECK_STATUS(crm_rules_from_json(
                     "{\"rules\": [{\"id\": \"r\", \"trigger\": {\"type\": \"deal_created\"},"
                     " \"when\": {\"field\": \"deal.value\", \"op\": \"gt\", \"value\": 500},"
                     " \"then\": [{\"type\": \"add_tag\", \"tag\": \"x\"}]}]}",
                     &out),
                 CRM_STATUS_INVALID);
    CHECK(strstr(crm_last_error_message(), "rules[0].when.value") != NULL);
    CHECK(out == SENTINEL_RULES);

    /* Evaluating. */
    CHECK_STATUS(crm_rules_evaluate(NULL, dataset, event, "", AS_OF, &actions, &state),
                 CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_rules_evaluate(rules, NULL, event, "", AS_OF, &actions, &state),
                 CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_rules_evaluate(rules, dataset, NULL, "", AS_OF, &actions, &state),
                 CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_rules_evaluate(rules, dataset, event, NULL, AS_OF, &actions, &state),
                 CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_rules_evaluate(rules, dataset, event, "", AS_OF, NULL, &state),
                 CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_rules_evaluate(rules, dataset, event, "", AS_OF, &actions, NULL),
                 CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_rules_evaluate(rules, dataset, "{\"id\": 1}", "", AS_OF, &actions, &state),
                 CRM_STATUS_JSON);
    CHECK(strstr(crm_last_error_message(), "event") != NULL);
    CHECK_STATUS(crm_rules_evaluate(rules, dataset, event, "[1,2]", AS_OF, &actions, &state),
                 CRM_STATUS_JSON);
    CHECK(strstr(crm_last_error_message(), "state") != NULL);
    CHECK_STATUS(crm_rules_evaluate(rules, dataset, event, "", INT64_MAX, &actions, &state),
                 CRM_STATUS_INVALID_ARGUMENT);
    /* A dataset handle where a rule set is expected. */
    CHECK_STATUS(crm_rules_evaluate((const crm_rules *)(const void *)dataset, dataset, event, "",
                                    AS_OF, &actions, &state),
                 CRM_STATUS_INVALID_ARGUMENT);
    /* Money in another currency without exchange rates. */
    CHECK_STATUS(crm_rules_evaluate(rules, dataset, deal_event("E-9", "D-9", "600", "EUR"), "",
                                    AS_OF, &actions, &state),
                 CRM_STATUS_CURRENCY_MISMATCH);
    CHECK(strstr(crm_last_error_message(), "EUR") != NULL);
    CHECK(actions == SENTINEL_STRING && state == SENTINEL_STRING);

    /* The other functions. */
    CHECK_STATUS(crm_rules_tick(NULL, dataset, "", AS_OF, &actions, &state), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_rules_tick(rules, dataset, "nope", AS_OF, &actions, &state), CRM_STATUS_JSON);
    CHECK_STATUS(crm_rules_dry_run(rules, dataset, "{}", "", &report), CRM_STATUS_JSON);
    CHECK_STATUS(crm_rules_dry_run(rules, dataset, "[]", "", NULL), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_rules_analyze(NULL, &report), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_rules_analyze(rules, NULL), CRM_STATUS_NULL_POINTER);
    CHECK(actions == SENTINEL_STRING && state == SENTINEL_STRING && report == SENTINEL_STRING);

    crm_rules_free(NULL);
}

/* Routes one sample deal (the sample dataset carries exchange rates). */
static void test_sample(crm_rules *rules, const char *path) {
    char *json = read_file(path);
    crm_dataset *dataset = NULL;
    char *actions = NULL;
    char *state = NULL;
    CHECK(json != NULL);
    if (json == NULL) {
        return;
    }
    CHECK_STATUS(crm_dataset_from_json(json, &dataset), CRM_STATUS_OK);
    free(json);
    if (dataset == NULL) {
        return;
    }
    CHECK_STATUS(crm_rules_evaluate(rules, dataset,
                                    "{\"id\": \"S-1\", \"type\": \"deal_created\","
                                    " \"at\": \"2026-05-01T08:00:00Z\", \"deal\": \"D-0001\"}",
                                    "", AS_OF, &actions, &state),
                 CRM_STATUS_OK);
    if (actions != NULL) {
        printf("sample deal D-0001: %s\n", actions);
        crm_string_free(actions);
        crm_string_free(state);
    }
    crm_dataset_free(dataset);
}

int main(int argc, char **argv) {
    crm_rules *rules = NULL;
    crm_dataset *dataset = NULL;

    CHECK_STATUS(crm_rules_from_json(SEED_RULES, &rules), CRM_STATUS_OK);
    CHECK_STATUS(crm_dataset_from_json(DATASET, &dataset), CRM_STATUS_OK);
    if (rules != NULL && dataset != NULL) {
        test_routing_and_replay(rules, dataset);
        test_tick_dry_run_and_analysis(rules, dataset);
        test_hostile_inputs(rules, dataset);
        if (argc > 1) {
            test_sample(rules, argv[1]);
        }
    }
    crm_rules_free(rules);
    crm_dataset_free(dataset);
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("automation.c: all checks passed\n");
    return 0;
}
