//! The reader in place against the typed records: on every sample lead, on
//! a model that reads every field, and on mutated documents.

use super::*;
use crate::model::{Activity, Company, Contact, Dataset, is_valid_id};
use crate::sample::SAMPLE_AS_OF;
use crate::scoring::ScoringModel;
use proptest::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::OnceLock;

fn dataset() -> &'static Dataset {
    static DATASET: OnceLock<Dataset> = OnceLock::new();
    DATASET.get_or_init(|| {
        Dataset::from_json(include_str!("../../examples/data/sample_company.json"))
            .expect("sample dataset")
    })
}

fn sample_model() -> &'static ScoringModel {
    static MODEL: OnceLock<ScoringModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        ScoringModel::from_json(include_str!("../../examples/data/scoring_model.json"))
            .expect("sample model")
    })
}

/// A model with a rule on every field and every kind of activity.
fn every_field_model() -> &'static ScoringModel {
    static MODEL: OnceLock<ScoringModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let contact = [
            "name",
            "email",
            "job_title",
            "country",
            "territory",
            "lifecycle_stage",
            "created_at",
            "age",
            "occupation",
            "gender",
            "marital_status",
            "income",
            "education",
            "ethnicity",
            "attributes.plan_interest",
            "attributes.seats",
        ];
        let company = [
            "name",
            "industry",
            "employees",
            "annual_revenue",
            "country",
            "territory",
            "created_at",
            "attributes.tier",
        ];
        let mut rules: Vec<Value> = contact
            .iter()
            .map(|f| format!("contact.{f}"))
            .chain(company.iter().map(|f| format!("company.{f}")))
            .map(|field| {
                json!({"id": format!("has.{field}"), "points": 1,
                                "when": {"field": field, "op": "exists"}})
            })
            .collect();
        let usd = |a: &str| json!({"amount": a, "currency": "USD"});
        let values = [
            json!({"field": "contact.lifecycle_stage", "op": "equals", "value": "sql"}),
            json!({"field": "contact.created_at", "op": "range", "min": "2026-01-01T00:00:00Z"}),
            json!({"field": "contact.age", "op": "range", "min": 40}),
            json!({"field": "contact.income", "op": "range", "min": usd("50000")}),
            json!({"field": "contact.job_title", "op": "contains", "value": "o"}),
            json!({"field": "company.created_at", "op": "range", "max": "2025-12-01T00:00:00Z"}),
            json!({"field": "company.employees", "op": "range", "min": 100}),
            json!({"field": "company.country", "op": "in", "values": ["us", "de"]}),
        ];
        rules.extend(
            values
                .into_iter()
                .enumerate()
                .map(|(i, when)| json!({"id": format!("value.{i}"), "points": 2, "when": when})),
        );
        let activities = [
            json!({"type": "website_visit", "duration_seconds": {"min": 100}}),
            json!({"type": "website_visit", "goal_completed": true}),
            json!({"type": "website_visit", "url": "/pricing*"}),
            json!({"type": "form_submission"}),
            json!({"type": "content_download"}),
            json!({"type": "email", "event": "sent"}),
            json!({"type": "email", "event": "opened"}),
            json!({"type": "email", "event": "clicked"}),
            json!({"type": "call", "direction": "inbound"}),
            json!({"type": "call", "outcome": "connected", "talk_seconds": {"min": 60}}),
            json!({"type": "meeting", "duration_minutes": {"min": 30}}),
            json!({"type": "proposal_sent"}),
            json!({"type": "purchase", "min_amount": usd("100")}),
            json!({"type": "referral"}),
            json!({"type": "survey_answer", "scale": "nps", "score": {"min": 9}}),
            json!({"type": "survey_answer", "scale": "csat", "score": {"max": 3}}),
            json!({"type": "review", "rating": {"min": 4}}),
        ];
        rules.extend(activities.into_iter().enumerate().map(|(i, activity)| {
            json!({"id": format!("activity.{i}"), "points": 3, "decay": {"half_life_days": 20},
                   "activity": activity})
        }));
        let doc = json!({"id": "every-field", "allow_protected_attributes": true,
                         "rules": rules, "grades": [{"grade": "A", "min": 20}, {"grade": "B"}],
                         "handoffs": [{"from": ["lead", "mql"], "to": "sql", "min": 15}]});
        ScoringModel::from_json(&doc.to_string()).expect("every-field model")
    })
}

