//! C API of [`Dataset`], the validated snapshot of
//! CRM records that the engines read.

use std::ffi::c_char;

use super::{
    Handle, boundary, boundary_or, crm_status, handle_free, handle_new, handle_ref, handle_tag,
    json_out, out_arg, str_arg,
};
use crate::model::Dataset;

/// A validated, immutable snapshot of CRM records (contacts, companies,
/// deals, pipelines, activities...), loaded from JSON with
/// crm_dataset_from_json() and released with crm_dataset_free().
///
/// A dataset never changes after it is loaded, so one handle may be used
/// from several threads at once without locking (it must not be freed while
/// another thread uses it).
#[allow(non_camel_case_types)]
pub struct crm_dataset {
    _private: [u8; 0],
}

// The header promises that a dataset handle may be shared across threads.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<Dataset>();
};

impl Handle for crm_dataset {
    type Inner = Dataset;
    const NAME: &'static str = "crm_dataset";
    const MAGIC: u64 = handle_tag(b"crm_dset");
}

/// Loads and validates a dataset from a JSON document and writes a new handle
/// to `*out`.
///
/// `json` is a NUL-terminated UTF-8 JSON object whose arrays ("contacts",
/// "companies", "deals", "pipelines", "activities", ...) may each be omitted
/// when empty, so "{}" is the empty dataset. On failure the status says what
/// kind of problem was found (CRM_STATUS_JSON for malformed JSON or a wrong
/// shape, CRM_STATUS_INVALID for a broken domain rule, CRM_STATUS_NOT_FOUND
/// for a dangling reference...), crm_last_error_message() names the JSON path
/// of the offending value, and `*out` is left untouched.
///
/// # Safety
///
/// `json` must be NULL or a NUL-terminated string; `out` must be NULL or
/// valid for writing one pointer. The handle written to `*out` must be
/// released with crm_dataset_free().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_dataset_from_json(
    json: *const c_char,
    out: *mut *mut crm_dataset,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let json = unsafe { str_arg(json, "json") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out, "out") }?;
        let dataset = Dataset::from_json(json)?;
        out.write(handle_new::<crm_dataset>(dataset));
        Ok(())
    })
}

/// Releases a dataset handle. NULL is a no-op.
///
/// # Safety
///
/// `dataset` must be NULL or a handle from crm_dataset_from_json() that has
/// not been freed yet, and no other thread may be using it. It must not be
/// used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_dataset_free(dataset: *mut crm_dataset) {
    // SAFETY: the caller upholds the contract in the docs above.
    boundary_or((), || unsafe { handle_free(dataset) });
}

/// Writes to `*out_json` a JSON object giving the number of records of each
/// kind in the dataset, e.g. {"contacts":2,"companies":1,...}.
///
/// The string is owned by the caller, who frees it with crm_string_free().
/// On failure `*out_json` is left untouched.
///
/// # Safety
///
/// `dataset` must be NULL or a live handle from crm_dataset_from_json();
/// `out_json` must be NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_dataset_counts_json(
    dataset: *const crm_dataset,
    out_json: *mut *mut c_char,
) -> crm_status {
    boundary(|| {
        // SAFETY: the caller upholds the contract in the docs above.
        let dataset = unsafe { handle_ref(dataset, "dataset") }?;
        // SAFETY: as above.
        let out_json = unsafe { out_arg(out_json, "out_json") }?;
        out_json.write(json_out(&dataset.counts())?);
        Ok(())
    })
}
