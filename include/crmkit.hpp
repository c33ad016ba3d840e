/*
 * crmkit.hpp -- a header-only C++17 wrapper over the C API in crmkit.h.
 *
 * - Handles are RAII objects (move-only); they free themselves.
 * - A failing call throws crmkit::Error, which carries the crm_status and
 *   the library's message (crm_last_error_message()).
 * - Text goes in as std::string_view and comes out as std::string; strings
 *   returned by the library are freed with crm_string_free() for you.
 *
 *     #include "crmkit.hpp"
 *
 *     crmkit::Dataset dataset = crmkit::Dataset::from_json(json_text);
 *     std::cout << dataset.counts_json() << "\n";
 *
 * Link exactly as for the C API (see README.md). Written by hand, unlike
 * crmkit.h: it only adds ownership and exceptions, and every function is a
 * thin inline call of the C function of the same name (every function of
 * crmkit.h has one; tests/cpp/coverage.cpp checks that).
 *
 * Flat-array calls come in two forms: one taking pointers and lengths exactly
 * like the C function (for data the host already holds), and one taking
 * std::vector that checks the lengths agree before calling C (a C function
 * trusts its lengths, so a short vector would otherwise be read past its
 * end); a mismatch throws crmkit::Error with CRM_STATUS_INVALID_ARGUMENT.
 *
 * Threads: Dataset, ScoringModel, Rules, PropensityModel, Logistic and
 * ClvModel are immutable once made, so their const member functions may be
 * called from several threads at once on one shared object without locking
 * (as crmkit.h says of the handles). Moving, assigning or destroying an
 * object must not race with any other use of it. The error message is
 * per-thread in the C API and is copied into crmkit::Error at once, so
 * exceptions are safe to throw and catch on any thread.
 */
#ifndef CRMKIT_HPP
#define CRMKIT_HPP

#include "crmkit.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crmkit {

/** A failed crmkit call: the status code and the library's message. */
class Error : public std::runtime_error {
public:
    Error(crm_status status, const std::string &message)
        : std::runtime_error(std::string(crm_status_str(static_cast<int32_t>(status))) + ": " +
                             message),
          status_(status), message_(message) {}

    /** The status code the C function returned. */
    crm_status status() const noexcept { return status_; }

    /** The library's message alone, without the status name. */
    const std::string &message() const noexcept { return message_; }

private:
    crm_status status_;
    std::string message_;
};

namespace detail {

/** Throws crmkit::Error unless `status` is CRM_STATUS_OK. */
inline void check(crm_status status) {
    if (status != CRM_STATUS_OK) {
        throw Error(status, crm_last_error_message());
    }
}

struct StringFree {
    void operator()(char *text) const noexcept { crm_string_free(text); }
};

/** Takes ownership of a string returned by crmkit and copies it out. */
inline std::string take(char *text) {
    std::unique_ptr<char, StringFree> owned(text);
    return owned ? std::string(owned.get()) : std::string();
}

/**
 * A NUL-terminated copy of `text` for the C API. An embedded NUL would
 * silently cut the text short, so it is refused.
 */
inline std::string terminated(std::string_view text, const char *name) {
    if (text.find('\0') != std::string_view::npos) {
        throw Error(CRM_STATUS_INVALID_ARGUMENT,
                    std::string(name) + ": the text contains a NUL byte");
    }
    return std::string(text);
}

} // namespace detail

/** The library's version ("0.1.0"), equal to CRM_VERSION_STRING. */
inline std::string version() { return crm_version(); }

/** The library's C ABI version, to compare with CRM_ABI_VERSION. */
inline std::uint32_t abi_version() { return crm_abi_version(); }

/**
 * Throws crmkit::Error (CRM_STATUS_UNSUPPORTED) when the library loaded at
 * run time was built for another C ABI than this header.
 */
inline void check_abi() {
    if (crm_abi_version() != CRM_ABI_VERSION) {
        throw Error(CRM_STATUS_UNSUPPORTED,
                    "the crmkit library has C ABI version " + std::to_string(crm_abi_version()) +
                        " but this header is for version " + std::to_string(CRM_ABI_VERSION));
    }
}

