//! Attribution over journeys built from a Dataset: a deal-based B2B
//! business (won deals, lifecycle stages, EUR deals, campaign spend) and a
//! purchase-based shop (repeat purchases, UTM-tagged visits, direct visits).

use crmkit::attribution::{
    DatasetAttributionRequest, attribution_request, dataset_attribution_report,
};
use crmkit::kpi::KpiValue;
use crmkit::model::Dataset;
use rust_decimal::Decimal;

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

const USD: &str = r#""currency": "USD""#;

/// B2B: C-1 came from the webinar (CMP-1, email) on 01-01, clicked a
/// search-ad visit (CMP-2) on 02-01, opened an e-mail on 02-05 (not a touch
/// by default) and won D-1 (1000 USD) on 02-10. C-2 came from search on
/// 01-05, made an untracked (direct) visit on 03-01 and won D-2 (500 EUR at
/// 1.10 = 550 USD) on 03-02. C-3 came from the webinar, clicked an e-mail
/// on 02-01 and has only a lost deal. Spend: CMP-1 cost 1000 + 200 of
/// advertising booked to it; CMP-2 cost 500.
const B2B: &str = r#"{
  "reporting_currency": "USD",
  "exchange_rates": {"base": "USD", "rates": {"EUR": "1.10"}},
  "pipelines": [{"id": "sales", "name": "Sales", "stages": [
    {"id": "new", "name": "New", "probability": 10},
    {"id": "won", "name": "Won", "probability": 100, "kind": "won"},
    {"id": "lost", "name": "Lost", "probability": 0, "kind": "lost"}]}],
  "campaigns": [
    {"id": "CMP-1", "name": "Webinar", "channel": "email", "cost": {"amount": "1000", "currency": "USD"}, "start": "2024-01-01", "end": "2024-03-31"},
    {"id": "CMP-2", "name": "Search ads", "channel": "search", "cost": {"amount": "500", "currency": "USD"}, "start": "2024-01-01", "end": "2024-03-31"}],
  "spend": [
    {"id": "S-1", "date": "2024-01-15", "category": "marketing", "kind": "advertising", "amount": {"amount": "200", "currency": "USD"}, "campaign": "CMP-1"},
    {"id": "S-2", "date": "2024-01-15", "category": "marketing", "kind": "salaries", "amount": {"amount": "9000", "currency": "USD"}}],
  "contacts": [
    {"id": "C-1", "name": "Ada", "source_campaign": "CMP-1", "created_at": "2024-01-01T00:00:00Z",
     "lifecycle": {"stage": "customer", "history": [
       {"from": "lead", "to": "mql", "at": "2024-01-20T00:00:00Z"},
       {"from": "mql", "to": "customer", "at": "2024-02-10T00:00:00Z"}]}},
    {"id": "C-2", "name": "Bo", "source_campaign": "CMP-2", "created_at": "2024-01-05T00:00:00Z",
     "lifecycle": {"stage": "customer", "history": [{"from": "lead", "to": "customer", "at": "2024-03-02T00:00:00Z"}]}},
    {"id": "C-3", "name": "Cy", "source_campaign": "CMP-1", "created_at": "2024-01-10T00:00:00Z"}],
  "deals": [
    {"id": "D-1", "contact": "C-1", "pipeline": "sales", "stage": "won", "status": "won", "value": {"amount": "1000", "currency": "USD"}, "created_at": "2024-01-20T00:00:00Z", "closed_at": "2024-02-10T00:00:00Z"},
    {"id": "D-2", "contact": "C-2", "pipeline": "sales", "stage": "won", "status": "won", "value": {"amount": "500", "currency": "EUR"}, "created_at": "2024-02-01T00:00:00Z", "closed_at": "2024-03-02T00:00:00Z"},
    {"id": "D-3", "contact": "C-3", "pipeline": "sales", "stage": "lost", "status": "lost", "value": {"amount": "700", "currency": "USD"}, "created_at": "2024-02-01T00:00:00Z", "closed_at": "2024-03-01T00:00:00Z"}],
  "activities": [
    {"id": "A-1", "contact": "C-1", "at": "2024-02-01T00:00:00Z", "campaign": "CMP-2", "kind": {"type": "website_visit", "url": "/pricing"}},
    {"id": "A-2", "contact": "C-1", "at": "2024-02-05T00:00:00Z", "campaign": "CMP-1", "kind": {"type": "email", "event": "opened"}},
    {"id": "A-3", "contact": "C-2", "at": "2024-03-01T00:00:00Z", "kind": {"type": "website_visit", "url": "/demo"}},
    {"id": "A-4", "contact": "C-3", "at": "2024-02-01T00:00:00Z", "campaign": "CMP-1", "kind": {"type": "email", "event": "clicked"}}]
}"#;

fn b2b() -> Dataset {
    Dataset::from_json(B2B).expect("valid B2B dataset")
}

fn request(json: &str) -> DatasetAttributionRequest {
    DatasetAttributionRequest::from_json(json).expect("request")
}

