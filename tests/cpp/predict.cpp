// The C++ wrapper over the predictive models: Logistic (flat arrays),
// PropensityModel and ClvModel on the sample company, RFM rows, profiles
// and the CLV report; JSON round trips; errors as exceptions; and the panic
// boundary seen from C++.
//
// Compiled by tests/c_abi.rs as C++17 with warnings as errors and run
// natively and under valgrind. argv[1]: examples/data/sample_company.json.
#include "crmkit.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

static int failures = 0;

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                                   \
        }                                                                                 \
    } while (0)

template <class Body>
static void expect_error(crm_status expected, const char *part, Body body, int line) {
    try {
        body();
        std::fprintf(stderr, "line %d: no exception, expected %s\n", line,
                     crm_status_str(expected));
        failures++;
    } catch (const crmkit::Error &error) {
        if (error.status() != expected || error.message().find(part) == std::string::npos) {
            std::fprintf(stderr, "line %d: got %s, expected %s containing \"%s\"\n", line,
                         error.what(), crm_status_str(expected), part);
            failures++;
        }
    }
}
#define EXPECT_ERROR(status, part, ...) expect_error(status, part, [&] { __VA_ARGS__; }, __LINE__)

static bool contains(const std::string &text, const char *part) {
    return text.find(part) != std::string::npos;
}

static_assert(!std::is_copy_constructible_v<crmkit::Logistic>, "move-only");
static_assert(!std::is_copy_constructible_v<crmkit::PropensityModel>, "move-only");
static_assert(!std::is_copy_constructible_v<crmkit::ClvModel>, "move-only");

static const std::int64_t AS_OF = 1793491200; // 2026-11-01T00:00:00Z

static void logistic() {
    // One feature; outcomes mostly follow it.
    const std::vector<double> x = {0.0, 1.0, 2.0, 3.0, 0.5, 2.5, 1.5, 1.2};
    const std::vector<std::uint8_t> y = {0, 0, 1, 1, 0, 1, 0, 1};
    const crmkit::Logistic model = crmkit::Logistic::fit(x, y, 1, 1.0);
    const std::vector<double> p = model.predict({0.0, 3.0}, 1);
    CHECK(p.size() == 2);
    CHECK(p[0] > 0.0 && p[0] < p[1] && p[1] < 1.0);

    // Round trip: the reloaded model predicts the same.
    const crmkit::Logistic again = crmkit::Logistic::from_json(model.to_json());
    CHECK(again.predict({0.0, 3.0}, 1) == p);
    double out[2] = {-1.0, -1.0};
    const double rows[2] = {0.0, 3.0};
    again.predict(rows, 2, 1, out);
    CHECK(out[0] == p[0] && out[1] == p[1]);

    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "x", crmkit::Logistic::fit(x, {0, 1}, 1, 1.0));
    EXPECT_ERROR(CRM_STATUS_INVALID, "", crmkit::Logistic::fit(x, std::vector<std::uint8_t>(8, 1), 1, 1.0));
    EXPECT_ERROR(CRM_STATUS_INVALID, "", crmkit::Logistic::fit(x, y, 1, -1.0));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "", model.predict({0.0, 1.0}, 2)); // model has one feature
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "x", model.predict({0.0, 1.0, 2.0}, 2));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "n_features", model.predict({}, 0));
    EXPECT_ERROR(CRM_STATUS_JSON, "", crmkit::Logistic::from_json("not json"));
}

