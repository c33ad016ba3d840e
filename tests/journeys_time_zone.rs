//! Time zones with daylight saving: POSIX TZ rules and the built-in IANA
//! table, transition dates worked out by hand for 2026, waits across each
//! change, gaps and repeated hours, malformed rules named by their path,
//! and a proptest that parsing never panics.
//!
//! The 2026 calendar used below: 1 March 2026 is a Sunday, so the last
//! Sunday of March is the 29th and the second the 8th; 1 October is a
//! Thursday, so the last Sunday of October is the 25th and the first the
//! 4th; 1 November and 5 April are Sundays.

use chrono::{NaiveDate, NaiveDateTime};
use crmkit::automation::{Event, EventType};
use crmkit::journeys::{Input, Journey, JourneyState, TimeZoneRule};
use crmkit::model::{Dataset, Timestamp};
use proptest::prelude::*;
use serde_json::{Value, json};

fn ts(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

fn zone(text: &str) -> TimeZoneRule {
    TimeZoneRule::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(h, min, 0))
        .expect("date")
}

/// The offset in hours (east) at an instant.
fn hours(z: &TimeZoneRule, at: &str) -> f64 {
    f64::from(z.offset_at(ts(at)).local_minus_utc()) / 3600.0
}

#[test]
fn europe_2026_changes_on_29_march_and_25_october_at_01_utc() {
    for text in [
        "CET-1CEST,M3.5.0,M10.5.0/3",
        "Europe/Paris",
        "Europe/Berlin",
    ] {
        let z = zone(text);
        assert_eq!(hours(&z, "2026-03-29T00:59:59Z"), 1.0, "{text}");
        assert_eq!(hours(&z, "2026-03-29T01:00:00Z"), 2.0, "{text}");
        assert_eq!(hours(&z, "2026-10-25T00:59:59Z"), 2.0, "{text}");
        assert_eq!(hours(&z, "2026-10-25T01:00:00Z"), 1.0, "{text}");
        assert_eq!(hours(&z, "2026-01-15T12:00:00Z"), 1.0, "{text}");
        assert_eq!(hours(&z, "2026-07-15T12:00:00Z"), 2.0, "{text}");
    }
    // London changes at the same instants, from 0 to +1 (M3.5.0/1).
    let london = zone("Europe/London");
    assert_eq!(hours(&london, "2026-03-29T00:59:59Z"), 0.0);
    assert_eq!(hours(&london, "2026-03-29T01:00:00Z"), 1.0);
    assert_eq!(hours(&london, "2026-10-25T00:59:59Z"), 1.0);
    assert_eq!(hours(&london, "2026-10-25T01:00:00Z"), 0.0);
    // Dublin's tzdata rule has negative daylight saving (winter is the
    // "daylight" time): the same offsets as London all the same.
    let dublin = zone("Europe/Dublin");
    for at in [
        "2026-03-29T00:59:59Z",
        "2026-03-29T01:00:00Z",
        "2026-10-25T00:59:59Z",
        "2026-10-25T01:00:00Z",
        "2026-12-31T23:00:00Z",
    ] {
        assert_eq!(hours(&dublin, at), hours(&london, at), "{at}");
    }
}

#[test]
fn us_2026_changes_on_8_march_and_1_november_at_02_local() {
    let z = zone("EST5EDT,M3.2.0,M11.1.0");
    assert_eq!(z, zone("America/New_York"));
    // 02:00 EST = 07:00 UTC; 02:00 EDT = 06:00 UTC.
    assert_eq!(hours(&z, "2026-03-08T06:59:59Z"), -5.0);
    assert_eq!(hours(&z, "2026-03-08T07:00:00Z"), -4.0);
    assert_eq!(hours(&z, "2026-11-01T05:59:59Z"), -4.0);
    assert_eq!(hours(&z, "2026-11-01T06:00:00Z"), -5.0);
    let la = zone("America/Los_Angeles");
    assert_eq!(hours(&la, "2026-03-08T09:59:59Z"), -8.0);
    assert_eq!(hours(&la, "2026-03-08T10:00:00Z"), -7.0);
    // Arizona keeps standard time.
    assert_eq!(
        hours(&zone("America/Phoenix"), "2026-07-01T12:00:00Z"),
        -7.0
    );
}

