/*
 * C API test of SMART goals: crm_goal_validate() and crm_goal_progress(),
 * with the seed goals in all six locales, NULL pointers, bad UTF-8, bad
 * JSON, unknown locales and out-of-range dates.
 *
 * Compiled by tests/c_abi.rs as C99 and as C++17 with warnings as errors, run
 * natively and under valgrind when it is installed.
 */
#include "crmkit.h"
#include "check.h"

#include <stdio.h>
#include <string.h>

/* A recognisable pointer value that crmkit must not overwrite on failure. */
static char sentinel_target;
#define SENTINEL_STRING (&sentinel_target)

/* 2024-07-01T12:00:00Z and 2024-09-01T12:00:00Z. */
static const int64_t JULY_1ST = 1719835200;
static const int64_t SEPT_1ST = 1725192000;

static const char *const LOCALES[] = {"en", "de", "pt-BR", "ru", "zh-Hans", "zh-TW"};

static const char PREVENT_CHURN[] = "{\"name\": \"prevent churn\"}";

static const char REDUCE_CHURN[] =
    "{\"name\": \"reduce churn by 25% by the end of next quarter\","
    " \"objective\": \"increase_retention\", \"kpi\": \"churn_rate\","
    " \"target\": \"-25%\", \"deadline\": \"end of next quarter\","
    " \"plan\": {\"action\": \"use our new CRM to improve communication between sales"
    " and support\", \"resources\": [\"our new CRM\"]},"
    " \"reason\": \"repeat customers spend more and cost less\"}";

static const char TRACKED[] =
    "{\"kpi\": \"churn_rate\", \"baseline\": {\"value\": 8, \"date\": \"2024-07-01\"},"
    " \"target\": 6, \"deadline\": \"2024-12-31\"}";

static const char MEASUREMENTS[] =
    "[{\"date\": \"2024-07-01\", \"value\": \"8\"},"
    " {\"date\": \"2024-08-01\", \"value\": 7.7},"
    " {\"date\": \"2024-09-01\", \"value\": \"7.4\"}]";

static int message_is_set(void) {
    const char *message = crm_last_error_message();
    return message != NULL && message[0] != '\0';
}

