/*
 * C API test of the predictive models: logistic regression on flat arrays,
 * propensity models and CLV on the sample dataset, JSON round trips, NULL
 * pointers and bad input.
 *
 * argv[1]: path of examples/data/sample_company.json.
 */
#include "crmkit.h"
#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int64_t AS_OF = 1793491200; /* 2026-11-01T00:00:00Z */

static void test_logistic(void) {
    /* One feature; outcomes mostly follow it. */
    double x[8] = {0.0, 1.0, 2.0, 3.0, 0.5, 2.5, 1.5, 1.2};
    uint8_t y[8] = {0, 0, 1, 1, 0, 1, 0, 1};
    double probabilities[2] = {-1.0, -1.0};
    double rows[2] = {0.0, 3.0};
    crm_logistic *model = NULL;
    crm_logistic *again = NULL;
    char *json = NULL;

    CHECK_STATUS(crm_logistic_fit(x, y, 8, 1, 1.0, &model), CRM_STATUS_OK);
    CHECK(model != NULL);
    CHECK_STATUS(crm_logistic_predict(model, rows, 2, 1, probabilities), CRM_STATUS_OK);
    CHECK(probabilities[0] > 0.0 && probabilities[0] < probabilities[1] && probabilities[1] < 1.0);

    CHECK_STATUS(crm_logistic_to_json(model, &json), CRM_STATUS_OK);
    CHECK(json != NULL && strstr(json, "\"coefficients\"") != NULL);
    CHECK_STATUS(crm_logistic_from_json(json, &again), CRM_STATUS_OK);
    crm_string_free(json);
    crm_logistic_free(again);

    /* Wrong feature count, NULL arrays, bad JSON, degenerate outcomes. */
    CHECK_STATUS(crm_logistic_predict(model, rows, 1, 2, probabilities), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(crm_logistic_predict(model, NULL, 2, 1, probabilities), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_logistic_predict(NULL, rows, 2, 1, probabilities), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_logistic_fit(x, NULL, 8, 1, 1.0, &again), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_logistic_fit(x, y, 8, 1, 1.0, NULL), CRM_STATUS_NULL_POINTER);
    {
        uint8_t all_won[8] = {1, 1, 1, 1, 1, 1, 1, 1};
        again = NULL;
        CHECK_STATUS(crm_logistic_fit(x, all_won, 8, 1, 1.0, &again), CRM_STATUS_INVALID);
        CHECK(again == NULL);
        CHECK_STATUS(crm_logistic_fit(x, y, 8, 1, -1.0, &again), CRM_STATUS_INVALID);
    }
    CHECK_STATUS(crm_logistic_from_json("{\"intercept\": \"x\"}", &again), CRM_STATUS_JSON);
    CHECK_STATUS(crm_logistic_from_json("not json", &again), CRM_STATUS_JSON);
    crm_logistic_free(model);
    crm_logistic_free(NULL);
}

static void test_propensity(const crm_dataset *dataset) {
    static const char spec[] =
        "{\"model\": \"logistic\", \"features\": ["
        "{\"type\": \"category\", \"field\": \"company.industry\"},"
        "{\"type\": \"activity_count\", \"activity\": \"meeting\"},"
        "{\"type\": \"deal_value\"}]}";
    crm_propensity_model *model = NULL;
    crm_propensity_model *again = NULL;
    char *json = NULL;
    char *predictions = NULL;

    CHECK_STATUS(crm_propensity_train(dataset, spec, AS_OF, &model), CRM_STATUS_OK);
    CHECK_STATUS(crm_propensity_predict_json(model, dataset, AS_OF, &predictions), CRM_STATUS_OK);
    CHECK(predictions != NULL && strstr(predictions, "\"probability\"") != NULL);
    CHECK(predictions != NULL && strstr(predictions, "\"contributions\"") != NULL);
    crm_string_free(predictions);

    CHECK_STATUS(crm_propensity_model_to_json(model, &json), CRM_STATUS_OK);
    CHECK_STATUS(crm_propensity_model_from_json(json, &again), CRM_STATUS_OK);
    crm_string_free(json);
    crm_propensity_model_free(again);

    /* Protected attributes, bad specs, NULLs, a wrong handle type. */
    again = NULL;
    CHECK_STATUS(crm_propensity_train(dataset,
                                      "{\"features\": [{\"type\": \"number\", \"field\": \"contact.age\"}]}",
                                      AS_OF, &again),
                 CRM_STATUS_PROTECTED_ATTRIBUTE);
    CHECK(strstr(crm_last_error_message(), "features[0].field") != NULL);
    CHECK(again == NULL);
    CHECK_STATUS(crm_propensity_train(dataset, "{\"features\": 3}", AS_OF, &again), CRM_STATUS_JSON);
    CHECK_STATUS(crm_propensity_train(dataset, NULL, AS_OF, &again), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_propensity_train(NULL, spec, AS_OF, &again), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_propensity_train(dataset, spec, INT64_MAX, &again), CRM_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(crm_propensity_predict_json(model, NULL, AS_OF, &predictions), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_propensity_predict_json(model, dataset, AS_OF, NULL), CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_propensity_model_from_json("{}", &again), CRM_STATUS_JSON);
    CHECK_STATUS(crm_propensity_predict_json((const crm_propensity_model *)(const void *)dataset,
                                             dataset, AS_OF, &predictions),
                 CRM_STATUS_INVALID_ARGUMENT);
    crm_propensity_model_free(model);
    crm_propensity_model_free(NULL);
}

static void test_clv(const crm_dataset *dataset) {
    uint32_t frequency[6] = {0, 2, 5, 1, 0, 7};
    double recency[6] = {0.0, 10.0, 30.0, 3.0, 0.0, 25.0};
    double age[6] = {30.0, 38.0, 31.0, 20.0, 12.0, 27.0};
    double monetary[6] = {0.0, 20.0, 35.5, 12.0, 0.0, 18.25};
    double alive[6], purchases[6], clv[6];
    crm_clv_model *model = NULL;
    crm_clv_model *again = NULL;
    char *json = NULL;
    int i;

    CHECK_STATUS(crm_clv_fit_arrays(frequency, recency, age, monetary, 6, 0, &model), CRM_STATUS_OK);
    if (model != NULL) {
        CHECK_STATUS(crm_clv_predict(model, frequency, recency, age, monetary, 6, 12, 0.01, alive,
                                     purchases, clv),
                     CRM_STATUS_OK);
        for (i = 0; i < 6; i++) {
            CHECK(alive[i] >= 0.0 && alive[i] <= 1.0);
            CHECK(purchases[i] >= 0.0 && !isnan(purchases[i]));
            CHECK(clv[i] >= 0.0 && !isnan(clv[i]));
        }
        CHECK_STATUS(crm_clv_model_to_json(model, &json), CRM_STATUS_OK);
        CHECK(json != NULL && strstr(json, "\"alpha\"") != NULL);
        CHECK_STATUS(crm_clv_model_from_json(json, &again), CRM_STATUS_OK);
        crm_string_free(json);
        crm_clv_model_free(again);
        /* An impossible customer: recency after age. */
        recency[1] = 99.0;
        CHECK_STATUS(crm_clv_predict(model, frequency, recency, age, monetary, 6, 12, 0.01, alive,
                                     purchases, clv),
                     CRM_STATUS_INVALID);
        CHECK_STATUS(crm_clv_predict(model, frequency, recency, age, monetary, 6, 12, 0.01, NULL,
                                     purchases, clv),
                     CRM_STATUS_NULL_POINTER);
        crm_clv_model_free(model);
    }
    /* Degenerate: no repeat buyers; bad unit; NULL arrays. */
    {
        uint32_t none[3] = {0, 0, 0};
        double zeros[3] = {0.0, 0.0, 0.0};
        double ages[3] = {5.0, 6.0, 7.0};
        model = NULL;
        CHECK_STATUS(crm_clv_fit_arrays(none, zeros, ages, zeros, 3, 0, &model), CRM_STATUS_NUMERICAL);
        CHECK(model == NULL);
        CHECK_STATUS(crm_clv_fit_arrays(none, zeros, ages, zeros, 3, 7, &model), CRM_STATUS_INVALID_ARGUMENT);
        CHECK_STATUS(crm_clv_fit_arrays(NULL, zeros, ages, zeros, 3, 0, &model), CRM_STATUS_NULL_POINTER);
    }
    /* From the dataset handle. */
    model = NULL;
    CHECK_STATUS(crm_clv_fit_dataset(dataset, "{\"unit\": \"weeks\", \"bgnbd\": {\"penalty\": 1.0}}",
                                     AS_OF, &model),
                 CRM_STATUS_OK);
    crm_clv_model_free(model);
    CHECK_STATUS(crm_clv_fit_dataset(dataset, "{\"unit\": \"years\"}", AS_OF, &model), CRM_STATUS_JSON);
    json = NULL;
    CHECK_STATUS(crm_clv_report_json(dataset, "{\"fit\": {\"unit\": \"weeks\", \"bgnbd\": {\"penalty\": 1.0}}}",
                                     AS_OF, 0.75, 10, &json),
                 CRM_STATUS_OK);
    CHECK(json != NULL && strstr(json, "\"at_risk\"") != NULL);
    crm_string_free(json);
    CHECK_STATUS(crm_clv_report_json(dataset, NULL, AS_OF, 2.0, 10, &json), CRM_STATUS_INVALID);
}

/* The CLV model from flat calls: BG/NBD-only fits, E[X(t)], conditional
 * expectations at any horizon, expected spend, parameters and standard
 * errors, and a model with huge drop-out shapes (issue 20). */
static void test_clv_flat(const crm_dataset *dataset) {
    uint32_t frequency[6] = {0, 2, 5, 1, 0, 7};
    double recency[6] = {0.0, 10.0, 30.0, 3.0, 0.0, 25.0};
    double age[6] = {30.0, 38.0, 31.0, 20.0, 12.0, 27.0};
    double zeros[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    double monetary[6] = {0.0, 20.0, 35.5, 12.0, 0.0, 18.25};
    double expected[6], again[6], spend[6], alive[6], purchases[6], clv[6];
    double params[4] = {-1.0, -1.0, -1.0, -1.0};
    double errors[4] = {-1.0, -1.0, -1.0, -1.0};
    uint8_t fallback[6] = {9, 9, 9, 9, 9, 9};
    uint32_t unit = 99;
    double e1 = -1.0, e2 = -1.0;
    crm_clv_model *model = NULL;
    int i;

    /* All-zero spends: Gamma-Gamma has no data, BG/NBD alone fits. */
    CHECK_STATUS(crm_clv_fit_arrays(frequency, recency, age, zeros, 6, 0, &model), CRM_STATUS_NUMERICAL);
    CHECK(model == NULL);
    CHECK_STATUS(crm_clv_fit_bgnbd_arrays(frequency, recency, age, 6, 1, &model), CRM_STATUS_OK);
    if (model != NULL) {
        CHECK_STATUS(crm_clv_model_unit(model, &unit), CRM_STATUS_OK);
        CHECK(unit == 1);
        CHECK_STATUS(crm_clv_gamma_gamma_params(model, params, NULL), CRM_STATUS_INVALID);
        CHECK(params[0] == -1.0);
        CHECK_STATUS(crm_clv_expected_spend(model, frequency, monetary, 6, spend, fallback), CRM_STATUS_OK);
        for (i = 0; i < 6; i++) {
            CHECK(fallback[i] == 1 && spend[i] == 0.0);
        }
        CHECK_STATUS(crm_clv_predict(model, frequency, recency, age, zeros, 6, 12, 0.01, alive,
                                     purchases, clv),
                     CRM_STATUS_OK);
        CHECK(clv[2] == 0.0 && purchases[2] > 0.0);
        crm_clv_model_free(model);
    }

    /* A penalised fit on the sample company, in weeks. */
    model = NULL;
    CHECK_STATUS(crm_clv_fit_dataset(dataset, "{\"unit\": \"weeks\", \"bgnbd\": {\"penalty\": 1.0}}",
                                     AS_OF, &model),
                 CRM_STATUS_OK);
    if (model == NULL) {
        return;
    }
    CHECK_STATUS(crm_clv_bgnbd_params(model, params, errors), CRM_STATUS_OK);
    for (i = 0; i < 4; i++) {
        CHECK(params[i] > 0.0 && errors[i] > 0.0 && !isnan(errors[i]));
    }
    CHECK_STATUS(crm_clv_gamma_gamma_params(model, params, NULL), CRM_STATUS_OK);
    CHECK(params[0] > 0.0 && params[1] > 0.0 && params[2] > 0.0);
    /* E[X(t)] of a new customer: 0 at t = 0, growing with t. */
    CHECK_STATUS(crm_clv_expected_purchases_new(model, 0.0, &e1), CRM_STATUS_OK);
    CHECK(e1 == 0.0);
    CHECK_STATUS(crm_clv_expected_purchases_new(model, 10.5, &e1), CRM_STATUS_OK);
    CHECK_STATUS(crm_clv_expected_purchases_new(model, 52.0, &e2), CRM_STATUS_OK);
    CHECK(e1 > 0.0 && e2 > e1);
    CHECK_STATUS(crm_clv_expected_purchases_new(model, -1.0, &e1), CRM_STATUS_INVALID);
    /* Conditional expectation at a horizon of 2.5 weeks. */
    for (i = 0; i < 6; i++) {
        recency[i] /= 7.0;
        age[i] /= 7.0;
    }
    CHECK_STATUS(crm_clv_conditional_expected_purchases(model, 2.5, frequency, recency, age, 6, expected),
                 CRM_STATUS_OK);
    for (i = 0; i < 6; i++) {
        CHECK(expected[i] > 0.0 && !isnan(expected[i]));
        again[i] = age[i];
    }
    /* No flat-array call works in place: an output over an input is refused
     * and nothing is written. */
    CHECK_STATUS(crm_clv_conditional_expected_purchases(model, 2.5, frequency, recency, again, 6, again),
                 CRM_STATUS_INVALID);
    for (i = 0; i < 6; i++) {
        CHECK(again[i] == age[i]);
    }
    recency[1] = age[1] + 1.0;
    CHECK_STATUS(crm_clv_conditional_expected_purchases(model, 2.5, frequency, recency, age, 6, expected),
                 CRM_STATUS_INVALID);
    /* Gamma-Gamma expected spend: the customer's own mean pulls it. */
    CHECK_STATUS(crm_clv_expected_spend(model, frequency, monetary, 6, spend, fallback), CRM_STATUS_OK);
    for (i = 0; i < 6; i++) {
        CHECK(fallback[i] == 0 && spend[i] > 0.0);
    }
    monetary[2] *= 10.0;
    CHECK_STATUS(crm_clv_expected_spend(model, frequency, monetary, 6, again, NULL), CRM_STATUS_OK);
    CHECK(again[2] > spend[2] && again[0] == spend[0]);
    CHECK_STATUS(crm_clv_expected_spend(model, frequency, monetary, 6, spend, NULL), CRM_STATUS_OK);
    monetary[1] = -10.0;
    CHECK_STATUS(crm_clv_expected_spend(model, frequency, monetary, 6, spend, NULL), CRM_STATUS_INVALID);
    crm_clv_model_free(model);

    /* Huge drop-out shapes still predict finite values (issue 20). */
    model = NULL;
    CHECK_STATUS(crm_clv_model_from_json(
                     "{\"unit\": \"days\", \"bgnbd\": {\"params\": {\"r\": 0.8, \"alpha\": 6.0, "
                     "\"a\": 3.5e6, \"b\": 9.9e6}, \"convergence\": {\"converged\": true, "
                     "\"iterations\": 1, \"starts\": 1, \"log_likelihood\": -1.0, "
                     "\"gradient_norm\": 0.0}, \"customers\": 2, \"groups\": 2}, "
                     "\"fallback_spend\": 10.0}",
                     &model),
                 CRM_STATUS_OK);
    if (model != NULL) {
        monetary[1] = 20.0;
        for (i = 0; i < 6; i++) {
            recency[i] = frequency[i] == 0 ? 0.0 : age[i] * 3.0;
            age[i] *= 7.0;
        }
        CHECK_STATUS(crm_clv_predict(model, frequency, recency, age, monetary, 6, 12, 0.01, alive,
                                     purchases, clv),
                     CRM_STATUS_OK);
        for (i = 0; i < 6; i++) {
            CHECK(clv[i] > 0.0 && !isnan(clv[i]) && !isinf(clv[i]));
        }
        CHECK_STATUS(crm_clv_bgnbd_params(model, params, errors), CRM_STATUS_NUMERICAL);
        CHECK(strstr(crm_last_error_message(), "standard errors") != NULL);
        crm_clv_model_free(model);
    }
}

static void test_rfm(void) {
    /* Customer 0 buys on days 0, 0 (same day), 5 and 10; customer 1 on day 3. */
    uint32_t customers[5] = {0, 0, 1, 0, 0};
    int64_t at[5] = {3600, 7200, 3 * 86400, 5 * 86400, 10 * 86400};
    double amounts[5] = {10.0, 5.0, 8.0, 40.0, 20.0};
    char *json = NULL;
    CHECK_STATUS(crm_rfm_json(customers, at, amounts, 5, 0, 30 * 86400, 30 * 86400, &json), CRM_STATUS_OK);
    CHECK(json != NULL && strstr(json, "\"frequency\":2") != NULL);
    crm_string_free(json);
    amounts[1] = -1.0;
    CHECK_STATUS(crm_rfm_json(customers, at, amounts, 5, 0, 30 * 86400, 30 * 86400, &json), CRM_STATUS_INVALID);
    CHECK(strstr(crm_last_error_message(), "amounts[1]") != NULL);
    CHECK_STATUS(crm_rfm_json(customers, at, amounts, 5, 3, 30 * 86400, 30 * 86400, &json),
                 CRM_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(crm_rfm_json(customers, NULL, amounts, 5, 0, 30 * 86400, 30 * 86400, &json),
                 CRM_STATUS_NULL_POINTER);
    CHECK_STATUS(crm_rfm_json(customers, at, amounts, 5, 0, 30 * 86400, 86400, &json), CRM_STATUS_INVALID);
}

static void test_profile(const crm_dataset *dataset) {
    char *json = NULL;
    CHECK_STATUS(crm_profile_json(dataset,
                                  "{\"outcome\": {\"type\": \"top_revenue\", \"fraction\": 0.25},"
                                  "\"features\": [{\"type\": \"category\", \"field\": \"company.industry\"}]}",
                                  AS_OF, &json),
                 CRM_STATUS_OK);
    CHECK(json != NULL && strstr(json, "\"indicators\"") != NULL);
    crm_string_free(json);
    CHECK_STATUS(crm_profile_json(dataset, "{\"outcome\": {\"type\": \"top_revenue\", \"fraction\": 2},"
                                           "\"features\": [{\"type\": \"deal_value\"}]}",
                                  AS_OF, &json),
                 CRM_STATUS_INVALID);
    CHECK_STATUS(crm_profile_json(dataset, "[", AS_OF, &json), CRM_STATUS_JSON);
}

int main(int argc, char **argv) {
    crm_dataset *dataset = NULL;
    char *text;
    test_logistic();
    test_rfm();
    if (argc < 2) {
        fprintf(stderr, "usage: %s sample_company.json\n", argv[0]);
        return 1;
    }
    text = read_file(argv[1]);
    CHECK(text != NULL);
    if (text != NULL) {
        CHECK_STATUS(crm_dataset_from_json(text, &dataset), CRM_STATUS_OK);
        free(text);
    }
    if (dataset != NULL) {
        test_propensity(dataset);
        test_clv(dataset);
        test_clv_flat(dataset);
        test_profile(dataset);
        crm_dataset_free(dataset);
    }
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("predict: all checks passed\n");
    return 0;
}