#[test]
fn southern_hemisphere_summer_spans_the_new_year() {
    let z = zone("AEST-10AEDT,M10.1.0,M4.1.0/3");
    assert_eq!(z, zone("Australia/Sydney"));
    // Ends Sunday 5 April 2026 03:00 AEDT (+11) = 4 April 16:00 UTC.
    assert_eq!(hours(&z, "2026-04-04T15:59:59Z"), 11.0);
    assert_eq!(hours(&z, "2026-04-04T16:00:00Z"), 10.0);
    // Starts Sunday 4 October 2026 02:00 AEST (+10) = 3 October 16:00 UTC.
    assert_eq!(hours(&z, "2026-10-03T15:59:59Z"), 10.0);
    assert_eq!(hours(&z, "2026-10-03T16:00:00Z"), 11.0);
    assert_eq!(hours(&z, "2026-01-01T00:00:00Z"), 11.0);
    assert_eq!(hours(&z, "2026-07-01T00:00:00Z"), 10.0);
    assert_eq!(hours(&z, "2026-12-31T23:00:00Z"), 11.0);
}

#[test]
fn julian_day_forms_and_explicit_times_follow_rfc_8536() {
    // Jn never counts 29 February: J60 is 1 March in 2027 and in 2028.
    let j = zone("AAA0BBB,J60/0,J300/0");
    assert_eq!(hours(&j, "2027-02-28T23:59:59Z"), 0.0);
    assert_eq!(hours(&j, "2027-03-01T00:00:00Z"), 1.0);
    assert_eq!(hours(&j, "2028-02-29T23:59:59Z"), 0.0);
    assert_eq!(hours(&j, "2028-03-01T00:00:00Z"), 1.0);
    // n counts from 0 and counts 29 February: day 60 is 2 March in 2027
    // but 1 March in 2028.
    let n = zone("AAA0BBB,60/0,300/0");
    assert_eq!(hours(&n, "2027-03-01T23:59:59Z"), 0.0);
    assert_eq!(hours(&n, "2027-03-02T00:00:00Z"), 1.0);
    assert_eq!(hours(&n, "2028-03-01T00:00:00Z"), 1.0);
    // A time beyond 24 hours: Jerusalem's summer starts on the Friday
    // after the fourth Thursday of March (26 March 2026) at 26:00 local
    // = Friday 02:00 +02 = 00:00 UTC; it ends on 25 October 02:00 +03.
    let il = zone("IST-2IDT,M3.4.4/26,M10.5.0");
    assert_eq!(il, zone("Asia/Jerusalem"));
    assert_eq!(hours(&il, "2026-03-26T23:59:59Z"), 2.0);
    assert_eq!(hours(&il, "2026-03-27T00:00:00Z"), 3.0);
    assert_eq!(hours(&il, "2026-10-24T22:59:59Z"), 3.0);
    assert_eq!(hours(&il, "2026-10-24T23:00:00Z"), 2.0);
    // A negative time: Nuuk changes on Saturday 23:00 local (-1 h on
    // Sunday) = Sunday 01:00 UTC.
    let nuuk = zone("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    assert_eq!(hours(&nuuk, "2026-03-29T00:59:59Z"), -2.0);
    assert_eq!(hours(&nuuk, "2026-03-29T01:00:00Z"), -1.0);
    assert_eq!(hours(&nuuk, "2026-10-25T00:59:59Z"), -1.0);
    assert_eq!(hours(&nuuk, "2026-10-25T01:00:00Z"), -2.0);
    // Daylight saving all year (RFC 8536's example): always -4.
    let always = zone("EST5EDT,0/0,J365/25");
    for at in [
        "2026-01-01T00:00:00Z",
        "2026-01-01T05:00:00Z",
        "2026-07-01T00:00:00Z",
        "2026-12-31T23:59:59Z",
    ] {
        assert_eq!(hours(&always, at), -4.0, "{at}");
    }
    // Angle-bracket names and minutes; the POSIX sign is west of UTC.
    assert_eq!(hours(&zone("<+0530>-5:30"), "2026-06-01T00:00:00Z"), 5.5);
    assert_eq!(
        hours(&zone("NST3:30NDT,M3.2.0,M11.1.0"), "2026-01-10T00:00:00Z"),
        -3.5
    );
    // The daylight offset defaults to one hour more than standard.
    assert_eq!(
        hours(&zone("CET-1CEST,M3.5.0,M10.5.0/3"), "2026-07-01T00:00:00Z"),
        2.0
    );
    assert_eq!(
        hours(
            &zone("CET-1CEST-3,M3.5.0,M10.5.0/3"),
            "2026-07-01T00:00:00Z"
        ),
        3.0
    );
}

#[test]
fn skipped_local_times_take_the_end_of_the_gap_and_repeated_ones_the_earlier_instant() {
    let paris = zone("Europe/Paris");
    // 29 March 2026: 02:00-03:00 does not exist.
    assert_eq!(
        paris.instant(local(2026, 3, 29, 2, 30)),
        ts("2026-03-29T01:00:00Z")
    );
    assert_eq!(
        paris.instant(local(2026, 3, 29, 2, 0)),
        ts("2026-03-29T01:00:00Z")
    );
    assert_eq!(
        paris.instant(local(2026, 3, 29, 3, 0)),
        ts("2026-03-29T01:00:00Z")
    );
    assert_eq!(
        paris.instant(local(2026, 3, 29, 1, 59)),
        ts("2026-03-29T00:59:00Z")
    );
    // 25 October 2026: 02:00-03:00 happens twice; the first (CEST) wins.
    assert_eq!(
        paris.instant(local(2026, 10, 25, 2, 30)),
        ts("2026-10-25T00:30:00Z")
    );
    assert_eq!(
        paris.instant(local(2026, 10, 25, 3, 0)),
        ts("2026-10-25T02:00:00Z")
    );
    let ny = zone("America/New_York");
    assert_eq!(
        ny.instant(local(2026, 3, 8, 2, 30)),
        ts("2026-03-08T07:00:00Z")
    );
    assert_eq!(
        ny.instant(local(2026, 11, 1, 1, 30)),
        ts("2026-11-01T05:30:00Z")
    );
    let sydney = zone("Australia/Sydney");
    assert_eq!(
        sydney.instant(local(2026, 10, 4, 2, 30)),
        ts("2026-10-03T16:00:00Z")
    );
    assert_eq!(
        sydney.instant(local(2026, 4, 5, 2, 30)),
        ts("2026-04-04T15:30:00Z")
    );
}

/// A snapshot with one contact C-1 living in `tz`.
fn living_in(tz: &str) -> Dataset {
    let doc = json!({"contacts": [
        {"id": "C-1", "name": "Ada", "created_at": "2026-01-01T09:00:00Z",
         "attributes": {"utc_offset": tz}}]});
    Dataset::from_json(&doc.to_string()).expect("snapshot")
}

fn one_wait(wait: Value) -> Journey {
    let mut step = json!({"id": "a", "type": "wait", "next": "end"});
    for (k, v) in wait.as_object().expect("object") {
        step[k] = v.clone();
    }
    let doc = json!({"id": "j", "start": "a",
                     "entry": {"triggers": [{"type": "contact_created"}]},
                     "steps": [step, {"id": "end", "type": "end"}]});
    Journey::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("journey: {e}"))
}

