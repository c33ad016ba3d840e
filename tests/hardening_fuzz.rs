//! A bounded fuzz round over every C entry point (issue 20), in a child
//! process limited to 256 MB of address space (`ulimit -v`), so that an
//! allocation past the budget aborts the child and fails the test instead of
//! taking the machine down.
//!
//! * Every JSON argument ([`hardening_ffi::slots`]) gets documents mutated
//!   from its valid example: numbers and strings swapped for hostile ones
//!   (1e400, 2^64, dates past year 9999, 10,000-character strings...),
//!   values swapped for others of another kind, array elements repeated up
//!   to 2,000 times, bytes deleted, inserted or cut.
//! * Every flat-array function gets arrays of random lengths (matching
//!   buffers) holding NaN, infinities, negative and huge values, with
//!   hostile scalars (horizons, units, rates, times); NULL with length 0;
//!   outputs overlapping inputs.
//! * Every handle-taking function gets a handle of the wrong kind.
//!
//! No call may return `CRM_STATUS_PANIC` (except `crm_test_force_panic`),
//! abort or exceed the memory budget. Each call's time is measured and the
//! slowest per function printed (not asserted: timing is the machine's).
//!
//! `cargo test --test hardening_fuzz` runs a short round (a few seconds);
//! `CRMKIT_FUZZ_ROUNDS=<n> CRMKIT_FUZZ_SEED=<s> cargo test --release --test
//! hardening_fuzz -- --nocapture` a longer one. The test also checks that
//! this file calls every function of `include/crmkit.h`.
#![cfg(feature = "ffi")]

mod hardening_ffi;

use std::collections::BTreeMap;
use std::ffi::{CStr, c_char};
use std::ptr;
use std::time::{Duration, Instant};

use crmkit::ffi::automation::*;
use crmkit::ffi::dataset::*;
use crmkit::ffi::journeys::*;
use crmkit::ffi::kpi::*;
use crmkit::ffi::predict::*;
use crmkit::ffi::scoring::*;
use crmkit::ffi::*;
use hardening_ffi::{AS_OF, Fixture, c, clv_arrays, free_string, last_error, slots};

const CHILD: &str = "CRMKIT_FUZZ_CHILD";
/// The address-space budget of the child, in KiB (256 MB).
const BUDGET_KIB: u64 = 256 * 1024;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1e400",
    "-1e400",
    "1e308",
    "-1e308",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "9007199254740993",
    "1e15",
    "100000000",
    "0.5",
    "-0.0",
    "12345678901234567.89",
    "1e-300",
    "2147483648",
    "65536",
    "1000000",
];

fn strings() -> Vec<String> {
    let mut out: Vec<String> = [
        "",
        "x",
        "\\u0000",
        "+262142-12-30T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "10000-01-01T00:00:00Z",
        "1970-01-01T00:00:00Z",
        "2026-02-30",
        "-1",
        "1e400",
        "NaN",
        "\u{fc}n\u{ef}c\u{f8}d\u{e9}",
        "../..",
        "12345678901234567.89",
        "+12",
        " 12 ",
        "1_000",
        "all",
        "every_time",
        "won",
        "USD",
        "XXX",
        "contact.tags",
        "deal.value",
        "company.industry",
        "\\ud800",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    out.push("y".repeat(10_000));
    out
}

const VALUES: &[&str] = &[
    "null",
    "[]",
    "{}",
    "true",
    "false",
    "-1",
    "\"x\"",
    "[1, 2]",
    "{\"a\": 1}",
    "[[[[[]]]]]",
    "{\"amount\": \"1e28\", \"currency\": \"USD\"}",
];

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Str,
    Num,
    Lit,
    Open,
}