#[test]
fn won_deals_are_credited_to_the_campaign_touches_before_them() {
    let ds = b2b();
    let req = request(&format!(
        r#"{{"conversion": {{"event": "won_deal"}}, {USD},
             "models": [{{"model": "first_touch"}}, {{"model": "last_touch"}}, {{"model": "linear"}}, {{"model": "markov"}}]}}"#
    ));
    let built = attribution_request(&ds, &req).unwrap();
    // Journeys: C-1 [email(CMP-1) 01-01, search(CMP-2) 02-01] → 1000;
    // C-2 [search(CMP-2) 01-05, direct 03-01] → 550; C-3 [email, email]
    // without conversion.
    assert_eq!(built.journeys.len(), 3);
    let paths: Vec<(Vec<&str>, u32, Decimal)> = built
        .journeys
        .iter()
        .map(|j| {
            (
                j.touches.iter().map(|t| t.channel.as_str()).collect(),
                j.conversions,
                j.value,
            )
        })
        .collect();
    assert_eq!(
        paths,
        [
            (vec!["email", "search"], 1, d("1000")),
            (vec!["search", "direct"], 1, d("550.00")),
            (vec!["email", "email"], 0, d("0")),
        ]
    );
    let r = dataset_attribution_report(&ds, &req).unwrap();
    assert_eq!(r.total_value.amount, d("1550"));
    let channel = |m: usize, key: &str| {
        r.models[m]
            .channels
            .iter()
            .find(|c| c.key == key)
            .map(|c| (c.conversions, c.value.amount))
            .unwrap()
    };
    // First touch: email 1 / 1000 (C-1), search 1 / 550 (C-2).
    assert_eq!(channel(0, "email"), (d("1"), d("1000")));
    assert_eq!(channel(0, "search"), (d("1"), d("550")));
    // Last touch with the default direct_takes_last_touch = false: C-2's
    // direct visit does not take the credit, search gets both deals.
    assert_eq!(channel(1, "search"), (d("2"), d("1550")));
    assert_eq!(channel(1, "direct"), (d("0"), d("0")));
    // Linear: email ½ of 1000; search ½ of 1000 + ½ of 550; direct ½ of 550.
    assert_eq!(channel(2, "email"), (d("0.5"), d("500")));
    assert_eq!(channel(2, "search"), (d("1"), d("775")));
    assert_eq!(channel(2, "direct"), (d("0.5"), d("275")));
    // Per campaign, first touch: CMP-1 spend 1000 + 200 = 1200, credit
    // 1000 → CPA 1200, ROI (1000 − 1200) / 1200 = −0.166667.
    let cmp1 = r.models[0]
        .campaigns
        .iter()
        .find(|c| c.key == "CMP-1")
        .unwrap();
    assert_eq!(cmp1.spend.unwrap().amount, d("1200"));
    assert_eq!(
        cmp1.cost_per_acquisition,
        KpiValue::Defined { value: d("1200") }
    );
    assert_eq!(
        cmp1.roi,
        KpiValue::Defined {
            value: d("-0.166667")
        }
    );
    // Markov: C-3's non-converting email journey lowers email's share; the
    // credit still sums to the 2 deals and 1550, per campaign as well.
    let m = &r.models[3];
    let sum: Decimal = m.campaigns.iter().map(|c| c.value.amount).sum();
    assert_eq!(sum, d("1550"));
    // Paths: both converting paths have two touches; C-1 took 40 days,
    // C-2 57 → median 48.5.
    assert_eq!(r.paths.length_distribution.get(&2), Some(&2));
    assert_eq!(r.paths.median_days_to_conversion, Some(48.5));
}

#[test]
fn options_change_which_touches_and_conversions_count() {
    let ds = b2b();
    // E-mail opens counted, direct left out, a lifecycle stage as the
    // conversion: C-1 reached MQL on 01-20 (customer counts as later), C-2
    // went lead → customer on 03-02 (past MQL), C-3 never.
    let req = request(&format!(
        r#"{{"conversion": {{"event": "lifecycle_stage", "stage": "mql"}}, {USD},
             "touch_types": ["source_campaign", "email_open", "email_click", "website_visit"],
             "models": [{{"model": "last_touch"}}]}}"#
    ));
    let built = attribution_request(&ds, &req).unwrap();
    let shape: Vec<(usize, u32)> = built
        .journeys
        .iter()
        .map(|j| (j.touches.len(), j.conversions))
        .collect();
    // C-1: [source] → MQL; then [visit, open] after it, not converting.
    // C-2: [source] → converted (direct visit dropped). C-3: [source, click].
    assert_eq!(shape, [(1, 1), (2, 0), (1, 1), (2, 0)]);
    // A lookback window of 10 days keeps C-1's search visit (9 days before
    // its deal) and leaves C-2's conversion (57 days after its only touch,
    // the direct visit not counting) unattributed.
    let req = request(&format!(
        r#"{{"conversion": {{"event": "won_deal"}}, {USD}, "lookback_days": 10,
             "touch_types": ["source_campaign", "website_visit"], "models": [{{"model": "linear"}}]}}"#
    ));
    let r = dataset_attribution_report(&ds, &req).unwrap();
    assert_eq!(r.unattributed_conversions, d("1"));
    assert_eq!(r.unattributed_value.amount, d("550"));
    // as_of before every close: nothing converts.
    let req = request(&format!(
        r#"{{"conversion": {{"event": "won_deal"}}, {USD}, "as_of": "2024-02-01T00:00:00Z",
             "models": [{{"model": "linear"}}]}}"#
    ));
    let r = dataset_attribution_report(&ds, &req).unwrap();
    assert_eq!(r.total_conversions, d("0"));
}

