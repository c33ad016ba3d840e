//! C API of the lead scoring engine ([`ScoringModel`]): load a model from
//! JSON, score one lead given as JSON with its explanation, or score many
//! leads at once over flat arrays.

use std::ffi::c_char;

use super::{
    FfiError, Handle, boundary, boundary_or, crm_status, handle_free, handle_new, handle_ref,
    handle_tag, json_out, json_text_out, out_arg, slice_arg, slice_arg_mut, str_arg, timestamp_arg,
    write_out,
};
use crate::model::ActivityKind;
use crate::scoring::{Batch, BatchEvent, BatchScore, ScoringModel};

/// A compiled lead scoring model, loaded with crm_scoring_model_from_json()
/// and released with crm_scoring_model_free().
///
/// A model never changes after it is loaded, so one handle may be used from
/// several threads at once without locking (it must not be freed while
/// another thread uses it).
#[allow(non_camel_case_types)]
pub struct crm_scoring_model {
    _private: [u8; 0],
}

const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<ScoringModel>();
};

impl Handle for crm_scoring_model {
    type Inner = ScoringModel;
    const NAME: &'static str = "crm_scoring_model";
    const MAGIC: u64 = handle_tag(b"crm_scrm");
}

/// One activity matched by one activity rule, input of crm_score_batch().
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub struct crm_score_event {
    /// The lead's index in the batch (0 to n_leads - 1); events are sorted
    /// by lead.
    pub lead: u32,
    /// The index of the rule in the "activity_rules" list of
    /// crm_scoring_model_info_json() (see crm_scoring_match_activity_json()).
    pub rule: u32,
    /// When the activity happened, in whole seconds since the Unix epoch.
    pub at_unix: i64,
}

/// One lead's result of crm_score_batch().
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub struct crm_lead_score {
    /// The total score in units of 1/10000 point (12.5 points is 125000).
    pub total_units: i64,
    /// The index of the grade in the "grades" list of
    /// crm_scoring_model_info_json(), or -1 when no grade applies.
    pub grade: i32,
    /// The index of the recommended lifecycle move in the "handoffs" list
    /// of crm_scoring_model_info_json(), or -1 for none (always -1 when no
    /// stages are given).
    pub handoff: i32,
}

// The C structs and the Rust ones have the same layout, so arrays pass
// through unchanged.
const _: () = {
    use std::mem::{align_of, offset_of, size_of};
    assert!(size_of::<crm_score_event>() == size_of::<BatchEvent>());
    assert!(align_of::<crm_score_event>() == align_of::<BatchEvent>());
    assert!(offset_of!(crm_score_event, lead) == offset_of!(BatchEvent, lead));
    assert!(offset_of!(crm_score_event, rule) == offset_of!(BatchEvent, rule));
    assert!(offset_of!(crm_score_event, at_unix) == offset_of!(BatchEvent, at));
    assert!(size_of::<crm_lead_score>() == size_of::<BatchScore>());
    assert!(align_of::<crm_lead_score>() == align_of::<BatchScore>());
    assert!(offset_of!(crm_lead_score, total_units) == offset_of!(BatchScore, total_units));
    assert!(offset_of!(crm_lead_score, grade) == offset_of!(BatchScore, grade));
    assert!(offset_of!(crm_lead_score, handoff) == offset_of!(BatchScore, handoff));
};

/// Loads, validates and compiles a scoring model from a JSON document and
/// writes a new handle to `*out`.
///
/// On failure `*out` is left untouched, the status says what kind of
/// problem was found (CRM_STATUS_JSON for malformed JSON, an unknown member
/// or a wrong JSON type; CRM_STATUS_INVALID for a rule that does not suit
/// its field, a duplicate id, an impossible range;
/// CRM_STATUS_PROTECTED_ATTRIBUTE for a rule on age, gender, marital status
/// or ethnicity without "allow_protected_attributes": true) and
/// crm_last_error_message() names the JSON path (`rules[3].when.value: ...`).
///
/// # Safety
///
/// `json` must be NULL or a NUL-terminated string; `out` must be NULL or
/// valid for writing one pointer. The handle must be released with
/// crm_scoring_model_free().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_scoring_model_from_json(
    json: *const c_char,
    out: *mut *mut crm_scoring_model,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let json = unsafe { str_arg(json, "json") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out, "out") }?;
        let model = ScoringModel::from_json(json)?;
        out.write(handle_new::<crm_scoring_model>(model));
        Ok(())
    })
}

/// Releases a scoring model. NULL is a no-op.
///
/// # Safety
///
/// `model` must be NULL or a handle from crm_scoring_model_from_json() that
/// has not been freed yet, and no other thread may be using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_scoring_model_free(model: *mut crm_scoring_model) {
    // SAFETY: the caller upholds the contract in the docs above.
    boundary_or((), || unsafe { handle_free(model) });
}

