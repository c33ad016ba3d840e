//! Loading data (issue 21): record constructors, the columnar way in for
//! purchases, and what a bare date where a timestamp belongs is told.

use chrono::DateTime;
use crmkit::ErrorKind;
use crmkit::model::{
    Activity, ActivityId, ActivityKind, Company, Contact, ContactId, Dataset, DatasetParts, Deal,
    DealStatus, LifecycleStage, Pipeline, PurchaseColumns, Stage, StageKind, Ticket, TicketChannel,
    Timestamp,
};
use crmkit::money::{Currency, Money, Percent};

fn at(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

fn usd() -> Currency {
    Currency::new("USD").expect("usd")
}

fn gbp() -> Currency {
    Currency::new("GBP").expect("gbp")
}

#[test]
fn constructors_give_the_records_json_gives_for_the_required_fields() {
    let contact: Contact =
        serde_json::from_str(r#"{"id": "C-1", "created_at": "2024-01-05T09:00:00Z"}"#).unwrap();
    assert_eq!(
        Contact::new("C-1".parse().unwrap(), at("2024-01-05T09:00:00Z")),
        contact
    );
    let company: Company = serde_json::from_str(r#"{"id": "A-1", "name": "Acme"}"#).unwrap();
    assert_eq!(Company::new("A-1".parse().unwrap(), "Acme"), company);
    let deal: Deal = serde_json::from_str(
        r#"{"id": "D-1", "contact": "C-1", "pipeline": "sales", "stage": "new",
            "value": {"amount": "500.00", "currency": "USD"},
            "created_at": "2024-01-06T00:00:00Z"}"#,
    )
    .unwrap();
    assert_eq!(
        Deal::new(
            "D-1".parse().unwrap(),
            "C-1".parse().unwrap(),
            "sales".parse().unwrap(),
            "new".parse().unwrap(),
            Money::parse("500.00", usd()).unwrap(),
            at("2024-01-06T00:00:00Z"),
        ),
        deal
    );
    let activity: Activity = serde_json::from_str(
        r#"{"id": "A-1", "contact": "C-1", "at": "2024-01-07T00:00:00Z",
            "kind": {"type": "meeting"}}"#,
    )
    .unwrap();
    assert_eq!(
        Activity::new(
            "A-1".parse().unwrap(),
            "C-1".parse().unwrap(),
            at("2024-01-07T00:00:00Z"),
            ActivityKind::Meeting {
                duration_minutes: 0
            },
        ),
        activity
    );
    let ticket: Ticket = serde_json::from_str(
        r#"{"id": "T-1", "contact": "C-1", "channel": "email",
            "opened_at": "2024-01-08T00:00:00Z"}"#,
    )
    .unwrap();
    assert_eq!(
        Ticket::new(
            "T-1".parse().unwrap(),
            "C-1".parse().unwrap(),
            TicketChannel::Email,
            at("2024-01-08T00:00:00Z"),
        ),
        ticket
    );
}

fn sales_pipeline() -> Pipeline {
    let stage = |id: &str, probability: u32, kind| Stage {
        id: id.parse().unwrap(),
        name: id.into(),
        probability: Percent::new(probability).unwrap(),
        kind,
    };
    Pipeline {
        id: "sales".parse().unwrap(),
        name: "Sales".into(),
        stages: vec![
            stage("qualify", 20, StageKind::Open),
            stage("won", 100, StageKind::Won),
            stage("lost", 0, StageKind::Lost),
        ],
    }
}

#[test]
fn a_b2b_dataset_built_with_constructors_validates() {
    let created = at("2025-01-10T09:00:00Z");
    let acme = Company::new("A-1".parse().unwrap(), "Acme");
    let buyer = Contact {
        name: "Grace".into(),
        company: Some(acme.id.clone()),
        lifecycle: crmkit::model::Lifecycle {
            stage: LifecycleStage::Customer,
            history: Vec::new(),
        },
        ..Contact::new("C-1".parse().unwrap(), created)
    };
    let deal = |id: &str, stage: &str, status, closed: Option<&str>| Deal {
        status,
        closed_at: closed.map(at),
        company: Some(acme.id.clone()),
        ..Deal::new(
            id.parse().unwrap(),
            buyer.id.clone(),
            "sales".parse().unwrap(),
            stage.parse().unwrap(),
            Money::parse("12000", usd()).unwrap(),
            created,
        )
    };
    let parts = DatasetParts {
        deals: vec![
            deal("D-1", "won", DealStatus::Won, Some("2025-03-01T00:00:00Z")),
            deal("D-2", "qualify", DealStatus::Open, None),
        ],
        activities: vec![Activity::new(
            "A-1".parse().unwrap(),
            buyer.id.clone(),
            at("2025-02-01T10:00:00Z"),
            ActivityKind::Meeting {
                duration_minutes: 45,
            },
        )],
        contacts: vec![buyer],
        companies: vec![acme],
        pipelines: vec![sales_pipeline()],
        ..DatasetParts::default()
    };
    let ds = Dataset::new(parts.clone()).unwrap();
    assert_eq!(ds.deals_of_contact(&"C-1".parse().unwrap()).count(), 2);
    assert_eq!(ds.contacts_of_company(&"A-1".parse().unwrap()).count(), 1);
    // A won deal without its close date is still refused.
    let mut broken = parts;
    broken.deals[0].closed_at = None;
    let err = Dataset::new(broken).unwrap_err();
    assert_eq!(err.path(), Some("deals[0].closed_at"));
}