/// Shop: S-1 arrives by a UTM-tagged social link (utm_medium=social, no
/// campaign record), buys 30.00 on 05-02, visits directly and buys 20.00
/// on 05-20; S-2 clicks the newsletter (CMP-9, email) and buys 45.50;
/// S-3 only visits via a UTM link naming CMP-9 (utm_campaign) and never
/// buys.
const SHOP: &str = r#"{
  "reporting_currency": "USD",
  "campaigns": [
    {"id": "CMP-9", "name": "Newsletter", "channel": "email", "cost": {"amount": "100", "currency": "USD"}, "start": "2024-05-01", "end": "2024-05-31"}],
  "contacts": [
    {"id": "S-1", "created_at": "2024-05-01T00:00:00Z"},
    {"id": "S-2", "created_at": "2024-05-01T00:00:00Z"},
    {"id": "S-3", "created_at": "2024-05-01T00:00:00Z"}],
  "activities": [
    {"id": "V-1", "contact": "S-1", "at": "2024-05-01T10:00:00Z", "kind": {"type": "website_visit", "url": "/shoes?utm_source=insta&utm_medium=social"}},
    {"id": "P-1", "contact": "S-1", "at": "2024-05-02T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "30.00", "currency": "USD"}}},
    {"id": "V-2", "contact": "S-1", "at": "2024-05-19T10:00:00Z", "kind": {"type": "website_visit", "url": "/shoes"}},
    {"id": "P-2", "contact": "S-1", "at": "2024-05-20T10:00:00Z", "kind": {"type": "purchase", "amount": {"amount": "20.00", "currency": "USD"}}},
    {"id": "E-1", "contact": "S-2", "at": "2024-05-03T09:00:00Z", "campaign": "CMP-9", "kind": {"type": "email", "event": "clicked"}},
    {"id": "P-3", "contact": "S-2", "at": "2024-05-03T09:30:00Z", "kind": {"type": "purchase", "amount": {"amount": "45.50", "currency": "USD"}}},
    {"id": "V-3", "contact": "S-3", "at": "2024-05-04T09:00:00Z", "kind": {"type": "website_visit", "url": "/?utm_campaign=CMP-9"}}]
}"#;

#[test]
fn shop_purchases_each_credit_the_touches_since_the_previous_purchase() {
    let ds = Dataset::from_json(SHOP).expect("valid shop");
    let req = request(
        r#"{"conversion": {"event": "purchase"},
            "models": [{"model": "last_touch"}, {"model": "first_touch"}, {"model": "shapley_rate"}]}"#,
    );
    let r = dataset_attribution_report(&ds, &req).unwrap();
    // Three purchases, 95.50. P-2's journey is only the direct visit V-2,
    // so direct keeps the last touch there (only direct in the path).
    assert_eq!(r.total_conversions, d("3"));
    assert_eq!(r.total_value.amount, d("95.50"));
    let credit = |m: usize, key: &str| {
        r.models[m]
            .channels
            .iter()
            .find(|c| c.key == key)
            .map(|c| (c.conversions, c.value.amount))
            .unwrap()
    };
    assert_eq!(credit(0, "social"), (d("1"), d("30.00")));
    assert_eq!(credit(0, "direct"), (d("1"), d("20.00")));
    assert_eq!(credit(0, "email"), (d("1"), d("45.50")));
    // CMP-9 (cost 100) got 45.50: ROI (45.50 − 100) / 100 = −0.545.
    let cmp9 = r.models[1]
        .campaigns
        .iter()
        .find(|c| c.key == "CMP-9")
        .unwrap();
    assert_eq!(cmp9.roi, KpiValue::Defined { value: d("-0.545") });
    // The rate game sees S-3's non-converting email (UTM campaign) visit:
    // exact with three channels, credit sums to the three purchases.
    let m = &r.models[2];
    assert_eq!(m.shapley_estimate.as_ref().unwrap().method, "exact");
    let total: Decimal = m.channels.iter().map(|c| c.conversions).sum();
    assert_eq!(total, d("3"));
    assert_eq!(r.paths.length_distribution.get(&1), Some(&3));
}

#[test]
fn a_dataset_without_currency_needs_one_in_the_request() {
    let ds = Dataset::from_json(r#"{"contacts": []}"#).unwrap();
    let req = request(r#"{"conversion": {"event": "purchase"}, "models": [{"model": "linear"}]}"#);
    let e = dataset_attribution_report(&ds, &req).unwrap_err();
    assert!(e.to_string().contains("currency"), "{e}");
}