/// When C-1 (living in `tz`), entering at `at`, wakes up from `wait`.
fn wake(tz: &str, wait: Value, at: &str) -> Timestamp {
    let mut e = Event::new("E-1", EventType::ContactCreated, ts(at));
    e.contact = Some("C-1".parse().expect("id"));
    let (out, _) = one_wait(wait)
        .advance(
            &JourneyState::new(),
            &Input::Event(e),
            &living_in(tz),
            ts(at),
        )
        .unwrap_or_else(|e| panic!("advance: {e}"));
    out.next_wake_at.expect("waiting")
}

#[test]
fn waits_until_nine_land_at_nine_local_across_each_2026_change() {
    let next_day_nine = json!({"days": 1, "at": "09:00"});
    // Paris, spring: Sat 28 Mar 21:00 CET + 1 day = Sun 29 Mar 21:00 CEST;
    // the next 09:00 is Mon 30 Mar 09:00 CEST = 07:00 UTC (a fixed +01:00
    // would say 08:00).
    assert_eq!(
        wake(
            "Europe/Paris",
            next_day_nine.clone(),
            "2026-03-28T20:00:00Z"
        ),
        ts("2026-03-30T07:00:00Z")
    );
    // Paris, autumn: Sat 24 Oct 22:00 CEST -> Mon 26 Oct 09:00 CET = 08:00 UTC.
    assert_eq!(
        wake(
            "Europe/Paris",
            next_day_nine.clone(),
            "2026-10-24T20:00:00Z"
        ),
        ts("2026-10-26T08:00:00Z")
    );
    // New York, spring: Sat 7 Mar 15:00 EST -> Mon 9 Mar 09:00 EDT = 13:00 UTC.
    assert_eq!(
        wake(
            "America/New_York",
            next_day_nine.clone(),
            "2026-03-07T20:00:00Z"
        ),
        ts("2026-03-09T13:00:00Z")
    );
    // New York, autumn: Sat 31 Oct 16:00 EDT -> Mon 2 Nov 09:00 EST = 14:00 UTC.
    assert_eq!(
        wake(
            "EST5EDT,M3.2.0,M11.1.0",
            next_day_nine.clone(),
            "2026-10-31T20:00:00Z"
        ),
        ts("2026-11-02T14:00:00Z")
    );
    // Sydney, spring (October): Sat 3 Oct 10:00 AEST -> Mon 5 Oct 09:00
    // AEDT (+11) = Sun 4 Oct 22:00 UTC.
    assert_eq!(
        wake(
            "Australia/Sydney",
            next_day_nine.clone(),
            "2026-10-03T00:00:00Z"
        ),
        ts("2026-10-04T22:00:00Z")
    );
    // Sydney, autumn (April): Sat 4 Apr 10:00 AEDT -> Mon 6 Apr 09:00 AEST
    // (+10) = Sun 5 Apr 23:00 UTC.
    assert_eq!(
        wake("Australia/Sydney", next_day_nine, "2026-04-03T23:00:00Z"),
        ts("2026-04-05T23:00:00Z")
    );
}