/// A lead document with members in declaration order, as serde writes
/// the records.
#[derive(Serialize)]
struct Doc<'a> {
    contact: &'a Contact,
    company: Option<&'a Company>,
    activities: Vec<&'a Activity>,
}

/// The lead of the contact at `position`: in declaration order, and with
/// keys sorted (as `serde_json::Value` writes them).
fn docs(position: usize) -> [String; 2] {
    let dataset = dataset();
    let contact = &dataset.contacts()[position];
    let doc = Doc {
        contact,
        company: dataset.company_of(contact),
        activities: dataset.activities_at(position).collect(),
    };
    let ordered = serde_json::to_string(&doc).expect("json");
    let sorted = serde_json::to_value(&doc).expect("json").to_string();
    [ordered, sorted]
}

/// Both readers agree on `doc`: the same score, the same JSON, or the
/// same error.
fn agree(model: &ScoringModel, doc: &str) -> std::result::Result<(), TestCaseError> {
    let as_of = SAMPLE_AS_OF;
    let typed = model.score_json_typed(doc, as_of);
    let fast = model.score_json(doc, as_of);
    let text = model.score_json_to_string(doc, as_of);
    match (&typed, &fast, &text) {
        (Ok(a), Ok(b), Ok(t)) => {
            prop_assert_eq!(a, b);
            prop_assert_eq!(&serde_json::to_string(a).expect("json"), t);
        }
        (Err(a), Err(b), Err(c)) => {
            prop_assert_eq!(a, b);
            prop_assert_eq!(a, c);
        }
        _ => prop_assert!(
            false,
            "readers disagree on {doc}: {:?} vs {:?}",
            typed.map(|s| s.total),
            fast.map(|s| s.total)
        ),
    }
    Ok(())
}

#[test]
fn every_sample_lead_is_read_in_place_and_scored_as_the_typed_records_score_it() {
    for position in 0..dataset().contacts().len() {
        for doc in docs(position) {
            assert!(LeadView::read(&doc).is_some(), "not read in place: {doc}");
            for model in [sample_model(), every_field_model()] {
                agree(model, &doc).expect("agree");
            }
        }
    }
}

#[test]
fn the_every_field_model_sees_every_field_and_activity() {
    let mut fired = std::collections::BTreeSet::new();
    for position in 0..dataset().contacts().len() {
        let [doc, _] = docs(position);
        let score = every_field_model()
            .score_json(&doc, SAMPLE_AS_OF)
            .expect("score");
        fired.extend(score.contributions.into_iter().map(|c| c.rule));
    }
    // Fields the sample never fills are covered by the mutation tests.
    for rule in [
        "has.contact.email",
        "has.contact.age",
        "has.contact.income",
        "has.company.employees",
        "has.company.annual_revenue",
        "activity.12",
        "activity.14",
        "activity.9",
        "value.2",
    ] {
        assert!(fired.contains(rule), "{rule} never fired on the sample");
    }
}

