//! Ad touches: touches of ad campaigns (paid-media channel with advertising
//! spend booked to them) reported on `paid_<channel>`, on the campaign's
//! channel, or left out (`ad_touches`), with hand-computed credit and a
//! property test that the credit still sums exactly over random datasets.

use crmkit::attribution::{
    AdTouches, DatasetAttributionRequest, attribution_request, dataset_attribution_report,
    from_dataset::ad_campaigns,
};
use crmkit::kpi::KpiValue;
use crmkit::model::Dataset;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

const PIPELINE: &str = r#""pipelines": [{"id": "sales", "name": "Sales", "stages": [
    {"id": "new", "name": "New", "probability": 10},
    {"id": "won", "name": "Won", "probability": 100, "kind": "won"},
    {"id": "lost", "name": "Lost", "probability": 0, "kind": "lost"}]}]"#;

/// Four campaigns, one of them an ad campaign:
///
/// * CMP-S "LinkedIn ads", social, cost 0, 300 of advertising booked (S-1):
///   the only ad campaign;
/// * CMP-O "Organic posts", social, cost 100, an advertising entry of 0
///   (S-4: nothing bought, not an ad campaign);
/// * CMP-W "Webinar", email, cost 50, 200 of advertising (S-2): promoted
///   with ads but reached by e-mail, not a paid-media channel;
/// * CMP-G "SEO", search, cost 0, 100 of salaries (S-3): no ad bought.
///
/// C-1 came from the LinkedIn ad (01-01), visited via a `utm_campaign=CMP-O`
/// post (01-10) and won D-1 1000 on 02-01. C-2 came from an organic post
/// (01-02), filled in the ad's form (01-15) and won D-2 600 on 02-10. C-3
/// came from the webinar (01-03), clicked the ad to /demo (01-20) and did
/// not buy. C-4 came from SEO (01-04) and won D-4 400 on 02-20.
fn ads() -> Dataset {
    Dataset::from_json(&format!(
        r#"{{
  "reporting_currency": "USD", {PIPELINE},
  "campaigns": [
    {{"id": "CMP-S", "name": "LinkedIn ads", "channel": "social", "cost": {{"amount": "0", "currency": "USD"}}, "start": "2024-01-01", "end": "2024-03-31"}},
    {{"id": "CMP-O", "name": "Organic posts", "channel": "social", "cost": {{"amount": "100", "currency": "USD"}}, "start": "2024-01-01", "end": "2024-03-31"}},
    {{"id": "CMP-W", "name": "Webinar", "channel": "email", "cost": {{"amount": "50", "currency": "USD"}}, "start": "2024-01-01", "end": "2024-03-31"}},
    {{"id": "CMP-G", "name": "SEO", "channel": "search", "cost": {{"amount": "0", "currency": "USD"}}, "start": "2024-01-01", "end": "2024-03-31"}}],
  "spend": [
    {{"id": "S-1", "date": "2024-01-01", "category": "marketing", "kind": "advertising", "amount": {{"amount": "300", "currency": "USD"}}, "campaign": "CMP-S"}},
    {{"id": "S-2", "date": "2024-01-01", "category": "marketing", "kind": "advertising", "amount": {{"amount": "200", "currency": "USD"}}, "campaign": "CMP-W"}},
    {{"id": "S-3", "date": "2024-01-01", "category": "marketing", "kind": "salaries", "amount": {{"amount": "100", "currency": "USD"}}, "campaign": "CMP-G"}},
    {{"id": "S-4", "date": "2024-01-01", "category": "marketing", "kind": "advertising", "amount": {{"amount": "0", "currency": "USD"}}, "campaign": "CMP-O"}}],
  "contacts": [
    {{"id": "C-1", "source_campaign": "CMP-S", "created_at": "2024-01-01T00:00:00Z"}},
    {{"id": "C-2", "source_campaign": "CMP-O", "created_at": "2024-01-02T00:00:00Z"}},
    {{"id": "C-3", "source_campaign": "CMP-W", "created_at": "2024-01-03T00:00:00Z"}},
    {{"id": "C-4", "source_campaign": "CMP-G", "created_at": "2024-01-04T00:00:00Z"}}],
  "deals": [
    {{"id": "D-1", "contact": "C-1", "pipeline": "sales", "stage": "won", "status": "won", "value": {{"amount": "1000", "currency": "USD"}}, "created_at": "2024-01-20T00:00:00Z", "closed_at": "2024-02-01T00:00:00Z"}},
    {{"id": "D-2", "contact": "C-2", "pipeline": "sales", "stage": "won", "status": "won", "value": {{"amount": "600", "currency": "USD"}}, "created_at": "2024-01-20T00:00:00Z", "closed_at": "2024-02-10T00:00:00Z"}},
    {{"id": "D-4", "contact": "C-4", "pipeline": "sales", "stage": "won", "status": "won", "value": {{"amount": "400", "currency": "USD"}}, "created_at": "2024-01-20T00:00:00Z", "closed_at": "2024-02-20T00:00:00Z"}}],
  "activities": [
    {{"id": "A-1", "contact": "C-1", "at": "2024-01-10T00:00:00Z", "kind": {{"type": "website_visit", "url": "/pricing?utm_source=linkedin&utm_medium=social&utm_campaign=CMP-O"}}}},
    {{"id": "A-2", "contact": "C-2", "at": "2024-01-15T00:00:00Z", "campaign": "CMP-S", "kind": {{"type": "form_submission", "form": "demo"}}}},
    {{"id": "A-3", "contact": "C-3", "at": "2024-01-20T00:00:00Z", "kind": {{"type": "website_visit", "url": "/demo?utm_campaign=CMP-S"}}}}]
}}"#
    ))
    .expect("valid dataset")
}