namespace detail {

/** Throws CRM_STATUS_INVALID_ARGUMENT for `name` unless `ok`. */
inline void require(bool ok, const char *name, const std::string &what) {
    if (!ok) {
        throw Error(CRM_STATUS_INVALID_ARGUMENT, std::string(name) + ": " + what);
    }
}

/** Calls `function(args..., &out)` and returns the string written to out. */
template <class Function, class... Args> std::string json_out(Function function, Args... args) {
    char *out = nullptr;
    check(function(args..., &out));
    return take(out);
}

/** The handle-owning base of the wrapper classes (move-only). */
template <class Handle, void (*FreeFunction)(Handle *)> class Owned {
public:
    /** The C handle, still owned by this object (NULL once moved from). */
    const Handle *get() const noexcept { return handle_.get(); }

protected:
    explicit Owned(Handle *handle) noexcept : handle_(handle) {}

    struct Free {
        void operator()(Handle *handle) const noexcept { FreeFunction(handle); }
    };

    std::unique_ptr<Handle, Free> handle_;
};

/**
 * The number of elements of the array that is the value of the top-level
 * member `key` of the JSON object `json` (as written by crmkit itself), or 0
 * when there is no such member.
 */
inline std::size_t top_level_array_length(std::string_view json, std::string_view key) {
    int depth = 0;
    std::size_t count = 0;
    bool counting = false;  // inside the wanted array (depth 2)
    bool element = false;   // the current element has started
    bool want_value = false; // the next value at depth 1 is the wanted one
    for (std::size_t i = 0; i < json.size(); i++) {
        const char c = json[i];
        if (c == '"') {
            const std::size_t begin = i + 1;
            for (i = begin; i < json.size() && json[i] != '"'; i++) {
                if (json[i] == '\\') {
                    i++;
                }
            }
            if (counting && depth == 2) {
                element = true;
            } else if (depth == 1 && !want_value && i + 1 < json.size() && json[i + 1] == ':' &&
                       json.substr(begin, i - begin) == key) {
                want_value = true;
            }
            continue;
        }
        if (c == '{' || c == '[') {
            if (depth == 1 && want_value) {
                if (c != '[') {
                    return 0;
                }
                counting = true;
            } else if (counting && depth == 2) {
                element = true;
            }
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
            if (counting && depth == 1) {
                return count + (element ? 1 : 0);
            }
        } else if (c == ',' && counting && depth == 2) {
            count += 1;
            element = false;
        } else if (counting && depth == 2 && c != ' ' && c != '\n' && c != '\t' && c != '\r') {
            element = true;
        } else if (depth == 1 && want_value && c != ':' && c != ' ') {
            return 0; // the member is not an array
        }
    }
    return 0;
}

/** Lengths of flat arrays: `n` must equal `expected`. */
inline void require_length(std::size_t n, std::size_t expected, const char *name) {
    require(n == expected, name,
            "expected " + std::to_string(expected) + " values, found " + std::to_string(n));
}

} // namespace detail

/** The name of a status code ("CRM_STATUS_JSON"...), as crm_status_str(). */
inline std::string status_name(crm_status status) {
    return crm_status_str(static_cast<std::int32_t>(status));
}

/**
 * Calls crm_test_force_panic(), which panics inside the library on purpose:
 * it always throws crmkit::Error with CRM_STATUS_PANIC, so that a host can
 * check that a bug inside crmkit reaches it as an exception.
 */
inline void test_force_panic() { detail::check(crm_test_force_panic()); }

/**
 * A validated, immutable snapshot of CRM records (crm_dataset). One Dataset
 * may be used from several threads at once.
 */
class Dataset : public detail::Owned<crm_dataset, crm_dataset_free> {
public:
    /** Loads and validates a dataset from JSON (crm_dataset_from_json). */
    static Dataset from_json(std::string_view json) {
        const std::string text = detail::terminated(json, "json");
        crm_dataset *handle = nullptr;
        detail::check(crm_dataset_from_json(text.c_str(), &handle));
        return Dataset(handle);
    }

    /** The number of records of each kind, as a JSON object. */
    std::string counts_json() const { return detail::json_out(crm_dataset_counts_json, get()); }

private:
    explicit Dataset(crm_dataset *handle) noexcept : Owned(handle) {}
};

// ---------------------------------------------------------------------------
// SMART goals
// ---------------------------------------------------------------------------

/**
 * Validates a SMART goal (crm_goal_validate): the JSON report with the five
 * criteria, their verdicts and reasons. `locale` is "en", "de", "pt", "ru",
 * "zh-Hans" or "zh-Hant" (regions such as "pt-BR" are accepted).
 */
inline std::string goal_validate(std::string_view goal_json, std::int64_t as_of_unix,
                                 std::string_view locale = "en") {
    const std::string goal = detail::terminated(goal_json, "goal_json");
    const std::string loc = detail::terminated(locale, "locale");
    return detail::json_out(crm_goal_validate, goal.c_str(), as_of_unix, loc.c_str());
}

/**
 * Tracks a goal from measurements of its KPI (crm_goal_progress): the JSON
 * progress report with the projection, pacing and status.
 */
inline std::string goal_progress(std::string_view goal_json, std::string_view measurements_json,
                                 std::int64_t as_of_unix, std::string_view locale = "en") {
    const std::string goal = detail::terminated(goal_json, "goal_json");
    const std::string measurements = detail::terminated(measurements_json, "measurements_json");
    const std::string loc = detail::terminated(locale, "locale");
    return detail::json_out(crm_goal_progress, goal.c_str(), measurements.c_str(), as_of_unix,
                            loc.c_str());
}

// ---------------------------------------------------------------------------
// KPIs and the pipeline report
// ---------------------------------------------------------------------------

/** The KPI catalog as a JSON array (crm_kpi_catalog). */
inline std::string kpi_catalog() { return detail::json_out(crm_kpi_catalog); }

/** A KPI report for a period, with the previous period (crm_kpi_compute). */
inline std::string kpi_compute(const Dataset &dataset, std::string_view request_json) {
    const std::string request = detail::terminated(request_json, "request_json");
    return detail::json_out(crm_kpi_compute, dataset.get(), request.c_str());
}

