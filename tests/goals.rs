//! SMART goals: the seed articles' examples, what the validator must catch,
//! localized messages and re-planning. Tracking is in `goals_tracking.rs`.

use chrono::NaiveDate;
use crmkit::ErrorKind;
use crmkit::goals::{
    Criterion, Goal, Locale, Plan, ReasonCode, Report, Target, Thresholds, Validator, Verdict,
    validate_json,
};
use rust_decimal::Decimal;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("test date")
}

fn dec(text: &str) -> Decimal {
    text.parse().expect("test decimal")
}

/// The day the seed goals are judged on: the first day of Q3 2024.
fn as_of() -> NaiveDate {
    d(2024, 7, 1)
}

fn goal(json: &str) -> Goal {
    Goal::from_json(json).unwrap_or_else(|err| panic!("{err}\n{json}"))
}

fn validate(json: &str) -> Report {
    Validator::new().validate(&goal(json), as_of())
}

fn verdicts(report: &Report) -> [Verdict; 5] {
    Criterion::ALL.map(|c| report.verdict(c))
}

const PREVENT_CHURN: &str = r#"{"name": "prevent churn"}"#;

/// "Reduce churn 25% by the end of next quarter, measured in the CRM, by
/// improving communication between sales and support."
const REDUCE_CHURN: &str = r#"{
    "name": "reduce churn by 25% by the end of next quarter",
    "objective": "increase_retention",
    "kpi": "churn_rate",
    "target": "-25%",
    "deadline": "end of next quarter",
    "plan": {"action": "use our new CRM to improve communication between the sales and customer support teams",
             "resources": ["our new CRM"]},
    "reason": "too many customers leave after one purchase; repeat customers spend more and cost less"
}"#;

/// The sales-cycle goal: from 4 months (120 days) to 2 (60 days). The
/// article gives no date; the goal carries the deadline a user would set.
const SALES_CYCLE: &str = r#"{
    "name": "halve the sales cycle",
    "objective": "shorten_sales_cycle",
    "kpi": "sales_cycle_length",
    "baseline": {"value": 120, "date": "2024-06-30"},
    "target": 60,
    "deadline": "end of this year",
    "plan": {"action": "use sales automation to assign follow-up tasks so that leads do not stall in a pipeline stage",
             "resources": ["sales automation", "pipeline reports"]},
    "owner": "head of sales",
    "reason": "leads get stuck in some stages, lose interest and the deal never closes"
}"#;

/// New revenue (revenue from customers within 6 months of closing) +50 %
/// this year.
const NEW_REVENUE: &str = r#"{
    "name": "grow new revenue by 50% this year",
    "objective": "sell_more",
    "kpi": "new_revenue",
    "target": "+50%",
    "deadline": "end of this year",
    "plan": {"action": "introduce lead scoring and spend sales time only on the most qualified leads",
             "resources": ["lead scoring model", "sales team"]},
    "reason": "we must keep growing by winning new customers and new revenue"
}"#;

/// Customer acquisition cost from $115 to $80 by the end of the year.
const CAC: &str = r#"{
    "name": "cut acquisition cost to $80",
    "objective": "reduce_acquisition_cost",
    "kpi": "customer_acquisition_cost",
    "currency": "USD",
    "baseline": {"value": "115.00"},
    "target": "80.00",
    "deadline": "end of this year",
    "plan": {"action": "automate sales and marketing tasks and focus on better-qualified leads with lead scoring",
             "resources": ["marketing automation", "lead scoring"]},
    "reason": "to become more profitable"
}"#;

const CSAT_90: &str = r#"{
    "name": "raise customer satisfaction to 90%",
    "objective": "raise_satisfaction",
    "kpi": "customer_satisfaction",
    "direction": "increase",
    "target": 90,
    "deadline": "end of next quarter",
    "plan": {"action": "send a survey after every closed ticket and call back every unhappy customer",
             "resources": ["CRM surveys", "support team"]},
    "reason": "satisfied customers stay and recommend us"
}"#;

