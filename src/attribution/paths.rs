//! The paths behind the credit: most frequent converting paths, path
//! lengths and time to conversion.
//!
//! Paths are counted by their channel-id sequences; the ` > `-joined
//! display string is built only for the paths reported. Ties in
//! conversions are ordered by that string, compared byte by byte without
//! building it. When a channel name contains `>`, two id sequences could
//! join to the same string (`a > b` as one channel and as two), so the
//! paths are then counted by the joined strings themselves.
//!
//! ```
//! use crmkit::attribution::{AttributionRequest, attribution_report};
//!
//! let request = AttributionRequest::from_json(r#"{
//!   "currency": "USD", "models": [{"model": "last_touch"}], "top_paths": 1,
//!   "journeys": [
//!     {"touches": [{"channel": "email", "at": "2026-03-01T10:00:00Z"},
//!                  {"channel": "search", "at": "2026-03-02T10:00:00Z"}], "conversions": 2},
//!     {"touches": [{"channel": "email", "at": "2026-03-05T10:00:00Z"}], "conversions": 1}
//!   ]
//! }"#)?;
//! let paths = attribution_report(&request)?.paths;
//! assert_eq!(paths.top_paths[0].path, "email > search");
//! assert_eq!(paths.length_distribution[&1], 1);
//! Ok::<(), crmkit::Error>(())
//! ```

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use super::report::{PathCount, PathStats, Prepared};

/// The bytes of a path's display string (channel names joined by ` > `).
fn joined<'a>(ids: &'a [u32], names: &'a [String]) -> impl Iterator<Item = u8> + 'a {
    ids.iter().enumerate().flat_map(move |(i, c)| {
        let sep: &[u8] = if i == 0 { b"" } else { b" > " };
        let name = names.get(*c as usize).map_or("", String::as_str);
        sep.iter().chain(name.as_bytes()).copied()
    })
}

/// By conversions (most first), then by display string.
fn by_rank(a: &(&[u32], u64, u64), b: &(&[u32], u64, u64), names: &[String]) -> Ordering {
    b.2.cmp(&a.2)
        .then_with(|| joined(a.0, names).cmp(joined(b.0, names)))
}

/// Path statistics of the converting journeys among `prepared`, with the
/// `top` most frequent paths.
pub(super) fn path_stats(prepared: &[Prepared<'_>], names: &[String], top: usize) -> PathStats {
    let mut lengths = BTreeMap::new();
    let mut days = Vec::new();
    let converting = || prepared.iter().filter(|p| p.conversions > 0);
    for p in converting() {
        *lengths.entry(p.touches.len()).or_insert(0u64) += 1;
        if let Some(first) = p.touches.first() {
            days.push((p.end - first.at).num_seconds() as f64 / 86_400.0);
        }
    }
    let top_paths = if names.iter().any(|n| n.contains('>')) {
        top_by_string(converting(), names, top)
    } else {
        let mut counts: HashMap<&[u32], (u64, u64)> = HashMap::new();
        for p in converting() {
            let e = counts.entry(p.channel_ids).or_default();
            e.0 += 1;
            e.1 += u64::from(p.conversions);
        }
        let mut ranked: Vec<(&[u32], u64, u64)> = counts
            .into_iter()
            .map(|(ids, (journeys, conversions))| (ids, journeys, conversions))
            .collect();
        if ranked.len() > top {
            if top == 0 {
                ranked.clear();
            } else {
                ranked.select_nth_unstable_by(top - 1, |a, b| by_rank(a, b, names));
                ranked.truncate(top);
            }
        }
        ranked.sort_by(|a, b| by_rank(a, b, names));
        ranked
            .into_iter()
            .map(|(ids, journeys, conversions)| PathCount {
                path: String::from_utf8(joined(ids, names).collect())
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
                journeys,
                conversions,
            })
            .collect()
    };
    // Equal under `total_cmp` means bit-identical, so an unstable sort
    // gives the same order (and the same mean, summed in that order).
    days.sort_unstable_by(f64::total_cmp);
    let mean = (!days.is_empty()).then(|| days.iter().sum::<f64>() / days.len() as f64);
    let median = (!days.is_empty()).then(|| {
        let m = days.len() / 2;
        if days.len() % 2 == 1 {
            days[m]
        } else {
            0.5 * (days[m - 1] + days[m])
        }
    });
    PathStats {
        top_paths,
        length_distribution: lengths,
        mean_days_to_conversion: mean,
        median_days_to_conversion: median,
    }
}

/// The top paths counted by their joined strings (channel names with `>`).
fn top_by_string<'a>(
    converting: impl Iterator<Item = &'a Prepared<'a>>,
    names: &[String],
    top: usize,
) -> Vec<PathCount> {
    let mut counts: HashMap<String, (u64, u64)> = HashMap::new();
    for p in converting {
        let path = String::from_utf8(joined(p.channel_ids, names).collect()).unwrap_or_default();
        let e = counts.entry(path).or_default();
        e.0 += 1;
        e.1 += u64::from(p.conversions);
    }
    let mut top_paths: Vec<PathCount> = counts
        .into_iter()
        .map(|(path, (journeys, conversions))| PathCount {
            path,
            journeys,
            conversions,
        })
        .collect();
    top_paths.sort_by(|a, b| {
        b.conversions
            .cmp(&a.conversions)
            .then_with(|| a.path.cmp(&b.path))
    });
    top_paths.truncate(top);
    top_paths
}