#[test]
fn days_are_local_calendar_days_and_hours_are_elapsed_time() {
    // One day from Sat 28 Mar 12:00 CET is Sun 29 Mar 12:00 CEST: 23 hours.
    assert_eq!(
        wake("Europe/Paris", json!({"days": 1}), "2026-03-28T11:00:00Z"),
        ts("2026-03-29T10:00:00Z")
    );
    // One day from Sat 24 Oct 12:00 CEST is Sun 25 Oct 12:00 CET: 25 hours.
    assert_eq!(
        wake("Europe/Paris", json!({"days": 1}), "2026-10-24T10:00:00Z"),
        ts("2026-10-25T11:00:00Z")
    );
    // 24 hours are 24 hours.
    assert_eq!(
        wake("Europe/Paris", json!({"hours": 24}), "2026-03-28T11:00:00Z"),
        ts("2026-03-29T11:00:00Z")
    );
    // A business day from Friday 27 March 12:00 CET is Monday 12:00 CEST.
    assert_eq!(
        wake(
            "Europe/Paris",
            json!({"business_days": 1}),
            "2026-03-27T11:00:00Z"
        ),
        ts("2026-03-30T10:00:00Z")
    );
}

#[test]
fn waits_for_a_skipped_or_repeated_local_time_follow_the_documented_rule() {
    // Until 02:30 on the night the clocks go forward: 02:30 does not
    // exist, so the wait ends when the gap ends (03:00 CEST = 01:00 UTC).
    assert_eq!(
        wake(
            "Europe/Paris",
            json!({"at": "02:30"}),
            "2026-03-28T23:00:00Z"
        ),
        ts("2026-03-29T01:00:00Z")
    );
    // On the night they go back, 02:30 happens twice: the first one.
    assert_eq!(
        wake(
            "Europe/Paris",
            json!({"at": "02:30"}),
            "2026-10-24T23:00:00Z"
        ),
        ts("2026-10-25T00:30:00Z")
    );
}

