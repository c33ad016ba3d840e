/*
 * Threads and engines: one dataset, one scoring model and one rule set are
 * loaded once and shared by 8 threads at once (the header promises the
 * handles are immutable and safe to share). Each thread scores leads (one by
 * one from JSON and as a batch over flat arrays), routes deals with the $500
 * rule set, ticks and analyses it, computes a KPI report and a pipeline
 * report, and must get byte for byte what a single-threaded reference run
 * got before any thread started.
 *
 * Compiled by tests/c_abi.rs as C99 and as C++17, run natively, under
 * valgrind memcheck, and (its name starts with "threads") under helgrind and
 * drd. argv[1] is the path of examples/data/sample_company.json; the scoring
 * model is scoring_model.json in the same directory.
 */
#define _POSIX_C_SOURCE 200809L

#include "crmkit.h"
#include "check.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 8
/* Leads scored from JSON, leads of the batch, deals routed per run. */
#define JSON_LEADS 16
#define BATCH_LEADS 48
#define DEALS 16
#define MAX_COLUMNS 32
#define MAX_EVENTS (BATCH_LEADS * 8)

/* 2026-07-01T00:00:00Z */
#define AS_OF ((int64_t)1782864000)
#define DAY ((int64_t)86400)

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

static const char KPI_REQUEST[] =
    "{\"kpis\": [\"win_rate\", \"revenue\", \"average_deal_size\", \"sales_cycle_length\","
    " \"churn_rate\", \"lead_conversion_rate\"],"
    " \"period\": {\"start\": \"2026-04-01\", \"end\": \"2026-07-01\"}, \"granularity\": \"quarter\"}";

static const char PIPELINE_REQUEST[] = "{\"as_of\": \"2026-07-01T00:00:00Z\", \"follow_up_days\": 7}";

static const char *const TITLES[] = {"founder", "sales director", "IT manager", "analyst", "engineer"};
static const char *const INDUSTRIES[] = {"software", "finance", "retail", "health"};
static const char *const PLANS[] = {"enterprise", "starter", "pro"};
static const char *const ACTIVITY_KINDS[] = {
    "{\"type\": \"website_visit\", \"url\": \"/pricing\"}",
    "{\"type\": \"website_visit\", \"url\": \"/demo/book\"}",
    "{\"type\": \"website_visit\", \"url\": \"/blog/post-1\"}",
    "{\"type\": \"form_submission\", \"form\": \"demo-request\"}",
    "{\"type\": \"content_download\", \"content\": \"whitepaper\"}",
    "{\"type\": \"email\", \"event\": \"clicked\"}",
    "{\"type\": \"email\", \"event\": \"bounced\"}",
    "{\"type\": \"meeting\"}",
    "{\"type\": \"referral\"}",
};
#define N_TITLES (sizeof TITLES / sizeof TITLES[0])
#define N_INDUSTRIES (sizeof INDUSTRIES / sizeof INDUSTRIES[0])
#define N_PLANS (sizeof PLANS / sizeof PLANS[0])
#define N_KINDS (sizeof ACTIVITY_KINDS / sizeof ACTIVITY_KINDS[0])

struct shared {
    const crm_dataset *dataset;
    const crm_scoring_model *model;
    const crm_rules *rules;
    /* The batch's inputs, built once by the main thread (read-only after). */
    size_t n_columns;
    const int64_t *columns[MAX_COLUMNS];
    int64_t column_values[MAX_COLUMNS][BATCH_LEADS];
    crm_score_event events[MAX_EVENTS];
    size_t n_events;
    size_t n_categories;
};

/* A growing string: the transcript of one run. */
struct text {
    char *data;
    size_t len;
    size_t cap;
    int failed;
};

static void append(struct text *text, const char *part) {
    size_t n = strlen(part);
    if (text->len + n + 1 > text->cap) {
        size_t cap = text->cap == 0 ? 4096 : text->cap;
        char *data;
        while (text->len + n + 1 > cap) {
            cap *= 2;
        }
        data = (char *)realloc(text->data, cap);
        if (data == NULL) {
            text->failed = 1;
            return;
        }
        text->data = data;
        text->cap = cap;
    }
    memcpy(text->data + text->len, part, n + 1);
    text->len += n;
}

/* Appends the result of a call (made before, so that `json` is set): its JSON
 * on success, else the status and message. Frees `json`. */
static void append_result(struct text *text, const char *what, crm_status status, char *json) {
    append(text, "\n== ");
    append(text, what);
    append(text, "\n");
    if (status == CRM_STATUS_OK && json != NULL) {
        append(text, json);
    } else {
        text->failed = 1;
        append(text, "FAILED: ");
        append(text, crm_status_str(status));
        append(text, ": ");
        append(text, crm_last_error_message());
        fprintf(stderr, "%s: %s: %s\n", what, crm_status_str(status), crm_last_error_message());
    }
    crm_string_free(json);
}

