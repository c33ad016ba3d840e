//! Integration tests of the domain model: validation rules of `Dataset`,
//! lossless JSON round trips, exact money and hostile input.

use crmkit::ErrorKind;
use crmkit::model::*;
use crmkit::money::{Currency, ExchangeRates, Money, Percent};
use crmkit::sample::{SampleConfig, generate};
use proptest::prelude::*;
use rust_decimal::Decimal;

const BASE: &str = r#"{
  "pipelines": [{"id": "sales", "name": "Sales", "stages": [
      {"id": "new", "name": "New", "probability": 10},
      {"id": "proposal", "name": "Proposal", "probability": "50"},
      {"id": "won", "name": "Won", "probability": 100, "kind": "won"},
      {"id": "lost", "name": "Lost", "probability": 0, "kind": "lost"}]}],
  "reps": [{"id": "R-1", "name": "Sam"}],
  "contacts": [{"id": "C-1", "name": "Ada", "created_at": "2024-01-01T00:00:00Z"}],
  "deals": [DEAL],
  "activities": [ACTIVITY]
}"#;

const GOOD_DEAL: &str = r#"{"id": "D-1", "contact": "C-1", "pipeline": "sales", "stage": "won",
   "status": "won", "value": {"amount": "500.00", "currency": "USD"},
   "created_at": "2024-01-02T00:00:00Z", "closed_at": "2024-02-01T00:00:00Z",
   "stage_history": [
     {"stage": "new", "entered_at": "2024-01-02T00:00:00Z", "exited_at": "2024-01-10T00:00:00Z"},
     {"stage": "won", "entered_at": "2024-02-01T00:00:00Z"}]}"#;

const GOOD_ACTIVITY: &str = r#"{"id": "A-1", "contact": "C-1", "at": "2024-01-03T00:00:00Z",
   "kind": {"type": "website_visit", "url": "/pricing", "duration_seconds": 40}}"#;

fn doc(deal: &str, activity: &str) -> String {
    BASE.replace("DEAL", deal).replace("ACTIVITY", activity)
}

fn load(deal: &str, activity: &str) -> crmkit::Result<Dataset> {
    Dataset::from_json(&doc(deal, activity))
}

#[test]
fn a_consistent_dataset_loads_and_indexes_its_records() {
    let ds = load(GOOD_DEAL, GOOD_ACTIVITY).expect("valid");
    let c1: ContactId = "C-1".parse().expect("id");
    assert_eq!(ds.activities_of(&c1).count(), 1);
    assert_eq!(ds.deals_of_contact(&c1).count(), 1);
    assert_eq!(
        ds.deals_in_pipeline(&"sales".parse().expect("id")).count(),
        1
    );
    assert!(ds.deal(&"D-1".parse().expect("id")).is_some());
    assert!(ds.deal(&"D-404".parse().expect("id")).is_none());
    assert_eq!(ds.activities_of(&"nobody".parse().expect("id")).count(), 0);
}

fn expect_error(deal: &str, activity: &str, kind: ErrorKind, path: &str, words: &str) {
    let err = load(deal, activity).expect_err("must be refused");
    assert_eq!(err.kind(), kind, "{err}");
    assert_eq!(err.path(), Some(path), "{err}");
    assert!(
        err.message().contains(words),
        "message {:?} lacks {words:?}",
        err.message()
    );
}