static void propensity(const crmkit::Dataset &dataset) {
    const char *spec = R"({"model": "logistic", "features": [
        {"type": "category", "field": "company.industry"},
        {"type": "activity_count", "activity": "meeting"},
        {"type": "deal_value"}]})";
    const crmkit::PropensityModel model = crmkit::PropensityModel::train(dataset, spec, AS_OF);
    const std::string predictions = model.predict_json(dataset, AS_OF);
    CHECK(contains(predictions, "\"probability\""));
    CHECK(contains(predictions, "\"contributions\""));
    const crmkit::PropensityModel again = crmkit::PropensityModel::from_json(model.to_json());
    CHECK(again.predict_json(dataset, AS_OF) == predictions);

    EXPECT_ERROR(CRM_STATUS_PROTECTED_ATTRIBUTE, "features[0].field",
                 crmkit::PropensityModel::train(
                     dataset, R"({"features": [{"type": "number", "field": "contact.age"}]})", AS_OF));
    EXPECT_ERROR(CRM_STATUS_JSON, "", crmkit::PropensityModel::train(dataset, R"({"features": 3})", AS_OF));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "", crmkit::PropensityModel::train(dataset, spec, INT64_MAX));
    EXPECT_ERROR(CRM_STATUS_JSON, "", crmkit::PropensityModel::from_json("{}"));
}

static void clv(const crmkit::Dataset &dataset) {
    crmkit::ClvCustomers customers;
    customers.frequency = {0, 2, 5, 1, 0, 7};
    customers.recency = {0.0, 10.0, 30.0, 3.0, 0.0, 25.0};
    customers.age = {30.0, 38.0, 31.0, 20.0, 12.0, 27.0};
    customers.monetary = {0.0, 20.0, 35.5, 12.0, 0.0, 18.25};
    const crmkit::ClvModel model = crmkit::ClvModel::fit_arrays(customers, crmkit::TimeUnit::days);
    const crmkit::ClvPrediction prediction = model.predict(customers, 12, 0.01);
    CHECK(prediction.clv.size() == 6);
    for (std::size_t i = 0; i < prediction.clv.size(); i++) {
        CHECK(prediction.probability_alive[i] >= 0.0 && prediction.probability_alive[i] <= 1.0);
        CHECK(prediction.expected_purchases[i] >= 0.0 && !std::isnan(prediction.expected_purchases[i]));
        CHECK(prediction.clv[i] >= 0.0 && !std::isnan(prediction.clv[i]));
    }
    const std::string json = model.to_json();
    CHECK(contains(json, "\"alpha\""));
    CHECK(crmkit::ClvModel::from_json(json).predict(customers, 12, 0.01).clv == prediction.clv);
    // The whole model: unit, parameters, E[X(t)], conditional expectations,
    // expected spend, and a BG/NBD-only fit.
    CHECK(model.bgnbd_params()[0] > 0.0 && model.gamma_gamma_params()[2] > 0.0);
    CHECK(model.expected_purchases_new(0.0) == 0.0);
    CHECK(model.expected_purchases_new(30.0) > 0.0);
    const auto expected = model.conditional_expected_purchases(customers, 30.0);
    CHECK(expected.size() == customers.size());
    const auto spend = model.expected_spend(customers);
    CHECK(spend.first.size() == customers.size() && spend.second.size() == customers.size());
    const auto bgnbd = crmkit::ClvModel::fit_bgnbd_arrays(
        customers.frequency.data(), customers.recency.data(), customers.age.data(),
        customers.size(), model.unit());
    CHECK(bgnbd.unit() == model.unit());
    CHECK(bgnbd.bgnbd_params()[0] > 0.0);

    crmkit::ClvCustomers ragged = customers;
    ragged.age.pop_back();
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "age", crmkit::ClvModel::fit_arrays(ragged, crmkit::TimeUnit::days));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "age", model.predict(ragged, 12, 0.01));
    crmkit::ClvCustomers impossible = customers;
    impossible.recency[1] = 99.0; // after the customer's age
    EXPECT_ERROR(CRM_STATUS_INVALID, "", model.predict(impossible, 12, 0.01));
    crmkit::ClvCustomers no_repeat;
    no_repeat.frequency = {0, 0, 0};
    no_repeat.recency = {0.0, 0.0, 0.0};
    no_repeat.age = {5.0, 6.0, 7.0};
    no_repeat.monetary = {0.0, 0.0, 0.0};
    EXPECT_ERROR(CRM_STATUS_NUMERICAL, "", crmkit::ClvModel::fit_arrays(no_repeat, crmkit::TimeUnit::days));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "",
                 crmkit::ClvModel::fit_arrays(no_repeat, static_cast<crmkit::TimeUnit>(7)));

    const crmkit::ClvModel fitted = crmkit::ClvModel::fit_dataset(
        dataset, R"({"unit": "weeks", "bgnbd": {"penalty": 1.0}})", AS_OF);
    CHECK(contains(fitted.to_json(), "\"weeks\""));
    EXPECT_ERROR(CRM_STATUS_JSON, "", crmkit::ClvModel::fit_dataset(dataset, R"({"unit": "years"})", AS_OF));
    const std::string report = crmkit::clv_report_json(
        dataset, R"({"fit": {"unit": "weeks", "bgnbd": {"penalty": 1.0}}})", AS_OF, 0.75, 10);
    CHECK(contains(report, "\"at_risk\""));
    EXPECT_ERROR(CRM_STATUS_INVALID, "", crmkit::clv_report_json(dataset, AS_OF, 2.0, 10));
}