/** KPIs per week, month, quarter or year over a range (crm_kpi_time_series). */
inline std::string kpi_time_series(const Dataset &dataset, std::string_view request_json) {
    const std::string request = detail::terminated(request_json, "request_json");
    return detail::json_out(crm_kpi_time_series, dataset.get(), request.c_str());
}

/** The pipeline bottleneck report (crm_pipeline_report). */
inline std::string pipeline_report(const Dataset &dataset, std::string_view request_json) {
    const std::string request = detail::terminated(request_json, "request_json");
    return detail::json_out(crm_pipeline_report, dataset.get(), request.c_str());
}

// ---------------------------------------------------------------------------
// Lead scoring
// ---------------------------------------------------------------------------

/** One activity matched by one activity rule, input of score_batch(). */
using ScoreEvent = crm_score_event;

/** One lead's result of score_batch() (total in 1/10000 points). */
using LeadScore = crm_lead_score;

/**
 * A lead's lifecycle stage as the byte score_batch() takes: the index in
 * crmkit's list of stages (model::LifecycleStage::ALL on the Rust side).
 */
enum class LifecycleStage : std::uint8_t {
    subscriber = 0,
    lead = 1,
    mql = 2,
    sql = 3,
    opportunity = 4,
    customer = 5,
    evangelist = 6,
    disqualified = 7,
};

/** The results of ScoringModel::score_batch() for a vector batch. */
struct BatchScores {
    /** One result per lead. */
    std::vector<LeadScore> scores;
    /**
     * The category scores in 1/10000 points, lead-major (n_leads x
     * category_count()); empty unless asked for.
     */
    std::vector<std::int64_t> categories;
};

/**
 * A compiled lead scoring model (crm_scoring_model). Immutable: one
 * ScoringModel may be used from several threads at once.
 */
class ScoringModel : public detail::Owned<crm_scoring_model, crm_scoring_model_free> {
public:
    /** Loads, validates and compiles a model (crm_scoring_model_from_json). */
    static ScoringModel from_json(std::string_view json) {
        const std::string text = detail::terminated(json, "json");
        crm_scoring_model *handle = nullptr;
        detail::check(crm_scoring_model_from_json(text.c_str(), &handle));
        ScoringModel model(handle);
        const std::string info = model.info_json();
        model.categories_ = detail::top_level_array_length(info, "categories");
        model.columns_ = detail::top_level_array_length(info, "columns");
        model.activity_rules_ = detail::top_level_array_length(info, "activity_rules");
        return model;
    }

    /**
     * The model summary (crm_scoring_model_info_json): "categories",
     * "grades", "handoffs", "rules", "activity_rules" and the batch
     * "columns" in order.
     */
    std::string info_json() const { return detail::json_out(crm_scoring_model_info_json, get()); }

    /** The number of categories (the width of a lead's category scores). */
    std::size_t category_count() const noexcept { return categories_; }

    /** The number of batch columns score_batch() takes. */
    std::size_t column_count() const noexcept { return columns_; }

    /** The number of activity rules (the range of ScoreEvent::rule). */
    std::size_t activity_rule_count() const noexcept { return activity_rules_; }

    /** Scores one lead given as JSON and explains it (crm_score_lead_json). */
    std::string score_lead_json(std::string_view lead_json, std::int64_t as_of_unix) const {
        const std::string lead = detail::terminated(lead_json, "lead_json");
        return detail::json_out(crm_score_lead_json, get(), lead.c_str(), as_of_unix);
    }

    /** The batch code of a text for text column `column` (crm_scoring_encode_text). */
    std::int64_t encode_text(std::size_t column, std::string_view text) const {
        const std::string value = detail::terminated(text, "text");
        std::int64_t code = 0;
        detail::check(crm_scoring_encode_text(get(), column, value.c_str(), &code));
        return code;
    }

    /** The batch code of a decimal number or amount ("12.5"; crm_scoring_encode_decimal). */
    static std::int64_t encode_decimal(std::string_view decimal) {
        const std::string value = detail::terminated(decimal, "decimal");
        std::int64_t code = 0;
        detail::check(crm_scoring_encode_decimal(value.c_str(), &code));
        return code;
    }

    /**
     * The indices of the activity rules that count an activity given as the
     * JSON of its kind (crm_scoring_match_activity_json).
     */
    std::vector<std::uint32_t> match_activity(std::string_view kind_json) const {
        const std::string kind = detail::terminated(kind_json, "kind_json");
        std::vector<std::uint32_t> rules(activity_rules_);
        std::size_t count = 0;
        detail::check(crm_scoring_match_activity_json(get(), kind.c_str(), rules.data(),
                                                      rules.size(), &count));
        rules.resize(count);
        return rules;
    }

    /**
     * Scores a batch over flat arrays, exactly as crm_score_batch(): the
     * caller guarantees the lengths described there. `stages` and
     * `out_categories` may be NULL.
     */
    void score_batch(const std::int64_t *const *columns, std::size_t n_columns,
                     std::size_t n_leads, const ScoreEvent *events, std::size_t n_events,
                     const std::uint8_t *stages, std::int64_t as_of_unix, LeadScore *out,
                     std::int64_t *out_categories, std::size_t out_categories_len) const {
        detail::check(crm_score_batch(get(), columns, n_columns, n_leads, events, n_events, stages,
                                      as_of_unix, out, out_categories, out_categories_len));
    }