/// Writes to `*out_json` a JSON summary of the model: "categories" (the
/// order of category scores), "grades" (indexed by crm_lead_score.grade),
/// "rules", "activity_rules" (indexed by crm_score_event.rule), "columns"
/// (the batch columns in order, each {"field", "kind"[, "currency"]}) and
/// "protected_attributes_used".
///
/// The string is freed with crm_string_free(); on failure `*out_json` is
/// left untouched.
///
/// # Safety
///
/// `model` must be NULL or a live model handle; `out_json` must be NULL or
/// valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_scoring_model_info_json(
    model: *const crm_scoring_model,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        // SAFETY: as above.
        let out_json = unsafe { out_arg(out_json, "out_json") }?;
        out_json.write(json_out(&model.info())?);
        Ok(())
    })
}

/// Scores one lead at `as_of_unix` (seconds since the Unix epoch) and
/// writes its explanation as JSON to `*out_json`.
///
/// `lead_json` is {"contact": {...}, "company": {...}, "activities": [...],
/// "previous": {...}} with the records in the JSON form of datasets;
/// "company", "activities" and "previous" (an earlier result of this
/// function, to get "changes") may be left out. The result holds "total",
/// "grade", "categories", "contributions" (rule id, occurrences, points
/// before and after decay and caps), "recommendation" and
/// "protected_attributes_used"; numbers are decimal strings.
///
/// The string is freed with crm_string_free(); on failure `*out_json` is
/// left untouched.
///
/// # Safety
///
/// `model` must be NULL or a live model handle; `lead_json` NULL or a
/// NUL-terminated string; `out_json` NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_score_lead_json(
    model: *const crm_scoring_model,
    lead_json: *const c_char,
    as_of_unix: i64,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        // SAFETY: as above.
        let lead_json = unsafe { str_arg(lead_json, "lead_json") }?;
        // SAFETY: as above.
        let out_json = unsafe { out_arg(out_json, "out_json") }?;
        let as_of = timestamp_arg(as_of_unix, "as_of_unix")?;
        // One buffer per thread, reused: the C string is a copy of it.
        thread_local! {
            static SCORE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        let score = SCORE.with_borrow_mut(|score| {
            model.score_json_into(lead_json, as_of, score)?;
            let text = json_text_out(score);
            // A huge lead's buffer is not kept.
            if score.capacity() > 1 << 16 {
                *score = String::new();
            }
            Ok::<_, crate::Error>(text)
        })?;
        out_json.write(score);
        Ok(())
    })
}

/// Encodes a text value for text column `column` of the batch (the bit set
/// of the model's text tests on that field which the text passes) and
/// writes it to `*out`. Encode each distinct text once and reuse the code.
///
/// # Safety
///
/// `model` must be NULL or a live model handle; `text` NULL or a
/// NUL-terminated string; `out` NULL or valid for writing an int64_t.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_scoring_encode_text(
    model: *const crm_scoring_model,
    column: usize,
    text: *const c_char,
    out: *mut i64,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        // SAFETY: as above.
        let text = unsafe { str_arg(text, "text") }?;
        let code = model
            .encode_text(column, text)
            .map_err(|e| FfiError::invalid_argument("column", e.message()))?;
        // SAFETY: as above.
        unsafe { write_out(out, code, "out") }
    })
}

/// Encodes a decimal number given as text ("12.5", "-3", "1e6") for a
/// number or money column of the batch and writes it to `*out`: 2 x
/// floor(x x 10000), plus 1 when x has more than four decimal places.
///
/// # Safety
///
/// `decimal` must be NULL or a NUL-terminated string; `out` NULL or valid
/// for writing an int64_t.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_scoring_encode_decimal(
    decimal: *const c_char,
    out: *mut i64,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let text = unsafe { str_arg(decimal, "decimal") }?;
        let value = crate::money::parse_decimal(text)?;
        // SAFETY: as above.
        unsafe { write_out(out, crate::scoring::encode_decimal(value), "out") }
    })
}

/// Writes to `out_rules` the indices of the activity rules that count an
/// activity, given as the JSON of its kind ({"type": "website_visit",
/// "url": "/pricing"}), and their number to `*out_count`: the `rule` of
/// its crm_score_event entries.
///
/// `capacity` is the length of `out_rules` (it may be NULL when 0); when
/// more rules match than fit, CRM_STATUS_INVALID_ARGUMENT is returned and
/// nothing is written, so a capacity of the number of activity rules always
/// suffices.
///
/// # Safety
///
/// `model` must be NULL or a live model handle; `kind_json` NULL or a
/// NUL-terminated string; `out_rules` NULL or valid for writing `capacity`
/// uint32_t; `out_count` NULL or valid for writing a size_t.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_scoring_match_activity_json(
    model: *const crm_scoring_model,
    kind_json: *const c_char,
    out_rules: *mut u32,
    capacity: usize,
    out_count: *mut usize,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        // SAFETY: as above.
        let kind_json = unsafe { str_arg(kind_json, "kind_json") }?;
        // SAFETY: as above.
        let rules = unsafe { slice_arg_mut(out_rules, capacity, "out_rules") }?;
        // SAFETY: as above.
        let count = unsafe { out_arg(out_count, "out_count") }?;
        let kind: ActivityKind = crate::Error::parse_json(kind_json)?;
        let matched: Vec<u32> = model.matching_rules(&kind).collect();
        let Some(slots) = rules.get_mut(..matched.len()) else {
            return Err(FfiError::invalid_argument(
                "capacity",
                format!(
                    "{} rules match but there is room for {capacity}",
                    matched.len()
                ),
            ));
        };
        slots.copy_from_slice(&matched);
        count.write(matched.len());
        Ok(())
    })
}