fn shop_contacts(n: usize) -> Vec<Contact> {
    (0..n)
        .map(|i| {
            Contact::new(
                ContactId::new(format!("C{i}")).unwrap(),
                at("2024-01-01T00:00:00Z"),
            )
        })
        .collect()
}

const TIMES: [i64; 5] = [
    1_706_745_600, // 2024-02-01
    1_704_153_600, // 2024-01-02
    1_704_240_000, // 2024-01-03
    1_709_251_200, // 2024-03-01
    1_704_153_600, // 2024-01-02, the same second as row 1
];

#[test]
fn purchase_columns_give_the_dataset_built_from_records() {
    let contacts = [2u32, 0, 2, 1, 2];
    let pence = [1999i64, 500, 0, 120_000, 75];
    let currencies = [gbp(), gbp(), usd(), gbp(), gbp()];
    let columns = PurchaseColumns {
        contacts: &contacts,
        at_unix: &TIMES,
        amounts_minor: &pence,
        scale: 2,
        currencies: &currencies,
        id_prefix: "P-",
    };
    let base = DatasetParts {
        contacts: shop_contacts(3),
        ..DatasetParts::default()
    };
    let from_columns = Dataset::with_purchases(base.clone(), &columns).unwrap();

    let mut by_hand = base.clone();
    by_hand.activities = (0..5)
        .map(|i| {
            Activity::new(
                ActivityId::new(format!("P-{i}")).unwrap(),
                ContactId::new(format!("C{}", contacts[i])).unwrap(),
                DateTime::from_timestamp(TIMES[i], 0).unwrap(),
                ActivityKind::Purchase {
                    amount: Money::from_minor(pence[i], currencies[i], 2).unwrap(),
                    items: Vec::new(),
                },
            )
        })
        .collect();
    let from_records = Dataset::new(by_hand.clone()).unwrap();
    assert_eq!(from_columns, from_records);
    // The index built without hashing the buyers' ids groups the same way.
    for position in 0..3 {
        let a: Vec<&str> = from_columns
            .activities_at(position)
            .map(|a| a.id.as_str())
            .collect();
        let b: Vec<&str> = from_records
            .activities_at(position)
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(a, b);
    }
    let c2: Vec<&str> = from_columns
        .activities_of(&"C2".parse().unwrap())
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(c2, ["P-4", "P-2", "P-0"]);

    // push_purchases appends the same records to the parts.
    let mut pushed = base;
    pushed.push_purchases(&columns).unwrap();
    assert_eq!(pushed, by_hand);
}

#[test]
fn purchase_columns_name_the_array_and_row_of_a_bad_value() {
    let base = DatasetParts {
        contacts: shop_contacts(2),
        activities: vec![Activity::new(
            "P-1".parse().unwrap(),
            "C0".parse().unwrap(),
            at("2024-01-01T00:00:00Z"),
            ActivityKind::Meeting {
                duration_minutes: 0,
            },
        )],
        ..DatasetParts::default()
    };
    let one = [gbp()];
    let good = PurchaseColumns {
        contacts: &[0, 1, 1],
        at_unix: &[1_704_153_600, 1_704_153_600, 1_704_153_600],
        amounts_minor: &[100, 200, 300],
        scale: 2,
        currencies: &one,
        id_prefix: "Q-",
    };
    assert!(Dataset::with_purchases(base.clone(), &good).is_ok());
    let cases: [(PurchaseColumns, ErrorKind, &str, &str); 7] = [
        (
            PurchaseColumns {
                contacts: &[0, 2, 1],
                ..good
            },
            ErrorKind::NotFound,
            "purchases.contacts[1]",
            "contact position 2 is out of range (2 contacts)",
        ),
        (
            PurchaseColumns {
                at_unix: &[1_704_153_600, 1_704_153_600, 253_402_300_800],
                ..good
            },
            ErrorKind::Invalid,
            "purchases.at_unix[2]",
            "outside the supported time range",
        ),
        (
            PurchaseColumns {
                amounts_minor: &[100, -1, 300],
                ..good
            },
            ErrorKind::Invalid,
            "purchases.amounts_minor[1]",
            "purchase amount must not be negative, got -1",
        ),
        (
            PurchaseColumns {
                amounts_minor: &[100, 200],
                ..good
            },
            ErrorKind::Invalid,
            "purchases",
            "found 3, 3, 2 and 1",
        ),
        (
            PurchaseColumns {
                currencies: &[gbp(), gbp()],
                ..good
            },
            ErrorKind::Invalid,
            "purchases",
            "found 3, 3, 3 and 2",
        ),
        (
            PurchaseColumns { scale: 29, ..good },
            ErrorKind::Invalid,
            "purchases.scale",
            "scale 29 is larger than 28",
        ),
        (
            // "P-1" is already the id of an activity of the parts.
            PurchaseColumns {
                id_prefix: "P-",
                ..good
            },
            ErrorKind::Invalid,
            "activities[2].id",
            "duplicate id \"P-1\"",
        ),
    ];
    for (columns, kind, path, message) in cases {
        let err = Dataset::with_purchases(base.clone(), &columns).unwrap_err();
        assert_eq!(err.kind(), kind, "{err}");
        assert_eq!(err.path(), Some(path), "{err}");
        assert!(err.message().contains(message), "{err}");
    }
    // Nothing is appended when a row is refused.
    let mut parts = base.clone();
    let bad = PurchaseColumns {
        amounts_minor: &[100, 200, -300],
        ..good
    };
    assert!(parts.push_purchases(&bad).is_err());
    assert_eq!(parts, base);
}