    /**
     * Scores `n_leads` leads: `columns` holds one vector of `n_leads`
     * encoded values per model column (column_count()), `events` the
     * matched activities sorted by lead, `stages` nothing (no handoffs) or
     * one stage per lead. The category scores are returned when
     * `with_categories` is true. Lengths are checked before the C call.
     */
    BatchScores score_batch(std::size_t n_leads, const std::vector<std::vector<std::int64_t>> &columns,
                            const std::vector<ScoreEvent> &events, std::int64_t as_of_unix,
                            const std::vector<LifecycleStage> &stages = {},
                            bool with_categories = false) const {
        std::vector<const std::int64_t *> pointers;
        pointers.reserve(columns.size());
        for (std::size_t i = 0; i < columns.size(); i++) {
            detail::require_length(columns[i].size(), n_leads,
                                   ("columns[" + std::to_string(i) + "]").c_str());
            pointers.push_back(columns[i].data());
        }
        detail::require(stages.empty() || stages.size() == n_leads, "stages",
                        "expected none or " + std::to_string(n_leads) + " stages, found " +
                            std::to_string(stages.size()));
        static_assert(sizeof(LifecycleStage) == sizeof(std::uint8_t), "one byte per stage");
        BatchScores result;
        result.scores.resize(n_leads);
        if (with_categories) {
            result.categories.resize(n_leads * categories_);
        }
        score_batch(pointers.data(), pointers.size(), n_leads, events.data(), events.size(),
                    stages.empty() ? nullptr : reinterpret_cast<const std::uint8_t *>(stages.data()),
                    as_of_unix, result.scores.data(),
                    with_categories ? result.categories.data() : nullptr,
                    result.categories.size());
        return result;
    }

private:
    explicit ScoringModel(crm_scoring_model *handle) noexcept : Owned(handle) {}

    std::size_t categories_ = 0;
    std::size_t columns_ = 0;
    std::size_t activity_rules_ = 0;
};

// ---------------------------------------------------------------------------
// Automation rules
// ---------------------------------------------------------------------------

/** The outputs of Rules::evaluate() and Rules::tick(). */
struct RulesOutcome {
    /** A JSON array of actions, each with a deterministic "id". */
    std::string actions_json;
    /** The new enrollment state, to pass to the next call. */
    std::string state_json;
};

/**
 * A compiled automation rule set (crm_rules). Immutable: one Rules may be
 * used from several threads at once; the enrollment state is the caller's.
 */
class Rules : public detail::Owned<crm_rules, crm_rules_free> {
public:
    /** Loads, validates and compiles a rule set (crm_rules_from_json). */
    static Rules from_json(std::string_view json) {
        const std::string text = detail::terminated(json, "json");
        crm_rules *handle = nullptr;
        detail::check(crm_rules_from_json(text.c_str(), &handle));
        return Rules(handle);
    }

    /**
     * Evaluates one event (crm_rules_evaluate); `state_json` is "" (or "{}")
     * at first, then the state returned by the previous call.
     */
    RulesOutcome evaluate(const Dataset &dataset, std::string_view event_json,
                          std::string_view state_json, std::int64_t as_of_unix) const {
        const std::string event = detail::terminated(event_json, "event_json");
        const std::string state = detail::terminated(state_json, "state_json");
        char *actions = nullptr;
        char *new_state = nullptr;
        detail::check(crm_rules_evaluate(get(), dataset.get(), event.c_str(), state.c_str(),
                                         as_of_unix, &actions, &new_state));
        RulesOutcome outcome;
        outcome.actions_json = detail::take(actions);
        outcome.state_json = detail::take(new_state);
        return outcome;
    }

    /** Evaluates the date-based and "stuck" triggers (crm_rules_tick). */
    RulesOutcome tick(const Dataset &dataset, std::string_view state_json,
                      std::int64_t as_of_unix) const {
        const std::string state = detail::terminated(state_json, "state_json");
        char *actions = nullptr;
        char *new_state = nullptr;
        detail::check(
            crm_rules_tick(get(), dataset.get(), state.c_str(), as_of_unix, &actions, &new_state));
        RulesOutcome outcome;
        outcome.actions_json = detail::take(actions);
        outcome.state_json = detail::take(new_state);
        return outcome;
    }

    /** Replays a JSON array of events and reports what fired (crm_rules_dry_run). */
    std::string dry_run(const Dataset &dataset, std::string_view events_json,
                        std::string_view state_json = "") const {
        const std::string events = detail::terminated(events_json, "events_json");
        const std::string state = detail::terminated(state_json, "state_json");
        return detail::json_out(crm_rules_dry_run, get(), dataset.get(), events.c_str(),
                                state.c_str());
    }

    /** Gaps, overlaps, conflicts... with example inputs (crm_rules_analyze). */
    std::string analyze() const { return detail::json_out(crm_rules_analyze, get()); }

private:
    explicit Rules(crm_rules *handle) noexcept : Owned(handle) {}
};