static void rfm_and_profile(const crmkit::Dataset &dataset) {
    // Customer 0 buys on days 0, 0 (same day), 5 and 10; customer 1 on day 3.
    const std::vector<std::uint32_t> customers = {0, 0, 1, 0, 0};
    const std::vector<std::int64_t> at = {3600, 7200, 3 * 86400, 5 * 86400, 10 * 86400};
    std::vector<double> amounts = {10.0, 5.0, 8.0, 40.0, 20.0};
    const std::string rows =
        crmkit::rfm_json(customers, at, amounts, crmkit::TimeUnit::days, 30 * 86400, 30 * 86400);
    CHECK(contains(rows, "\"frequency\":2"));
    CHECK(crmkit::rfm_json(customers.data(), at.data(), amounts.data(), customers.size(),
                           crmkit::TimeUnit::days, 30 * 86400, 30 * 86400) == rows);
    amounts[1] = -1.0;
    EXPECT_ERROR(CRM_STATUS_INVALID, "amounts[1]",
                 crmkit::rfm_json(customers, at, amounts, crmkit::TimeUnit::days, 30 * 86400, 30 * 86400));
    EXPECT_ERROR(CRM_STATUS_INVALID_ARGUMENT, "amounts",
                 crmkit::rfm_json(customers, at, {1.0}, crmkit::TimeUnit::days, 30 * 86400, 30 * 86400));

    const std::string profile = crmkit::profile_json(
        dataset, R"({"outcome": {"type": "top_revenue", "fraction": 0.25},
                    "features": [{"type": "category", "field": "company.industry"}]})", AS_OF);
    CHECK(contains(profile, "\"indicators\""));
    EXPECT_ERROR(CRM_STATUS_JSON, "", crmkit::profile_json(dataset, "[", AS_OF));
}

static void panics_become_exceptions() {
    EXPECT_ERROR(CRM_STATUS_PANIC, "", crmkit::test_force_panic());
    // The library stays usable.
    CHECK(crmkit::status_name(CRM_STATUS_JSON) == "CRM_STATUS_JSON");
    CHECK(crmkit::Dataset::from_json("{}").get() != nullptr);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s sample_company.json\n", argv[0]);
        return 1;
    }
    try {
        std::ifstream file(argv[1]);
        std::stringstream text;
        text << file.rdbuf();
        const crmkit::Dataset dataset = crmkit::Dataset::from_json(text.str());
        logistic();
        propensity(dataset);
        clv(dataset);
        rfm_and_profile(dataset);
        panics_become_exceptions();
    } catch (const std::exception &error) {
        std::fprintf(stderr, "unexpected exception: %s\n", error.what());
        return 1;
    }
    if (failures != 0) {
        std::fprintf(stderr, "predict: %d check(s) failed\n", failures);
        return 1;
    }
    std::printf("predict: the C++ wrappers of the predictive models work\n");
    return 0;
}
