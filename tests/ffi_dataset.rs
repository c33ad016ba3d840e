//! Property tests of the dataset functions of the C ABI, called from Rust:
//! any byte string yields a status and, on failure, a message — never a
//! crash — and the out pointer is written only on success.
#![cfg(feature = "ffi")]

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use crmkit::ffi::crm_status;
use crmkit::ffi::dataset::{
    crm_dataset, crm_dataset_counts_json, crm_dataset_free, crm_dataset_from_json,
};
use crmkit::ffi::{crm_last_error_message, crm_string_free};
use proptest::prelude::*;

fn last_error() -> String {
    // SAFETY: crm_last_error_message returns a valid NUL-terminated string.
    unsafe { CStr::from_ptr(crm_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

fn load(bytes: &[u8]) -> (crm_status, *mut crm_dataset) {
    let text = CString::new(
        bytes
            .iter()
            .copied()
            .filter(|&b| b != 0)
            .collect::<Vec<u8>>(),
    )
    .expect("no nul");
    let sentinel = ptr::dangling_mut::<crm_dataset>();
    let mut out = sentinel;
    // SAFETY: text is NUL-terminated and out is a valid pointer.
    let status = unsafe { crm_dataset_from_json(text.as_ptr(), &mut out) };
    if status != crm_status::Ok {
        assert_eq!(out, sentinel, "out pointer written on failure");
        out = ptr::null_mut();
    }
    (status, out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_give_a_status_and_a_message(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let (status, handle) = load(&bytes);
        if status == crm_status::Ok {
            let mut json: *mut c_char = ptr::null_mut();
            // SAFETY: handle came from crm_dataset_from_json.
            prop_assert_eq!(unsafe { crm_dataset_counts_json(handle, &mut json) }, crm_status::Ok);
            // SAFETY: json and handle are owned by the library and freed once.
            unsafe {
                crm_string_free(json);
                crm_dataset_free(handle);
            }
        } else {
            prop_assert!(
                matches!(status, crm_status::InvalidUtf8 | crm_status::Json | crm_status::Invalid | crm_status::NotFound | crm_status::CurrencyMismatch),
                "unexpected status {:?}", status
            );
            prop_assert!(!last_error().is_empty());
        }
    }

    #[test]
    fn json_shaped_garbage_is_refused_cleanly(
        head in prop::sample::select(vec!["{\"contacts\": [", "{\"deals\": [{\"id\": ", "{\"pipelines\": [{\"id\": \"p\", \"stages\": [", "{"]),
        tail in "[\\[\\]{}\",:a-z0-9 .-]{0,80}",
    ) {
        let (status, handle) = load(format!("{head}{tail}").as_bytes());
        // SAFETY: handle is null or came from crm_dataset_from_json.
        unsafe { crm_dataset_free(handle) };
        if status != crm_status::Ok {
            prop_assert!(!last_error().is_empty());
        }
    }
}

#[test]
fn the_sample_company_loads_through_the_c_abi() {
    let json = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/sample_company.json"
    ))
    .expect("sample");
    let (status, handle) = load(&json);
    assert_eq!(status, crm_status::Ok, "{}", last_error());
    let mut out: *mut c_char = ptr::null_mut();
    // SAFETY: valid handle and out pointer.
    assert_eq!(
        unsafe { crm_dataset_counts_json(handle, &mut out) },
        crm_status::Ok
    );
    // SAFETY: out is a NUL-terminated string from the library.
    let counts = unsafe { CStr::from_ptr(out) }
        .to_string_lossy()
        .into_owned();
    assert!(counts.contains("\"contacts\":300"), "{counts}");
    // SAFETY: both owned by the library, freed once.
    unsafe {
        crm_string_free(out);
        crm_dataset_free(handle);
    }
}
