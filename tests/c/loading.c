/*
 * Loading a dataset from C (issue 21): a bare date where a timestamp is
 * expected is refused with CRM_STATUS_JSON and a message that names the
 * field, says what was expected and shows the accepted forms.
 *
 * Compiled by tests/c_abi.rs as C99 and as C++17, run natively and under
 * valgrind when it is installed.
 */
#include "crmkit.h"
#include "check.h"

#include <string.h>

static const char BARE_DATE[] =
    "{\"contacts\":[{\"id\":\"C-1\",\"created_at\":\"1997-03-02\"}]}";

static const char FULL_TIMESTAMP[] =
    "{\"contacts\":[{\"id\":\"C-1\",\"created_at\":\"1997-03-02T00:00:00Z\"}]}";

int main(void) {
    crm_dataset *dataset = NULL;
    const char *message;

    CHECK_STATUS(crm_dataset_from_json(BARE_DATE, &dataset), CRM_STATUS_JSON);
    CHECK(dataset == NULL);
    message = crm_last_error_message();
    CHECK(message != NULL);
    if (message != NULL) {
        CHECK(strstr(message, "contacts[0].created_at") != NULL);
        CHECK(strstr(message, "expected an RFC 3339 timestamp") != NULL);
        CHECK(strstr(message, "2024-03-01T12:00:00Z") != NULL);
        CHECK(strstr(message, "1997-03-02T00:00:00Z") != NULL);
        CHECK(strstr(message, "premature end of input") == NULL);
    }

    CHECK_STATUS(crm_dataset_from_json(FULL_TIMESTAMP, &dataset), CRM_STATUS_OK);
    CHECK(dataset != NULL);
    crm_dataset_free(dataset);
    return check_failures() != 0;
}
