// The C++ wrapper over the automation presets: list them, load each, route
// a deal with the $500 preset; an unknown name throws CRM_STATUS_NOT_FOUND.
//
// Compiled by tests/c_abi.rs as C++17 with warnings as errors and run
// natively and under valgrind. argv[1]: examples/data/sample_company.json.
#include "crmkit.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

static int failures = 0;

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                                   \
        }                                                                                 \
    } while (0)

int main(int argc, char **argv) {
    const std::string names = crmkit::preset_names();
    CHECK(names.find("\"usd_500_routing\"") != std::string::npos);
    CHECK(names.find("\"standard\"") != std::string::npos);
    for (const char *name : {"usd_500_routing", "welcome_series", "standard"}) {
        const crmkit::Rules rules = crmkit::Rules::from_json(crmkit::preset_json(name));
        CHECK(rules.get() != nullptr);
    }
    try {
        (void)crmkit::preset_json("no-such-preset");
        std::fprintf(stderr, "no exception for an unknown preset\n");
        failures++;
    } catch (const crmkit::Error &error) {
        CHECK(error.status() == CRM_STATUS_NOT_FOUND);
        CHECK(error.message().find("usd_500_routing") != std::string::npos);
    }
    if (argc > 1) {
        std::ifstream file(argv[1]);
        std::stringstream text;
        text << file.rdbuf();
        const crmkit::Dataset dataset = crmkit::Dataset::from_json(text.str());
        const crmkit::Rules rules = crmkit::Rules::from_json(crmkit::preset_json("usd_500_routing"));
        // D-0007 is a 501.00 USD deal of the sample: it gets the call.
        const auto out = rules.evaluate(
            dataset,
            "{\"id\": \"E-1\", \"type\": \"deal_created\", \"at\": \"2026-05-01T08:00:00Z\","
            " \"deal\": \"D-0007\"}",
            "", 1777626000);
        CHECK(out.actions_json.find("\"create_task\"") != std::string::npos);
    }
    if (failures != 0) {
        std::fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    std::printf("presets (C++): all checks passed\n");
    return 0;
}