static int contains(const char *haystack, const char *needle) {
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

static void test_seed_goals_in_every_locale(void) {
    size_t i;
    for (i = 0; i < sizeof LOCALES / sizeof LOCALES[0]; i++) {
        char *report = NULL;
        CHECK_STATUS(crm_goal_validate(REDUCE_CHURN, JULY_1ST, LOCALES[i], &report),
                     CRM_STATUS_OK);
        CHECK(crm_last_error_message()[0] == '\0');
        CHECK(contains(report, "\"smart\":true"));
        CHECK(contains(report, "\"overall\":\"pass\""));
        CHECK(contains(report, "\"deadline\":\"2024-12-31\""));
        if (i == 0 && report != NULL) {
            printf("reduce churn (en): %.160s...\n", report);
        }
        crm_string_free(report);

        report = NULL;
        CHECK_STATUS(crm_goal_validate(PREVENT_CHURN, JULY_1ST, LOCALES[i], &report),
                     CRM_STATUS_OK);
        CHECK(contains(report, "\"smart\":false"));
        CHECK(contains(report, "\"code\":\"no_action_plan\""));
        CHECK(contains(report, "\"code\":\"no_kpi\""));
        CHECK(contains(report, "\"code\":\"no_means\""));
        CHECK(contains(report, "\"code\":\"no_objective\""));
        CHECK(contains(report, "\"code\":\"no_deadline\""));
        CHECK(contains(report, "\"verdict\":\"cannot_tell\""));
        crm_string_free(report);
    }
}

static void test_validate_hostile_inputs(void) {
    char *out = SENTINEL_STRING;
    /* 0xff can never appear in UTF-8. */
    static const char not_utf8[] = {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"',
                                    (char)0xff, '"', '}', '\0'};

    CHECK_STATUS(crm_goal_validate(NULL, JULY_1ST, "en", &out), CRM_STATUS_NULL_POINTER);
    CHECK(contains(crm_last_error_message(), "goal_json"));
    CHECK_STATUS(crm_goal_validate(REDUCE_CHURN, JULY_1ST, NULL, &out),
                 CRM_STATUS_NULL_POINTER);
    CHECK(contains(crm_last_error_message(), "locale"));
    CHECK_STATUS(crm_goal_validate(REDUCE_CHURN, JULY_1ST, "en", NULL),
                 CRM_STATUS_NULL_POINTER);
    CHECK(message_is_set());
    CHECK_STATUS(crm_goal_validate(not_utf8, JULY_1ST, "en", &out), CRM_STATUS_INVALID_UTF8);

    CHECK_STATUS(crm_goal_validate("{", JULY_1ST, "en", &out), CRM_STATUS_JSON);
    CHECK_STATUS(crm_goal_validate("", JULY_1ST, "en", &out), CRM_STATUS_JSON);
    CHECK_STATUS(crm_goal_validate("[]", JULY_1ST, "en", &out), CRM_STATUS_JSON);
    CHECK_STATUS(crm_goal_validate("{\"target\": true}", JULY_1ST, "en", &out),
                 CRM_STATUS_JSON);
    CHECK(contains(crm_last_error_message(), "target"));
    CHECK_STATUS(crm_goal_validate("{\"baseline\": {\"value\": \"x\"}}", JULY_1ST, "en", &out),
                 CRM_STATUS_JSON);
    CHECK(contains(crm_last_error_message(), "baseline.value"));
    CHECK_STATUS(crm_goal_validate("{\"deadline\": \"one day\"}", JULY_1ST, "en", &out),
                 CRM_STATUS_JSON);
    CHECK_STATUS(crm_goal_validate("{\"unknown\": 1}", JULY_1ST, "en", &out), CRM_STATUS_JSON);

    CHECK_STATUS(crm_goal_validate(REDUCE_CHURN, JULY_1ST, "fr", &out), CRM_STATUS_UNSUPPORTED);
    CHECK(contains(crm_last_error_message(), "locale"));
    CHECK_STATUS(crm_goal_validate(REDUCE_CHURN, INT64_MAX, "en", &out),
                 CRM_STATUS_INVALID_ARGUMENT);
    CHECK(contains(crm_last_error_message(), "as_of_unix"));
    CHECK(out == SENTINEL_STRING);

    /* A KPI crmkit cannot compute is a verdict, not an error. */
    out = NULL;
    CHECK_STATUS(crm_goal_validate("{\"kpi\": \"happiness\"}", JULY_1ST, "de", &out),
                 CRM_STATUS_OK);
    CHECK(contains(out, "\"code\":\"unknown_kpi\""));
    CHECK(contains(out, "happiness"));
    crm_string_free(out);
}

static void test_progress(void) {
    size_t i;
    for (i = 0; i < sizeof LOCALES / sizeof LOCALES[0]; i++) {
        char *out = NULL;
        CHECK_STATUS(crm_goal_progress(TRACKED, MEASUREMENTS, SEPT_1ST, LOCALES[i], &out),
                     CRM_STATUS_OK);
        CHECK(contains(out, "\"status\":\"at_risk\""));
        CHECK(contains(out, "\"progress\":\"0.3\""));
        CHECK(contains(out, "\"projected\":\"6.2290\""));
        CHECK(contains(out, "\"days_left\":121"));
        CHECK(contains(out, "\"summary\":"));
        if (i == 0 && out != NULL) {
            printf("progress (en): %s\n", out);
        }
        crm_string_free(out);
    }
    {
        char *out = NULL;
        CHECK_STATUS(crm_goal_progress(TRACKED, "[]", SEPT_1ST, "en", &out), CRM_STATUS_OK);
        CHECK(contains(out, "\"projected\":null"));
        crm_string_free(out);
    }
}

static void test_progress_hostile_inputs(void) {
    char *out = SENTINEL_STRING;
    CHECK_STATUS(crm_goal_progress(NULL, "[]", SEPT_1ST, "en", &out), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_goal_progress(TRACKED, NULL, SEPT_1ST, "en", &out),
                 CRM_STATUS_NULL_POINTER);
    CHECK(contains(crm_last_error_message(), "measurements_json"));
    CHECK_STATUS(crm_goal_progress(TRACKED, "[]", SEPT_1ST, NULL, &out),
                 CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_goal_progress(TRACKED, "[]", SEPT_1ST, "en", NULL),
                 CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_goal_progress(TRACKED, "{", SEPT_1ST, "en", &out), CRM_STATUS_JSON);
    CHECK_STATUS(crm_goal_progress(TRACKED, "[{\"date\": \"2024-13-01\", \"value\": 1}]",
                                   SEPT_1ST, "en", &out),
                 CRM_STATUS_JSON);
    CHECK(contains(crm_last_error_message(), "measurements[0].date"));
    CHECK_STATUS(crm_goal_progress(TRACKED, "[{\"date\": \"2024-08-01\", \"value\": \"1e99\"}]",
                                   SEPT_1ST, "en", &out),
                 CRM_STATUS_JSON);
    CHECK_STATUS(crm_goal_progress("nope", "[]", SEPT_1ST, "en", &out), CRM_STATUS_JSON);
    /* A goal without target or deadline cannot be tracked. */
    CHECK_STATUS(crm_goal_progress(PREVENT_CHURN, "[]", SEPT_1ST, "en", &out),
                 CRM_STATUS_INVALID);
    CHECK(contains(crm_last_error_message(), "target"));
    CHECK_STATUS(crm_goal_progress(TRACKED, "[]", SEPT_1ST, "klingon", &out),
                 CRM_STATUS_UNSUPPORTED);
    CHECK_STATUS(crm_goal_progress(TRACKED, "[]", INT64_MIN, "en", &out),
                 CRM_STATUS_INVALID_ARGUMENT);
    CHECK(out == SENTINEL_STRING);
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    test_seed_goals_in_every_locale();
    test_validate_hostile_inputs();
    test_progress();
    test_progress_hostile_inputs();
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("goals.c: all checks passed\n");
    return 0;
}