static void score_json_leads(const struct shared *shared, struct text *text) {
    int i;
    for (i = 0; i < JSON_LEADS; i++) {
        char lead[2048];
        char what[64];
        char *json = NULL;
        unsigned u = (unsigned)i;
        crm_status status;
        snprintf(lead, sizeof lead,
                 "{\"contact\": {\"id\": \"L-%d\", \"name\": \"Lead %d\", \"email\": \"lead%d@example.com\","
                 " \"job_title\": \"%s\", \"company\": \"LC-%d\", \"created_at\": \"2026-01-01T00:00:00Z\","
                 " \"attributes\": {\"plan_interest\": \"%s\"}},"
                 " \"company\": {\"id\": \"LC-%d\", \"name\": \"Co %d\", \"industry\": \"%s\","
                 " \"employees\": %u, \"annual_revenue\": {\"amount\": \"%u\", \"currency\": \"USD\"}},"
                 " \"activities\": ["
                 "{\"id\": \"A-%d-1\", \"contact\": \"L-%d\", \"at\": \"2026-06-%02uT10:00:00Z\", \"kind\": %s},"
                 "{\"id\": \"A-%d-2\", \"contact\": \"L-%d\", \"at\": \"2026-05-%02uT10:00:00Z\", \"kind\": %s}]}",
                 i, i, i, TITLES[u % N_TITLES], i, PLANS[u % N_PLANS], i, i,
                 INDUSTRIES[u % N_INDUSTRIES], 50u + 173u * u, 1000000u + 2400000u * u, i, i,
                 1u + u % 28u, ACTIVITY_KINDS[u % N_KINDS], i, i, 1u + (u * 7u) % 28u,
                 ACTIVITY_KINDS[(u * 5u + 2u) % N_KINDS]);
        snprintf(what, sizeof what, "crm_score_lead_json L-%d", i);
        status = crm_score_lead_json(shared->model, lead, AS_OF, &json);
        append_result(text, what, status, json);
    }
}

static void score_batch(const struct shared *shared, struct text *text) {
    crm_lead_score out[BATCH_LEADS];
    int64_t categories[BATCH_LEADS * 8];
    char line[256];
    size_t i, c;
    crm_status status;

    memset(out, 0, sizeof out);
    memset(categories, 0, sizeof categories);
    status = crm_score_batch(shared->model, shared->columns, shared->n_columns, BATCH_LEADS,
                             shared->events, shared->n_events, NULL, AS_OF, out, categories,
                             BATCH_LEADS * shared->n_categories);
    append(text, "\n== crm_score_batch\n");
    if (status != CRM_STATUS_OK) {
        text->failed = 1;
        fprintf(stderr, "crm_score_batch: %s: %s\n", crm_status_str(status), crm_last_error_message());
        return;
    }
    for (i = 0; i < BATCH_LEADS; i++) {
        snprintf(line, sizeof line, "%u: total %lld grade %u categories", (unsigned)i,
                 (long long)out[i].total_units, (unsigned)out[i].grade);
        append(text, line);
        for (c = 0; c < shared->n_categories; c++) {
            snprintf(line, sizeof line, " %lld", (long long)categories[i * shared->n_categories + c]);
            append(text, line);
        }
        append(text, "\n");
    }
}

static void route_deals(const struct shared *shared, struct text *text) {
    int i;
    char *actions = NULL;
    char *state = NULL;
    char *report = NULL;
    crm_status status;

    for (i = 1; i <= DEALS; i++) {
        char event[256];
        char what[64];
        snprintf(event, sizeof event,
                 "{\"id\": \"E-%d\", \"type\": \"deal_created\", \"at\": \"2026-06-30T08:00:00Z\","
                 " \"deal\": \"D-%04d\"}",
                 i, i);
        snprintf(what, sizeof what, "crm_rules_evaluate D-%04d", i);
        actions = NULL;
        state = NULL;
        status = crm_rules_evaluate(shared->rules, shared->dataset, event, "", AS_OF, &actions, &state);
        append_result(text, what, status, actions);
        append_result(text, "state", status, state);
    }
    actions = NULL;
    state = NULL;
    status = crm_rules_tick(shared->rules, shared->dataset, "", AS_OF, &actions, &state);
    append_result(text, "crm_rules_tick", status, actions);
    append_result(text, "tick state", status, state);
    status = crm_rules_analyze(shared->rules, &report);
    append_result(text, "crm_rules_analyze", status, report);
}

static void reports(const struct shared *shared, struct text *text) {
    char *json = NULL;
    crm_status status = crm_kpi_compute(shared->dataset, KPI_REQUEST, &json);
    append_result(text, "crm_kpi_compute", status, json);
    json = NULL;
    status = crm_pipeline_report(shared->dataset, PIPELINE_REQUEST, &json);
    append_result(text, "crm_pipeline_report", status, json);
}

