//! Companies, activities, tickets, campaigns and spend: round trips through record
//! batches (split at generated points), Parquet and the Dataset loader, and
//! bad rows whose errors name source, row and column.

use std::sync::Arc;

use crmkit::model::{Activity, Campaign, Company, Dataset, SpendEntry, Ticket};
use crmkit::sample::{SampleConfig, generate};
use crmkit_datafusion::load::{Table, TableKind, load_dataset, read_parquet, write_parquet};
use crmkit_datafusion::tables::TableSpec;
use crmkit_datafusion::{LoadError, read, write};
use datafusion::arrow::array::{Array, ArrayRef, Int64Array, RecordBatch, StringArray};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn sample(seed: u64, contacts: usize) -> Dataset {
    generate(&SampleConfig {
        seed,
        contacts,
        ..SampleConfig::default()
    })
    .unwrap()
}

fn company_as_stored(c: &Company) -> Company {
    let mut c = c.clone();
    c.tags.clear();
    c.attributes.clear();
    c
}

/// Writes `records` in batches cut at sizes derived from `seed`, reads
/// them back as one source.
fn round_trip<T: Serialize + DeserializeOwned>(
    spec: TableSpec,
    records: &[T],
    seed: u64,
) -> Vec<T> {
    let mut batches = Vec::new();
    let mut rest = records;
    let mut x = seed | 1;
    while !rest.is_empty() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let n = (usize::try_from(x % 17).unwrap() + 1).min(rest.len());
        let (head, tail) = rest.split_at(n);
        batches.push(spec.write(head).unwrap());
        rest = tail;
    }
    spec.read(&batches, spec.name).unwrap()
}

#[test]
fn the_five_tables_round_trip_through_split_record_batches() {
    for (seed, contacts) in [(3, 40), (17, 120), (99, 70)] {
        let ds = sample(seed, contacts);
        assert!(!ds.companies().is_empty() && !ds.tickets().is_empty() && !ds.spend().is_empty());

        let companies: Vec<Company> = round_trip(TableSpec::companies(), ds.companies(), seed);
        let expected: Vec<Company> = ds.companies().iter().map(company_as_stored).collect();
        assert_eq!(companies, expected);

        let activities: Vec<Activity> = round_trip(TableSpec::activities(), ds.activities(), seed);
        assert_eq!(activities, ds.activities());
        // Every kind the sample has went through, purchases with their items.
        let kinds: std::collections::BTreeSet<String> = TableSpec::activities()
            .write(ds.activities())
            .unwrap()
            .column_by_name("type")
            .unwrap()
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap()
            .iter()
            .flatten()
            .map(str::to_string)
            .collect();
        assert!(kinds.contains("purchase") && kinds.len() > 3, "{kinds:?}");

        let tickets: Vec<Ticket> = round_trip(TableSpec::tickets(), ds.tickets(), seed);
        assert_eq!(tickets, ds.tickets());
        assert!(tickets.iter().any(|t| t.sla.is_some()));

        let spend: Vec<SpendEntry> = round_trip(TableSpec::spend(), ds.spend(), seed);
        assert_eq!(spend, ds.spend());

        assert!(!ds.campaigns().is_empty());
        let campaigns: Vec<Campaign> = round_trip(TableSpec::campaigns(), ds.campaigns(), seed);
        assert_eq!(campaigns, ds.campaigns());
    }
}