#[test]
fn a_bare_date_for_a_timestamp_says_what_was_expected() {
    let cases = [
        (
            r#"{"contacts": [{"id": "C-1", "created_at": "1997-03-02"}]}"#,
            "contacts[0].created_at",
        ),
        (
            r#"{"contacts": [{"id": "C-1", "created_at": "1997-03-02T00:00:00Z"}],
                "activities": [{"id": "A-1", "contact": "C-1", "at": "1997-03-02",
                                "kind": {"type": "meeting"}}]}"#,
            "activities[0].at",
        ),
        (
            r#"{"deals": [{"id": "D-1", "contact": "C-1", "pipeline": "p", "stage": "s",
                "value": {"amount": "1", "currency": "USD"}, "status": "won",
                "created_at": "1997-03-02T00:00:00Z", "closed_at": "1997-03-02"}]}"#,
            "deals[0].closed_at",
        ),
    ];
    for (json, path) in cases {
        let err = Dataset::from_json(json).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Json, "{err}");
        assert_eq!(err.path(), Some(path), "{err}");
        let message = err.message();
        assert!(
            message.starts_with("expected an RFC 3339 timestamp"),
            "{message}"
        );
        assert!(message.contains("\"2024-03-01T12:00:00Z\""), "{message}");
        assert!(
            message.contains("\"2024-03-01T13:00:00+01:00\""),
            "{message}"
        );
        assert!(
            message.contains("found the date \"1997-03-02\" without a time"),
            "{message}"
        );
        assert!(!message.contains("premature end of input"), "{message}");
    }
    // Other wrong text names what was found, and a number the type.
    let err =
        Dataset::from_json(r#"{"contacts": [{"id": "C-1", "created_at": "soon"}]}"#).unwrap_err();
    assert!(err.message().contains("found \"soon\""), "{err}");
    let err = Dataset::from_json(r#"{"contacts": [{"id": "C-1", "created_at": 5}]}"#).unwrap_err();
    assert!(
        err.message()
            .contains("invalid type: integer `5`, expected an RFC 3339 timestamp"),
        "{err}"
    );
    // null is still "no value" for an optional instant.
    let ds = Dataset::from_json(
        r#"{"tickets": [], "companies": [{"id": "A", "name": "A", "created_at": null}]}"#,
    )
    .unwrap();
    assert_eq!(ds.companies()[0].created_at, None);
}

/// What a dataset of millions of rows holds per row (issue 21, "record
/// sizes"): ids of up to 15 bytes live inside the record in 16 bytes, so an
/// activity (five ids) is 144 bytes (184 with `String`-sized ids) and a
/// contact (four ids) 456 (488). Long ids still round-trip.
#[cfg(target_pointer_width = "64")]
#[test]
fn records_keep_short_ids_inline_in_16_bytes() {
    use std::mem::size_of;
    assert_eq!(size_of::<ContactId>(), 16);
    assert_eq!(size_of::<Option<ContactId>>(), 16);
    assert!(size_of::<Activity>() <= 144, "{}", size_of::<Activity>());
    assert!(size_of::<Contact>() <= 456, "{}", size_of::<Contact>());
    assert!(size_of::<Deal>() <= 256, "{}", size_of::<Deal>());
    for text in [
        "C-0001234",
        "P00000001234567",
        "P000000012345678",
        "123e4567-e89b-12d3-a456-426614174000",
    ] {
        let id: ContactId = text.parse().expect("id");
        assert_eq!(id.as_str(), text);
        assert_eq!(id.clone(), id);
        assert_eq!(String::from(id), text);
    }
}