/// The tokens of a JSON text: (start, end, kind).
fn tokens(doc: &str) -> Vec<(usize, usize, Kind)> {
    let b = doc.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let end = (j + 1).min(b.len());
                out.push((i, end, Kind::Str));
                i = end;
            }
            b'-' | b'0'..=b'9' => {
                let mut j = i + 1;
                while j < b.len() && matches!(b[j], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    j += 1;
                }
                out.push((i, j, Kind::Num));
                i = j;
            }
            b't' | b'f' | b'n' => {
                let mut j = i;
                while j < b.len() && b[j].is_ascii_alphabetic() {
                    j += 1;
                }
                out.push((i, j, Kind::Lit));
                i = j;
            }
            b'[' => {
                out.push((i, i + 1, Kind::Open));
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// The end of the JSON value starting at `start` (a token or container).
fn value_end(doc: &str, start: usize) -> usize {
    let b = doc.as_bytes();
    let mut depth = 0_i32;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth < 0 {
                    return i;
                }
                if depth == 0 {
                    return i + 1;
                }
            }
            b',' if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

fn splice(doc: &str, start: usize, end: usize, with: &str) -> String {
    let end = end.min(doc.len());
    if !doc.is_char_boundary(start) || !doc.is_char_boundary(end) {
        return doc.to_string();
    }
    format!("{}{with}{}", &doc[..start], &doc[end..])
}

/// One to three mutations of `doc`.
fn mutate(rng: &mut Rng, doc: &str, strings: &[String]) -> String {
    let mut doc = doc.to_string();
    for _ in 0..1 + rng.below(3) {
        let toks = tokens(&doc);
        let of = |k: Kind| {
            toks.iter()
                .copied()
                .filter(|t| t.2 == k)
                .collect::<Vec<_>>()
        };
        doc = match rng.below(8) {
            0 | 1 => match of(Kind::Num).as_slice() {
                [] => doc,
                nums => {
                    let &(s, e, _) = rng.pick(nums);
                    splice(&doc, s, e, rng.pick::<&str>(NUMBERS))
                }
            },
            2 | 3 => match of(Kind::Str).as_slice() {
                [] => doc,
                strs => {
                    let &(s, e, _) = rng.pick(strs);
                    let with = format!("\"{}\"", rng.pick(strings));
                    splice(&doc, s, e, &with)
                }
            },
            4 if !toks.is_empty() => {
                let &(s, e, _) = rng.pick(&toks);
                let e = if toks.iter().any(|t| t.0 == s && t.2 == Kind::Open) {
                    value_end(&doc, s)
                } else {
                    e
                };
                splice(&doc, s, e, rng.pick::<&str>(VALUES))
            }
            5 => match of(Kind::Open).as_slice() {
                [] => doc,
                opens => {
                    // Repeat an array's first element.
                    let &(s, _, _) = rng.pick(opens);
                    let first = s + 1 + doc[s + 1..].len() - doc[s + 1..].trim_start().len();
                    let end = value_end(&doc, first);
                    if end <= first || doc[first..].starts_with(']') {
                        doc
                    } else {
                        let element = doc[first..end].to_string();
                        let times = *rng.pick(&[2, 10, 200, 2_000]);
                        let repeated = vec![element.as_str(); times].join(",");
                        splice(&doc, first, end, &repeated)
                    }
                }
            },
            6 if !doc.is_empty() => {
                let at = rng.below(doc.len());
                if rng.chance(2) {
                    splice(&doc, at, at + 1, "")
                } else {
                    let byte =
                        *rng.pick(&["{", "}", "[", "]", "\"", ",", ":", "0", "a", "\\", "-"]);
                    splice(&doc, at, at, byte)
                }
            }
            7 if !doc.is_empty() => {
                let at = rng.below(doc.len());
                splice(&doc, at, doc.len(), "")
            }
            _ => doc,
        };
    }
    doc
}

/// The slowest call of each function.
#[derive(Default)]
struct Timings(BTreeMap<String, (Duration, usize, String)>);

impl Timings {
    fn run(&mut self, name: &str, call: impl FnOnce() -> crm_status) -> crm_status {
        self.run_doc(name, "", call)
    }

    /// As `run`, remembering `doc` when the call is the slowest so far.
    fn run_doc(&mut self, name: &str, doc: &str, call: impl FnOnce() -> crm_status) -> crm_status {
        let start = Instant::now();
        let status = call();
        let took = start.elapsed();
        assert!(
            status != crm_status::Panic || name == "crm_test_force_panic",
            "{name} panicked: {}",
            last_error()
        );
        let entry = self.0.entry(name.to_string()).or_default();
        if took >= entry.0 {
            entry.0 = took;
            entry.2 = doc.chars().take(400).collect();
        }
        entry.1 += 1;
        status
    }
}

fn hostile_f64(rng: &mut Rng) -> f64 {
    match rng.below(10) {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => f64::NEG_INFINITY,
        3 => -1.0,
        4 => 1e308,
        5 => 0.0,
        6 => f64::MIN_POSITIVE,
        _ => (rng.below(1000) as f64) / 10.0,
    }
}

fn hostile_i64(rng: &mut Rng) -> i64 {
    *rng.pick(&[
        AS_OF,
        0,
        -1,
        i64::MIN,
        i64::MAX,
        253_402_300_799,
        253_402_300_800,
        -62_135_596_800,
        -62_135_596_801,
    ])
}

fn hostile_len(rng: &mut Rng) -> usize {
    *rng.pick(&[0, 1, 2, 3, 7, 50, 300])
}

fn status_and_free(status: crm_status, out: *mut c_char) -> crm_status {
    free_string(out);
    status
}

/// The flat-array and scalar functions, with hostile arrays and scalars.
#[allow(clippy::too_many_lines)]
fn arrays_round(rng: &mut Rng, f: &Fixture, t: &mut Timings) {
    // SAFETY (every call below): buffers hold the lengths passed, handles
    // are live (or of the wrong kind, which the library detects), out
    // pointers are valid.
    unsafe {
        // Logistic regression.
        let (rows, k) = if rng.chance(8) {
            (rng.below(3), *rng.pick(&[300, 5_000, 20_000]))
        } else {
            (hostile_len(rng), hostile_len(rng))
        };
        let x: Vec<f64> = (0..rows * k).map(|_| hostile_f64(rng)).collect();
        let y: Vec<u8> = (0..rows)
            .map(|_| *rng.pick(&[0, 1, 1, 0, 2, 255]))
            .collect();
        let l2 = *rng.pick(&[1.0, 0.0, -1.0, f64::NAN, f64::INFINITY, 1e300]);
        let mut model = ptr::null_mut();
        let xp = if x.is_empty() && rng.chance(2) {
            ptr::null()
        } else {
            x.as_ptr()
        };
        let yp = if y.is_empty() && rng.chance(2) {
            ptr::null()
        } else {
            y.as_ptr()
        };
        t.run("crm_logistic_fit", || {
            crm_logistic_fit(xp, yp, rows, k, l2, &mut model)
        });
        crm_logistic_free(model);
        let n = hostile_len(rng);
        let k = *rng.pick(&[1, 1, 0, 2]);
        let mut buffer: Vec<f64> = (0..n * k + n + 1).map(|_| hostile_f64(rng)).collect();
        let base = buffer.as_mut_ptr();
        let out = if rng.chance(4) {
            base.add(rng.below(2))
        } else {
            base.add(n * k)
        };
        t.run("crm_logistic_predict", || {
            crm_logistic_predict(f.logistic, base, n, k, out)
        });
        let mut out_json = ptr::null_mut();
        let status = t.run("crm_logistic_to_json", || {
            crm_logistic_to_json(f.logistic, &mut out_json)
        });
        status_and_free(status, out_json);

        // CLV over arrays.
        let n = hostile_len(rng);
        let freq: Vec<u32> = (0..n)
            .map(|_| *rng.pick(&[0, 1, 3, 10, u32::MAX]))
            .collect();
        let rec: Vec<f64> = (0..n).map(|_| hostile_f64(rng)).collect();
        let age: Vec<f64> = (0..n).map(|_| hostile_f64(rng)).collect();
        let money: Vec<f64> = (0..n).map(|_| hostile_f64(rng)).collect();
        let unit = *rng.pick(&[0, 1, 2, 3, u32::MAX]);
        let mut clv = ptr::null_mut();
        t.run("crm_clv_fit_arrays", || {
            crm_clv_fit_arrays(
                freq.as_ptr(),
                rec.as_ptr(),
                age.as_ptr(),
                money.as_ptr(),
                n,
                unit,
                &mut clv,
            )
        });
        crm_clv_model_free(clv);
        let mut clv = ptr::null_mut();
        t.run("crm_clv_fit_bgnbd_arrays", || {
            crm_clv_fit_bgnbd_arrays(freq.as_ptr(), rec.as_ptr(), age.as_ptr(), n, unit, &mut clv)
        });
        crm_clv_model_free(clv);
        let (mut a, mut b, mut cl) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let horizon = *rng.pick(&[0, 1, 12, 1_200, 100_000, u32::MAX]);
        let rate = *rng.pick(&[0.01, 0.0, -0.5, 1.0, f64::NAN, 1e300]);
        t.run("crm_clv_predict", || {
            crm_clv_predict(
                f.clv,
                freq.as_ptr(),
                rec.as_ptr(),
                age.as_ptr(),
                money.as_ptr(),
                n,
                horizon,
                rate,
                a.as_mut_ptr(),
                b.as_mut_ptr(),
                cl.as_mut_ptr(),
            )
        });
        let tt = hostile_f64(rng);
        let mut expected = 0.0;
        t.run("crm_clv_expected_purchases_new", || {
            crm_clv_expected_purchases_new(f.clv, tt, &mut expected)
        });
        t.run("crm_clv_conditional_expected_purchases", || {
            crm_clv_conditional_expected_purchases(
                f.clv,
                tt,
                freq.as_ptr(),
                rec.as_ptr(),
                age.as_ptr(),
                n,
                a.as_mut_ptr(),
            )
        });
        let mut fallback = vec![0_u8; n];
        t.run("crm_clv_expected_spend", || {
            crm_clv_expected_spend(
                f.clv,
                freq.as_ptr(),
                money.as_ptr(),
                n,
                b.as_mut_ptr(),
                fallback.as_mut_ptr(),
            )
        });
        let (mut p, mut se) = ([0.0; 4], [0.0; 4]);
        let se_ptr = if rng.chance(2) {
            se.as_mut_ptr()
        } else {
            ptr::null_mut()
        };
        t.run("crm_clv_bgnbd_params", || {
            crm_clv_bgnbd_params(f.clv, p.as_mut_ptr(), se_ptr)
        });
        t.run("crm_clv_gamma_gamma_params", || {
            crm_clv_gamma_gamma_params(f.clv, p.as_mut_ptr(), se_ptr)
        });
        let mut u = 0;
        t.run("crm_clv_model_unit", || crm_clv_model_unit(f.clv, &mut u));
        let mut out_json = ptr::null_mut();
        let status = t.run("crm_clv_model_to_json", || {
            crm_clv_model_to_json(f.clv, &mut out_json)
        });
        status_and_free(status, out_json);

        // RFM over purchase arrays.
        let n = hostile_len(rng);
        let customers: Vec<u32> = (0..n).map(|_| *rng.pick(&[0, 1, 2, u32::MAX])).collect();
        let at: Vec<i64> = (0..n).map(|_| hostile_i64(rng)).collect();
        let amounts: Vec<f64> = (0..n).map(|_| hostile_f64(rng)).collect();
        let (cal, obs) = (hostile_i64(rng), hostile_i64(rng));
        let mut out_json = ptr::null_mut();
        let status = t.run("crm_rfm_json", || {
            crm_rfm_json(
                customers.as_ptr(),
                at.as_ptr(),
                amounts.as_ptr(),
                n,
                unit,
                cal,
                obs,
                &mut out_json,
            )
        });
        status_and_free(status, out_json);

        // Scoring over flat arrays.
        let mut code = 0;
        let text = c(&strings()[rng.below(strings().len())]);
        t.run("crm_scoring_encode_text", || {
            crm_scoring_encode_text(
                f.scoring,
                *rng.pick(&[0, 1, 5, usize::MAX]),
                text.as_ptr(),
                &mut code,
            )
        });
        let decimal = c(rng.pick::<&str>(&[
            "12.5",
            "-0",
            "1e28",
            "1e-30",
            "79228162514264337593543950336",
            "x",
            "",
        ]));
        t.run("crm_scoring_encode_decimal", || {
            crm_scoring_encode_decimal(decimal.as_ptr(), &mut code)
        });
        let n_leads = hostile_len(rng);
        let n_columns = *rng.pick(&[0, 1, 2, 3, 8]);
        let data: Vec<Vec<i64>> = (0..n_columns)
            .map(|_| {
                (0..n_leads)
                    .map(|_| *rng.pick(&[i64::MIN, i64::MAX, 0, -1, 2 * AS_OF, 250_000]))
                    .collect()
            })
            .collect();
        let columns: Vec<*const i64> = data.iter().map(|col| col.as_ptr()).collect();
        let n_events = hostile_len(rng);
        let mut events: Vec<crm_score_event> = (0..n_events)
            .map(|_| crm_score_event {
                lead: *rng.pick(&[0, 1, u32::MAX]),
                rule: *rng.pick(&[0, 1, u32::MAX]),
                at_unix: hostile_i64(rng),
            })
            .collect();
        if rng.chance(2) {
            events.sort_by_key(|e| e.lead);
        }
        let stages: Vec<u8> = (0..n_leads).map(|_| *rng.pick(&[0, 1, 5, 255])).collect();
        let mut scores = vec![
            crm_lead_score {
                total_units: 0,
                grade: 0,
                handoff: 0
            };
            n_leads
        ];
        let cats_len = *rng.pick(&[0, n_leads, n_leads * 2, n_leads * 8]);
        let mut cats = vec![0_i64; cats_len];
        let stages_ptr = if rng.chance(2) {
            stages.as_ptr()
        } else {
            ptr::null()
        };
        let cats_ptr = if rng.chance(2) {
            cats.as_mut_ptr()
        } else {
            ptr::null_mut()
        };
        t.run("crm_score_batch", || {
            crm_score_batch(
                f.scoring,
                columns.as_ptr(),
                n_columns,
                n_leads,
                events.as_ptr(),
                n_events,
                stages_ptr,
                hostile_i64(rng),
                scores.as_mut_ptr(),
                cats_ptr,
                cats_len,
            )
        });
        let mut out_json = ptr::null_mut();
        let status = t.run("crm_scoring_model_info_json", || {
            crm_scoring_model_info_json(f.scoring, &mut out_json)
        });
        status_and_free(status, out_json);

        // Handles with scalar arguments.
        let as_of = hostile_i64(rng);
        let mut out_json = ptr::null_mut();
        let status = t.run("crm_propensity_predict_json", || {
            crm_propensity_predict_json(f.propensity, f.dataset, as_of, &mut out_json)
        });
        status_and_free(status, out_json);
        let mut out_json = ptr::null_mut();
        let status = t.run("crm_propensity_model_to_json", || {
            crm_propensity_model_to_json(f.propensity, &mut out_json)
        });
        status_and_free(status, out_json);
        let mut out_json = ptr::null_mut();
        let until = hostile_i64(rng);
        let status = t.run("crm_journey_simulate", || {
            crm_journey_simulate(f.journey, f.dataset, until, &mut out_json)
        });
        status_and_free(status, out_json);
        let mut out_json = ptr::null_mut();
        let status = t.run("crm_journey_analyze", || {
            crm_journey_analyze(f.journey, &mut out_json)
        });
        status_and_free(status, out_json);
        let mut out_json = ptr::null_mut();
        let status = t.run("crm_rules_analyze", || {
            crm_rules_analyze(f.rules, &mut out_json)
        });
        status_and_free(status, out_json);
        let mut out_json = ptr::null_mut();
        let status = t.run("crm_dataset_counts_json", || {
            crm_dataset_counts_json(f.dataset, &mut out_json)
        });
        status_and_free(status, out_json);
        let mut out_json = ptr::null_mut();
        let status = t.run("crm_preset_names", || crm_preset_names(&mut out_json));
        status_and_free(status, out_json);
        let mut out_json = ptr::null_mut();
        let status = t.run("crm_kpi_catalog", || crm_kpi_catalog(&mut out_json));
        status_and_free(status, out_json);
        let (mut a, mut b) = (ptr::null_mut(), ptr::null_mut());
        let state = c("{}");
        t.run("crm_rules_tick", || {
            crm_rules_tick(f.rules, f.dataset, state.as_ptr(), as_of, &mut a, &mut b)
        });
        free_string(a);
        free_string(b);
        let lead = c(&hardening_ffi::doc_block("lead"));
        let mut out_json = ptr::null_mut();
        let status = t.run("crm_score_lead_json", || {
            crm_score_lead_json(f.scoring, lead.as_ptr(), as_of, &mut out_json)
        });
        status_and_free(status, out_json);
        let mut out_json = ptr::null_mut();
        let clv_options = c(&hardening_ffi::doc_block("clv_options"));
        let threshold = hostile_f64(rng);
        let limit = *rng.pick(&[0, 1, 10, usize::MAX]);
        let status = t.run("crm_clv_report_json", || {
            crm_clv_report_json(
                f.dataset,
                clv_options.as_ptr(),
                as_of,
                threshold,
                limit,
                &mut out_json,
            )
        });
        status_and_free(status, out_json);

        // The base functions.
        let code = *rng.pick(&[0, 3, 11, 12, 13, -1, i32::MAX, i32::MIN]);
        let name = crm_status_str(code);
        assert!(!name.is_null() && !CStr::from_ptr(name).to_bytes().is_empty());
        assert!(!crm_version().is_null() && crm_abi_version() > 0);
        assert!(!crm_last_error_message().is_null());
        crm_string_free(ptr::null_mut());
        t.run("crm_test_force_panic", || crm_test_force_panic());
    }
}

/// Every handle-taking function given a handle of another kind: refused
/// with `CRM_STATUS_INVALID_ARGUMENT`, never a crash.
fn wrong_kind_round(f: &Fixture, t: &mut Timings) {
    let wrong = |status: crm_status, what: &str| {
        assert_eq!(
            status,
            crm_status::InvalidArgument,
            "{what}: {}",
            last_error()
        );
    };
    let ds_as_rules = f.dataset.cast::<crm_rules>();
    let rules_as_ds = f.rules.cast::<crm_dataset>();
    let (mut a, mut b, mut wake) = (ptr::null_mut(), ptr::null_mut(), 0_i64);
    let empty = c("{}");
    let event = c(hardening_ffi::EVENT);
    let lead = c(&hardening_ffi::doc_block("lead"));
    let kpi = c(&hardening_ffi::doc_block("kpi_request"));
    // SAFETY: live handles of the wrong kinds (detected), valid buffers.
    unsafe {
        wrong(
            t.run("wrong:crm_rules_evaluate", || {
                crm_rules_evaluate(
                    ds_as_rules,
                    f.dataset,
                    event.as_ptr(),
                    empty.as_ptr(),
                    AS_OF,
                    &mut a,
                    &mut b,
                )
            }),
            "rules_evaluate",
        );
        wrong(
            t.run("wrong:crm_rules_analyze", || {
                crm_rules_analyze(ds_as_rules, &mut a)
            }),
            "rules_analyze",
        );
        wrong(
            t.run("wrong:crm_kpi_compute", || {
                crm_kpi_compute(rules_as_ds, kpi.as_ptr(), &mut a)
            }),
            "kpi",
        );
        wrong(
            t.run("wrong:crm_dataset_counts_json", || {
                crm_dataset_counts_json(f.logistic.cast(), &mut a)
            }),
            "counts",
        );
        wrong(
            t.run("wrong:crm_score_lead_json", || {
                crm_score_lead_json(f.dataset.cast(), lead.as_ptr(), AS_OF, &mut a)
            }),
            "score",
        );
        wrong(
            t.run("wrong:crm_propensity_predict_json", || {
                crm_propensity_predict_json(f.logistic.cast(), f.dataset, AS_OF, &mut a)
            }),
            "propensity",
        );
        let x = [1.0_f64; 4];
        let mut p = [0.0_f64; 4];
        wrong(
            t.run("wrong:crm_logistic_predict", || {
                crm_logistic_predict(f.clv.cast(), x.as_ptr(), 4, 1, p.as_mut_ptr())
            }),
            "logistic",
        );
        let (freq, rec, age, money) = clv_arrays();
        let (mut o1, mut o2, mut o3) = ([0.0; 6], [0.0; 6], [0.0; 6]);
        wrong(
            t.run("wrong:crm_clv_predict", || {
                crm_clv_predict(
                    f.logistic.cast(),
                    freq.as_ptr(),
                    rec.as_ptr(),
                    age.as_ptr(),
                    money.as_ptr(),
                    6,
                    12,
                    0.01,
                    o1.as_mut_ptr(),
                    o2.as_mut_ptr(),
                    o3.as_mut_ptr(),
                )
            }),
            "clv",
        );
        wrong(
            t.run("wrong:crm_journey_advance", || {
                crm_journey_advance(
                    f.rules.cast(),
                    f.dataset,
                    c"".as_ptr(),
                    c"\"tick\"".as_ptr(),
                    AS_OF,
                    &mut a,
                    &mut b,
                    &mut wake,
                )
            }),
            "journey",
        );
        wrong(
            t.run("wrong:crm_journey_simulate", || {
                crm_journey_simulate(f.journey, f.journey.cast(), AS_OF, &mut a)
            }),
            "simulate",
        );
        wrong(
            t.run("wrong:crm_scoring_model_info_json", || {
                crm_scoring_model_info_json(f.propensity.cast(), &mut a)
            }),
            "info",
        );
        wrong(
            t.run("wrong:crm_clv_model_to_json", || {
                crm_clv_model_to_json(f.scoring.cast(), &mut a)
            }),
            "clv json",
        );
    }
    assert!(a.is_null() && b.is_null(), "nothing written on failure");
}

fn round(rounds: usize, seed: u64) -> Timings {
    let mut rng = Rng(seed | 1);
    let mut t = Timings::default();
    let fixture = Fixture::new();
    let slots = slots(&fixture);
    let strings = strings();
    wrong_kind_round(&fixture, &mut t);
    for _ in 0..rounds {
        for slot in &slots {
            let doc = mutate(&mut rng, &slot.example, &strings);
            let text = c(&doc.replace('\0', ""));
            let function = slot.name.split('/').next().unwrap_or(slot.name);
            t.run_doc(function, &doc, || (slot.call)(&fixture, text.as_ptr()));
        }
        arrays_round(&mut rng, &fixture, &mut t);
    }
    t
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The round itself, in the child.
#[test]
#[ignore = "run by `fuzz_round_under_a_memory_budget` in a child process"]
fn fuzz_child() {
    if std::env::var(CHILD).is_err() {
        return;
    }
    let rounds = env_number("CRMKIT_FUZZ_ROUNDS", 8) as usize;
    let seed = env_number("CRMKIT_FUZZ_SEED", 20);
    let start = Instant::now();
    let timings = round(rounds, seed);
    let calls: usize = timings.0.values().map(|v| v.1).sum();
    let mut slowest: Vec<_> = timings.0.iter().collect();
    slowest.sort_by_key(|entry| std::cmp::Reverse(entry.1.0));
    println!(
        "fuzz: {rounds} rounds, seed {seed}, {calls} calls in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    for (name, (took, n, doc)) in slowest.iter().take(12) {
        println!(
            "fuzz: slowest {name}: {:.3} s ({n} calls) {doc}",
            took.as_secs_f64()
        );
    }
}

#[test]
fn fuzz_round_under_a_memory_budget() {
    let exe = std::env::current_exe().expect("test binary");
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {BUDGET_KIB} && exec \"$0\" --ignored --exact fuzz_child --nocapture --test-threads=1"
        ))
        .arg(exe)
        .env(CHILD, "1")
        .output()
        .expect("child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // (The harness's "test fuzz_child ... " may precede the first line.)
    for line in stdout
        .lines()
        .filter_map(|l| l.find("fuzz: ").map(|at| &l[at..]))
    {
        println!("{line}");
    }
    assert!(
        output.status.success() && stdout.contains("fuzz: "),
        "the fuzz round failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
}

#[test]
fn the_round_calls_every_function_of_the_header() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut header = std::fs::read_to_string(format!("{root}/include/crmkit.h")).expect("header");
    // Without its comments.
    while let Some(start) = header.find("/*") {
        let end = header[start..]
            .find("*/")
            .map_or(header.len(), |e| start + e + 2);
        header.replace_range(start..end, "");
    }
    let source = std::fs::read_to_string(format!("{root}/tests/hardening_fuzz.rs"))
        .expect("source")
        + &std::fs::read_to_string(format!("{root}/tests/hardening_ffi/mod.rs")).expect("source");
    let mut missing = Vec::new();
    let mut declared = 0;
    for line in header.lines() {
        for (at, _) in line.match_indices("crm_") {
            let name: String = line[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if line[at + name.len()..].starts_with('(') {
                declared += 1;
                if !source.contains(&format!("{name}(")) {
                    missing.push(name);
                }
            }
        }
    }
    assert!(declared >= 69, "{declared} functions found in the header");
    assert!(missing.is_empty(), "not fuzzed: {missing:?}");
}
