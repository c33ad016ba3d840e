/*
 * Helpers shared by the C ABI tests in this folder (not a test itself:
 * tests/c_abi.rs compiles the *.c files). Each test counts its failed
 * checks in `failures` and returns non-zero when there is any.
 */
#ifndef CRMKIT_TESTS_CHECK_H
#define CRMKIT_TESTS_CHECK_H

#include "crmkit.h"

#include <stdio.h>
#include <stdlib.h>

static int failures = 0;

/* The number of failed checks so far (also keeps `failures` used in tests
 * that only need read_file). */
static inline int check_failures(void) { return failures; }

/* A check that counts a failure and goes on. */
#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
            failures++;                                                        \
        }                                                                      \
    } while (0)

/* `call` must return `expected`; otherwise the failure shows the message. */
#define CHECK_STATUS(call, expected)                                           \
    do {                                                                       \
        crm_status got_ = (call);                                              \
        if (got_ != (expected)) {                                              \
            fprintf(stderr, "%s:%d: %s returned %s, expected %s: %s\n",        \
                    __FILE__, __LINE__, #call, crm_status_str(got_),           \
                    crm_status_str(expected), crm_last_error_message());       \
            failures++;                                                        \
        }                                                                      \
    } while (0)

/* Reads a whole file into a NUL-terminated buffer to free() (NULL on failure). */
static inline char *read_file(const char *path) {
    FILE *file = fopen(path, "rb");
    char *text = NULL;
    long size;
    if (file == NULL) {
        return NULL;
    }
    if (fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) >= 0 &&
        fseek(file, 0, SEEK_SET) == 0) {
        text = (char *)malloc((size_t)size + 1);
        if (text != NULL) {
            size_t got = fread(text, 1, (size_t)size, file);
            text[got] = '\0';
        }
    }
    fclose(file);
    return text;
}

#endif
