// The C++ wrapper over the analytics: experiment analysis, sample size and
// attribution as JSON strings; errors as exceptions.
//
// Compiled by tests/c_abi.rs as C++17 with warnings as errors and run
// natively and under valgrind. argv[1]: examples/data/sample_company.json.
#include "crmkit.hpp"

#include <cstdio>
#include <string>

static int failures = 0;

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                                   \
        }                                                                                 \
    } while (0)

int main() {
    const std::string analysis = crmkit::experiment_analyze(
        R"({"metric":"conversion","arms":[{"name":"A","visitors":1000,"conversions":100},)"
        R"({"name":"B","visitors":1000,"conversions":130}]})");
    CHECK(analysis.find("\"code\":\"variant_better\"") != std::string::npos);
    const std::string plan =
        crmkit::sample_size(R"({"metric":"conversion","baseline":0.1,"effect":{"relative":0.2}})");
    CHECK(plan.find("\"per_arm\":3841") != std::string::npos);
    const std::string report = crmkit::attribution_report(
        R"({"currency":"USD","models":[{"model":"first_touch"}],"journeys":[)"
        R"({"touches":[{"channel":"email","at":"2026-01-01T00:00:00Z"}],"conversions":1,"value":"9.99"}]})");
    CHECK(report.find("\"key\":\"email\",\"conversions\":\"1\"") != std::string::npos);
    try {
        crmkit::experiment_analyze(R"({"metric":"conversion","arms":[]})");
        CHECK(false);
    } catch (const crmkit::Error &error) {
        CHECK(error.status() == CRM_STATUS_INVALID);
        CHECK(error.message().find("arms") != std::string::npos);
    }
    if (failures != 0) {
        std::fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    std::printf("analytics (C++): all checks passed\n");
    return 0;
}