/// Scores `n_leads` leads at `as_of_unix` over flat arrays, writing one
/// crm_lead_score per lead to `out` and, unless `out_categories` is NULL,
/// the category scores (in units of 1/10000 point, `n_leads x
/// n_categories`, lead-major) to `out_categories`.
///
/// `columns` holds `n_columns` pointers, one per entry of the "columns" list
/// of crm_scoring_model_info_json(), each to `n_leads` int64_t values
/// encoded by the column's kind: numbers and money 2 x floor(x x 10000) (+1
/// with more than four decimal places; see crm_scoring_encode_decimal()),
/// flags 0/1, dates days since 1970-01-01, timestamps 2 x Unix seconds,
/// text the code from crm_scoring_encode_text(), and INT64_MIN for no
/// value. `events` are the leads' activities matched to activity rules,
/// sorted by lead (NULL when `n_events` is 0).
///
/// The results equal those of crm_score_lead_json() on the same leads. On
/// a status other than CRM_STATUS_OVERFLOW nothing has been written; on
/// CRM_STATUS_OVERFLOW (a lead whose points exceed the engine's bounds) the
/// arrays may be partly written.
///
/// # Safety
///
/// `model` must be NULL or a live model handle; `columns` NULL or
/// `n_columns` pointers each to `n_leads` readable int64_t; `events` NULL or
/// `n_events` readable structs; `stages` NULL or `n_leads` readable bytes;
/// `out` NULL or `n_leads` writable structs;
/// `out_categories` NULL or `out_categories_len` writable int64_t.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn crm_score_batch(
    model: *const crm_scoring_model,
    columns: *const *const i64,
    n_columns: usize,
    n_leads: usize,
    events: *const crm_score_event,
    n_events: usize,
    stages: *const u8,
    as_of_unix: i64,
    out: *mut crm_lead_score,
    out_categories: *mut i64,
    out_categories_len: usize,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let model = unsafe { handle_ref(model, "model") }?;
        // SAFETY: as above.
        let column_ptrs = unsafe { slice_arg(columns, n_columns, "columns") }?;
        let mut column_slices = Vec::with_capacity(column_ptrs.len());
        for (i, &ptr) in column_ptrs.iter().enumerate() {
            // SAFETY: as above: each column holds n_leads values.
            column_slices.push(unsafe { slice_arg(ptr, n_leads, &format!("columns[{i}]")) }?);
        }
        // SAFETY: as above.
        let events = unsafe { slice_arg(events, n_events, "events") }?;
        // SAFETY: crm_score_event and BatchEvent have the same layout
        // (checked at compile time above), and the slice is valid.
        let events: &[BatchEvent] =
            unsafe { std::slice::from_raw_parts(events.as_ptr().cast(), events.len()) };
        let mut spans = vec![
            super::ArraySpan::input("columns", column_ptrs.as_ptr(), column_ptrs.len()),
            super::ArraySpan::input("events", events.as_ptr(), events.len()),
            super::ArraySpan::input("stages", stages, n_leads),
            super::ArraySpan::output("out", out, n_leads),
            super::ArraySpan::output("out_categories", out_categories, out_categories_len),
        ];
        for column in &column_slices {
            spans.push(super::ArraySpan::input(
                "columns[i]",
                column.as_ptr(),
                column.len(),
            ));
        }
        super::disjoint_arrays(&spans)?;
        // SAFETY: as above.
        let out = unsafe { slice_arg_mut(out, n_leads, "out") }?;
        // SAFETY: crm_lead_score and BatchScore have the same layout.
        let out: &mut [BatchScore] =
            unsafe { std::slice::from_raw_parts_mut(out.as_mut_ptr().cast(), out.len()) };
        let categories = if out_categories.is_null() {
            None
        } else {
            // SAFETY: as above.
            Some(unsafe { slice_arg_mut(out_categories, out_categories_len, "out_categories") }?)
        };
        let stages = if stages.is_null() {
            None
        } else {
            // SAFETY: as above.
            Some(unsafe { slice_arg(stages, n_leads, "stages") }?)
        };
        let as_of = timestamp_arg(as_of_unix, "as_of_unix")?;
        let batch = Batch {
            leads: n_leads,
            columns: column_slices,
            events,
            stages,
        };
        model.score_batch(&batch, as_of, out, categories)?;
        Ok(())
    })
}
