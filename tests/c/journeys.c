/*
 * C API test of journeys: load a welcome series, enter a contact, wait, catch
 * up after a pause (lateness reported), replay (no second action), simulate
 * over a dataset's history and analyse; a broken journey names its JSON path.
 *
 * Compiled by tests/c_abi.rs as C99 and as C++17 with warnings as errors, run
 * natively and under valgrind when it is installed.
 */
#include "crmkit.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char WELCOME[] =
    "{\"id\": \"welcome\", \"start\": \"hello\","
    " \"entry\": {\"triggers\": [{\"type\": \"contact_created\"}]},"
    " \"exits\": [{\"id\": \"bought\", \"event\": {\"type\": \"purchase_made\"}}],"
    " \"steps\": ["
    "  {\"id\": \"hello\", \"type\": \"action\", \"action\": {\"type\": \"send_email\", \"template\": \"w1\"}, \"next\": \"pause\"},"
    "  {\"id\": \"pause\", \"type\": \"wait\", \"days\": 3, \"next\": \"tips\"},"
    "  {\"id\": \"tips\", \"type\": \"action\", \"action\": {\"type\": \"send_email\", \"template\": \"w2\"}, \"next\": \"done\"},"
    "  {\"id\": \"done\", \"type\": \"end\"}]}";

static const char DATASET[] =
    "{\"contacts\": [{\"id\": \"C-1\", \"name\": \"Ada\", \"created_at\": \"2026-05-01T09:00:00Z\"},"
    "  {\"id\": \"C-2\", \"name\": \"Bo\", \"created_at\": \"2026-05-02T09:00:00Z\"}]}";

static const char CREATED[] =
    "{\"event\": {\"id\": \"E-1\", \"type\": \"contact_created\", \"at\": \"2026-05-01T09:00:00Z\","
    " \"contact\": \"C-1\"}}";

/* 2026-05-01T09:00:00Z, 2026-05-04T09:00:00Z and a week later. */
static const int64_t T0 = 1777626000;
static const int64_t T3 = 1777626000 + 3 * 86400;
static const int64_t T7 = 1777626000 + 7 * 86400;

int main(void) {
    crm_journey *journey = NULL;
    crm_dataset *dataset = NULL;
    char *result = NULL;
    char *state = NULL;
    char *result2 = NULL;
    char *state2 = NULL;
    char *report = NULL;
    int64_t wake = 0;

    CHECK_STATUS(crm_journey_from_json(WELCOME, &journey), CRM_STATUS_OK);
    CHECK_STATUS(crm_dataset_from_json(DATASET, &dataset), CRM_STATUS_OK);
    if (journey == NULL || dataset == NULL) {
        crm_journey_free(journey);
        crm_dataset_free(dataset);
        return 1;
    }

    /* Entry: the first e-mail, and a wake-up three days later. */
    CHECK_STATUS(crm_journey_advance(journey, dataset, "", CREATED, T0, &result, &state, &wake),
                 CRM_STATUS_OK);
    CHECK(result != NULL && strstr(result, "\"id\":\"welcome:hello/then/contact:C-1/r1.v1/0\"") != NULL);
    CHECK(wake == T3);

    /* A week later: the second e-mail, four days late; the contact completes. */
    CHECK_STATUS(crm_journey_advance(journey, dataset, state, "\"tick\"", T7, &result2, &state2, &wake),
                 CRM_STATUS_OK);
    CHECK(result2 != NULL && strstr(result2, "\"template\":\"w2\"") != NULL);
    CHECK(result2 != NULL && strstr(result2, "\"late_seconds\":345600") != NULL);
    CHECK(state2 != NULL && strstr(state2, "\"status\":\"completed\"") != NULL);
    CHECK(wake == INT64_MIN);
    crm_string_free(result2);
    result2 = NULL;

    /* Replaying the entry on the new state: no action. */
    {
        char *replay = NULL;
        char *replay_state = NULL;
        CHECK_STATUS(crm_journey_advance(journey, dataset, state2, CREATED, T7, &replay, &replay_state, &wake),
                     CRM_STATUS_OK);
        CHECK(replay != NULL && strstr(replay, "\"actions\":[]") != NULL);
        CHECK(replay != NULL && strstr(replay, "\"idle\":\"replay\"") != NULL);
        crm_string_free(replay);
        crm_string_free(replay_state);
    }
    crm_string_free(result);
    crm_string_free(state);
    crm_string_free(state2);

    /* Simulation over the dataset's history: both contacts entered. */
    CHECK_STATUS(crm_journey_simulate(journey, dataset, T7 + 86400, &report), CRM_STATUS_OK);
    CHECK(report != NULL && strstr(report, "\"entered\":2") != NULL);
    CHECK(report != NULL && strstr(report, "\"completed\":2") != NULL);
    crm_string_free(report);
    report = NULL;

    CHECK_STATUS(crm_journey_analyze(journey, &report), CRM_STATUS_OK);
    CHECK(report != NULL && strstr(report, "\"journey\":\"welcome\"") != NULL);
    crm_string_free(report);

    /* A broken journey: the JSON path is in the message. */
    {
        crm_journey *broken = NULL;
        CHECK_STATUS(crm_journey_from_json(
                         "{\"id\": \"j\", \"start\": \"a\", \"entry\": {\"triggers\": [{\"type\": \"contact_created\"}]},"
                         " \"steps\": [{\"id\": \"a\", \"type\": \"jump\", \"to\": \"b\"}]}",
                         &broken),
                     CRM_STATUS_INVALID);
        CHECK(broken == NULL);
        CHECK(strstr(crm_last_error_message(), "steps[0].to") != NULL);
    }

    crm_journey_free(journey);
    crm_dataset_free(dataset);
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("journeys.c: all checks passed\n");
    return 0;
}
