//! The KPI C functions from Rust: any bytes as a request give a status and a
//! message, never a crash, and outputs are written only on success.
#![cfg(feature = "ffi")]

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use crmkit::ffi::dataset::{crm_dataset, crm_dataset_free, crm_dataset_from_json};
use crmkit::ffi::kpi::{
    crm_kpi_catalog, crm_kpi_compute, crm_kpi_time_series, crm_pipeline_report,
};
use crmkit::ffi::{crm_last_error_message, crm_status, crm_string_free};
use proptest::prelude::*;

fn load(json: &str) -> *mut crm_dataset {
    let json = CString::new(json).expect("no NUL");
    let mut out = ptr::null_mut();
    // SAFETY: valid string and out pointer.
    let status = unsafe { crm_dataset_from_json(json.as_ptr(), &mut out) };
    assert_eq!(status, crm_status::Ok);
    out
}

fn last_error() -> String {
    // SAFETY: crm_last_error_message returns a valid NUL-terminated string.
    unsafe { CStr::from_ptr(crm_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

type Entry =
    unsafe extern "C" fn(*const crm_dataset, *const c_char, *mut *mut c_char) -> crm_status;

const ENTRIES: [Entry; 3] = [crm_kpi_compute, crm_kpi_time_series, crm_pipeline_report];

proptest! {
    #![proptest_config(ProptestConfig { cases: 100, .. ProptestConfig::default() })]

    #[test]
    fn any_request_bytes_give_a_status_and_leave_the_output_alone_on_failure(
        bytes in proptest::collection::vec(1u8..=255, 0..120),
    ) {
        let dataset = load(r#"{"reporting_currency": "USD"}"#);
        let request = CString::new(bytes).expect("no NUL");
        for entry in ENTRIES {
            let sentinel = ptr::dangling_mut::<c_char>();
            let mut out = sentinel;
            // SAFETY: live handle, valid string, valid out pointer.
            let status = unsafe { entry(dataset, request.as_ptr(), &mut out) };
            if status == crm_status::Ok {
                prop_assert!(!out.is_null() && out != sentinel);
                // SAFETY: a string returned by crmkit.
                unsafe { crm_string_free(out) };
            } else {
                prop_assert_eq!(out, sentinel);
                prop_assert!(!last_error().is_empty());
            }
        }
        // SAFETY: the handle from load().
        unsafe { crm_dataset_free(dataset) };
    }
}

#[test]
fn the_catalog_lists_every_kpi() {
    let mut out = ptr::null_mut();
    // SAFETY: valid out pointer.
    assert_eq!(unsafe { crm_kpi_catalog(&mut out) }, crm_status::Ok);
    // SAFETY: a string returned by crmkit.
    let json = unsafe { CStr::from_ptr(out) }
        .to_string_lossy()
        .into_owned();
    // SAFETY: as above.
    unsafe { crm_string_free(out) };
    let value: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(
        value.as_array().map(Vec::len),
        Some(crmkit::kpi::catalog::KpiId::ALL.len())
    );
}

#[test]
fn null_arguments_are_null_pointer_errors() {
    let dataset = load("{}");
    let request = CString::new(r#"{"period": {"start": "2026-01-01", "end": "2026-02-01"}}"#)
        .expect("no NUL");
    let mut out = ptr::null_mut();
    // SAFETY: NULL is allowed for every pointer argument.
    unsafe {
        assert_eq!(
            crm_kpi_compute(ptr::null(), request.as_ptr(), &mut out),
            crm_status::NullPointer
        );
        assert_eq!(
            crm_kpi_compute(dataset, ptr::null(), &mut out),
            crm_status::NullPointer
        );
        assert_eq!(
            crm_kpi_compute(dataset, request.as_ptr(), ptr::null_mut()),
            crm_status::NullPointer
        );
        assert_eq!(crm_kpi_catalog(ptr::null_mut()), crm_status::NullPointer);
        crm_dataset_free(dataset);
    }
    assert!(out.is_null());
}