/** The names of the ready-made automation rule sets, as a JSON array (crm_preset_names). */
inline std::string preset_names() { return detail::json_out(crm_preset_names); }

/**
 * The rule set document of a ready-made automation preset such as
 * "usd_500_routing" (crm_preset_json), for Rules::from_json() or to be tuned
 * first. An unknown name throws CRM_STATUS_NOT_FOUND.
 */
inline std::string preset_json(std::string_view name) {
    const std::string text = detail::terminated(name, "name");
    return detail::json_out(crm_preset_json, text.c_str());
}

// ---------------------------------------------------------------------------
// Journeys
// ---------------------------------------------------------------------------

/** The result of JourneyHandle::advance: what to do, the new state, when to call again. */
struct JourneyOutcome {
    /** {"actions": [...], "taken": [...], "next_wake_at": ..., "idle": ...}. */
    std::string result_json;
    /** The contact's new state, to pass back with the next input. */
    std::string state_json;
    /** When to call again (Unix seconds), INT64_MIN when only an event moves the contact. */
    std::int64_t next_wake_unix = 0;
};

/**
 * A compiled journey (crm_journey). Immutable: one Journey may be used from
 * several threads at once.
 */
class Journey : public detail::Owned<crm_journey, crm_journey_free> {
public:
    /** Loads, validates and compiles a journey (crm_journey_from_json). */
    static Journey from_json(std::string_view json) {
        const std::string text = detail::terminated(json, "json");
        crm_journey *handle = nullptr;
        detail::check(crm_journey_from_json(text.c_str(), &handle));
        return Journey(handle);
    }

    /**
     * Advances one contact (crm_journey_advance); `state_json` is "" for a
     * contact that never entered, `input_json` "\"tick\"", {"event": ...} or
     * {"enrolled": ...}.
     */
    JourneyOutcome advance(const Dataset &dataset, std::string_view state_json,
                           std::string_view input_json, std::int64_t as_of_unix) const {
        const std::string state = detail::terminated(state_json, "state_json");
        const std::string input = detail::terminated(input_json, "input_json");
        char *result = nullptr;
        char *new_state = nullptr;
        std::int64_t wake = 0;
        detail::check(crm_journey_advance(get(), dataset.get(), state.c_str(), input.c_str(),
                                          as_of_unix, &result, &new_state, &wake));
        JourneyOutcome outcome;
        outcome.result_json = detail::take(result);
        outcome.state_json = detail::take(new_state);
        outcome.next_wake_unix = wake;
        return outcome;
    }

    /** Simulates over the dataset's event history (crm_journey_simulate). */
    std::string simulate(const Dataset &dataset, std::int64_t until_unix) const {
        return detail::json_out(crm_journey_simulate, get(), dataset.get(), until_unix);
    }

    /** Steps, goals, exits and warnings (crm_journey_analyze). */
    std::string analyze() const { return detail::json_out(crm_journey_analyze, get()); }

private:
    explicit Journey(crm_journey *handle) noexcept : Owned(handle) {}
};

// ---------------------------------------------------------------------------
// Predictive models
// ---------------------------------------------------------------------------

/**
 * A trained propensity model (crm_propensity_model). Immutable: one
 * PropensityModel may be used from several threads at once.
 */
class PropensityModel : public detail::Owned<crm_propensity_model, crm_propensity_model_free> {
public:
    /** Trains on the deals closed by `as_of_unix` (crm_propensity_train). */
    static PropensityModel train(const Dataset &dataset, std::string_view spec_json,
                                 std::int64_t as_of_unix) {
        const std::string spec = detail::terminated(spec_json, "spec_json");
        crm_propensity_model *handle = nullptr;
        detail::check(crm_propensity_train(dataset.get(), spec.c_str(), as_of_unix, &handle));
        return PropensityModel(handle);
    }

    /** Loads a model saved with to_json() (crm_propensity_model_from_json). */
    static PropensityModel from_json(std::string_view json) {
        const std::string text = detail::terminated(json, "json");
        crm_propensity_model *handle = nullptr;
        detail::check(crm_propensity_model_from_json(text.c_str(), &handle));
        return PropensityModel(handle);
    }

    /** The model's JSON form (crm_propensity_model_to_json). */
    std::string to_json() const { return detail::json_out(crm_propensity_model_to_json, get()); }

    /** Predicts every open lead of `dataset` (crm_propensity_predict_json). */
    std::string predict_json(const Dataset &dataset, std::int64_t as_of_unix) const {
        return detail::json_out(crm_propensity_predict_json, get(), dataset.get(), as_of_unix);
    }

private:
    explicit PropensityModel(crm_propensity_model *handle) noexcept : Owned(handle) {}
};

/**
 * An L2-regularised logistic regression over flat feature arrays
 * (crm_logistic). Immutable: one Logistic may be used from several threads
 * at once.
 */
class Logistic : public detail::Owned<crm_logistic, crm_logistic_free> {
public:
    /** Fits `n_rows` rows of `n_features` doubles (row-major) exactly as crm_logistic_fit(). */
    static Logistic fit(const double *x, const std::uint8_t *y, std::size_t n_rows,
                        std::size_t n_features, double l2) {
        crm_logistic *handle = nullptr;
        detail::check(crm_logistic_fit(x, y, n_rows, n_features, l2, &handle));
        return Logistic(handle);
    }

