//! Schema round trips: crmkit records -> Arrow (and Parquet) -> crmkit
//! records give back what went in, for the deal-based sample company and a
//! purchase-heavy shop; bad values give errors naming source, row and column.

use std::sync::Arc;

use crmkit::model::{Activity, ActivityKind, Contact, Dataset, Deal};
use crmkit::sample::{SampleConfig, generate};
use crmkit_datafusion::load::{Table, TableKind, load_dataset, read_parquet, write_parquet};
use crmkit_datafusion::{LoadError, read, schema, write};
use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray};

fn sample(seed: u64, contacts: usize, activities_per_contact: usize) -> Dataset {
    generate(&SampleConfig {
        seed,
        contacts,
        activities_per_contact,
        ..SampleConfig::default()
    })
    .unwrap()
}

/// What the tables carry of a deal (tags are not in the schema).
fn deal_as_stored(deal: &Deal) -> Deal {
    let mut d = deal.clone();
    d.tags.clear();
    d
}

/// What the tables carry of a contact (no demographics, tags, attributes).
fn contact_as_stored(contact: &Contact) -> Contact {
    let mut c = contact.clone();
    c.demographics = Default::default();
    c.tags.clear();
    c.attributes.clear();
    c
}

fn purchases_of(ds: &Dataset) -> Vec<Activity> {
    ds.activities()
        .iter()
        .filter_map(|a| match &a.kind {
            ActivityKind::Purchase { amount, .. } => {
                let mut a = a.clone();
                a.kind = ActivityKind::Purchase {
                    amount: *amount,
                    items: Vec::new(),
                };
                Some(a)
            }
            _ => None,
        })
        .collect()
}

#[test]
fn deals_contacts_purchases_and_reps_round_trip_through_record_batches() {
    for ds in [sample(7, 150, 8), sample(11, 60, 30)] {
        let deals = read::deals(&[write::deals(ds.deals()).unwrap()], "deals").unwrap();
        let expected: Vec<Deal> = ds.deals().iter().map(deal_as_stored).collect();
        assert_eq!(deals, expected);
        assert!(deals.iter().any(|d| !d.stage_history.is_empty()));

        let contacts =
            read::contacts(&[write::contacts(ds.contacts()).unwrap()], "contacts").unwrap();
        let expected: Vec<Contact> = ds.contacts().iter().map(contact_as_stored).collect();
        assert_eq!(contacts, expected);

        let purchases = purchases_of(&ds);
        assert!(!purchases.is_empty());
        let read_back =
            read::purchases(&[write::purchases(ds.activities()).unwrap()], "purchases").unwrap();
        assert_eq!(read_back, purchases);

        let reps = read::reps(&[write::reps(ds.reps()).unwrap()], "reps").unwrap();
        let expected: Vec<_> = ds
            .reps()
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.territories.clear();
                r
            })
            .collect();
        assert_eq!(reps, expected);
    }
}

#[test]
fn rows_split_over_many_batches_read_back_in_order_with_global_row_numbers() {
    let ds = sample(3, 80, 4);
    let batch = write::deals(ds.deals()).unwrap();
    let batches: Vec<RecordBatch> = (0..batch.num_rows())
        .step_by(7)
        .map(|start| batch.slice(start, 7.min(batch.num_rows() - start)))
        .collect();
    assert!(batches.len() > 2);
    let deals = read::deals(&batches, "deals").unwrap();
    assert_eq!(deals.len(), ds.deals().len());
    assert_eq!(deals, read::deals(&[batch], "deals").unwrap());
}