#[test]
fn a_deal_naming_an_unknown_contact_is_refused_with_its_path() {
    let deal = GOOD_DEAL.replace(r#""contact": "C-1""#, r#""contact": "C-9""#);
    expect_error(
        &deal,
        GOOD_ACTIVITY,
        ErrorKind::NotFound,
        "deals[0].contact",
        "unknown contact \"C-9\"",
    );
}

#[test]
fn a_deal_closed_before_it_was_created_is_refused() {
    let deal = GOOD_DEAL.replace(
        "\"closed_at\": \"2024-02-01T00:00:00Z\"",
        "\"closed_at\": \"2023-12-01T00:00:00Z\"",
    );
    expect_error(
        &deal,
        GOOD_ACTIVITY,
        ErrorKind::Invalid,
        "deals[0].closed_at",
        "before it was created",
    );
}

#[test]
fn a_negative_deal_value_is_refused() {
    let deal = GOOD_DEAL.replace("\"500.00\"", "\"-0.01\"");
    expect_error(
        &deal,
        GOOD_ACTIVITY,
        ErrorKind::Invalid,
        "deals[0].value",
        "must not be negative",
    );
}

#[test]
fn a_stage_outside_the_pipeline_is_refused() {
    let deal = GOOD_DEAL.replace(r#""stage": "won","#, r#""stage": "demo","#);
    expect_error(
        &deal,
        GOOD_ACTIVITY,
        ErrorKind::NotFound,
        "deals[0].stage",
        "not in pipeline",
    );
}

#[test]
fn closed_deals_need_a_close_date_and_open_deals_must_not_have_one() {
    let deal = GOOD_DEAL.replace(r#", "closed_at": "2024-02-01T00:00:00Z""#, "");
    expect_error(
        &deal,
        GOOD_ACTIVITY,
        ErrorKind::Invalid,
        "deals[0].closed_at",
        "has no close date",
    );
    let open = GOOD_DEAL
        .replace(r#""status": "won""#, r#""status": "open""#)
        .replace(r#""stage": "won","#, r#""stage": "new","#);
    expect_error(
        &open,
        GOOD_ACTIVITY,
        ErrorKind::Invalid,
        "deals[0].closed_at",
        "open deal",
    );
}

#[test]
fn a_deal_status_must_match_a_closed_stage() {
    let deal = GOOD_DEAL.replace(r#""status": "won""#, r#""status": "lost""#);
    expect_error(
        &deal,
        GOOD_ACTIVITY,
        ErrorKind::Invalid,
        "deals[0].status",
        "sits in the won stage",
    );
}

#[test]
fn stage_history_must_be_in_order_and_end_at_the_current_stage() {
    let deal = GOOD_DEAL.replace(
        r#"{"stage": "won", "entered_at": "2024-02-01T00:00:00Z"}"#,
        r#"{"stage": "won", "entered_at": "2024-01-05T00:00:00Z"}"#,
    );
    expect_error(
        &deal,
        GOOD_ACTIVITY,
        ErrorKind::Invalid,
        "deals[0].stage_history[1].entered_at",
        "not in time order",
    );
    let deal = GOOD_DEAL.replace(
        r#"{"stage": "won", "entered_at""#,
        r#"{"stage": "proposal", "entered_at""#,
    );
    expect_error(
        &deal,
        GOOD_ACTIVITY,
        ErrorKind::Invalid,
        "deals[0].stage_history",
        "last stage visit",
    );
}

#[test]
fn duplicate_ids_are_refused_naming_both_records() {
    let two = format!("{GOOD_DEAL}, {GOOD_DEAL}");
    expect_error(
        &two,
        GOOD_ACTIVITY,
        ErrorKind::Invalid,
        "deals[1].id",
        "duplicate id \"D-1\" (first used by deals[0])",
    );
    let two = format!("{GOOD_ACTIVITY}, {GOOD_ACTIVITY}");
    expect_error(
        GOOD_DEAL,
        &two,
        ErrorKind::Invalid,
        "activities[1].id",
        "duplicate id",
    );
}

#[test]
fn activities_must_reference_known_records() {
    let activity = GOOD_ACTIVITY.replace(r#""contact": "C-1""#, r#""contact": "C-2""#);
    expect_error(
        GOOD_DEAL,
        &activity,
        ErrorKind::NotFound,
        "activities[0].contact",
        "unknown contact",
    );
    let activity = GOOD_ACTIVITY.replace(r#""at":"#, r#""deal": "D-7", "at":"#);
    expect_error(
        GOOD_DEAL,
        &activity,
        ErrorKind::NotFound,
        "activities[0].deal",
        "unknown deal",
    );
}

#[test]
fn purchases_with_mixed_currencies_or_zero_quantities_are_refused() {
    let purchase = r#"{"id": "A-1", "contact": "C-1", "at": "2024-01-03T00:00:00Z",
        "kind": {"type": "purchase", "amount": {"amount": "10", "currency": "USD"},
                 "items": [{"sku": "X", "quantity": 1, "unit_price": {"amount": "10", "currency": "EUR"}}]}}"#;
    expect_error(
        GOOD_DEAL,
        purchase,
        ErrorKind::CurrencyMismatch,
        "activities[0].kind.items[0].unit_price",
        "priced in EUR",
    );
    let zero = purchase
        .replace(r#""quantity": 1"#, r#""quantity": 0"#)
        .replace("\"EUR\"", "\"USD\"");
    expect_error(
        GOOD_DEAL,
        &zero,
        ErrorKind::Invalid,
        "activities[0].kind.items[0].quantity",
        "at least 1",
    );
}

#[test]
fn survey_scores_outside_their_scale_are_json_errors_with_a_path() {
    let survey = r#"{"id": "A-1", "contact": "C-1", "at": "2024-01-03T00:00:00Z",
        "kind": {"type": "survey_answer", "score": {"nps": 11}}}"#;
    let err = load(GOOD_DEAL, survey).expect_err("nps 11");
    assert_eq!(err.kind(), ErrorKind::Json);
    // Internally tagged enums are buffered by serde, so the path stops at the tag.
    assert_eq!(err.path(), Some("activities[0].kind"), "{err}");
    assert!(err.message().contains("nps score 11"), "{err}");
    assert!(err.message().contains("outside 0..=10"), "{err}");
}

#[test]
fn unknown_fields_and_wrong_types_name_their_json_path() {
    let err = Dataset::from_json(
        r#"{"contacts": [{"id": "C-1", "created_at": "2024-01-01T00:00:00Z", "shoe": 1}]}"#,
    )
    .expect_err("unknown field");
    assert_eq!(err.kind(), ErrorKind::Json);
    assert_eq!(err.path(), Some("contacts[0].shoe"), "{err}");
    let err = Dataset::from_json(r#"{"deals": [{"id": 5}]}"#).expect_err("wrong type");
    assert_eq!(err.path(), Some("deals[0].id"), "{err}");
    let err =
        Dataset::from_json(r#"{"contacts": [{"id": "", "created_at": "2024-01-01T00:00:00Z"}]}"#)
            .expect_err("empty id");
    assert!(err.message().contains("must not be empty"), "{err}");
}

#[test]
fn lifecycle_history_must_chain_and_end_at_the_current_stage() {
    let json = r#"{"contacts": [{"id": "C-1", "created_at": "2024-01-01T00:00:00Z",
        "lifecycle": {"stage": "sql", "history": [
           {"from": "lead", "to": "mql", "at": "2024-01-02T00:00:00Z"}]}}]}"#;
    let err = Dataset::from_json(json).expect_err("ends elsewhere");
    assert_eq!(err.path(), Some("contacts[0].lifecycle.stage"));
    let json = r#"{"contacts": [{"id": "C-1", "created_at": "2024-01-01T00:00:00Z",
        "lifecycle": {"stage": "sql", "history": [
           {"from": "lead", "to": "mql", "at": "2024-01-02T00:00:00Z"},
           {"from": "lead", "to": "sql", "at": "2024-01-03T00:00:00Z"}]}}]}"#;
    let err = Dataset::from_json(json).expect_err("broken chain");
    assert_eq!(err.path(), Some("contacts[0].lifecycle.history[1]"));
}

#[test]
fn the_committed_sample_file_is_what_the_generator_makes() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/sample_company.json"
    );
    let committed = std::fs::read_to_string(path).expect("sample file exists");
    let generated = generate(&SampleConfig::default()).expect("generate");
    let expected = serde_json::to_string_pretty(&generated).expect("json") + "\n";
    assert!(
        committed == expected,
        "examples/data/sample_company.json is stale: regenerate it with `cargo run --example generate_sample`"
    );
    let loaded = Dataset::from_json(&committed).expect("loads");
    assert_eq!(loaded, generated);
}

#[test]
fn protected_attributes_are_marked() {
    assert_eq!(
        FieldPath::parse("contact.ethnicity")
            .expect("path")
            .protected(),
        Some(ProtectedAttribute::Ethnicity)
    );
    assert_eq!(
        FieldPath::parse("contact.marital_status")
            .expect("path")
            .protected(),
        Some(ProtectedAttribute::MaritalStatus)
    );
    assert_eq!(
        FieldPath::parse("contact.occupation")
            .expect("path")
            .protected(),
        None
    );
    assert_eq!(
        FieldPath::parse("contact.attributes.gender")
            .expect("path")
            .protected(),
        Some(ProtectedAttribute::Gender)
    );
    let demographics = Demographics {
        age: Some(30),
        ethnicity: Some("x".into()),
        ..Demographics::default()
    };
    assert_eq!(
        demographics.protected_present(),
        vec![ProtectedAttribute::Age, ProtectedAttribute::Ethnicity]
    );
}

// ---------------------------------------------------------------- properties

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(vec!["USD", "EUR", "GBP", "BRL", "CNY"])
        .prop_map(|c| Currency::new(c).expect("valid"))
}

