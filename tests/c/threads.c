/*
 * Threads: one crm_dataset handle is shared by several threads at once (the
 * header promises it is immutable and safe to share), and the last error
 * message is per thread.
 *
 * Compiled by tests/c_abi.rs as C99 and as C++17, run natively and under
 * valgrind when it is installed.
 */
#define _POSIX_C_SOURCE 200809L

#include "crmkit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define THREADS 4
#define ROUNDS 50

struct worker {
    const crm_dataset *dataset;
    int failures;
};

static void *work(void *arg) {
    struct worker *worker = (struct worker *)arg;
    int round;
    for (round = 0; round < ROUNDS; round++) {
        char *counts = NULL;
        crm_dataset *ignored = NULL;

        if (crm_dataset_counts_json(worker->dataset, &counts) != CRM_STATUS_OK || counts == NULL ||
            strstr(counts, "\"contacts\"") == NULL) {
            worker->failures++;
        }
        crm_string_free(counts);

        /* A failure on this thread sets this thread's message only... */
        if (crm_dataset_from_json("{", &ignored) != CRM_STATUS_JSON ||
            crm_last_error_message()[0] == '\0' || ignored != NULL) {
            worker->failures++;
        }
        /* ...and a success on this thread clears it. */
        if (crm_dataset_counts_json(worker->dataset, &counts) != CRM_STATUS_OK ||
            crm_last_error_message()[0] != '\0') {
            worker->failures++;
        }
        crm_string_free(counts);
    }
    return NULL;
}

int main(void) {
    crm_dataset *dataset = NULL;
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    int failures = 0;
    int i;

    if (crm_dataset_from_json("{}", &dataset) != CRM_STATUS_OK) {
        fprintf(stderr, "cannot load the dataset: %s\n", crm_last_error_message());
        return 1;
    }

    /* The main thread's failure must not be seen by, nor cleared by, the workers. */
    if (crm_dataset_from_json(NULL, &dataset) != CRM_STATUS_NULL_POINTER) {
        fprintf(stderr, "NULL json was accepted\n");
        return 1;
    }

    for (i = 0; i < THREADS; i++) {
        workers[i].dataset = dataset;
        workers[i].failures = 0;
        if (pthread_create(&threads[i], NULL, work, &workers[i]) != 0) {
            fprintf(stderr, "cannot start thread %d\n", i);
            return 1;
        }
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        if (workers[i].failures != 0) {
            fprintf(stderr, "thread %d: %d failure(s)\n", i, workers[i].failures);
            failures += workers[i].failures;
        }
    }

    if (strstr(crm_last_error_message(), "json") == NULL) {
        fprintf(stderr, "the main thread's message changed: \"%s\"\n", crm_last_error_message());
        failures++;
    }

    crm_dataset_free(dataset);
    if (failures != 0) {
        return 1;
    }
    printf("threads.c: all checks passed\n");
    return 0;
}
