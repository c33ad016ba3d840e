/*
 * The per-lead C call timed from C, for bench/bench.py: the same model and
 * lead as examples/batch_reference.rs, crm_score_lead_json() + crm_string_free()
 * in a loop; prints one JSON line with the median over 5 runs (us per call).
 *
 *   cargo build --release --lib     # target/release/libcrmkit.so with the C ABI
 *   mkdir -p /tmp/c_call && cp target/release/libcrmkit.so /tmp/c_call/libcrmkit.so.1  # its SONAME
 *   cc -O2 -I include crates/crmkit-python/bench/c_call.c -L target/release -lcrmkit -o /tmp/c_call/c_call
 *   CRMKIT_C_BENCH=/tmp/c_call/c_call LD_LIBRARY_PATH=/tmp/c_call python crates/crmkit-python/bench/bench.py
 */
#include "crmkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char MODEL[] =
    "{\"categories\": [{\"id\": \"engagement\", \"max\": 40}],"
    " \"rules\": ["
    "  {\"id\": \"title\", \"points\": 20, \"when\": {\"field\": \"contact.job_title\", \"op\": \"contains\", \"value\": \"director\"}},"
    "  {\"id\": \"size\", \"points\": \"7.5\", \"when\": {\"field\": \"company.employees\", \"op\": \"range\", \"min\": 100}},"
    "  {\"id\": \"pricing\", \"points\": 10, \"max_points\": 30, \"decay\": {\"half_life_days\": 30},"
    "   \"activity\": {\"type\": \"website_visit\", \"url\": \"/pricing*\"}},"
    "  {\"id\": \"bounce\", \"points\": -15, \"activity\": {\"type\": \"email\", \"event\": \"bounced\"}}],"
    " \"grades\": [{\"grade\": \"A\", \"min\": 40}, {\"grade\": \"B\", \"min\": 20}, {\"grade\": \"C\"}],"
    " \"handoffs\": [{\"from\": [\"lead\"], \"to\": \"mql\", \"min\": 30}]}";

static const char LEAD[] =
    "{\"contact\": {\"id\": \"C-1\", \"job_title\": \"Sales Director\", \"company\": \"CO-1\", \"created_at\": \"2026-01-01T00:00:00Z\"},"
    " \"company\": {\"id\": \"CO-1\", \"name\": \"Acme\", \"employees\": 500},"
    " \"activities\": [{\"id\": \"A-1\", \"contact\": \"C-1\", \"at\": \"2026-02-01T00:00:00Z\","
    " \"kind\": {\"type\": \"website_visit\", \"url\": \"/pricing\"}}]}";

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void) {
    crm_scoring_model *model = NULL;
    double runs[5];
    const int loops = 20000;
    if (crm_scoring_model_from_json(MODEL, &model) != CRM_STATUS_OK) {
        fprintf(stderr, "model: %s\n", crm_last_error_message());
        return 1;
    }
    for (int r = 0; r < 5; r++) {
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (int i = 0; i < loops; i++) {
            char *out = NULL;
            if (crm_score_lead_json(model, LEAD, 1772496000, &out) != CRM_STATUS_OK) {
                fprintf(stderr, "score: %s\n", crm_last_error_message());
                return 1;
            }
            crm_string_free(out);
        }
        clock_gettime(CLOCK_MONOTONIC, &end);
        runs[r] = ((double)(end.tv_sec - start.tv_sec) * 1e9 + (double)(end.tv_nsec - start.tv_nsec)) /
                  loops / 1e3;
    }
    qsort(runs, 5, sizeof runs[0], compare);
    printf("{\"c_score_lead_json_us\": %.3f}\n", runs[2]);
    crm_scoring_model_free(model);
    return 0;
}