#[test]
fn parquet_files_round_trip_and_load_into_an_equal_dataset() {
    let ds = sample(5, 120, 6);
    let dir = std::env::temp_dir().join(format!("crmkit-df-roundtrip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files = [
        (
            TableKind::Contacts,
            "contacts.parquet",
            schema::contacts(),
            write::contacts(ds.contacts()).unwrap(),
        ),
        (
            TableKind::Deals,
            "deals.parquet",
            schema::deals(),
            write::deals(ds.deals()).unwrap(),
        ),
        (
            TableKind::Purchases,
            "purchases.parquet",
            schema::purchases(),
            write::purchases(ds.activities()).unwrap(),
        ),
        (
            TableKind::Reps,
            "reps.parquet",
            schema::reps(),
            write::reps(ds.reps()).unwrap(),
        ),
    ];
    let mut tables = Vec::new();
    for (kind, name, schema, batch) in files {
        let path = dir.join(name);
        write_parquet(&path, schema, std::slice::from_ref(&batch)).unwrap();
        assert_eq!(read_parquet(&path).unwrap(), vec![batch]);
        tables.push(Table::from_parquet(kind, &path).unwrap());
    }
    let mut base = ds.parts().clone();
    base.contacts.clear();
    base.deals.clear();
    base.activities.clear();
    base.reps.clear();
    let loaded = load_dataset(base, &tables).unwrap();
    let expected: Vec<Deal> = ds.deals().iter().map(deal_as_stored).collect();
    assert_eq!(loaded.deals(), expected.as_slice());
    assert_eq!(loaded.contacts().len(), ds.contacts().len());
    assert_eq!(loaded.activities(), purchases_of(&ds).as_slice());
    std::fs::remove_dir_all(&dir).unwrap();
}

fn replace_column(batch: &RecordBatch, name: &str, values: ArrayRef) -> RecordBatch {
    let i = batch.schema().index_of(name).unwrap();
    let mut columns = batch.columns().to_vec();
    columns[i] = values;
    RecordBatch::try_new(batch.schema(), columns).unwrap()
}

#[test]
fn a_bad_value_is_reported_with_source_row_and_column() {
    let ds = sample(9, 40, 2);
    let batch = write::deals(ds.deals()).unwrap();
    let n = batch.num_rows();
    let statuses: Vec<&str> = (0..n)
        .map(|i| if i == 3 { "maybe" } else { "open" })
        .collect();
    let bad = replace_column(&batch, "status", Arc::new(StringArray::from(statuses)));
    // The bad row sits in the second batch: its row number counts the first.
    let first = batch.slice(0, 2);
    let second = bad.slice(2, n - 2);
    let err: LoadError = read::deals(&[first, second], "deals.parquet").unwrap_err();
    assert_eq!(err.source, "deals.parquet");
    assert_eq!(err.row, Some(3));
    assert_eq!(err.column.as_deref(), Some("status"));
    assert!(
        err.to_string()
            .starts_with("deals.parquet: row 3, column status: "),
        "{err}"
    );

    let currencies: Vec<&str> = (0..n).map(|i| if i == 1 { "usd" } else { "USD" }).collect();
    let bad = replace_column(&batch, "currency", Arc::new(StringArray::from(currencies)));
    let err = read::deals(&[bad], "deals").unwrap_err();
    assert_eq!(
        (err.row, err.column.as_deref()),
        (Some(1), Some("currency"))
    );

    let without_amount = batch.project(&[0, 1, 2]).unwrap();
    let err = read::deals(&[without_amount], "deals").unwrap_err();
    assert_eq!((err.row, err.column.as_deref()), (None, Some("pipeline")));
}

#[test]
fn a_dataset_that_does_not_validate_names_the_record() {
    let ds = sample(9, 40, 2);
    let mut base = ds.parts().clone();
    base.deals.clear();
    base.contacts.clear();
    let tables = [Table::new(
        TableKind::Deals,
        "deals",
        vec![write::deals(ds.deals()).unwrap()],
    )];
    let err = load_dataset(base, &tables).unwrap_err();
    assert_eq!(err.source, "dataset");
    assert!(err.message.contains("deals["), "{err}");
}

#[test]
fn amounts_with_more_than_four_decimals_are_refused_not_rounded() {
    let ds = sample(9, 20, 2);
    let mut deals = ds.deals().to_vec();
    deals[2].value.amount = rust_decimal::Decimal::new(123_456_789, 5);
    let err = write::deals(&deals).unwrap_err();
    assert_eq!((err.row, err.column.as_deref()), (Some(2), Some("amount")));
}