#[test]
fn documents_it_does_not_read_go_to_the_typed_records() {
    let [doc, _] = docs(3);
    let escaped = doc.replacen("\"C-", "\"\\u0043-", 1);
    // Member names are matched without an escape check: an escaped known
    // name matches no name, and an escaped custom attribute name is
    // checked, so both go to the typed records.
    let escaped_name = doc.replacen("\"contact\":", "\"cont\\u0061ct\":", 1);
    let escaped_attribute = doc.replacen("\"plan_interest\":", "\"plan\\u005finterest\":", 1);
    assert_ne!(escaped_attribute, doc, "the lead has a custom attribute");
    let spaced = doc.replace(',', " ,\n ");
    for (text, read) in [
        (escaped.as_str(), false),
        (escaped_name.as_str(), false),
        (escaped_attribute.as_str(), false),
        (spaced.as_str(), true),
    ] {
        assert_eq!(LeadView::read(text).is_some(), read);
        agree(sample_model(), text).expect("agree");
    }
    let mut value: Value = serde_json::from_str(&doc).expect("json");
    value["previous"] = serde_json::to_value(
        sample_model()
            .score_json(&doc, SAMPLE_AS_OF)
            .expect("score"),
    )
    .expect("json");
    assert!(LeadView::read(&value.to_string()).is_none());
    agree(sample_model(), &value.to_string()).expect("agree");
}

#[test]
fn members_of_other_kinds_of_activity_are_refused_as_the_typed_records_refuse_them() {
    let samples = [
        ("url", json!("/x")),
        ("duration_seconds", json!(5)),
        ("goal_completed", json!(true)),
        ("form", json!("f")),
        ("content", json!("c")),
        ("event", json!("opened")),
        ("subject", json!("s")),
        ("direction", json!("inbound")),
        ("outcome", json!("busy")),
        ("wait_seconds", json!(1)),
        ("talk_seconds", json!(1)),
        ("hold_seconds", json!(1)),
        ("wrap_up_seconds", json!(1)),
        ("callback", json!(false)),
        ("duration_minutes", json!(3)),
        ("amount", json!({"amount": "1", "currency": "USD"})),
        ("items", json!([])),
        ("referred", json!("C-1")),
        ("survey", json!("q")),
        ("score", json!({"nps": 3})),
        ("rating", json!(4)),
        ("text", json!("t")),
        ("type", json!("meeting")),
    ];
    // Every member the reader knows, each once.
    let bits: std::collections::BTreeSet<usize> = samples
        .iter()
        .filter_map(|(name, _)| KIND_MEMBERS.index(name.as_bytes()))
        .collect();
    assert_eq!(bits.len(), samples.len());
    let mut read = 0;
    // One activity of each type that the sample has.
    let mut types_done = std::collections::BTreeSet::new();
    for position in 0..dataset().contacts().len() {
        let [doc, _] = docs(position);
        let tree: Value = serde_json::from_str(&doc).expect("json");
        let kinds = tree["activities"].as_array().map_or(0, Vec::len);
        for i in 0..kinds {
            let kind_type = tree["activities"][i]["kind"]["type"].to_string();
            if !types_done.insert(kind_type) {
                continue;
            }
            for (name, value) in &samples {
                let mut changed = tree.clone();
                let Some(Value::Object(kind)) =
                    changed.pointer_mut(&format!("/activities/{i}/kind"))
                else {
                    continue;
                };
                kind.insert((*name).to_string(), value.clone());
                let text = changed.to_string();
                read += usize::from(LeadView::read(&text).is_some());
                agree(sample_model(), &text).expect("agree");
            }
        }
    }
    // Members of its own kind (and a changed type that fits) are read.
    assert!(read > 0);
    assert!(types_done.len() >= 10, "{types_done:?}");
}

