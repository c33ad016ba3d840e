/*
 * The smallest crmkit host in C: load a dataset, print its counts, report
 * errors the crmkit way. Build it against an installed crmkit with
 *
 *     cc hello.c $(pkg-config --cflags --libs crmkit) -o hello
 *
 * (see "Installing the C library" in README.md). Optional argument: a
 * dataset JSON file, e.g. examples/data/sample_company.json.
 */
#include "crmkit.h"

#include <stdio.h>
#include <stdlib.h>

/* Reads a whole file into a NUL-terminated buffer (NULL on failure). */
static char *read_file(const char *path) {
    FILE *file = fopen(path, "rb");
    char *text = NULL;
    long size;
    if (file == NULL) {
        return NULL;
    }
    if (fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) >= 0 &&
        fseek(file, 0, SEEK_SET) == 0 && (text = (char *)malloc((size_t)size + 1)) != NULL) {
        if (fread(text, 1, (size_t)size, file) == (size_t)size) {
            text[size] = '\0';
        } else {
            free(text);
            text = NULL;
        }
    }
    fclose(file);
    return text;
}

int main(int argc, char **argv) {
    char *json = argc > 1 ? read_file(argv[1]) : NULL;
    crm_dataset *dataset = NULL;
    char *counts = NULL;
    crm_status status;

    if (argc > 1 && json == NULL) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    if (crm_abi_version() != CRM_ABI_VERSION) {
        fprintf(stderr, "crmkit %s has ABI %u, this program was built for %d\n", crm_version(),
                crm_abi_version(), CRM_ABI_VERSION);
        free(json);
        return 1;
    }
    status = crm_dataset_from_json(json != NULL ? json : "{\"contacts\": []}", &dataset);
    free(json);
    if (status != CRM_STATUS_OK) {
        fprintf(stderr, "%s: %s\n", crm_status_str(status), crm_last_error_message());
        return 1;
    }
    if (crm_dataset_counts_json(dataset, &counts) == CRM_STATUS_OK) {
        printf("crmkit %s: %s\n", crm_version(), counts);
        crm_string_free(counts); /* strings from crmkit go back to crmkit */
    }
    crm_dataset_free(dataset); /* NULL is a no-op */
    return 0;
}