const CHURN_5: &str = r#"{
    "name": "cut churn rate to 5%",
    "objective": "increase_retention",
    "kpi": "churn_rate",
    "direction": "decrease",
    "target": 5,
    "deadline": "end of next quarter",
    "plan": {"action": "reward repeat purchases with automatic discount codes and personal e-mails",
             "resources": ["CRM automations"]},
    "reason": "repeat customers spend more and cost less"
}"#;

const PASSING_SEEDS: [&str; 6] = [
    REDUCE_CHURN,
    SALES_CYCLE,
    NEW_REVENUE,
    CAC,
    CSAT_90,
    CHURN_5,
];

#[test]
fn prevent_churn_fails_s_m_a_and_t_and_cannot_be_judged_on_r_in_every_locale() {
    let report = validate(PREVENT_CHURN);
    use Verdict::*;
    assert_eq!(verdicts(&report), [Fail, Fail, Fail, CannotTell, Fail]);
    for code in [
        ReasonCode::NoActionPlan,
        ReasonCode::NoKpi,
        ReasonCode::NoTarget,
        ReasonCode::NoMeans,
        ReasonCode::NoObjective,
        ReasonCode::NoDeadline,
    ] {
        assert!(report.has(code), "missing {code}");
    }
    assert!(!report.is_smart());
    assert_eq!(report.overall(), Fail);
    for locale in Locale::ALL {
        let localized = report.localize(locale);
        let letters: Vec<(String, Verdict)> = localized
            .criteria
            .iter()
            .map(|c| (c.letter.clone(), c.verdict))
            .collect();
        assert_eq!(
            letters,
            vec![
                ("S".to_string(), Fail),
                ("M".to_string(), Fail),
                ("A".to_string(), Fail),
                ("R".to_string(), CannotTell),
                ("T".to_string(), Fail)
            ]
        );
    }
}