    /**
     * Fits one row per outcome in `y` (non-zero = won); `x` holds
     * y.size() x `n_features` doubles, row-major.
     */
    static Logistic fit(const std::vector<double> &x, const std::vector<std::uint8_t> &y,
                        std::size_t n_features, double l2) {
        detail::require(n_features == 0 || y.size() <= x.max_size() / n_features, "x",
                        "too many rows");
        detail::require_length(x.size(), y.size() * n_features, "x");
        return fit(x.data(), y.data(), y.size(), n_features, l2);
    }

    /** Writes `n_rows` probabilities to `out`, exactly as crm_logistic_predict(). */
    void predict(const double *x, std::size_t n_rows, std::size_t n_features,
                 double *out) const {
        detail::check(crm_logistic_predict(get(), x, n_rows, n_features, out));
    }

    /** The probability of each row of `x` (rows of `n_features` doubles, n_features > 0). */
    std::vector<double> predict(const std::vector<double> &x, std::size_t n_features) const {
        detail::require(n_features > 0, "n_features", "expected at least one feature");
        detail::require(x.size() % n_features == 0, "x",
                        "expected whole rows of " + std::to_string(n_features) + " values, found " +
                            std::to_string(x.size()) + " values");
        std::vector<double> out(x.size() / n_features);
        predict(x.data(), out.size(), n_features, out.data());
        return out;
    }

    /** The model's JSON form (crm_logistic_to_json). */
    std::string to_json() const { return detail::json_out(crm_logistic_to_json, get()); }

    /** Loads a model saved with to_json() (crm_logistic_from_json). */
    static Logistic from_json(std::string_view json) {
        const std::string text = detail::terminated(json, "json");
        crm_logistic *handle = nullptr;
        detail::check(crm_logistic_from_json(text.c_str(), &handle));
        return Logistic(handle);
    }

private:
    explicit Logistic(crm_logistic *handle) noexcept : Owned(handle) {}
};

/** The period of the RFM and CLV arrays (0 = days, 1 = weeks in C). */
enum class TimeUnit : std::uint32_t {
    days = 0,
    /** Days / 7 with purchases merged per day (the lifetimes convention). */
    weeks = 1,
    /** Calendar weeks from 1970-01-01, purchases merged per week. */
    calendar_weeks = 2,
};

/**
 * Customers as the flat arrays of the CLV functions: repeat purchases,
 * recency and age (in periods) and mean repeat spend, one entry each per
 * customer.
 */
struct ClvCustomers {
    /** Repeat purchases. */
    std::vector<std::uint32_t> frequency;
    /** Time of the last purchase since the first, in periods. */
    std::vector<double> recency;
    /** Time since the first purchase (T), in periods. */
    std::vector<double> age;
    /** Mean repeat spend. */
    std::vector<double> monetary;

    /** The number of customers; throws unless the four arrays agree. */
    std::size_t size() const {
        detail::require_length(recency.size(), frequency.size(), "recency");
        detail::require_length(age.size(), frequency.size(), "age");
        detail::require_length(monetary.size(), frequency.size(), "monetary");
        return frequency.size();
    }
};

/** The results of ClvModel::predict(), one entry per customer. */
struct ClvPrediction {
    /** The probability that the customer is still active. */
    std::vector<double> probability_alive;
    /** The expected purchases over the horizon. */
    std::vector<double> expected_purchases;
    /** The discounted customer lifetime value. */
    std::vector<double> clv;
};

/**
 * A fitted BG/NBD + Gamma-Gamma CLV model (crm_clv_model). Immutable: one
 * ClvModel may be used from several threads at once.
 */
class ClvModel : public detail::Owned<crm_clv_model, crm_clv_model_free> {
public:
    /** Fits the purchases of `dataset` up to `as_of_unix` with default options. */
    static ClvModel fit_dataset(const Dataset &dataset, std::int64_t as_of_unix) {
        crm_clv_model *handle = nullptr;
        detail::check(crm_clv_fit_dataset(dataset.get(), nullptr, as_of_unix, &handle));
        return ClvModel(handle);
    }

    /** Fits with options ({"unit", "bgnbd", "gamma_gamma"}; crm_clv_fit_dataset). */
    static ClvModel fit_dataset(const Dataset &dataset, std::string_view options_json,
                                std::int64_t as_of_unix) {
        const std::string options = detail::terminated(options_json, "options_json");
        crm_clv_model *handle = nullptr;
        detail::check(crm_clv_fit_dataset(dataset.get(), options.c_str(), as_of_unix, &handle));
        return ClvModel(handle);
    }

    /** Fits `n` customers given as flat arrays, exactly as crm_clv_fit_arrays(). */
    static ClvModel fit_arrays(const std::uint32_t *frequency, const double *recency,
                               const double *age, const double *monetary, std::size_t n,
                               TimeUnit unit) {
        crm_clv_model *handle = nullptr;
        detail::check(crm_clv_fit_arrays(frequency, recency, age, monetary, n,
                                         static_cast<std::uint32_t>(unit), &handle));
        return ClvModel(handle);
    }