fn cents() -> impl Strategy<Value = i64> {
    -1_000_000_000_000i64..1_000_000_000_000i64
}

fn decimal() -> impl Strategy<Value = Decimal> {
    (any::<i64>(), 0u32..10).prop_map(|(m, s)| Decimal::new(m, s))
}

fn attribute() -> impl Strategy<Value = AttributeValue> {
    prop_oneof![
        "[a-zA-Z0-9 äöü漢字]{0,12}".prop_map(AttributeValue::Text),
        decimal().prop_map(AttributeValue::Number),
        any::<bool>().prop_map(AttributeValue::Bool),
        (0i32..100_000).prop_map(|d| AttributeValue::Date(
            chrono::NaiveDate::from_num_days_from_ce_opt(700_000 + d).expect("date")
        )),
        (decimal(), currency()).prop_map(|(a, c)| AttributeValue::Money(Money::new(a, c))),
    ]
}

fn activity_kind() -> impl Strategy<Value = ActivityKind> {
    let money =
        || (0i64..10_000_000, currency()).prop_map(|(c, cur)| Money::new(Decimal::new(c, 2), cur));
    prop_oneof![
        ("/[a-z]{0,8}", any::<u32>(), any::<bool>()).prop_map(
            |(url, duration_seconds, goal_completed)| {
                ActivityKind::WebsiteVisit {
                    url,
                    duration_seconds,
                    goal_completed,
                }
            }
        ),
        "[a-z-]{1,8}".prop_map(|form| ActivityKind::FormSubmission { form }),
        "[a-z-]{1,8}".prop_map(|content| ActivityKind::ContentDownload { content }),
        (0usize..6, prop::option::of("[a-z ]{0,8}")).prop_map(|(e, subject)| ActivityKind::Email {
            event: [
                EmailEvent::Sent,
                EmailEvent::Opened,
                EmailEvent::Clicked,
                EmailEvent::Replied,
                EmailEvent::Bounced,
                EmailEvent::Unsubscribed
            ][e],
            subject,
        }),
        (
            any::<bool>(),
            0usize..6,
            any::<u32>(),
            any::<u32>(),
            any::<bool>()
        )
            .prop_map(|(inbound, o, wait, talk, callback)| {
                ActivityKind::Call {
                    direction: if inbound {
                        CallDirection::Inbound
                    } else {
                        CallDirection::Outbound
                    },
                    outcome: [
                        CallOutcome::Connected,
                        CallOutcome::NoAnswer,
                        CallOutcome::Voicemail,
                        CallOutcome::Busy,
                        CallOutcome::Abandoned,
                        CallOutcome::Missed,
                    ][o],
                    wait_seconds: wait,
                    talk_seconds: talk,
                    hold_seconds: wait / 2,
                    wrap_up_seconds: talk / 3,
                    callback,
                }
            }),
        any::<u32>().prop_map(|duration_minutes| ActivityKind::Meeting { duration_minutes }),
        prop::option::of(money()).prop_map(|amount| ActivityKind::ProposalSent { amount }),
        money().prop_map(|amount| ActivityKind::Purchase {
            amount,
            items: vec![PurchaseItem {
                sku: "SKU".into(),
                quantity: 2,
                unit_price: amount
            }],
        }),
        Just(ActivityKind::Referral { referred: None }),
        (0u8..=10).prop_map(|s| ActivityKind::SurveyAnswer {
            survey: "nps".into(),
            score: SurveyScore::Nps(NpsScore::new(s).expect("in range"))
        }),
        (1u8..=5).prop_map(|s| ActivityKind::SurveyAnswer {
            survey: String::new(),
            score: SurveyScore::Csat(CsatScore::new(s).expect("in range"))
        }),
        (1u8..=5, "[a-z ]{0,10}").prop_map(|(s, text)| ActivityKind::Review {
            rating: CsatScore::new(s).expect("in range"),
            text
        }),
    ]
}

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
    value: &T,
) -> T {
    let json = serde_json::to_string(value).expect("serialise");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn money_json_round_trip_is_lossless(amount in decimal(), currency in currency()) {
        let money = Money::new(amount, currency);
        prop_assert_eq!(round_trip(&money), money);
    }

    #[test]
    fn attribute_values_round_trip(value in attribute()) {
        prop_assert_eq!(round_trip(&value), value);
    }

    #[test]
    fn activity_kinds_round_trip(kind in activity_kind()) {
        prop_assert_eq!(round_trip(&kind), kind);
    }

    #[test]
    fn percent_round_trips_and_refuses_out_of_range(value in decimal()) {
        match Percent::new(value) {
            Ok(p) => prop_assert_eq!(round_trip(&p), p),
            Err(e) => prop_assert!(value < Decimal::ZERO || value > Decimal::ONE_HUNDRED, "{e}"),
        }
    }

    #[test]
    fn generated_datasets_round_trip_through_json(seed in any::<u64>(), contacts in 1usize..40) {
        let config = SampleConfig { seed, contacts, companies: contacts / 4, ..SampleConfig::default() };
        let ds = generate(&config).expect("generated data is valid");
        let json = ds.to_json().expect("json");
        let back = Dataset::from_json(&json).expect("reload");
        prop_assert_eq!(back, ds);
    }

    #[test]
    fn money_addition_never_loses_a_cent(a in cents(), b in cents(), currency in currency()) {
        let x = Money::from_minor(a, currency, 2).expect("valid");
        let y = Money::from_minor(b, currency, 2).expect("valid");
        let sum = x.checked_add(&y).expect("fits");
        prop_assert_eq!(sum.to_minor(2).expect("exact"), a + b);
        prop_assert_eq!(sum.checked_sub(&y).expect("fits"), x);
    }

    #[test]
    fn money_refuses_mixed_currencies(a in cents(), b in cents()) {
        let usd = Money::from_minor(a, Currency::new("USD").expect("usd"), 2).expect("valid");
        let eur = Money::from_minor(b, Currency::new("EUR").expect("eur"), 2).expect("valid");
        prop_assert_eq!(usd.checked_add(&eur).expect_err("mixed").kind(), ErrorKind::CurrencyMismatch);
        prop_assert_eq!(usd.checked_cmp(&eur).expect_err("mixed").kind(), ErrorKind::CurrencyMismatch);
        let mut rates = ExchangeRates::new(Currency::new("USD").expect("usd"));
        rates.set(Currency::new("EUR").expect("eur"), Decimal::new(108, 2)).expect("positive");
        let converted = rates.convert(&eur, usd.currency).expect("rate known");
        prop_assert_eq!(converted.amount, eur.amount * Decimal::new(108, 2));
    }

    #[test]
    fn any_bytes_fed_to_the_loader_give_ok_or_a_clear_error(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(err) = Dataset::from_json(&text) {
            prop_assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn mutated_valid_documents_never_panic(position in 0usize..2_000, byte in any::<u8>(), cut in any::<bool>()) {
        let mut text = doc(GOOD_DEAL, GOOD_ACTIVITY).into_bytes();
        let position = position % text.len();
        if cut { text.truncate(position) } else { text[position] = byte }
        let text = String::from_utf8_lossy(&text);
        if let Err(err) = Dataset::from_json(&text) {
            prop_assert!(!err.message().is_empty());
        }
    }
}

#[test]
fn huge_and_odd_numbers_are_errors_not_panics() {
    for amount in [
        "1e400",
        "NaN",
        "\"inf\"",
        "\"1e40\"",
        "-0",
        "79228162514264337593543950336",
    ] {
        let deal = GOOD_DEAL.replace("\"500.00\"", amount);
        match load(&deal, GOOD_ACTIVITY) {
            Ok(ds) => assert!(!ds.deals()[0].value.is_negative(), "{amount}"),
            Err(err) => assert!(!err.message().is_empty(), "{amount}"),
        }
    }
}

#[test]
fn a_dataset_must_be_a_json_object() {
    for text in ["[]", "[[], []]", "null", "42", "\"x\"", ""] {
        let err = Dataset::from_json(text).expect_err(text);
        assert_eq!(err.kind(), ErrorKind::Json, "{text}");
    }
    assert_eq!(
        Dataset::from_json("{}").expect("empty object").counts(),
        EntityCounts::default()
    );
}