#[test]
fn malformed_rules_are_refused_with_their_path_and_reason() {
    let cases = [
        ("CET-1CEST,M13.5.0,M10.5.0", "month 1-12"),
        ("CET-1CEST,M3.6.0,M10.5.0", "week 1-5"),
        ("CET-1CEST,M3.5.7,M10.5.0", "weekday 0-6"),
        ("CET-1CEST,M3.5,M10.5.0", "Mm.w.d"),
        ("CET-1CEST", "needs its rules"),
        ("CET-1CEST,M3.5.0", "end rule"),
        ("CET-1CEST,J0,M10.5.0", "Jn needs n from 1 to 365"),
        ("CET-1CEST,366,M10.5.0", "n from 0 to 365"),
        ("CET-1CEST,M3.5.0/168,M10.5.0", "at most 167"),
        ("CET-25", "at most 24"),
        ("CET-1:60", "at most 59"),
        ("<+0530-5:30", "'>'"),
        ("CE-1", "three letters"),
        ("CET", "expected a number"),
        ("CET-1CEST,M3.5.0,M10.5.0/3x", "unexpected text"),
        ("Mars/Olympus", "built-in table"),
        ("", "empty"),
    ];
    for (text, why) in cases {
        let err = TimeZoneRule::parse(text).expect_err(text);
        assert!(err.message().contains(why), "{text}: {err}");
        // In a journey, the error names the JSON path.
        let doc = json!({"id": "j", "start": "a", "time_zone": text,
                         "entry": {"triggers": [{"type": "contact_created"}]},
                         "steps": [{"id": "a", "type": "end"}]});
        let err = Journey::from_json(&doc.to_string()).expect_err(text);
        assert_eq!(err.path(), Some("time_zone"), "{text}");
        assert!(err.message().contains(why), "{text}: {err}");
    }
    // In a contact, the field and the contact.
    let mut e = Event::new("E-1", EventType::ContactCreated, ts("2026-05-01T09:00:00Z"));
    e.contact = Some("C-1".parse().expect("id"));
    let err = one_wait(json!({"at": "09:00"}))
        .advance(
            &JourneyState::new(),
            &Input::Event(e),
            &living_in("CET-1CEST,M13.5.0,M10.5.0"),
            ts("2026-05-01T09:00:00Z"),
        )
        .expect_err("bad contact zone");
    assert_eq!(err.path(), Some("contact.attributes.utc_offset"));
    assert!(err.message().contains("contact C-1"), "{err}");
    assert!(err.message().contains("month 1-12"), "{err}");
}

#[test]
fn every_built_in_name_parses_to_its_rule() {
    assert!(TimeZoneRule::NAMES.len() >= 50);
    for (name, rule) in TimeZoneRule::NAMES {
        assert_eq!(zone(name), zone(rule), "{name}");
    }
}

proptest! {
    #[test]
    fn parsing_any_text_never_panics(text in "\\PC{0,40}") {
        let _ = TimeZoneRule::parse(&text);
    }

    #[test]
    fn rule_shaped_text_never_panics_and_local_times_round_trip(
        text in "(<[A-Z0-9+-]{1,5}>|[A-Z]{2,4})[-+]?[0-9]{1,3}(:[0-9]{1,2}){0,2}([A-Z]{3,4}([-+]?[0-9]{1,2})?(,(M[0-9]{1,2}\\.[0-9]\\.[0-9]|J?[0-9]{1,3})(/-?[0-9]{1,3}(:[0-9]{1,2})?)?){0,2})?",
        secs in -62_000_000_000_i64..253_000_000_000_i64,
    ) {
        if let Ok(z) = TimeZoneRule::parse(&text) {
            let at = chrono::DateTime::from_timestamp(secs, 0).expect("in range");
            let shown = z.local(at);
            let back = z.instant(shown);
            // The local time exists (it was read off the clock), so its
            // instant shows the same local time and is at or before `at`
            // (the earlier of two when it is repeated).
            prop_assert_eq!(z.local(back), shown);
            prop_assert!(back <= at);
        }
    }
}