/* One full run: the transcript every thread must reproduce exactly. */
static void run(const struct shared *shared, struct text *text) {
    score_json_leads(shared, text);
    score_batch(shared, text);
    route_deals(shared, text);
    reports(shared, text);
}

struct worker {
    const struct shared *shared;
    struct text text;
};

static void *work(void *arg) {
    struct worker *worker = (struct worker *)arg;
    run(worker->shared, &worker->text);
    return NULL;
}

/* The scoring model next to the dataset: "<dir of argv[1]>/scoring_model.json". */
static char *model_path(const char *dataset_path) {
    const char *slash = strrchr(dataset_path, '/');
    size_t dir_len = slash == NULL ? 0 : (size_t)(slash - dataset_path) + 1;
    const char *name = "scoring_model.json";
    char *path = (char *)malloc(dir_len + strlen(name) + 1);
    if (path != NULL) {
        memcpy(path, dataset_path, dir_len);
        strcpy(path + dir_len, name);
    }
    return path;
}

/* Finds the "columns" of crm_scoring_model_info_json() (compact JSON, flat
 * objects) and points `kinds[c]` at the value of column c's "kind"; returns
 * the number of columns, 0 if the text is not as expected. */
static size_t parse_columns(const char *info, const char *kinds[MAX_COLUMNS]) {
    const char *p = strstr(info, "\"columns\":[");
    size_t n = 0;
    if (p == NULL) {
        return 0;
    }
    p += strlen("\"columns\":[");
    while (*p == '{' && n < MAX_COLUMNS) {
        const char *end = strchr(p, '}');
        const char *kind = strstr(p, "\"kind\":\"");
        if (end == NULL || kind == NULL || kind > end) {
            return 0;
        }
        kinds[n++] = kind + strlen("\"kind\":\"");
        p = end + 1;
        if (*p == ',') {
            p++;
        }
    }
    return n;
}

/* The number of entries of "categories" (objects without nested arrays). */
static size_t count_categories(const char *info) {
    const char *p = strstr(info, "\"categories\":[");
    const char *end;
    size_t n = 0;
    if (p == NULL || (end = strchr(p, ']')) == NULL) {
        return 0;
    }
    for (; p < end; p++) {
        if (*p == '{') {
            n++;
        }
    }
    return n;
}