#[test]
fn prevent_churn_stated_with_its_kpi_still_fails_achievable_for_zero_churn() {
    // "Customers will always churn": naming the KPI makes M pass, but a
    // target of zero churn cannot be reached.
    let report = validate(r#"{"name": "prevent churn", "kpi": "churn_rate", "target": 0}"#);
    use Verdict::*;
    assert_eq!(verdicts(&report), [Fail, Pass, Fail, CannotTell, Fail]);
    assert!(report.has(ReasonCode::ImpossibleByDefinition));
    assert!(report.has(ReasonCode::NoMeans));
}

#[test]
fn the_seed_smart_goals_pass_all_five_criteria_in_every_locale() {
    for json in PASSING_SEEDS {
        let report = validate(json);
        assert_eq!(
            verdicts(&report),
            [Verdict::Pass; 5],
            "{json}\n{:#?}",
            report.findings
        );
        for locale in Locale::ALL {
            let localized = report.localize(locale);
            assert!(localized.smart);
            assert_eq!(localized.overall, Verdict::Pass);
            assert_eq!(localized.criteria.len(), 5);
        }
    }
}

#[test]
fn relative_deadlines_resolve_from_as_of_with_the_fiscal_calendar() {
    assert_eq!(validate(REDUCE_CHURN).deadline, Some(d(2024, 12, 31)));
    let april = REDUCE_CHURN.replacen('{', r#"{"calendar": {"first_month": 4},"#, 1);
    // With an April fiscal year, 2024-07-01 is in Q2 (Jul-Sep): next quarter ends in December.
    assert_eq!(validate(&april).deadline, Some(d(2024, 12, 31)));
    let set_on = REDUCE_CHURN.replacen('{', r#"{"set_on": "2024-02-10","#, 1);
    // Set in Q1: "end of next quarter" was the end of June, before as_of.
    let report = validate(&set_on);
    assert_eq!(report.deadline, Some(d(2024, 6, 30)));
    assert!(report.has(ReasonCode::DeadlinePassed));
}

#[test]
fn the_cac_goal_knows_its_target_value_and_shows_money_with_its_currency() {
    let report = validate(CAC);
    assert_eq!(report.target_value, Some(dec("80")));
    let en = report.localize(Locale::En);
    let measurable = &en.criteria[1];
    assert!(
        measurable.reasons[0].message.contains("80 USD"),
        "{:?}",
        measurable.reasons
    );
    let de = report.localize(Locale::De);
    assert!(
        de.criteria[1].reasons[0]
            .message
            .contains("customer_acquisition_cost")
    );
}

#[test]
fn a_goal_without_action_plan_fails_specific_with_a_suggestion() {
    let json = REDUCE_CHURN.replace(
        r#""plan": {"action": "use our new CRM to improve communication between the sales and customer support teams","#,
        r#""plan": {"#,
    );
    let report = validate(&json);
    assert_eq!(report.verdict(Criterion::Specific), Verdict::Fail);
    assert!(report.has(ReasonCode::NoActionPlan));
    // Resources alone keep Achievable from failing.
    assert!(!report.has(ReasonCode::NoMeans));
    let en = report.localize(Locale::En);
    let reason = &en.criteria[0].reasons[0];
    assert_eq!(reason.code, ReasonCode::NoActionPlan);
    assert!(
        reason
            .suggestion
            .as_deref()
            .is_some_and(|s| s.contains("action plan"))
    );
}

#[test]
fn a_two_word_plan_is_vague() {
    let json = REDUCE_CHURN.replace(
        "use our new CRM to improve communication between the sales and customer support teams",
        "talk more",
    );
    let report = validate(&json);
    assert_eq!(report.verdict(Criterion::Specific), Verdict::Warn);
    assert!(report.has(ReasonCode::ActionPlanVague));
}

#[test]
fn a_kpi_the_library_cannot_compute_fails_measurable_not_loading() {
    let json = REDUCE_CHURN.replace(r#""kpi": "churn_rate""#, r#""kpi": "happiness_index""#);
    let report = validate(&json);
    assert_eq!(report.verdict(Criterion::Measurable), Verdict::Fail);
    assert!(report.has(ReasonCode::UnknownKpi));
    let ru = report.localize(Locale::Ru);
    assert!(
        ru.criteria[1]
            .reasons
            .iter()
            .any(|r| r.message.contains("happiness_index"))
    );
}

#[test]
fn a_conversion_rate_above_100_percent_is_outside_the_kpi_domain() {
    let json = r#"{"objective": "raise_conversion", "kpi": "lead_conversion_rate",
        "baseline": {"value": 40}, "target": 120, "deadline": "end of next quarter",
        "plan": {"action": "call every new lead within one hour", "resources": ["SDR team"]}}"#;
    let report = validate(json);
    assert_eq!(report.verdict(Criterion::Measurable), Verdict::Fail);
    assert!(report.has(ReasonCode::TargetOutsideDomain));
    let message = &report.localize(Locale::En).criteria[1].reasons[0].message;
    assert!(message.contains("120%"), "{message}");
    // A relative change that leaves the domain whatever the baseline.
    let json = REDUCE_CHURN.replace(r#""-25%""#, r#""-150%""#);
    assert!(validate(&json).has(ReasonCode::TargetOutsideDomain));
}

#[test]
fn zero_churn_and_a_100_percent_win_rate_are_impossible_by_definition() {
    let zero_churn = REDUCE_CHURN.replace(r#""target": "-25%""#, r#""target": 0"#);
    let report = validate(&zero_churn);
    assert_eq!(report.verdict(Criterion::Achievable), Verdict::Fail);
    assert!(report.has(ReasonCode::ImpossibleByDefinition));
    let all_churn_gone = REDUCE_CHURN.replace(r#""-25%""#, r#""-100%""#);
    assert!(validate(&all_churn_gone).has(ReasonCode::ImpossibleByDefinition));

    let win_rate = r#"{"objective": "raise_conversion", "kpi": "win_rate", "target": 100,
        "deadline": "end of this year",
        "plan": {"action": "qualify every deal with a checklist", "resources": ["CRM"]}}"#;
    let report = validate(win_rate);
    assert_eq!(report.verdict(Criterion::Achievable), Verdict::Fail);
    assert!(report.has(ReasonCode::ImpossibleByDefinition));
    // Measurable is still fine: 100 % is a possible value.
    assert_eq!(report.verdict(Criterion::Measurable), Verdict::Pass);
}

/// Quarter-end churn rates: the best quarter-on-quarter improvement is 0.4
/// points (10 -> 9.6).
const CHURN_HISTORY: &str = r#"[
    {"date": "2023-09-30", "value": "10"},
    {"date": "2023-12-31", "value": "9.6"},
    {"date": "2024-03-31", "value": "9.3"},
    {"date": "2024-06-30", "value": "9.0"}]"#;

#[test]
fn a_required_pace_far_beyond_the_history_fails_achievable_and_says_how_far() {
    let json = CHURN_5.replacen('{', &format!(r#"{{"history": {CHURN_HISTORY},"#), 1);
    let report = validate(&json);
    // From 9.0 to 5 in 183 days (2.004 quarters): 1.996 points a quarter,
    // 4.99 times the best improvement of 0.4.
    assert_eq!(report.verdict(Criterion::Achievable), Verdict::Fail);
    let finding = report
        .findings
        .iter()
        .find(|f| f.code == ReasonCode::BeyondHistory)
        .expect("beyond history");
    assert_eq!(finding.details.ratio, Some(dec("4.99")));
    let en = report.localize(Locale::En);
    let message = &en.criteria[2].reasons[0].message;
    assert!(
        message.contains("needs 5x the best quarter-on-quarter improvement"),
        "{message}"
    );
    let de = report.localize(Locale::De);
    assert!(de.criteria[2].reasons[0].message.contains("5-Fache"));
}

#[test]
fn a_pace_within_the_history_passes_and_a_bit_faster_warns() {
    let easy = CHURN_5
        .replace(r#""target": 5"#, r#""target": "8.5""#)
        .replacen('{', &format!(r#"{{"history": {CHURN_HISTORY},"#), 1);
    let report = validate(&easy);
    // 0.5 points in 2 quarters: 0.62 of the best pace.
    assert_eq!(report.verdict(Criterion::Achievable), Verdict::Pass);
    assert!(report.has(ReasonCode::WithinHistory));

    let brisk = easy.replace(r#""8.5""#, r#""8""#);
    let report = validate(&brisk);
    // 1 point in 2 quarters: 1.25 times the best pace.
    assert_eq!(report.verdict(Criterion::Achievable), Verdict::Warn);
    assert!(report.has(ReasonCode::FasterThanHistory));
}

#[test]
fn a_history_that_never_improved_or_is_too_short_is_reported() {
    let worse = r#"[{"date": "2024-03-31", "value": "9"}, {"date": "2024-06-30", "value": "9.5"}]"#;
    let json = CHURN_5.replacen('{', &format!(r#"{{"history": {worse},"#), 1);
    assert!(validate(&json).has(ReasonCode::NeverImproved));
    let short = r#"[{"date": "2024-06-30", "value": "9.5"}]"#;
    let json = CHURN_5.replacen('{', &format!(r#"{{"history": {short},"#), 1);
    let report = validate(&json);
    assert!(report.has(ReasonCode::HistoryTooShort));
    assert_eq!(report.verdict(Criterion::Achievable), Verdict::Pass);
}

#[test]
fn a_target_already_met_by_the_latest_value_warns() {
    let met = r#"[{"date": "2024-06-30", "value": "4.5"}]"#;
    let json = CHURN_5.replacen('{', &format!(r#"{{"history": {met},"#), 1);
    let report = validate(&json);
    assert!(report.has(ReasonCode::TargetAlreadyReached));
    assert_eq!(report.verdict(Criterion::Achievable), Verdict::Warn);
}

#[test]
fn a_target_that_moves_the_kpi_against_the_objective_fails_relevant() {
    let json = REDUCE_CHURN.replace(r#""-25%""#, r#""+25%""#);
    let report = validate(&json);
    assert_eq!(report.verdict(Criterion::Relevant), Verdict::Fail);
    assert!(report.has(ReasonCode::AgainstObjective));
    let en = report.localize(Locale::En);
    assert!(
        en.criteria[3].reasons[0]
            .message
            .contains("raises churn_rate")
    );
}

#[test]
fn a_kpi_unrelated_to_the_objective_warns_and_a_custom_objective_is_taken_as_stated() {
    let json = REDUCE_CHURN.replace(
        r#""objective": "increase_retention""#,
        r#""objective": "shorten_sales_cycle""#,
    );
    let report = validate(&json);
    assert_eq!(report.verdict(Criterion::Relevant), Verdict::Warn);
    assert!(report.has(ReasonCode::KpiUnrelated));

    let json = REDUCE_CHURN.replace(
        r#""objective": "increase_retention""#,
        r#""objective": {"custom": "prepare the company for sale"}"#,
    );
    let report = validate(&json);
    assert_eq!(report.verdict(Criterion::Relevant), Verdict::Pass);
    assert!(report.has(ReasonCode::CustomObjective));
}

#[test]
fn a_stated_direction_that_contradicts_the_target_fails_measurable() {
    let json = CHURN_5.replace(r#""direction": "decrease""#, r#""direction": "increase""#);
    let json = json.replacen('{', r#"{"baseline": {"value": 8},"#, 1);
    let report = validate(&json);
    assert!(report.has(ReasonCode::DirectionContradictsTarget));
    assert_eq!(report.verdict(Criterion::Measurable), Verdict::Fail);
    // The numbers decide the rest: 8 -> 5 lowers churn, which serves retention.
    assert_eq!(report.verdict(Criterion::Relevant), Verdict::Pass);
    let message = &report.localize(Locale::En).criteria[1].reasons[0].message;
    assert!(
        message.contains("says it raises churn_rate, but the target 5%"),
        "{message}"
    );
}

#[test]
fn deadlines_missing_past_far_or_absurd_are_caught() {
    let cases = [
        (r#""2024-06-30""#, ReasonCode::DeadlinePassed, Verdict::Fail),
        (r#""in 3 years""#, ReasonCode::DeadlineFar, Verdict::Warn),
        (
            r#""in 10 years""#,
            ReasonCode::DeadlineTooFar,
            Verdict::Fail,
        ),
        (r#""2024-07-01""#, ReasonCode::DeadlineSet, Verdict::Pass),
    ];
    for (deadline, code, verdict) in cases {
        let json = REDUCE_CHURN.replace(r#""end of next quarter""#, deadline);
        let report = validate(&json);
        assert!(report.has(code), "{deadline}");
        assert_eq!(report.verdict(Criterion::Timely), verdict, "{deadline}");
    }
    let json = REDUCE_CHURN.replace(r#""deadline": "end of next quarter","#, "");
    let report = validate(&json);
    assert_eq!(report.verdict(Criterion::Timely), Verdict::Fail);
    let en = report.localize(Locale::En);
    let suggestion = en.criteria[4].reasons[0]
        .suggestion
        .clone()
        .unwrap_or_default();
    assert!(suggestion.contains("add a deadline such as \"end of next quarter\""));
}

#[test]
fn a_baseline_measured_after_the_deadline_fails_timely() {
    let json = SALES_CYCLE.replace("2024-06-30", "2025-06-30");
    let report = validate(&json);
    assert!(report.has(ReasonCode::BaselineAfterDeadline));
    assert_eq!(report.verdict(Criterion::Timely), Verdict::Fail);
}

#[test]
fn every_failing_reason_comes_with_a_suggestion_in_every_locale() {
    let report = validate(PREVENT_CHURN);
    for locale in Locale::ALL {
        for criterion in report.localize(locale).criteria {
            for reason in criterion.reasons {
                assert!(!reason.message.contains('{'), "{}", reason.message);
                if reason.severity >= crmkit::goals::Severity::Warn {
                    assert!(reason.suggestion.is_some(), "{:?} {locale}", reason.code);
                }
            }
        }
    }
}

#[test]
fn messages_differ_by_locale_while_codes_and_verdicts_do_not() {
    for json in PASSING_SEEDS.iter().chain([&PREVENT_CHURN]) {
        let report = validate(json);
        let en = report.localize(Locale::En);
        for locale in Locale::ALL {
            let other = report.localize(locale);
            for (a, b) in en.criteria.iter().zip(&other.criteria) {
                assert_eq!(a.verdict, b.verdict);
                let codes_a: Vec<_> = a.reasons.iter().map(|r| r.code).collect();
                let codes_b: Vec<_> = b.reasons.iter().map(|r| r.code).collect();
                assert_eq!(codes_a, codes_b);
                for (ra, rb) in a.reasons.iter().zip(&b.reasons) {
                    assert!(
                        !rb.message.contains('{') && !rb.message.contains('?'),
                        "{}",
                        rb.message
                    );
                    if locale != Locale::En {
                        assert_ne!(ra.message, rb.message, "{locale}");
                    }
                }
            }
        }
    }
    let zh_hans = validate(PREVENT_CHURN).localize(Locale::ZhHans);
    let zh_hant = validate(PREVENT_CHURN).localize(Locale::ZhHant);
    assert_ne!(
        zh_hans.criteria[0].reasons[0].message,
        zh_hant.criteria[0].reasons[0].message
    );
}

#[test]
fn locales_parse_from_common_tags_and_unknown_ones_are_unsupported() {
    for (tag, locale) in [
        ("en", Locale::En),
        ("en-GB", Locale::En),
        ("DE_de", Locale::De),
        ("pt-BR", Locale::Pt),
        ("ru", Locale::Ru),
        ("zh", Locale::ZhHans),
        ("zh-CN", Locale::ZhHans),
        ("zh-Hans", Locale::ZhHans),
        ("zh-TW", Locale::ZhHant),
        ("zh-Hant-HK", Locale::ZhHant),
    ] {
        assert_eq!(Locale::parse(tag).ok(), Some(locale), "{tag}");
    }
    let err = Locale::parse("fr").expect_err("french is not supported");
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    let err = validate_json(REDUCE_CHURN, as_of(), "xx").expect_err("unknown locale");
    assert_eq!(err.kind(), ErrorKind::Unsupported);
}

#[test]
fn load_errors_name_the_json_path() {
    let cases = [
        (r#"{"target": "5%"}"#, "target"),
        (r#"{"deadline": "someday"}"#, "deadline"),
        (r#"{"baseline": {"value": "abc"}}"#, "baseline.value"),
        (r#"{"objective": "be happy"}"#, "objective"),
        (r#"{"plan": {"action": 3}}"#, "plan.action"),
        (
            r#"{"history": [{"date": "2024-02-30", "value": 1}]}"#,
            "history[0].date",
        ),
        (r#"{"colour": "red"}"#, ""),
        (r#"{"baseline": [5]}"#, "baseline"),
        (r#"{"plan": ["call"]}"#, "plan"),
        (r#"{"segment": ["sales"]}"#, "segment"),
        (r#"{"history": [["2024-01-01", 5]]}"#, "history[0]"),
    ];
    for (json, path) in cases {
        let err = Goal::from_json(json).expect_err(json);
        assert_eq!(err.kind(), ErrorKind::Json, "{json}: {err}");
        if !path.is_empty() {
            assert_eq!(err.path(), Some(path), "{json}: {err}");
        }
        assert!(err.to_string().contains(path), "{err}");
    }
    assert!(Goal::from_json("[]").is_err());
    assert!(Goal::from_json("{").is_err());
}

#[test]
fn targets_parse_as_values_or_signed_changes() {
    assert_eq!(
        Target::parse("-25%").ok(),
        Some(Target::RelativePercent(dec("-25")))
    );
    assert_eq!(
        Target::parse("+50 %").ok(),
        Some(Target::RelativePercent(dec("50")))
    );
    assert_eq!(Target::parse("80").ok(), Some(Target::Absolute(dec("80"))));
    assert!(Target::parse("5%").is_err());
    let object = goal(r#"{"target": {"change_percent": "-25"}}"#);
    assert_eq!(object.target, Some(Target::RelativePercent(dec("-25"))));
    let object = goal(r#"{"target": {"value": 5.5}}"#);
    assert_eq!(object.target, Some(Target::Absolute(dec("5.5"))));
}

#[test]
fn seed_goals_serialise_and_reload_unchanged() {
    for json in PASSING_SEEDS.iter().chain([&PREVENT_CHURN]) {
        let original = goal(json);
        let written = original.to_json().expect("serialise");
        let reloaded = Goal::from_json(&written).expect("reload");
        assert_eq!(reloaded, original, "{written}");
        assert_eq!(reloaded.to_json().expect("serialise"), written);
    }
}

#[test]
fn replanning_records_a_new_version_and_keeps_the_goal() {
    let original = goal(REDUCE_CHURN);
    let replanned = original
        .replan(
            Plan::new(
                "add a churn-risk alert that assigns a call to the account owner",
                vec!["CRM automations".to_string()],
            ),
            d(2024, 8, 15),
        )
        .expect("replan");
    assert_eq!(replanned.target, original.target);
    assert_eq!(replanned.kpi, original.kpi);
    assert_eq!(replanned.deadline, original.deadline);
    assert_eq!(replanned.id, original.id);
    let plan = replanned.plan.as_ref().expect("plan");
    assert_eq!(plan.version, 2);
    assert_eq!(plan.since, Some(d(2024, 8, 15)));
    assert_eq!(replanned.plan_history.len(), 1);
    assert_eq!(
        replanned.plan_history[0],
        original.plan.clone().expect("plan")
    );
    // History survives serialisation.
    let reloaded = Goal::from_json(&replanned.to_json().expect("json")).expect("reload");
    assert_eq!(reloaded, replanned);
    // A plan cannot start before the current one.
    let err = replanned
        .replan(Plan::new("go back in time", vec![]), d(2024, 8, 1))
        .expect_err("earlier");
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let err = original
        .replan(Plan::new("  ", vec![]), d(2024, 8, 1))
        .expect_err("empty");
    assert_eq!(err.kind(), ErrorKind::Invalid);
}

#[test]
fn changing_the_target_makes_a_new_goal() {
    let original = goal(&REDUCE_CHURN.replacen('{', r#"{"id": "G-1","#, 1));
    let replanned = original
        .replan(
            Plan::new("call every customer at risk", vec![]),
            d(2024, 8, 1),
        )
        .expect("replan");
    let new = replanned
        .with_new_target(Target::RelativePercent(dec("-15")), "G-2", d(2024, 9, 1))
        .expect("new goal");
    assert_eq!(new.id.as_deref(), Some("G-2"));
    assert_eq!(new.supersedes.as_deref(), Some("G-1"));
    assert_eq!(new.target, Some(Target::RelativePercent(dec("-15"))));
    assert!(new.plan_history.is_empty());
    assert_eq!(new.plan.as_ref().map(|p| p.version), Some(1));
    assert_eq!(
        replanned.target, original.target,
        "the old goal is untouched"
    );
    assert!(
        replanned
            .with_new_target(Target::Absolute(dec("4")), "G-1", d(2024, 9, 1))
            .is_err()
    );
}

#[test]
fn thresholds_are_checked_at_load_and_change_the_verdicts() {
    let strict = Thresholds::from_json(r#"{"deadline_warn_days": 30, "deadline_fail_days": 90}"#)
        .expect("valid thresholds");
    let validator = Validator::with_thresholds(strict).expect("valid");
    let report = validator.validate(&goal(REDUCE_CHURN), as_of());
    // 183 days to the end of next quarter: more than 90.
    assert!(report.has(ReasonCode::DeadlineTooFar));
    for (json, path) in [
        (r#"{"min_plan_words": 0}"#, "min_plan_words"),
        (r#"{"deadline_warn_days": -1}"#, "deadline_warn_days"),
        (
            r#"{"deadline_warn_days": 100, "deadline_fail_days": 50}"#,
            "deadline_fail_days",
        ),
        (r#"{"history_fail_ratio": "0.5"}"#, "history_fail_ratio"),
    ] {
        let err = Thresholds::from_json(json).expect_err(json);
        assert_eq!(err.kind(), ErrorKind::Invalid, "{json}");
        assert_eq!(err.path(), Some(path));
    }
    let err = Thresholds::from_json(r#"{"deadline_days": 1}"#).expect_err("unknown field");
    assert_eq!(err.kind(), ErrorKind::Json);
}

#[test]
fn validators_and_reports_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Validator>();
    shareable::<Goal>();
    shareable::<Report>();
    let validator = Validator::new();
    let goal = goal(REDUCE_CHURN);
    let reports: Vec<Report> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| validator.validate(&goal, as_of())))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert!(reports.windows(2).all(|w| w[0] == w[1]));
}

/// The goal's records are JSON objects only: serde's derive would also read a
/// struct from an array of its fields in order, which no documented shape
/// allows.
#[test]
fn goal_records_are_read_from_objects_only_with_the_path_named() {
    for (json, path) in [
        (r#"{"baseline": ["8", "2024-06-30"]}"#, "baseline"),
        (r#"{"history": [["2024-03-31", "8.4"]]}"#, "history[0]"),
        (r#"{"plan": ["call", [], 1]}"#, "plan"),
        (r#"{"segment": ["support"]}"#, "segment"),
    ] {
        let err = Goal::from_json(json).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Json, "{json}");
        assert_eq!(err.path(), Some(path), "{json}");
        assert!(err.message().contains("a JSON object"), "{json}: {err}");
    }
    let err = Goal::from_json(r#"["G-1"]"#).unwrap_err();
    assert!(err.message().contains("json object"), "{err}");
    // The object forms still load, unknown members are still refused.
    let goal =
        Goal::from_json(r#"{"baseline": {"value": "8"}, "plan": {"action": "call"}}"#).unwrap();
    assert_eq!(goal.baseline.unwrap().value, dec("8"));
    let err = Goal::from_json(r#"{"baseline": {"value": "8", "when": "now"}}"#).unwrap_err();
    assert_eq!(err.path(), Some("baseline.when"), "{err}");
}

/// The goal types' pages show no stray serde functions: a type with an
/// inherent `deserialize` (as `#[serde(remote = "Self")]` generates) would
/// make the calls below resolve to it and fail to compile.
#[test]
fn goal_types_have_no_inherent_serde_functions() {
    trait Probe {
        fn deserialize(_: ()) -> &'static str {
            "trait"
        }
        fn serialize(&self, _: ()) -> &'static str {
            "trait"
        }
    }
    impl Probe for Goal {}
    impl Probe for crmkit::goals::Plan {}
    impl Probe for crmkit::goals::Baseline {}
    impl Probe for crmkit::goals::Observation {}
    impl Probe for crmkit::goals::Scope {}
    assert_eq!(Goal::deserialize(()), "trait");
    assert_eq!(Goal::default().serialize(()), "trait");
    assert_eq!(crmkit::goals::Plan::deserialize(()), "trait");
    assert_eq!(crmkit::goals::Baseline::deserialize(()), "trait");
    assert_eq!(crmkit::goals::Observation::deserialize(()), "trait");
    assert_eq!(crmkit::goals::Scope::deserialize(()), "trait");
}
