//! The C ABI: status codes, the last-error message, strings, opaque handles.
//!
//! This module is a thin shell: it converts C arguments into Rust values,
//! calls the safe API of the crate and converts the result back. It is the
//! only place in crmkit with `unsafe` code. The C declarations live in
//! `include/crmkit.h`, generated from this module by cbindgen (see
//! `build.rs`); every doc comment here is copied into the header.
//!
//! The shared machinery of the areas (status codes, the last error, the
//! panic boundary, arguments, outputs, handles) lives in private
//! submodules, one idea each, and is re-exported here.
//!
//! # Conventions of the C API
//!
//! * Every function that can fail returns a [`crm_status`]. Results are
//!   written through pointer parameters (`out`, `out_json`...), and only on
//!   success: on failure the out pointer's target is left untouched.
//! * The detail of the last failure is a thread-local, human-readable message
//!   read with [`crm_last_error_message`]; [`crm_status_str`] gives the
//!   static name of a status code.
//! * Every function body runs inside a panic boundary: a bug that panics
//!   returns `CRM_STATUS_PANIC` instead of unwinding into C.
//! * Strings are UTF-8 and NUL-terminated. Strings the library returns are
//!   freed with [`crm_string_free`], never with the host's `free`.
//! * Opaque handles (`crm_dataset`...) are created by `crm_xxx_from_json` /
//!   `crm_xxx_new` and released by `crm_xxx_free`; `crm_xxx_free(NULL)` does
//!   nothing. Each handle type documents whether it may be shared across
//!   threads.
//!
//! # Limits
//!
//! (Also stated in the header's opening comment, `cbindgen.toml`.)
//!
//! * Time range: instants from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z
//!   (Unix seconds -62135596800 to 253402300799), in JSON documents and in
//!   `as_of_unix` arguments; outside it, `CRM_STATUS_INVALID` (documents) or
//!   `CRM_STATUS_INVALID_ARGUMENT` (arguments).
//! * JSON nesting: at most 64 levels (arrays and objects); deeper input is
//!   `CRM_STATUS_JSON`, refused by a linear scan before the parser runs
//!   (the parser recurses once per level). Conditions nest at most 32
//!   levels (`all`, `any`, `not`).
//! * Stack: a thread calling crmkit needs 512 KiB of stack. Measured with
//!   `tests/hardening_stack.rs` (every JSON argument of every function, its
//!   example with arrays and objects nested to the limit in each of its
//!   objects and conditions nested to their limit; the smallest thread
//!   stack that runs them, bisected in 4 KiB steps): the deepest inputs
//!   (rule sets and segment requests with conditions at the limit) need
//!   360 KiB in a debug build, lead documents 272 KiB, every other argument
//!   at most 236 KiB; release builds need less. (With the former limits,
//!   128 JSON levels and 64 condition levels, the debug figure was
//!   696 KiB.) The test runs every deepest input on a 512 KiB thread.
//! * JSON numbers are read exactly or refused (`CRM_STATUS_JSON`): a number
//!   must be what a 64-bit float holds (any number of at most 15 significant
//!   digits, or a float's shortest form). Write exact decimals — money
//!   amounts, goal targets, rule literals — as strings (`"12345678901234567.89"`).
//! * Decimal text (amounts, targets): an optional `-`, digits, an optional
//!   `.` and digits, an optional exponent (`"-12.50"`, `"1.2e3"`); no spaces,
//!   no `+`, no `_`. Locale tags: a 2-3 letter language and optional `-`/`_`
//!   subtags (`"en"`, `"zh-Hant"`).
//! * Error messages repeat at most 64 characters of any input, followed by
//!   `…` and the input's length in bytes.
//! * Flat arrays: no call works in place. An output array that shares memory
//!   with any other array argument (partly or exactly) is refused with
//!   `CRM_STATUS_INVALID` before anything is written; inputs may overlap
//!   each other.
//!
//! # Writing a new area (`src/ffi/<area>.rs`)
//!
//! Each exported function is a `#[unsafe(no_mangle)] pub unsafe extern "C"
//! fn` whose whole body is one call to `boundary` (or `boundary_or` for
//! the few functions that return no status). Inside, arguments are converted
//! with the helpers of this module, all of which return
//! `Result<_, FfiError>` so that `?` works, and so does `?` on a
//! [`crate::Error`]:
//!
//! ```text
//! #[unsafe(no_mangle)]
//! pub unsafe extern "C" fn crm_thing_report_json(
//!     thing: *const crm_thing,
//!     as_of_unix: i64,
//!     out_json: *mut *mut c_char,
//! ) -> crm_status {
//!     boundary(|| {
//!         // SAFETY: the caller upholds the contract in the function's docs.
//!         let thing = unsafe { handle_ref(thing, "thing")? };
//!         let out_json = unsafe { out_arg(out_json, "out_json")? };
//!         let as_of = timestamp_arg(as_of_unix, "as_of_unix")?;
//!         out_json.write(json_out(&thing.report(as_of)?)?);
//!         Ok(())
//!     })
//! }
//! ```
//!
//! Check every pointer argument (including out pointers) before doing the
//! work, so that a failure leaves nothing half-done and nothing leaks.

use std::ffi::{CStr, c_char};

// The shared machinery first, in this order: cbindgen writes the functions
// into the header in the order it meets them, so the core ones stay ahead
// of the areas'.
// The failure type, the last error message, crm_last_error_message().
mod error;
// The status codes, crm_status_str().
mod status;
// Out pointers and returned strings, crm_string_free().
mod out;
// The panic boundary and JSON call shapes, crm_test_force_panic().
mod boundary;
// Checking arguments.
mod args;
// Opaque handles.
mod handle;

pub mod analytics;
pub mod automation;
pub mod dataset;
pub mod goals;
pub mod journeys;
pub mod kpi;
pub mod predict;
pub mod scoring;
pub mod segments;

pub(crate) use args::{
    ArraySpan, disjoint_arrays, slice_arg, slice_arg_mut, str_arg, timestamp_arg,
};
pub use boundary::crm_test_force_panic;
pub(crate) use boundary::{boundary, boundary_or, dataset_json_call, json_call};
pub(crate) use error::FfiError;
pub use error::crm_last_error_message;
pub(crate) use handle::{Handle, handle_free, handle_new, handle_ref, handle_tag};
pub use out::crm_string_free;
pub(crate) use out::{json_out, json_owned, json_text_out, out_arg, string_out, write_out};
pub use status::{crm_status, crm_status_str};

/// The version of the C ABI, returned by [`crm_abi_version`] and emitted as
/// `CRM_ABI_VERSION` in `include/crmkit.h`.
///
/// It is incremented only by changes that break existing C callers (a
/// removed function, a changed signature, a changed struct layout). Adding
/// functions or status codes does not change it. `build.rs` writes the same
/// number into the header; a test checks that the two agree.
pub const ABI_VERSION: u32 = 1;

/// The crmkit version string, as in Cargo.toml.
const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(version) => version,
        Err(_) => panic!("the package version contains a NUL byte"),
    };

/// Returns the version of the crmkit library ("0.1.0"), which equals
/// CRM_VERSION_STRING of the header it was built with. The string is static:
/// do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn crm_version() -> *const c_char {
    VERSION.as_ptr()
}

/// Returns the C ABI version of the library, to compare with the header's
/// CRM_ABI_VERSION: a host built against a header with another ABI version
/// must not use the library.
#[unsafe(no_mangle)]
pub extern "C" fn crm_abi_version() -> u32 {
    ABI_VERSION
}