static int starts_with(const char *text, const char *prefix) {
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* Builds the batch: deterministic column values by kind, and events from the
 * model's activity rules. */
static int build_batch(struct shared *shared) {
    char *info = NULL;
    const char *kinds[MAX_COLUMNS];
    size_t c, i, k;
    crm_status status = crm_scoring_model_info_json(shared->model, &info);
    if (status != CRM_STATUS_OK) {
        fprintf(stderr, "crm_scoring_model_info_json: %s\n", crm_last_error_message());
        return 0;
    }
    shared->n_columns = parse_columns(info, kinds);
    shared->n_categories = count_categories(info);
    if (shared->n_columns == 0 || shared->n_categories == 0 || shared->n_categories > 8) {
        fprintf(stderr, "unexpected model info: %s\n", info);
        crm_string_free(info);
        return 0;
    }
    for (c = 0; c < shared->n_columns; c++) {
        for (i = 0; i < BATCH_LEADS; i++) {
            int64_t *value = &shared->column_values[c][i];
            char decimal[32];
            *value = INT64_MIN;
            if ((i + c) % 7 == 0) {
                continue; /* no value */
            }
            if (starts_with(kinds[c], "text\"")) {
                const char *words = i % 2 == 0 ? TITLES[i % N_TITLES] : INDUSTRIES[i % N_INDUSTRIES];
                if (i % 5 == 0) {
                    words = PLANS[i % N_PLANS];
                }
                status = crm_scoring_encode_text(shared->model, c, words, value);
            } else if (starts_with(kinds[c], "number\"") || starts_with(kinds[c], "money\"")) {
                snprintf(decimal, sizeof decimal, "%u.25", (unsigned)(i * i * 37000u + 10u * c));
                status = crm_scoring_encode_decimal(decimal, value);
            } else if (starts_with(kinds[c], "flag\"")) {
                *value = (int64_t)(i % 2);
            } else if (starts_with(kinds[c], "date\"")) {
                *value = AS_OF / DAY - (int64_t)i;
            } else if (starts_with(kinds[c], "timestamp\"")) {
                *value = 2 * (AS_OF - (int64_t)i * DAY);
            }
            if (status != CRM_STATUS_OK) {
                fprintf(stderr, "encoding column %u: %s\n", (unsigned)c, crm_last_error_message());
                crm_string_free(info);
                return 0;
            }
        }
        shared->columns[c] = shared->column_values[c];
    }
    crm_string_free(info);

    shared->n_events = 0;
    for (i = 0; i < BATCH_LEADS; i++) {
        for (k = 0; k < 2; k++) {
            uint32_t rules[16];
            size_t count = 0, r;
            const char *kind = ACTIVITY_KINDS[(i * 3 + k * 4) % N_KINDS];
            status = crm_scoring_match_activity_json(shared->model, kind, rules, 16, &count);
            if (status != CRM_STATUS_OK) {
                fprintf(stderr, "crm_scoring_match_activity_json(%s): %s\n", kind,
                        crm_last_error_message());
                return 0;
            }
            for (r = 0; r < count && shared->n_events < MAX_EVENTS; r++) {
                crm_score_event *event = &shared->events[shared->n_events++];
                event->lead = i;
                event->rule = rules[r];
                event->at_unix = AS_OF - (int64_t)((i * 11 + k * 17) % 90 + 1) * DAY;
            }
        }
    }
    return shared->n_events > 0;
}

int main(int argc, char **argv) {
    static struct shared shared;
    struct text reference = {NULL, 0, 0, 0};
    struct worker workers[THREADS];
    pthread_t threads[THREADS];
    crm_dataset *dataset = NULL;
    crm_scoring_model *model = NULL;
    crm_rules *rules = NULL;
    char *json;
    char *path;
    int failures = 0;
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s examples/data/sample_company.json\n", argv[0]);
        return 1;
    }
    json = read_file(argv[1]);
    if (json == NULL || crm_dataset_from_json(json, &dataset) != CRM_STATUS_OK) {
        fprintf(stderr, "cannot load the dataset %s: %s\n", argv[1], crm_last_error_message());
        free(json);
        return 1;
    }
    free(json);
    path = model_path(argv[1]);
    json = path == NULL ? NULL : read_file(path);
    if (json == NULL || crm_scoring_model_from_json(json, &model) != CRM_STATUS_OK) {
        fprintf(stderr, "cannot load the scoring model %s: %s\n", path == NULL ? "?" : path,
                crm_last_error_message());
        free(json);
        free(path);
        crm_dataset_free(dataset);
        return 1;
    }
    free(json);
    free(path);
    if (crm_rules_from_json(SEED_RULES, &rules) != CRM_STATUS_OK) {
        fprintf(stderr, "cannot load the rule set: %s\n", crm_last_error_message());
        crm_scoring_model_free(model);
        crm_dataset_free(dataset);
        return 1;
    }
    shared.dataset = dataset;
    shared.model = model;
    shared.rules = rules;
    if (!build_batch(&shared)) {
        failures++;
    }

    /* The reference, before any thread starts. */
    if (failures == 0) {
        run(&shared, &reference);
        if (reference.failed) {
            fprintf(stderr, "the single-threaded reference run failed\n");
            failures++;
        }
        /* Sanity: the transcript holds what the calls promise. */
        if (reference.data == NULL || strstr(reference.data, "\"contributions\"") == NULL ||
            strstr(reference.data, "\"type\":\"create_task\"") == NULL ||
            strstr(reference.data, "\"campaign\":\"nurture\"") == NULL ||
            strstr(reference.data, "\"kind\":\"gap\"") == NULL ||
            strstr(reference.data, "\"kpi\":\"win_rate\"") == NULL ||
            strstr(reference.data, "\"open_items\"") == NULL) {
            fprintf(stderr, "the reference run lacks expected results\n");
            failures++;
        }
    }

    if (failures == 0) {
        int started = 0;
        for (i = 0; i < THREADS; i++) {
            workers[i].shared = &shared;
            workers[i].text.data = NULL;
            workers[i].text.len = 0;
            workers[i].text.cap = 0;
            workers[i].text.failed = 0;
        }
        for (i = 0; i < THREADS; i++) {
            if (pthread_create(&threads[i], NULL, work, &workers[i]) != 0) {
                fprintf(stderr, "cannot start thread %d\n", i);
                failures++;
                break;
            }
            started++;
        }
        for (i = 0; i < started; i++) {
            pthread_join(threads[i], NULL);
            if (workers[i].text.failed || workers[i].text.len != reference.len ||
                memcmp(workers[i].text.data, reference.data, reference.len) != 0) {
                fprintf(stderr, "thread %d: its results differ from the single-threaded run\n", i);
                failures++;
            }
            free(workers[i].text.data);
        }
    }

    free(reference.data);
    crm_rules_free(rules);
    crm_scoring_model_free(model);
    crm_dataset_free(dataset);
    if (failures != 0) {
        return 1;
    }
    printf("threads_engines.c: %d threads, %u bytes of identical results each\n", THREADS,
           (unsigned)reference.len);
    return 0;
}