fn request(ad_touches: &str, models: &str) -> DatasetAttributionRequest {
    DatasetAttributionRequest::from_json(&format!(
        r#"{{"conversion": {{"event": "won_deal"}}, "currency": "USD", "lookback_days": null,
             {ad_touches} "models": [{models}]}}"#
    ))
    .expect("request")
}

fn paths(ds: &Dataset, req: &DatasetAttributionRequest) -> Vec<(Vec<String>, u32)> {
    attribution_request(ds, req)
        .unwrap()
        .journeys
        .iter()
        .map(|j| {
            let channels = j.touches.iter().map(|t| t.channel.clone()).collect();
            (channels, j.conversions)
        })
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn only_paid_media_campaigns_with_advertising_bought_are_ad_campaigns() {
    // CMP-S: social + 300 advertising. Not CMP-O (advertising of 0), CMP-W
    // (e-mail), CMP-G (salaries, not advertising).
    let ds = ads();
    let ids: Vec<&str> = ad_campaigns(&ds).iter().map(|c| c.as_str()).collect();
    assert_eq!(ids, ["CMP-S"]);
}

#[test]
fn ad_touches_default_to_their_own_paid_channel() {
    let ds = ads();
    let req = request(
        "",
        r#"{"model": "first_touch"}, {"model": "last_touch"}, {"model": "linear"}, {"model": "markov"}"#,
    );
    assert_eq!(req.ad_touches, AdTouches::PaidChannel);
    // Journeys: C-1 [paid_social (source CMP-S), social (UTM CMP-O)] → 1000;
    // C-2 [social (source CMP-O), paid_social (form of CMP-S)] → 600;
    // C-3 [email (source CMP-W), paid_social (UTM CMP-S)], no deal;
    // C-4 [search (source CMP-G)] → 400.
    assert_eq!(
        paths(&ds, &req),
        [
            (strings(&["paid_social", "social"]), 1),
            (strings(&["social", "paid_social"]), 1),
            (strings(&["email", "paid_social"]), 0),
            (strings(&["search"]), 1),
        ]
    );
    let r = dataset_attribution_report(&ds, &req).unwrap();
    let channel = |m: usize, key: &str| {
        let c = r.models[m].channels.iter().find(|c| c.key == key).unwrap();
        (c.conversions, c.value.amount)
    };
    // First touch: paid_social gets D-1 (1000), social D-2 (600), search D-4.
    assert_eq!(channel(0, "paid_social"), (d("1"), d("1000")));
    assert_eq!(channel(0, "social"), (d("1"), d("600")));
    assert_eq!(channel(0, "search"), (d("1"), d("400")));
    // Last touch: social D-1, paid_social D-2 (the ad form came last).
    assert_eq!(channel(1, "social"), (d("1"), d("1000")));
    assert_eq!(channel(1, "paid_social"), (d("1"), d("600")));
    // Linear: paid_social ½ of 1000 + ½ of 600 = 800, 1 conversion; social
    // the same; search 400.
    assert_eq!(channel(2, "paid_social"), (d("1"), d("800")));
    assert_eq!(channel(2, "social"), (d("1"), d("800")));
    assert_eq!(channel(2, "search"), (d("1"), d("400")));
    // Spend per channel: paid_social 0 + 300 (CMP-S); social 100 + 0
    // (CMP-O); email 50 + 200 (CMP-W); search 0 + 100 (CMP-G). First touch
    // on paid_social: CPA 300 / 1 = 300, ROI (1000 − 300) / 300 = 2.333333.
    let paid = r.models[0]
        .channels
        .iter()
        .find(|c| c.key == "paid_social")
        .unwrap();
    assert_eq!(paid.spend.as_ref().unwrap().amount, d("300"));
    assert_eq!(
        paid.cost_per_acquisition,
        KpiValue::Defined { value: d("300") }
    );
    assert_eq!(
        paid.roi,
        KpiValue::Defined {
            value: d("2.333333")
        }
    );
    let spend = |key: &str| {
        r.models[0]
            .channels
            .iter()
            .find(|c| c.key == key)
            .and_then(|c| c.spend.as_ref())
            .map(|m| m.amount)
    };
    assert_eq!(spend("social"), Some(d("100")));
    assert_eq!(spend("email"), Some(d("250")));
    assert_eq!(spend("search"), Some(d("100")));
    // Markov (first order) over the four paths. Transitions: start → each
    // of paid, social, email, search ¼; paid → social, conv, null ⅓ each;
    // social → conv, paid ½ each; email → paid; search → conv. With p, s
    // the conversion probabilities from paid and social: p = s/3 + 1/3,
    // s = 1/2 + p/2 → p = 3/5, s = 4/5, email 3/5, search 1, so
    // P(conv) = (3/5 + 4/5 + 3/5 + 1) / 4 = 3/4. Removing paid_social
    // (→ null): s = 1/2, email 0 → P = (0 + 1/2 + 0 + 1) / 4 = 3/8, effect
    // 1 − (3/8)/(3/4) = 1/2. Removing social: p = 1/3, email 1/3 →
    // P = 5/12, effect 1 − 5/9 = 4/9. Removing email: P = (3/5 + 4/5 + 1)/4
    // = 3/5, effect 1/5. Removing search: P = 2/4 → effect 1/3.
    let m = &r.models[3];
    assert!((m.conversion_probability.unwrap() - 0.75).abs() < 1e-12);
    let effects = m.removal_effects.as_ref().unwrap();
    for (key, want) in [
        ("paid_social", 0.5),
        ("social", 4.0 / 9.0),
        ("email", 0.2),
        ("search", 1.0 / 3.0),
    ] {
        assert!(
            (effects[key] - want).abs() < 1e-12,
            "{key}: {}",
            effects[key]
        );
    }
    let total: Decimal = m.channels.iter().map(|c| c.value.amount).sum();
    assert_eq!(total, d("2000"));
}

#[test]
fn ad_touches_may_stay_on_their_channel_or_be_left_out() {
    let ds = ads();
    // "channel": the touches of before, CMP-S on social like CMP-O.
    let req = request(r#""ad_touches": "channel","#, r#"{"model": "linear"}"#);
    assert_eq!(
        paths(&ds, &req),
        [
            (strings(&["social", "social"]), 1),
            (strings(&["social", "social"]), 1),
            (strings(&["email", "social"]), 0),
            (strings(&["search"]), 1),
        ]
    );
    let r = dataset_attribution_report(&ds, &req).unwrap();
    let social = r.models[0]
        .channels
        .iter()
        .find(|c| c.key == "social")
        .unwrap();
    // Linear: social all of D-1 and D-2 (2, 1600); spend 300 + 100 = 400.
    assert_eq!(
        (social.conversions, social.value.amount),
        (d("2"), d("1600"))
    );
    assert_eq!(social.spend.as_ref().unwrap().amount, d("400"));
    assert!(r.models[0].channels.iter().all(|c| c.key != "paid_social"));

    // "exclude": the three CMP-S touches go; C-3 keeps only the webinar.
    let req = request(r#""ad_touches": "exclude","#, r#"{"model": "linear"}"#);
    assert_eq!(
        paths(&ds, &req),
        [
            (strings(&["social"]), 1),
            (strings(&["social"]), 1),
            (strings(&["email"]), 0),
            (strings(&["search"]), 1),
        ]
    );
    let r = dataset_attribution_report(&ds, &req).unwrap();
    // CMP-S gets no credit; its spend is still listed (300, CPA undefined).
    let cmp_s = r.models[0]
        .campaigns
        .iter()
        .find(|c| c.key == "CMP-S")
        .unwrap();
    assert_eq!(cmp_s.conversions, d("0"));
    assert_eq!(cmp_s.spend.as_ref().unwrap().amount, d("300"));
    assert!(matches!(
        cmp_s.cost_per_acquisition,
        KpiValue::Undefined { .. }
    ));
    // An unknown mode is refused, naming the field.
    let e = DatasetAttributionRequest::from_json(
        r#"{"conversion": {"event": "won_deal"}, "models": [{"model": "linear"}], "ad_touches": "paid"}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("ad_touches"), "{e}");
}

/// A random dataset: `campaigns` (channel index, advertising cents), and
/// per contact (source campaign, touches (campaign, hour), deals (hour,
/// cents)).
type Contact = (u8, Vec<(u8, u32)>, Vec<(u32, u32)>);

fn random_dataset(campaigns: &[(u8, u32)], contacts: &[Contact]) -> Dataset {
    const CHANNELS: [&str; 5] = ["social", "search", "display", "email", "events"];
    let n = campaigns.len() as u8;
    let at = |hour: u32| format!("2024-01-{:02}T{:02}:00:00Z", 2 + hour / 24, hour % 24);
    let mut json_campaigns = Vec::new();
    let mut spend = Vec::new();
    for (k, (channel, ad_cents)) in campaigns.iter().enumerate() {
        json_campaigns.push(format!(
            r#"{{"id": "K-{k}", "name": "k", "channel": "{}", "cost": {{"amount": "10", "currency": "USD"}}, "start": "2024-01-01", "end": "2024-03-31"}}"#,
            CHANNELS[*channel as usize % CHANNELS.len()]
        ));
        spend.push(format!(
            r#"{{"id": "S-{k}", "date": "2024-01-01", "category": "marketing", "kind": "advertising", "amount": {{"amount": "{}.{:02}", "currency": "USD"}}, "campaign": "K-{k}"}}"#,
            ad_cents / 100,
            ad_cents % 100
        ));
    }
    let (mut json_contacts, mut deals, mut activities) = (Vec::new(), Vec::new(), Vec::new());
    for (i, (source, touches, won)) in contacts.iter().enumerate() {
        json_contacts.push(format!(
            r#"{{"id": "C-{i}", "source_campaign": "K-{}", "created_at": "2024-01-01T00:00:00Z"}}"#,
            source % n
        ));
        for (j, (campaign, hour)) in touches.iter().enumerate() {
            activities.push(format!(
                r#"{{"id": "A-{i}-{j}", "contact": "C-{i}", "at": "{}", "kind": {{"type": "website_visit", "url": "/p?utm_campaign=K-{}"}}}}"#,
                at(*hour),
                campaign % n
            ));
        }
        for (j, (hour, cents)) in won.iter().enumerate() {
            deals.push(format!(
                r#"{{"id": "D-{i}-{j}", "contact": "C-{i}", "pipeline": "sales", "stage": "won", "status": "won", "value": {{"amount": "{}.{:02}", "currency": "USD"}}, "created_at": "2024-01-01T00:00:00Z", "closed_at": "{}"}}"#,
                cents / 100,
                cents % 100,
                at(*hour)
            ));
        }
    }
    Dataset::from_json(&format!(
        r#"{{"reporting_currency": "USD", {PIPELINE}, "campaigns": [{}], "spend": [{}], "contacts": [{}], "deals": [{}], "activities": [{}]}}"#,
        json_campaigns.join(","),
        spend.join(","),
        json_contacts.join(","),
        deals.join(","),
        activities.join(",")
    ))
    .expect("random dataset")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn credit_sums_exactly_with_every_ad_touch_mode(
        campaigns in prop::collection::vec((0u8..5, 0u32..50_000), 1..6),
        contacts in prop::collection::vec(
            (
                0u8..6,
                prop::collection::vec((0u8..6, 0u32..400), 0..5),
                prop::collection::vec((0u32..400, 0u32..100_000), 0..3),
            ),
            1..12,
        ),
        scale in 0u32..7,
    ) {
        let ds = random_dataset(&campaigns, &contacts);
        for mode in ["paid_channel", "channel", "exclude"] {
            let req = DatasetAttributionRequest::from_json(&format!(
                r#"{{"conversion": {{"event": "won_deal"}}, "ad_touches": "{mode}", "scale": {scale},
                    "models": [{{"model": "first_touch"}}, {{"model": "last_touch"}}, {{"model": "linear"}},
                               {{"model": "time_decay"}}, {{"model": "position_based"}}, {{"model": "markov"}},
                               {{"model": "shapley"}}]}}"#
            ))
            .unwrap();
            let built = attribution_request(&ds, &req).unwrap();
            let ads: Vec<String> = ad_campaigns(&ds).iter().map(|c| c.as_str().to_string()).collect();
            for touch in built.journeys.iter().flat_map(|j| &j.touches) {
                let ad = touch.campaign.as_ref().is_some_and(|c| ads.contains(c));
                match mode {
                    "paid_channel" => prop_assert_eq!(ad, touch.channel.starts_with("paid_")),
                    "channel" => prop_assert!(!touch.channel.starts_with("paid_")),
                    _ => prop_assert!(!ad),
                }
            }
            let r = dataset_attribution_report(&ds, &req).unwrap();
            let want_conv = r.total_conversions - r.unattributed_conversions;
            let want_value = r.total_value.amount - r.unattributed_value.amount;
            for m in &r.models {
                let conv: Decimal = m.channels.iter().map(|c| c.conversions).sum();
                let value: Decimal = m.channels.iter().map(|c| c.value.amount).sum();
                prop_assert_eq!(conv, want_conv, "{} {} conversions", mode, m.model.name());
                prop_assert_eq!(value, want_value, "{} {} value", mode, m.model.name());
                let conv: Decimal = m.campaigns.iter().map(|c| c.conversions).sum();
                let value: Decimal = m.campaigns.iter().map(|c| c.value.amount).sum();
                prop_assert_eq!(conv, want_conv, "{} {} campaign conversions", mode, m.model.name());
                prop_assert_eq!(value, want_value, "{} {} campaign value", mode, m.model.name());
            }
            // Spend is moved between channels, never lost: 10 cost per
            // campaign plus its advertising.
            let spend: Decimal = r.models[0].channels.iter().filter_map(|c| c.spend.as_ref()).map(|s| s.amount).sum();
            let want: Decimal = campaigns.iter().map(|(_, cents)| Decimal::new(1000 + i64::from(*cents), 2)).sum();
            prop_assert_eq!(spend, want, "{} spend", mode);
        }
    }
}
