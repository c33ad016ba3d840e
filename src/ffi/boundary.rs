//! The panic boundary every exported function body runs in ([`boundary`],
//! [`boundary_or`]), the JSON-in, JSON-out call shapes built on it
//! ([`json_call`], [`dataset_json_call`]), and crm_test_force_panic(),
//! which checks it from C.

use std::ffi::c_char;
use std::panic::{self, AssertUnwindSafe};

use super::args::str_arg;
use super::error::{FfiError, clear_last_error, set_last_error};
use super::handle::handle_ref;
use super::out::{json_out, out_arg};
use super::{crm_status, dataset};

/// Runs the body of an exported function that returns a [`crm_status`].
///
/// * `Ok(())` returns `CRM_STATUS_OK` and clears the last error message;
/// * `Err(e)` returns `e`'s status and stores its message;
/// * a panic is caught (it must never unwind into C) and returns
///   `CRM_STATUS_PANIC`, with the panic's message stored.
///
/// The closure should write its outputs only once everything that can fail
/// has succeeded.
pub(crate) fn boundary<F>(f: F) -> crm_status
where
    F: FnOnce() -> Result<(), FfiError>,
{
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => {
            clear_last_error();
            crm_status::Ok
        }
        Ok(Err(err)) => {
            set_last_error(err.message());
            err.status()
        }
        Err(payload) => {
            set_last_error(&panic_message(payload));
            crm_status::Panic
        }
    }
}

/// The whole body of a JSON-in, JSON-out function: checks `request_json`
/// and `out_json`, runs `f` on the request text and writes its result as
/// JSON to `*out_json` (only on success), inside [`boundary`].
///
/// # Safety
///
/// `request_json` must be NULL or a NUL-terminated string; `out_json` NULL
/// or valid for writing one pointer.
pub(crate) unsafe fn json_call<T, F>(
    request_json: *const c_char,
    out_json: *mut *mut c_char,
    f: F,
) -> crm_status
where
    T: serde::Serialize,
    F: FnOnce(&str) -> crate::Result<T>,
{
    boundary(|| {
        // SAFETY: the caller upholds the contract above.
        let request = unsafe { str_arg(request_json, "request_json") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out_json, "out_json") }?;
        out.write(json_out(&f(request)?)?);
        Ok(())
    })
}

/// [`json_call`] for a report over a dataset: also checks the `dataset`
/// handle and passes it to `f`.
///
/// # Safety
///
/// As [`json_call`]; `dataset` must be NULL or a live handle.
pub(crate) unsafe fn dataset_json_call<T, F>(
    dataset: *const dataset::crm_dataset,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
    f: F,
) -> crm_status
where
    T: serde::Serialize,
    F: FnOnce(&crate::model::Dataset, &str) -> crate::Result<T>,
{
    boundary(|| {
        // SAFETY: the caller upholds the contract above.
        let dataset = unsafe { handle_ref(dataset, "dataset") }?;
        // SAFETY: as above.
        let request = unsafe { str_arg(request_json, "request_json") }?;
        // SAFETY: as above.
        let out = unsafe { out_arg(out_json, "out_json") }?;
        out.write(json_out(&f(dataset, request)?)?);
        Ok(())
    })
}

/// Runs the body of an exported function that returns no status (a
/// `_free` function, an accessor returning a static string), returning
/// `on_panic` if it panics.
///
/// It leaves the last error message alone, except that a panic is stored
/// there, since it cannot be reported any other way.
pub(crate) fn boundary_or<T, F>(on_panic: T, f: F) -> T
where
    F: FnOnce() -> T,
{
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => value,
        Err(payload) => {
            set_last_error(&panic_message(payload));
            on_panic
        }
    }
}

/// The message of a caught panic. Consumes the payload, whose drop is itself
/// guarded.
fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    let detail = if let Some(text) = payload.downcast_ref::<&'static str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "no message".to_string()
    };
    let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(payload)));
    format!("internal error (panic) in crmkit: {detail}")
}

/// Panics inside the panic boundary, on purpose, and returns
/// CRM_STATUS_PANIC; crm_last_error_message() then names the panic.
///
/// It exists so that hosts and crmkit's own C tests can check that a bug
/// inside the library reaches them as a status code instead of unwinding
/// into C (which would be undefined behaviour) or aborting the process. The
/// library stays usable afterwards. Rust's default panic hook prints a line
/// to stderr when this is called.
#[unsafe(no_mangle)]
pub extern "C" fn crm_test_force_panic() -> crm_status {
    boundary(|| panic!("crm_test_force_panic: a panic forced by the caller"))
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;
    use crate::ffi::crm_last_error_message;

    fn last_error() -> String {
        // SAFETY: crm_last_error_message never returns NULL and the pointer
        // is read before any other crmkit call.
        unsafe { CStr::from_ptr(crm_last_error_message()) }
            .to_str()
            .expect("messages are UTF-8")
            .to_owned()
    }

    #[test]
    fn boundary_catches_panics_and_keeps_the_message() {
        let status = boundary(|| panic!("boom {}", 42));
        assert_eq!(status, crm_status::Panic);
        assert!(last_error().contains("boom 42"), "{}", last_error());

        let status = boundary(|| Ok(()));
        assert_eq!(status, crm_status::Ok);
        assert_eq!(last_error(), "");
    }

    #[test]
    fn boundary_reports_errors_with_their_status() {
        let status = boundary(|| Err(crate::Error::invalid("deals[3].value", "negative").into()));
        assert_eq!(status, crm_status::Invalid);
        assert_eq!(last_error(), "deals[3].value: negative");
    }

    #[test]
    fn nul_bytes_in_messages_are_escaped() {
        set_last_error("a\0b");
        assert_eq!(last_error(), "a\\0b");
    }
}