/// Values that the typed records refuse, accept differently, or accept.
fn hostile_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(null)),
        Just(json!(true)),
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!(1e3)),
        Just(json!(4_294_967_296_u64)),
        Just(json!(255)),
        Just(json!(256)),
        Just(json!("")),
        Just(json!("x")),
        Just(json!("\u{7f}")),
        Just(json!("\u{85}")),
        Just(json!("a\"b")),
        Just(json!("USD")),
        Just(json!("usd")),
        Just(json!(" 12.5")),
        Just(json!("1e3")),
        Just(json!("12.345")),
        Just(json!("-0")),
        Just(json!("2026-02-30T00:00:00Z")),
        Just(json!("2026-01-01T00:00:60Z")),
        Just(json!("2026-01-01T24:00:00Z")),
        Just(json!("2026-01-01t00:00:00z")),
        Just(json!("2026-01-01T00:00:00.5Z")),
        Just(json!("2026-01-01T00:00:00.1234567891Z")),
        Just(json!("2026-01-01T00:00:00+02:00")),
        Just(json!("0000-01-01T00:00:00Z")),
        Just(json!("C-0001")),
        Just(json!("CO-001")),
        Just(json!("mql")),
        Just(json!("clicked")),
        Just(json!("inbound")),
        Just(json!("website_visit")),
        Just(json!("purchase")),
        Just(json!({})),
        Just(json!([])),
        Just(json!(["a", "a"])),
        Just(json!({"amount": "5", "currency": "USD"})),
        Just(json!({"amount": 5, "currency": "USD"})),
        Just(json!({"amount": "5", "currency": "USD", "x": 1})),
        Just(json!({"nps": 10})),
        Just(json!({"nps": 11})),
        Just(json!({"csat": 0})),
        Just(json!({"date": "2026-01-01"})),
        Just(json!({"number": "1.5"})),
        Just(json!({"type": "meeting"})),
        Just(json!({"type": "meeting", "duration_minutes": 5, "url": "/"})),
        Just(
            json!([{"sku": "S", "quantity": 1, "unit_price": {"amount": "1", "currency": "USD"}}])
        ),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        "[a-z_]{0,12}".prop_map(|s| json!(s)),
    ]
}

/// Every path to a value in `value`, as JSON pointers.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(v, format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn mutated_values_are_scored_or_refused_as_the_typed_records_do(
        position in 0_usize..200, pick in any::<prop::sample::Index>(), action in 0_u8..4,
        value in hostile_value(), key in prop_oneof![Just("x"), Just("type"), Just("id"), Just("name"),
            Just("url"), Just("amount"), Just("stage"), Just("history"), Just("previous")],
    ) {
        let position = position % dataset().contacts().len();
        let [doc, _] = docs(position);
        let mut tree: Value = serde_json::from_str(&doc).expect("json");
        let mut paths = Vec::new();
        pointers(&tree, String::new(), &mut paths);
        let path = pick.get(&paths).clone();
        match (action, tree.pointer_mut(&path)) {
            (0, Some(target)) => *target = value,
            (1, Some(Value::Object(map))) => { map.insert(key.to_string(), value); }
            (2, Some(Value::Object(map))) => { let first = map.keys().next().cloned(); if let Some(k) = first { map.remove(&k); } }
            (_, Some(Value::Array(items))) => { items.push(value); }
            (_, Some(target)) => *target = value,
            (_, None) => {}
        }
        for model in [sample_model(), every_field_model()] {
            agree(model, &tree.to_string())?;
        }
    }

    #[test]
    fn mutated_text_is_scored_or_refused_as_the_typed_records_do(
        position in 0_usize..200, at in any::<prop::sample::Index>(), cut in 0_usize..6,
        insert in prop_oneof![Just(""), Just("null"), Just("\""), Just(","), Just(":"), Just("{"),
            Just("}"), Just("]"), Just(" "), Just("\\"), Just("0"), Just("-"), Just("e5"), Just(".5"),
            Just("\"x\":1,"), Just("\u{1}"), Just("é")],
    ) {
        let position = position % dataset().contacts().len();
        let [doc, _] = docs(position);
        let start = at.index(doc.len());
        let end = (start + cut).min(doc.len());
        let mutated = format!("{}{insert}{}", &doc[..start], &doc[end..]);
        agree(sample_model(), &mutated)?;
    }

    #[test]
    fn ids_are_checked_as_the_id_types_check_them(text in prop_oneof![
        any::<String>(), "[a-z\u{0}-\u{1f}\u{7f}-\u{9f}é-]{0,6}", "x{250,260}",
    ]) {
        prop_assert_eq!(is_valid_id(&text), crate::model::ContactId::new(text.clone()).is_ok());
    }
}
