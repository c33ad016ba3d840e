// The C++17 wrapper include/crmkit.hpp: RAII handles, exceptions with the
// status and message, string_view in and std::string out.
//
// Compiled by tests/c_abi.rs with -std=c++17 and warnings as errors, run
// natively and under valgrind when it is installed. Optional argument: the
// path of examples/data/sample_company.json.
#include "crmkit.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

static int failures = 0;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                                \
        }                                                                              \
    } while (0)

// Runs `body`, which must throw crmkit::Error with `expected`.
template <class Body> static void expect_error(crm_status expected, Body body, int line) {
    try {
        body();
        std::fprintf(stderr, "line %d: no exception, expected %s\n", line,
                     crm_status_str(expected));
        failures++;
    } catch (const crmkit::Error &error) {
        if (error.status() != expected || error.message().empty()) {
            std::fprintf(stderr, "line %d: got %s (%s), expected %s\n", line,
                         crm_status_str(error.status()), error.what(), crm_status_str(expected));
            failures++;
        }
    }
}

static void versions() {
    CHECK(crmkit::version() == CRM_VERSION_STRING);
    CHECK(crmkit::abi_version() == CRM_ABI_VERSION);
    crmkit::check_abi(); // must not throw
}

static void dataset_round_trip(const char *sample_path) {
    crmkit::Dataset empty = crmkit::Dataset::from_json("{}");
    CHECK(empty.counts_json().find("\"contacts\":0") != std::string::npos);

    // Move-only ownership: the moved-from handle is empty, the new one works.
    crmkit::Dataset moved = std::move(empty);
    CHECK(moved.get() != nullptr);
    CHECK(!moved.counts_json().empty());

    if (sample_path != nullptr) {
        std::ifstream file(sample_path);
        std::stringstream text;
        text << file.rdbuf();
        crmkit::Dataset sample = crmkit::Dataset::from_json(text.str());
        CHECK(sample.counts_json().find("\"contacts\":300") != std::string::npos);
    }
}

static void errors_are_exceptions() {
    expect_error(CRM_STATUS_JSON, [] { crmkit::Dataset::from_json("{"); }, __LINE__);
    expect_error(CRM_STATUS_JSON, [] { crmkit::Dataset::from_json(""); }, __LINE__);
    // A string_view with an embedded NUL is refused rather than cut short.
    expect_error(CRM_STATUS_INVALID_ARGUMENT,
                 [] { crmkit::Dataset::from_json(std::string_view("{}\0garbage", 10)); },
                 __LINE__);
    try {
        crmkit::Dataset::from_json("{\"contacts\": [{\"id\": \"C-1\"}]}");
        failures++;
    } catch (const crmkit::Error &error) {
        // The message names what is wrong and where.
        const std::string what = error.what();
        CHECK(what.find("CRM_STATUS_JSON") == 0);
        CHECK(what.find("contacts[0]") != std::string::npos);
    }
}

int main(int argc, char **argv) {
    const char *sample_path = argc > 1 ? argv[1] : nullptr;
    try {
        versions();
        dataset_round_trip(sample_path);
        errors_are_exceptions();
    } catch (const std::exception &error) {
        std::fprintf(stderr, "unexpected exception: %s\n", error.what());
        return 1;
    }
    if (failures != 0) {
        std::fprintf(stderr, "wrapper: %d check(s) failed\n", failures);
        return 1;
    }
    std::printf("wrapper: the C++ wrapper works\n");
    return 0;
}