    /** Fits the customers of `customers` (crm_clv_fit_arrays). */
    static ClvModel fit_arrays(const ClvCustomers &customers, TimeUnit unit) {
        const std::size_t n = customers.size();
        return fit_arrays(customers.frequency.data(), customers.recency.data(),
                          customers.age.data(), customers.monetary.data(), n, unit);
    }

    /** Predicts `n` customers into three arrays of `n`, exactly as crm_clv_predict(). */
    void predict(const std::uint32_t *frequency, const double *recency, const double *age,
                 const double *monetary, std::size_t n, std::uint32_t horizon_months,
                 double monthly_discount_rate, double *out_probability_alive,
                 double *out_expected_purchases, double *out_clv) const {
        detail::check(crm_clv_predict(get(), frequency, recency, age, monetary, n, horizon_months,
                                      monthly_discount_rate, out_probability_alive,
                                      out_expected_purchases, out_clv));
    }

    /**
     * The probability alive, expected purchases over `horizon_months` and
     * discounted CLV (at `monthly_discount_rate`, a fraction) per customer.
     */
    ClvPrediction predict(const ClvCustomers &customers, std::uint32_t horizon_months,
                          double monthly_discount_rate) const {
        const std::size_t n = customers.size();
        ClvPrediction result;
        result.probability_alive.resize(n);
        result.expected_purchases.resize(n);
        result.clv.resize(n);
        predict(customers.frequency.data(), customers.recency.data(), customers.age.data(),
                customers.monetary.data(), n, horizon_months, monthly_discount_rate,
                result.probability_alive.data(), result.expected_purchases.data(),
                result.clv.data());
        return result;
    }

    /**
     * Fits BG/NBD alone to `n` customers (crm_clv_fit_bgnbd_arrays); no
     * spend is needed, and all-zero spends are fine.
     */
    static ClvModel fit_bgnbd_arrays(const std::uint32_t *frequency, const double *recency,
                                     const double *age, std::size_t n, TimeUnit unit) {
        crm_clv_model *handle = nullptr;
        detail::check(crm_clv_fit_bgnbd_arrays(frequency, recency, age, n,
                                               static_cast<std::uint32_t>(unit), &handle));
        return ClvModel(handle);
    }

    /** The unit the model was fitted in (crm_clv_model_unit). */
    TimeUnit unit() const {
        std::uint32_t unit = 0;
        detail::check(crm_clv_model_unit(get(), &unit));
        return static_cast<TimeUnit>(unit);
    }

    /** E[X(t)]: the expected purchases of a new customer in (0, t] (crm_clv_expected_purchases_new). */
    double expected_purchases_new(double t) const {
        double expected = 0.0;
        detail::check(crm_clv_expected_purchases_new(get(), t, &expected));
        return expected;
    }

    /**
     * The expected purchases of each customer in the next `t` periods of the
     * model's unit (crm_clv_conditional_expected_purchases).
     */
    std::vector<double> conditional_expected_purchases(const ClvCustomers &customers,
                                                       double t) const {
        const std::size_t n = customers.size();
        std::vector<double> expected(n);
        detail::check(crm_clv_conditional_expected_purchases(
            get(), t, customers.frequency.data(), customers.recency.data(), customers.age.data(),
            n, expected.data()));
        return expected;
    }

    /**
     * The Gamma-Gamma expected spend per purchase of each customer, and
     * whether it is the model's fallback spend (crm_clv_expected_spend).
     */
    std::pair<std::vector<double>, std::vector<bool>>
    expected_spend(const ClvCustomers &customers) const {
        const std::size_t n = customers.size();
        std::vector<double> spend(n);
        std::vector<std::uint8_t> fallback(n);
        detail::check(crm_clv_expected_spend(get(), customers.frequency.data(),
                                             customers.monetary.data(), n, spend.data(),
                                             fallback.data()));
        return {spend, std::vector<bool>(fallback.begin(), fallback.end())};
    }

    /** The BG/NBD parameters {r, alpha, a, b} (crm_clv_bgnbd_params). */
    std::array<double, 4> bgnbd_params() const {
        std::array<double, 4> params{};
        detail::check(crm_clv_bgnbd_params(get(), params.data(), nullptr));
        return params;
    }

    /** Standard errors of {r, alpha, a, b} (crm_clv_bgnbd_params; throws for a degenerate fit). */
    std::array<double, 4> bgnbd_standard_errors() const {
        std::array<double, 4> params{};
        std::array<double, 4> errors{};
        detail::check(crm_clv_bgnbd_params(get(), params.data(), errors.data()));
        return errors;
    }

    /** The Gamma-Gamma parameters {p, q, gamma} (crm_clv_gamma_gamma_params). */
    std::array<double, 3> gamma_gamma_params() const {
        std::array<double, 3> params{};
        detail::check(crm_clv_gamma_gamma_params(get(), params.data(), nullptr));
        return params;
    }

    /** The model's JSON form (crm_clv_model_to_json). */
    std::string to_json() const { return detail::json_out(crm_clv_model_to_json, get()); }

