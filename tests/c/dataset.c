/*
 * C API smoke test: versions, status names, the error message, strings and
 * the crm_dataset handle, including hostile inputs.
 *
 * Compiled by tests/c_abi.rs as C99 and as C++17 with warnings as errors, run
 * natively and under valgrind when it is installed. Optional argument: the
 * path of a sample dataset JSON file (examples/data/sample_company.json).
 */
#include "crmkit.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A recognisable pointer value that crmkit must not overwrite on failure. */
static char sentinel_target;
#define SENTINEL_DATASET ((crm_dataset *)(void *)&sentinel_target)
#define SENTINEL_STRING (&sentinel_target)

static const char MINIMAL_DATASET[] =
    "{\"contacts\":[],\"companies\":[],\"deals\":[],\"pipelines\":[],"
    "\"activities\":[],\"campaigns\":[],\"tickets\":[],\"tasks\":[],"
    "\"reps\":[],\"teams\":[],\"spend\":[]}";

static int message_is_set(void) {
    const char *message = crm_last_error_message();
    return message != NULL && message[0] != '\0';
}

static void test_versions(void) {
    CHECK(strcmp(crm_version(), CRM_VERSION_STRING) == 0);
    CHECK(crm_abi_version() == CRM_ABI_VERSION);
    {
        char expected[64];
        snprintf(expected, sizeof expected, "%d.%d.%d", CRM_VERSION_MAJOR, CRM_VERSION_MINOR,
                 CRM_VERSION_PATCH);
        CHECK(strncmp(crm_version(), expected, strlen(expected)) == 0);
    }
}

static void test_status_names(void) {
    CHECK(strcmp(crm_status_str(CRM_STATUS_OK), "CRM_STATUS_OK") == 0);
    CHECK(strcmp(crm_status_str(CRM_STATUS_NULL_POINTER), "CRM_STATUS_NULL_POINTER") == 0);
    CHECK(strcmp(crm_status_str(CRM_STATUS_INVALID_ARGUMENT),
                 "CRM_STATUS_INVALID_ARGUMENT") == 0);
    CHECK(strcmp(crm_status_str(-1), "CRM_STATUS_UNKNOWN") == 0);
    CHECK(strcmp(crm_status_str(9999), "CRM_STATUS_UNKNOWN") == 0);
    /* The numeric values are part of the ABI. */
    CHECK(CRM_STATUS_OK == 0);
    CHECK(CRM_STATUS_JSON == 3);
    CHECK(CRM_STATUS_PANIC == 11);
    CHECK(CRM_STATUS_INVALID_ARGUMENT == 12);
}

static void load_and_count(const char *json, int print_counts) {
    crm_dataset *dataset = NULL;
    char *counts = NULL;

    CHECK_STATUS(crm_dataset_from_json(json, &dataset), CRM_STATUS_OK);
    if (dataset == NULL) {
        return;
    }
    CHECK(crm_last_error_message()[0] == '\0');
    CHECK_STATUS(crm_dataset_counts_json(dataset, &counts), CRM_STATUS_OK);
    CHECK(counts != NULL);
    if (counts != NULL) {
        CHECK(strlen(counts) > 2);
        CHECK(strstr(counts, "\"contacts\"") != NULL);
        if (print_counts) {
            printf("counts: %s\n", counts);
        }
        crm_string_free(counts);
    }
    crm_dataset_free(dataset);
}

static void test_valid_datasets(void) {
    load_and_count(MINIMAL_DATASET, 0);
    load_and_count("{}", 0);
}

static void test_hostile_inputs(void) {
    crm_dataset *dataset = SENTINEL_DATASET;
    char *json = SENTINEL_STRING;
    /* 0xff can never appear in UTF-8. */
    static const char not_utf8[] = {'{', '"', 'a', (char)0xff, '"', ':', '1', '}', '\0'};

    /* NULL arguments. */
    CHECK_STATUS(crm_dataset_from_json(NULL, &dataset), CRM_STATUS_NULL_POINTER);
    CHECK(message_is_set());
    CHECK(strstr(crm_last_error_message(), "json") != NULL);
    CHECK(dataset == SENTINEL_DATASET);

    CHECK_STATUS(crm_dataset_from_json("{}", NULL), CRM_STATUS_NULL_POINTER);
    CHECK(message_is_set());

    /* Not UTF-8. */
    CHECK_STATUS(crm_dataset_from_json(not_utf8, &dataset), CRM_STATUS_INVALID_UTF8);
    CHECK(message_is_set());
    CHECK(dataset == SENTINEL_DATASET);

    /* Malformed and mis-shaped JSON. */
    CHECK_STATUS(crm_dataset_from_json("{", &dataset), CRM_STATUS_JSON);
    CHECK(message_is_set());
    CHECK(dataset == SENTINEL_DATASET);
    CHECK_STATUS(crm_dataset_from_json("", &dataset), CRM_STATUS_JSON);
    CHECK_STATUS(crm_dataset_from_json("42", &dataset), CRM_STATUS_JSON);
    CHECK_STATUS(crm_dataset_from_json("{\"contacts\":{}}", &dataset), CRM_STATUS_JSON);
    CHECK_STATUS(crm_dataset_from_json("{} trailing", &dataset), CRM_STATUS_JSON);
    CHECK(dataset == SENTINEL_DATASET);

    /* A success clears the message. */
    dataset = NULL;
    CHECK_STATUS(crm_dataset_from_json("{}", &dataset), CRM_STATUS_OK);
    CHECK(crm_last_error_message()[0] == '\0');

    /* Counts with NULL arguments. */
    CHECK_STATUS(crm_dataset_counts_json(NULL, &json), CRM_STATUS_NULL_POINTER);
    CHECK(message_is_set());
    CHECK(json == SENTINEL_STRING);
    CHECK_STATUS(crm_dataset_counts_json(dataset, NULL), CRM_STATUS_NULL_POINTER);
    CHECK(message_is_set());
    crm_dataset_free(dataset);

    /* Releasing NULL does nothing. */
    crm_dataset_free(NULL);
    crm_string_free(NULL);
}

static void test_sample_file(const char *path) {
    char *json = read_file(path);
    CHECK(json != NULL);
    if (json == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        return;
    }
    printf("sample: %s\n", path);
    load_and_count(json, 1);
    free(json);
}

int main(int argc, char **argv) {
    test_versions();
    test_status_names();
    test_valid_datasets();
    test_hostile_inputs();
    if (argc > 1) {
        test_sample_file(argv[1]);
    }
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("dataset.c: all checks passed\n");
    return 0;
}
