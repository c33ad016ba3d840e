/*
 * crm_score_lead_json with money written as inexact JSON numbers (issue 20):
 * 12345678901234567.89, 9999999999999999.99 and a 40-decimal amount cannot
 * be read exactly and are refused with CRM_STATUS_JSON, a message naming the
 * JSON path and asking for a string; 1e400 (no 64-bit float) is refused the
 * same way; -0.0 is a float's shortest form and reads as zero. Written as
 * strings, the first two amounts are exact and compare exactly with the
 * model's thresholds; the 40-decimal string does not fit a decimal and is
 * refused, never rounded.
 */
#include "check.h"

#include <stdio.h>
#include <string.h>

static const char MODEL[] =
    "{\"rules\": ["
    "{\"id\": \"rich\", \"points\": 10, \"when\": {\"field\": \"contact.attributes.budget\","
    " \"op\": \"ge\", \"value\": {\"amount\": \"50000000000000\", \"currency\": \"USD\"}}},"
    "{\"id\": \"big\", \"points\": 5, \"when\": {\"field\": \"company.annual_revenue\","
    " \"op\": \"ge\", \"value\": {\"amount\": \"50000000000000\", \"currency\": \"USD\"}}}]}";

static const int64_t AS_OF = 1769904000; /* 2026-02-01T00:00:00Z */

/* A lead whose budget and company revenue are the given JSON texts. */
static void make_lead(char *buffer, size_t size, const char *budget, const char *revenue) {
    int n = snprintf(buffer, size,
                     "{\"contact\": {\"id\": \"C-1\", \"company\": \"CO-1\","
                     " \"created_at\": \"2026-01-01T00:00:00Z\","
                     " \"attributes\": {\"budget\": {\"amount\": %s, \"currency\": \"USD\"}}},"
                     " \"company\": {\"id\": \"CO-1\", \"name\": \"Acme\","
                     " \"annual_revenue\": {\"amount\": %s, \"currency\": \"USD\"}}}",
                     budget, revenue);
    CHECK(n > 0 && (size_t)n < size);
}

/* Scoring the lead must fail with `expected`, and the message must contain
 * `path` and `hint`; the out pointer stays untouched. */
static void check_refused(const crm_scoring_model *model, const char *budget, const char *revenue,
                          crm_status expected, const char *path, const char *hint) {
    char lead[1024];
    char sentinel = 0;
    char *out = &sentinel;
    const char *message;
    make_lead(lead, sizeof lead, budget, revenue);
    CHECK_STATUS(crm_score_lead_json(model, lead, AS_OF, &out), expected);
    CHECK(out == &sentinel);
    message = crm_last_error_message();
    if (strstr(message, path) == NULL || strstr(message, hint) == NULL) {
        fprintf(stderr, "budget %s, revenue %s: message \"%s\" lacks \"%s\" or \"%s\"\n", budget,
                revenue, message, path, hint);
        failures++;
    }
}

/* Scoring the lead must succeed with `points` in the JSON result. */
static void check_scores(const crm_scoring_model *model, const char *budget, const char *revenue,
                         const char *total) {
    char lead[1024];
    char *out = NULL;
    make_lead(lead, sizeof lead, budget, revenue);
    CHECK_STATUS(crm_score_lead_json(model, lead, AS_OF, &out), CRM_STATUS_OK);
    if (out != NULL && strstr(out, total) == NULL) {
        fprintf(stderr, "budget %s, revenue %s: %s lacks %s\n", budget, revenue, out, total);
        failures++;
    }
    crm_string_free(out);
}

int main(void) {
    static const char *const INEXACT[] = {
        "12345678901234567.89",
        "9999999999999999.99",
        "1.0000000000000000000000000000000000000001",
    };
    crm_scoring_model *model = NULL;
    size_t i;

    if (crm_scoring_model_from_json(MODEL, &model) != CRM_STATUS_OK) {
        fprintf(stderr, "the model did not load: %s\n", crm_last_error_message());
        return 1;
    }
    for (i = 0; i < sizeof INEXACT / sizeof INEXACT[0]; i++) {
        check_refused(model, INEXACT[i], "\"1\"", CRM_STATUS_JSON,
                      "contact.attributes.budget.amount", "as strings");
        check_refused(model, "\"1\"", INEXACT[i], CRM_STATUS_JSON,
                      "company.annual_revenue.amount", "as strings");
    }
    /* No 64-bit float holds 1e400: refused, never infinity. */
    check_refused(model, "1e400", "\"1\"", CRM_STATUS_JSON, "contact.attributes.budget.amount",
                  "number out of range");
    check_refused(model, "\"1\"", "1e400", CRM_STATUS_JSON, "company.annual_revenue.amount",
                  "number out of range");
    /* -0.0 is a float's shortest form: zero, which meets no threshold. */
    check_scores(model, "-0.0", "-0.0", "\"total\":\"0\"");
    /* As strings the amounts are accepted and exact. */
    check_scores(model, "\"9999999999999999.99\"", "\"12345678901234567.89\"", "\"total\":\"15\"");
    check_scores(model, "\"49999999999999.99\"", "\"50000000000000.00\"", "\"total\":\"5\"");
    /* 40 decimals do not fit an exact decimal (28 digits): refused, with
     * the path, in a money record and in an attribute. */
    check_refused(model, "\"1\"", "\"1.0000000000000000000000000000000000000001\"",
                  CRM_STATUS_JSON, "company.annual_revenue.amount", "not an exact decimal");
    check_refused(model, "\"1.0000000000000000000000000000000000000001\"", "\"1\"",
                  CRM_STATUS_JSON, "contact.attributes.budget", "not an exact decimal");
    crm_scoring_model_free(model);
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    return 0;
}