    /** Loads a model saved with to_json() (crm_clv_model_from_json). */
    static ClvModel from_json(std::string_view json) {
        const std::string text = detail::terminated(json, "json");
        crm_clv_model *handle = nullptr;
        detail::check(crm_clv_model_from_json(text.c_str(), &handle));
        return ClvModel(handle);
    }

private:
    explicit ClvModel(crm_clv_model *handle) noexcept : Owned(handle) {}
};

/**
 * Every customer's CLV and the customers at risk (probability alive below
 * `threshold`, at most `limit`), with default options (crm_clv_report_json).
 */
inline std::string clv_report_json(const Dataset &dataset, std::int64_t as_of_unix,
                                   double threshold, std::size_t limit) {
    return detail::json_out(crm_clv_report_json, dataset.get(), nullptr, as_of_unix, threshold,
                            limit);
}

/** As above, with options ({"fit", "clv", "currency"}). */
inline std::string clv_report_json(const Dataset &dataset, std::string_view options_json,
                                   std::int64_t as_of_unix, double threshold, std::size_t limit) {
    const std::string options = detail::terminated(options_json, "options_json");
    return detail::json_out(crm_clv_report_json, dataset.get(), options.c_str(), as_of_unix,
                            threshold, limit);
}

/** The ideal-customer profile or churn indicators of `spec_json` (crm_profile_json). */
inline std::string profile_json(const Dataset &dataset, std::string_view spec_json,
                                std::int64_t as_of_unix) {
    const std::string spec = detail::terminated(spec_json, "spec_json");
    return detail::json_out(crm_profile_json, dataset.get(), spec.c_str(), as_of_unix);
}

/** Summarises `n` purchases given as flat arrays, exactly as crm_rfm_json(). */
inline std::string rfm_json(const std::uint32_t *customers, const std::int64_t *at_unix,
                            const double *amounts, std::size_t n, TimeUnit unit,
                            std::int64_t calibration_end_unix, std::int64_t observation_end_unix) {
    return detail::json_out(crm_rfm_json, customers, at_unix, amounts, n,
                            static_cast<std::uint32_t>(unit), calibration_end_unix,
                            observation_end_unix);
}

/**
 * Summarises purchases (customer index, Unix time, amount; one entry each)
 * into the RFM rows the CLV functions take (crm_rfm_json).
 */
inline std::string rfm_json(const std::vector<std::uint32_t> &customers,
                            const std::vector<std::int64_t> &at_unix,
                            const std::vector<double> &amounts, TimeUnit unit,
                            std::int64_t calibration_end_unix, std::int64_t observation_end_unix) {
    detail::require_length(at_unix.size(), customers.size(), "at_unix");
    detail::require_length(amounts.size(), customers.size(), "amounts");
    return rfm_json(customers.data(), at_unix.data(), amounts.data(), customers.size(), unit,
                    calibration_end_unix, observation_end_unix);
}

// ---------------------------------------------------------------------------
// Marketing analytics: experiments and attribution (JSON in, JSON out)
// ---------------------------------------------------------------------------

/** Analyses an A/B/n experiment (crm_experiment_analyze). */
inline std::string experiment_analyze(std::string_view request_json) {
    const std::string request = detail::terminated(request_json, "request_json");
    return detail::json_out(crm_experiment_analyze, request.c_str());
}

/** Sample size per arm, or the minimum detectable effect (crm_sample_size). */
inline std::string sample_size(std::string_view request_json) {
    const std::string request = detail::terminated(request_json, "request_json");
    return detail::json_out(crm_sample_size, request.c_str());
}

/** Multi-touch attribution of journeys (crm_attribution_report). */
inline std::string attribution_report(std::string_view request_json) {
    const std::string request = detail::terminated(request_json, "request_json");
    return detail::json_out(crm_attribution_report, request.c_str());
}

// ---------------------------------------------------------------------------
// Segments: cohorts, RFM segments, saved segments (JSON in, JSON out)
// ---------------------------------------------------------------------------

/** The cohort retention table of a dataset (crm_cohort_report). */
inline std::string cohort_report(const Dataset &dataset, std::string_view request_json) {
    const std::string request = detail::terminated(request_json, "request_json");
    return detail::json_out(crm_cohort_report, dataset.get(), request.c_str());
}

/** Attribution of the conversions recorded in a dataset (crm_attribution_dataset_report). */
inline std::string attribution_dataset_report(const Dataset &dataset,
                                              std::string_view request_json) {
    const std::string request = detail::terminated(request_json, "request_json");
    return detail::json_out(crm_attribution_dataset_report, dataset.get(), request.c_str());
}

/** RFM scores and named segments of a dataset's customers (crm_rfm_segments). */
inline std::string rfm_segments(const Dataset &dataset, std::string_view request_json) {
    const std::string request = detail::terminated(request_json, "request_json");
    return detail::json_out(crm_rfm_segments, dataset.get(), request.c_str());
}

/** A saved segment's members, entered and left (crm_segment_members). */
inline std::string segment_members(const Dataset &dataset, std::string_view request_json) {
    const std::string request = detail::terminated(request_json, "request_json");
    return detail::json_out(crm_segment_members, dataset.get(), request.c_str());
}

} // namespace crmkit

#endif /* CRMKIT_HPP */