#[test]
fn parquet_and_the_loader_give_back_the_dataset() {
    let ds = sample(5, 80);
    let dir = std::env::temp_dir().join(format!("crmkit-df-tables-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut tables = Vec::new();
    let mut put = |kind: TableKind, name: &str, batch: RecordBatch| {
        let path = dir.join(format!("{name}.parquet"));
        write_parquet(&path, batch.schema(), &[batch]).unwrap();
        // Parquet keeps the schema.
        let back = read_parquet(&path).unwrap();
        assert_eq!(back[0].schema().fields().len(), back[0].num_columns());
        tables.push(Table::from_parquet(kind, &path).unwrap());
    };
    put(
        TableKind::Contacts,
        "contacts",
        write::contacts(ds.contacts()).unwrap(),
    );
    put(TableKind::Deals, "deals", write::deals(ds.deals()).unwrap());
    put(TableKind::Reps, "reps", write::reps(ds.reps()).unwrap());
    put(
        TableKind::Companies,
        "companies",
        TableSpec::companies().write(ds.companies()).unwrap(),
    );
    put(
        TableKind::Activities,
        "activities",
        TableSpec::activities().write(ds.activities()).unwrap(),
    );
    put(
        TableKind::Tickets,
        "tickets",
        TableSpec::tickets().write(ds.tickets()).unwrap(),
    );
    put(
        TableKind::Spend,
        "spend",
        TableSpec::spend().write(ds.spend()).unwrap(),
    );
    put(
        TableKind::Campaigns,
        "campaigns",
        TableSpec::campaigns().write(ds.campaigns()).unwrap(),
    );

    let mut base = ds.parts().clone();
    base.contacts.clear();
    base.deals.clear();
    base.reps.clear();
    base.companies.clear();
    base.activities.clear();
    base.tickets.clear();
    base.spend.clear();
    base.campaigns.clear();
    let loaded = load_dataset(base, &tables).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let expected: Vec<Company> = ds.companies().iter().map(company_as_stored).collect();
    assert_eq!(loaded.companies(), expected.as_slice());
    assert_eq!(loaded.activities(), ds.activities());
    assert_eq!(loaded.tickets(), ds.tickets());
    assert_eq!(loaded.spend(), ds.spend());
    assert_eq!(loaded.campaigns(), ds.campaigns());
    assert_eq!(loaded.deals().len(), ds.deals().len());
    // The purchases table reader sees the same purchases (without items).
    let purchases =
        read::purchases(&[write::purchases(loaded.activities()).unwrap()], "p").unwrap();
    assert_eq!(
        purchases.len(),
        ds.activities()
            .iter()
            .filter(|a| matches!(a.kind, crmkit::model::ActivityKind::Purchase { .. }))
            .count()
    );
}

fn replace(batch: &RecordBatch, name: &str, column: ArrayRef) -> RecordBatch {
    let i = batch.schema().index_of(name).unwrap();
    let mut columns = batch.columns().to_vec();
    columns[i] = column;
    let fields: Vec<_> = batch
        .schema()
        .fields()
        .iter()
        .enumerate()
        .map(|(j, f)| {
            if j == i {
                Arc::new(
                    f.as_ref()
                        .clone()
                        .with_data_type(columns[i].data_type().clone())
                        .with_nullable(true),
                )
            } else {
                Arc::clone(f)
            }
        })
        .collect();
    RecordBatch::try_new(
        Arc::new(datafusion::arrow::datatypes::Schema::new(fields)),
        columns,
    )
    .unwrap()
}

/// Replaces row `row` of text column `name` with `value`.
fn bad_text(batch: &RecordBatch, name: &str, row: usize, value: Option<&str>) -> RecordBatch {
    let old = datafusion::arrow::compute::cast(
        batch.column_by_name(name).unwrap(),
        &datafusion::arrow::datatypes::DataType::Utf8,
    )
    .unwrap();
    let old = old.as_any().downcast_ref::<StringArray>().unwrap();
    let new: StringArray = (0..old.len())
        .map(|i| {
            if i == row {
                value
            } else if old.is_valid(i) {
                Some(old.value(i))
            } else {
                None
            }
        })
        .collect();
    replace(batch, name, Arc::new(new))
}

fn read_err<T: DeserializeOwned + std::fmt::Debug>(
    spec: TableSpec,
    batches: &[RecordBatch],
) -> LoadError {
    spec.read::<T>(batches, "in.parquet").unwrap_err()
}

fn at(e: &LoadError) -> (Option<usize>, Option<&str>) {
    (e.row, e.column.as_deref())
}

#[test]
fn bad_rows_name_source_row_and_column() {
    let ds = sample(8, 60);
    let spec = TableSpec::tickets();
    let tickets = spec.write(ds.tickets()).unwrap();
    let first = spec.write(&ds.tickets()[..2]).unwrap();
    // Row 3 of the second batch is row 5 of the source.
    let e = read_err::<Ticket>(
        spec,
        &[first, bad_text(&tickets, "channel", 3, Some("fax"))],
    );
    assert_eq!(
        (e.source.as_str(), at(&e)),
        ("in.parquet", (Some(5), Some("channel"))),
        "{e}"
    );
    let e = read_err::<Ticket>(spec, &[bad_text(&tickets, "contact", 1, None)]);
    assert_eq!(at(&e), (Some(1), Some("contact")), "{e}");
    let e = read_err::<Ticket>(spec, &[bad_text(&tickets, "id", 2, Some(""))]);
    assert_eq!(at(&e), (Some(2), Some("id")), "{e}");
    let missing = tickets.project(&[1, 2, 3]).unwrap();
    let e = read_err::<Ticket>(spec, &[missing]);
    assert_eq!(at(&e), (None, Some("id")), "{e}");

    let spec = TableSpec::companies();
    let companies = spec.write(ds.companies()).unwrap();
    let n = companies.num_rows();
    let employees: Int64Array = (0..n).map(|i| Some(if i == 4 { -3 } else { 10 })).collect();
    let e = read_err::<Company>(
        spec,
        &[replace(&companies, "employees", Arc::new(employees))],
    );
    assert_eq!(at(&e), (Some(4), Some("employees")), "{e}");
    let with_revenue = ds
        .companies()
        .iter()
        .position(|c| c.annual_revenue.is_some())
        .unwrap();
    let e = read_err::<Company>(
        spec,
        &[bad_text(
            &companies,
            "annual_revenue_currency",
            with_revenue,
            Some("eur"),
        )],
    );
    assert_eq!(
        at(&e),
        (Some(with_revenue), Some("annual_revenue_currency")),
        "{e}"
    );

    let spec = TableSpec::activities();
    let activities = spec.write(ds.activities()).unwrap();
    let e = read_err::<Activity>(
        spec,
        &[bad_text(&activities, "details", 6, Some("{not json"))],
    );
    assert_eq!(at(&e), (Some(6), Some("details")), "{e}");
    let e = read_err::<Activity>(spec, &[bad_text(&activities, "type", 7, Some("telepathy"))]);
    assert_eq!(at(&e), (Some(7), Some("details")), "{e}");
    assert!(e.to_string().contains("telepathy"), "{e}");

    let spec = TableSpec::spend();
    let spend = spec.write(ds.spend()).unwrap();
    let e = read_err::<SpendEntry>(spec, &[bad_text(&spend, "category", 0, Some("bribes"))]);
    assert_eq!(at(&e), (Some(0), Some("category")), "{e}");

    let spec = TableSpec::campaigns();
    let campaigns = spec.write(ds.campaigns()).unwrap();
    let e = read_err::<Campaign>(
        spec,
        &[bad_text(&campaigns, "channel", 1, Some("telegraph"))],
    );
    assert_eq!(at(&e), (Some(1), Some("channel")), "{e}");
    let e = read_err::<Campaign>(
        spec,
        &[bad_text(&campaigns, "cost_currency", 2, Some("dollars"))],
    );
    assert_eq!(at(&e), (Some(2), Some("cost_currency")), "{e}");
    // A timestamp column given as text is a type error naming the column.
    let e = read_err::<Ticket>(
        TableSpec::tickets(),
        &[bad_text(&tickets, "opened_at", 0, Some("x"))],
    );
    assert_eq!(at(&e), (None, Some("opened_at")), "{e}");
}

#[test]
fn write_refuses_what_the_schema_cannot_hold() {
    let ds = sample(4, 30);
    let mut spend: Vec<SpendEntry> = ds.spend().to_vec();
    spend[1].amount.amount = rust_decimal::Decimal::new(123_456, 5); // 1.23456
    let e = TableSpec::spend().write(&spend).unwrap_err();
    assert_eq!(
        (e.source.as_str(), e.row, e.column.as_deref()),
        ("spend", Some(1), Some("amount")),
        "{e}"
    );
    let mut tickets: Vec<Ticket> = ds.tickets().to_vec();
    tickets[0].opened_at += crmkit::chrono::Duration::nanoseconds(1);
    let e = TableSpec::tickets().write(&tickets).unwrap_err();
    assert_eq!(
        (e.row, e.column.as_deref()),
        (Some(0), Some("opened_at")),
        "{e}"
    );
}
