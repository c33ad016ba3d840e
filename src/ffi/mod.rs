//! The C ABI: status codes, the last-error message, strings, opaque handles.
//!
//! This module is a thin shell: it converts C arguments into Rust values,
//! calls the safe API of the crate and converts the result back. It is the
//! only place in crmkit with `unsafe` code. The C declarations live in
//! `include/crmkit.h`, generated from this module by cbindgen (see
//! `build.rs`); every doc comment here is copied into the header.
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

use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char};
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;

use crate::ErrorKind;

pub mod analytics;
pub mod automation;
pub mod dataset;
pub mod goals;
pub mod journeys;
pub mod kpi;
pub mod predict;
pub mod scoring;
pub mod segments;

/// The version of the C ABI, returned by [`crm_abi_version`] and emitted as
/// `CRM_ABI_VERSION` in `include/crmkit.h`.
///
/// It is incremented only by changes that break existing C callers (a
/// removed function, a changed signature, a changed struct layout). Adding
/// functions or status codes does not change it. `build.rs` writes the same
/// number into the header; a test checks that the two agree.
pub const ABI_VERSION: u32 = 1;

/// The result of every fallible crmkit C function.
///
/// The numeric values are fixed forever: a value is never reused for another
/// meaning, and a value that is retired stays reserved. New values may be
/// added, so a host should treat an unknown value as a generic failure.
/// crm_status_str() gives a code's name and crm_last_error_message() the
/// detail of the last failure on the calling thread.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types)]
pub enum crm_status {
    /// Success; the outputs have been written.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullPointer = 1,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 2,
    /// A JSON input was malformed or did not have the expected shape
    /// (unknown field, wrong type, missing field).
    Json = 3,
    /// An input was well-formed but violated a rule of the domain.
    Invalid = 4,
    /// A record referred to another record that does not exist.
    NotFound = 5,
    /// Money in different currencies was combined without exchange rates.
    CurrencyMismatch = 6,
    /// An arithmetic result did not fit the exact decimal representation.
    Overflow = 7,
    /// The input asked for something this version does not support.
    Unsupported = 8,
    /// A model used protected attributes without opting in.
    ProtectedAttribute = 9,
    /// A numerical procedure did not converge or met degenerate data.
    Numerical = 10,
    /// crmkit hit an internal bug (a Rust panic); the message says where.
    /// The library stays usable, but the failed call had no effect.
    Panic = 11,
    /// A scalar argument was out of range (a timestamp outside the supported
    /// range, an unknown enum value, a misaligned pointer) or a handle was of
    /// the wrong kind or already freed.
    InvalidArgument = 12,
}

impl crm_status {
    /// Every status, in numeric order.
    const ALL: [crm_status; 13] = [
        crm_status::Ok,
        crm_status::NullPointer,
        crm_status::InvalidUtf8,
        crm_status::Json,
        crm_status::Invalid,
        crm_status::NotFound,
        crm_status::CurrencyMismatch,
        crm_status::Overflow,
        crm_status::Unsupported,
        crm_status::ProtectedAttribute,
        crm_status::Numerical,
        crm_status::Panic,
        crm_status::InvalidArgument,
    ];

    /// The status with numeric value `code`, if there is one.
    pub fn from_code(code: i32) -> Option<crm_status> {
        usize::try_from(code)
            .ok()
            .and_then(|index| Self::ALL.get(index))
            .copied()
    }

    /// The numeric value of the status, as C sees it.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The C name of the status (`"CRM_STATUS_NULL_POINTER"`).
    pub fn name(self) -> &'static str {
        let name = self.c_name().to_bytes();
        // The names are ASCII literals.
        std::str::from_utf8(name).unwrap_or("CRM_STATUS_UNKNOWN")
    }

    fn c_name(self) -> &'static CStr {
        match self {
            crm_status::Ok => c"CRM_STATUS_OK",
            crm_status::NullPointer => c"CRM_STATUS_NULL_POINTER",
            crm_status::InvalidUtf8 => c"CRM_STATUS_INVALID_UTF8",
            crm_status::Json => c"CRM_STATUS_JSON",
            crm_status::Invalid => c"CRM_STATUS_INVALID",
            crm_status::NotFound => c"CRM_STATUS_NOT_FOUND",
            crm_status::CurrencyMismatch => c"CRM_STATUS_CURRENCY_MISMATCH",
            crm_status::Overflow => c"CRM_STATUS_OVERFLOW",
            crm_status::Unsupported => c"CRM_STATUS_UNSUPPORTED",
            crm_status::ProtectedAttribute => c"CRM_STATUS_PROTECTED_ATTRIBUTE",
            crm_status::Numerical => c"CRM_STATUS_NUMERICAL",
            crm_status::Panic => c"CRM_STATUS_PANIC",
            crm_status::InvalidArgument => c"CRM_STATUS_INVALID_ARGUMENT",
        }
    }
}

impl From<ErrorKind> for crm_status {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::Json => crm_status::Json,
            ErrorKind::Invalid => crm_status::Invalid,
            ErrorKind::NotFound => crm_status::NotFound,
            ErrorKind::CurrencyMismatch => crm_status::CurrencyMismatch,
            ErrorKind::Overflow => crm_status::Overflow,
            ErrorKind::Unsupported => crm_status::Unsupported,
            ErrorKind::ProtectedAttribute => crm_status::ProtectedAttribute,
            ErrorKind::Numerical => crm_status::Numerical,
        }
    }
}

// ---------------------------------------------------------------------------
// Errors and the panic boundary
// ---------------------------------------------------------------------------

/// A failure of an FFI call: the status to return and the message to store
/// for crm_last_error_message().
///
/// Built from a [`crate::Error`] (with `?`) or with the constructors below
/// for failures that only exist at the C boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FfiError {
    status: crm_status,
    message: String,
}

impl FfiError {
    /// A failure with `status` and a lowercase `message`.
    pub(crate) fn new(status: crm_status, message: impl Into<String>) -> Self {
        debug_assert!(status != crm_status::Ok, "an error needs a failure status");
        FfiError {
            status,
            message: message.into(),
        }
    }

    /// `CRM_STATUS_NULL_POINTER` for the argument called `name`.
    pub(crate) fn null_pointer(name: &str) -> Self {
        FfiError::new(
            crm_status::NullPointer,
            format!("argument `{name}` must not be NULL"),
        )
    }

    /// `CRM_STATUS_INVALID_UTF8` for the argument called `name`, whose first
    /// invalid byte is at `offset`.
    pub(crate) fn invalid_utf8(name: &str, offset: usize) -> Self {
        FfiError::new(
            crm_status::InvalidUtf8,
            format!("argument `{name}` is not valid UTF-8 (invalid byte at offset {offset})"),
        )
    }

    /// `CRM_STATUS_INVALID_ARGUMENT` for the argument called `name`.
    pub(crate) fn invalid_argument(name: &str, message: impl std::fmt::Display) -> Self {
        FfiError::new(
            crm_status::InvalidArgument,
            format!("argument `{name}`: {message}"),
        )
    }

    /// The status the call returns.
    #[allow(dead_code, reason = "a helper for the FFI areas")]
    pub(crate) fn status(&self) -> crm_status {
        self.status
    }

    /// The message stored for crm_last_error_message().
    pub(crate) fn message(&self) -> &str {
        &self.message
    }
}

impl From<crate::Error> for FfiError {
    fn from(err: crate::Error) -> Self {
        FfiError::new(err.kind().into(), err.to_string())
    }
}

thread_local! {
    /// The message of the last failed call on this thread; `None` after a
    /// successful call.
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

/// Stores `message` as the calling thread's last error message.
///
/// NUL bytes (which a C string cannot hold) are shown as `\0`.
pub(crate) fn set_last_error(message: &str) {
    let message = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    // During thread teardown the slot may be gone; there is no one to tell.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = Some(message);
        }
    });
}

/// Clears the calling thread's last error message.
pub(crate) fn clear_last_error() {
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = None;
        }
    });
}

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
            set_last_error(&err.message);
            err.status
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

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

/// Borrows the NUL-terminated UTF-8 string argument `ptr` (called `name` in
/// error messages).
///
/// NULL gives `CRM_STATUS_NULL_POINTER`, invalid UTF-8
/// `CRM_STATUS_INVALID_UTF8` naming the offset of the first bad byte.
///
/// # Safety
///
/// `ptr` must be NULL or point to a NUL-terminated string that stays valid
/// and unmodified for `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, FfiError> {
    if ptr.is_null() {
        return Err(FfiError::null_pointer(name));
    }
    // SAFETY: non-NULL, and the caller guarantees a NUL-terminated string
    // valid for 'a.
    let text = unsafe { CStr::from_ptr(ptr) };
    text.to_str()
        .map_err(|err| FfiError::invalid_utf8(name, err.valid_up_to()))
}

/// Borrows the array argument `ptr[0..len]` (called `name` in error
/// messages).
///
/// `len == 0` gives an empty slice whatever `ptr` is (NULL included); NULL
/// with `len > 0` gives `CRM_STATUS_NULL_POINTER`; a misaligned pointer or a
/// length too large for memory gives `CRM_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
///
/// When `len > 0` and `ptr` is not NULL, `ptr` must point to `len`
/// initialised values of `T` that stay valid and unmodified for `'a`.
#[allow(dead_code, reason = "a helper for the FFI areas")]
pub(crate) unsafe fn slice_arg<'a, T>(
    ptr: *const T,
    len: usize,
    name: &str,
) -> Result<&'a [T], FfiError> {
    if len == 0 {
        return Ok(&[]);
    }
    check_array(ptr, len, name)?;
    // SAFETY: checked non-NULL, aligned and of a valid size; the caller
    // guarantees `len` initialised values valid for 'a.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Borrows the writable array argument `ptr[0..len]`, with the checks of
/// [`slice_arg`].
///
/// # Safety
///
/// When `len > 0` and `ptr` is not NULL, `ptr` must point to `len`
/// initialised values of `T`, valid for `'a` and not accessed by anything
/// else during `'a`.
#[allow(dead_code, reason = "a helper for the FFI areas")]
pub(crate) unsafe fn slice_arg_mut<'a, T>(
    ptr: *mut T,
    len: usize,
    name: &str,
) -> Result<&'a mut [T], FfiError> {
    if len == 0 {
        return Ok(&mut []);
    }
    check_array(ptr.cast_const(), len, name)?;
    // SAFETY: checked non-NULL, aligned and of a valid size; the caller
    // guarantees `len` initialised values, exclusively ours for 'a.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

#[allow(dead_code, reason = "a helper for the FFI areas")]
fn check_array<T>(ptr: *const T, len: usize, name: &str) -> Result<(), FfiError> {
    if ptr.is_null() {
        return Err(FfiError::null_pointer(name));
    }
    if !ptr.is_aligned() {
        return Err(FfiError::invalid_argument(name, "pointer is misaligned"));
    }
    let too_long = len
        .checked_mul(std::mem::size_of::<T>())
        .is_none_or(|bytes| bytes > isize::MAX as usize);
    if too_long {
        return Err(FfiError::invalid_argument(
            name,
            format!("length {len} is too large"),
        ));
    }
    Ok(())
}

/// A caller's array as a byte range, for [`disjoint_arrays`]: its name, its
/// first element and its length in elements.
pub(crate) struct ArraySpan<'n> {
    name: &'n str,
    start: usize,
    bytes: usize,
    output: bool,
}

impl<'n> ArraySpan<'n> {
    /// The span of the input array of `len` values of `T` at `ptr` (NULL or
    /// empty: no bytes). Inputs may overlap each other.
    pub(crate) fn input<T>(name: &'n str, ptr: *const T, len: usize) -> ArraySpan<'n> {
        let bytes = if ptr.is_null() {
            0
        } else {
            len.saturating_mul(std::mem::size_of::<T>())
        };
        ArraySpan {
            name,
            start: ptr as usize,
            bytes,
            output: false,
        }
    }

    /// The span of an output array; it may overlap nothing.
    pub(crate) fn output<T>(name: &'n str, ptr: *mut T, len: usize) -> ArraySpan<'n> {
        ArraySpan {
            output: true,
            ..ArraySpan::input(name, ptr.cast_const(), len)
        }
    }
}

/// Refuses with `CRM_STATUS_INVALID` when an output of `spans` shares a byte
/// with another array:
/// a flat-array call reads its inputs while it writes its outputs, so an
/// output that overlaps an input (partly, or exactly: no call works in
/// place) or another output would give wrong results.
pub(crate) fn disjoint_arrays(spans: &[ArraySpan<'_>]) -> Result<(), FfiError> {
    for (i, a) in spans.iter().enumerate() {
        for b in spans.iter().skip(i + 1) {
            let a_end = a.start.saturating_add(a.bytes);
            let b_end = b.start.saturating_add(b.bytes);
            let shared = a.bytes > 0 && b.bytes > 0 && a.start < b_end && b.start < a_end;
            if shared && (a.output || b.output) {
                return Err(FfiError::new(
                    crm_status::Invalid,
                    format!(
                        "arguments `{}` and `{}` overlap: output arrays must not share memory \
                         with any other array argument",
                        a.name, b.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Converts the `int64_t` argument `unix_seconds` (seconds since
/// 1970-01-01T00:00:00Z, called `name` in error messages) into an instant.
///
/// A value outside the supported range gives `CRM_STATUS_INVALID_ARGUMENT`.
#[allow(dead_code, reason = "a helper for the FFI areas")]
pub(crate) fn timestamp_arg(
    unix_seconds: i64,
    name: &str,
) -> Result<chrono::DateTime<chrono::Utc>, FfiError> {
    let in_range =
        (crate::model::MIN_UNIX_SECONDS..=crate::model::MAX_UNIX_SECONDS).contains(&unix_seconds);
    in_range
        .then(|| chrono::DateTime::from_timestamp(unix_seconds, 0))
        .flatten()
        .ok_or_else(|| {
            FfiError::invalid_argument(
                name,
                format!(
                    "{unix_seconds} seconds since the Unix epoch is outside the supported \
                     range (years 1 to 9999: {} to {})",
                    crate::model::MIN_UNIX_SECONDS,
                    crate::model::MAX_UNIX_SECONDS
                ),
            )
        })
}

// ---------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------

/// A checked, non-NULL, aligned out pointer, obtained with [`out_arg`] before
/// the work is done and written with [`Out::write`] once it succeeded.
pub(crate) struct Out<'a, T> {
    ptr: NonNull<T>,
    _borrow: PhantomData<&'a mut T>,
}

impl<T> Out<'_, T> {
    /// Writes `value` to the caller's variable, without reading or dropping
    /// what was there.
    pub(crate) fn write(self, value: T) {
        // SAFETY: `out_arg` checked that the pointer is non-NULL and aligned,
        // and its caller guaranteed that it is valid for writes.
        unsafe { self.ptr.as_ptr().write(value) }
    }
}

/// Checks the out pointer argument `out` (called `name` in error messages):
/// NULL gives `CRM_STATUS_NULL_POINTER`, a misaligned pointer
/// `CRM_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `out` must be NULL or valid for writing a `T` during `'a`.
pub(crate) unsafe fn out_arg<'a, T>(out: *mut T, name: &str) -> Result<Out<'a, T>, FfiError> {
    let Some(ptr) = NonNull::new(out) else {
        return Err(FfiError::null_pointer(name));
    };
    if !out.is_aligned() {
        return Err(FfiError::invalid_argument(name, "pointer is misaligned"));
    }
    Ok(Out {
        ptr,
        _borrow: PhantomData,
    })
}

/// Checks the out pointer `out` and writes `value` to it: [`out_arg`] and
/// [`Out::write`] in one step, for a value that is already computed and
/// owns nothing (prefer `out_arg` first when computing it is work or
/// allocates).
///
/// # Safety
///
/// As for [`out_arg`].
#[allow(dead_code, reason = "a helper for the FFI areas")]
pub(crate) unsafe fn write_out<T>(out: *mut T, value: T, name: &str) -> Result<(), FfiError> {
    // SAFETY: forwarded to the caller.
    unsafe { out_arg(out, name) }?.write(value);
    Ok(())
}

unsafe extern "C" {
    fn malloc(size: usize) -> *mut std::ffi::c_void;
    fn free(ptr: *mut std::ffi::c_void);
}

/// A NUL-terminated string in memory from the C library's `malloc`, to
/// hand to the caller, who frees it with crm_string_free() (which calls
/// `free`). Freeing needs no length, so a string's bytes are copied once
/// and never searched again.
pub(crate) struct CText(NonNull<c_char>);

impl CText {
    /// A copy of `bytes`, which hold no NUL byte (the callers check, or
    /// write JSON, which never holds one), with a NUL after them.
    fn copy(bytes: &[u8]) -> CText {
        debug_assert!(!bytes.contains(&0), "a C string holds no NUL byte");
        let size = bytes.len() + 1;
        // SAFETY: malloc may be called with any size; the result is
        // checked for NULL before use.
        let ptr = unsafe { malloc(size) }.cast::<u8>();
        let Some(ptr) = NonNull::new(ptr) else {
            std::alloc::handle_alloc_error(
                std::alloc::Layout::array::<u8>(size).unwrap_or(std::alloc::Layout::new::<u8>()),
            );
        };
        // SAFETY: `ptr` is valid for `size` bytes and does not overlap
        // `bytes`.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr.as_ptr(), bytes.len());
            ptr.as_ptr().add(bytes.len()).write(0);
        }
        CText(ptr.cast())
    }

    /// The pointer for the caller, who now owns the string.
    pub(crate) fn into_raw(self) -> *mut c_char {
        let ptr = self.0.as_ptr();
        std::mem::forget(self);
        ptr
    }
}

impl Drop for CText {
    fn drop(&mut self) {
        // SAFETY: the pointer came from malloc and is owned by `self`.
        unsafe { free(self.0.as_ptr().cast()) }
    }
}

/// Moves `text` into a C string to hand to the caller, who frees it with
/// crm_string_free().
///
/// A NUL byte inside `text` gives `CRM_STATUS_INVALID`.
pub(crate) fn string_out(text: String) -> Result<*mut c_char, FfiError> {
    match text.bytes().position(|b| b == 0) {
        Some(at) => Err(FfiError::new(
            crm_status::Invalid,
            format!(
                "the result contains a NUL byte at offset {at} and cannot be returned as a C string"
            ),
        )),
        None => Ok(CText::copy(text.as_bytes()).into_raw()),
    }
}

/// A JSON text as a C string. JSON never holds a NUL byte (a string's
/// control characters are escaped), so the text is not searched for one.
pub(crate) fn json_text(json: &str) -> CText {
    CText::copy(json.as_bytes())
}

/// Moves a JSON text into a C string to hand to the caller, who frees it
/// with crm_string_free(); see [`json_text`].
pub(crate) fn json_text_out(json: &str) -> *mut c_char {
    json_text(json).into_raw()
}

/// Serialises `value` as compact JSON into a C string to hand to the caller,
/// who frees it with crm_string_free().
pub(crate) fn json_out<T: serde::Serialize + ?Sized>(value: &T) -> Result<*mut c_char, FfiError> {
    Ok(json_owned(value)?.into_raw())
}

/// Serialises `value` as compact JSON into an owned C string, for a call
/// with several outputs: each is written (`into_raw`) only once all are
/// ready, and those not written are freed on drop.
pub(crate) fn json_owned<T: serde::Serialize + ?Sized>(value: &T) -> Result<CText, FfiError> {
    let json = serde_json::to_string(value).map_err(|err| {
        FfiError::new(
            crm_status::Json,
            format!("the result cannot be serialised as JSON: {err}"),
        )
    })?;
    Ok(json_text(&json))
}

// ---------------------------------------------------------------------------
// Opaque handles
// ---------------------------------------------------------------------------

/// An opaque C handle type (`crm_dataset`...) and the Rust value it owns.
///
/// The C type is an empty marker struct (cbindgen emits it as an incomplete
/// `typedef struct crm_xxx crm_xxx;`); a `*mut crm_xxx` really points to a
/// boxed `Tagged<Inner>`. Create handles with [`handle_new`], borrow them
/// with [`handle_ref`] / [`handle_mut`] and release them with
/// [`handle_free`].
pub(crate) trait Handle {
    /// The Rust value behind the handle.
    type Inner;
    /// The C name of the type, for error messages (`"crm_dataset"`).
    const NAME: &'static str;
    /// A tag stored in every live handle of this type, unique among handle
    /// types; build it with [`handle_tag`] from eight ASCII bytes.
    const MAGIC: u64;
}

/// Builds a [`Handle::MAGIC`] tag from eight ASCII bytes (`b"crm_dset"`).
pub(crate) const fn handle_tag(name: &[u8; 8]) -> u64 {
    u64::from_be_bytes(*name)
}

/// What a handle pointer points to: the tag first, at offset 0 whatever the
/// handle type, so that the tag of any crmkit handle can be read before its
/// type is known.
#[repr(C)]
struct Tagged<T> {
    magic: u64,
    value: T,
}

/// The tag written into a handle just before it is freed.
const FREED_MAGIC: u64 = handle_tag(b"crm_free");

/// Moves `value` to the heap and returns the new handle; ownership passes to
/// the caller of the C function, who releases it with the type's `_free`.
pub(crate) fn handle_new<H: Handle>(value: H::Inner) -> *mut H {
    Box::into_raw(Box::new(Tagged {
        magic: H::MAGIC,
        value,
    }))
    .cast::<H>()
}

/// Reads the tag of a non-NULL handle pointer and checks it is an `H`.
///
/// # Safety
///
/// `ptr` must be non-NULL and point to a live crmkit handle.
unsafe fn check_tag<H: Handle>(ptr: *const H, name: &str) -> Result<(), FfiError> {
    if !ptr.cast::<u64>().is_aligned() {
        return Err(FfiError::invalid_argument(
            name,
            format!("not a {} handle (misaligned pointer)", H::NAME),
        ));
    }
    // SAFETY: every crmkit handle is a `Tagged<_>`, whose first field is the
    // u64 tag; the caller guarantees `ptr` is a live crmkit handle.
    let magic = unsafe { ptr.cast::<u64>().read() };
    if magic == H::MAGIC {
        Ok(())
    } else if magic == FREED_MAGIC {
        Err(FfiError::invalid_argument(
            name,
            format!("the {} handle has already been freed", H::NAME),
        ))
    } else {
        Err(FfiError::invalid_argument(
            name,
            format!("not a {} handle (wrong handle type, or freed)", H::NAME),
        ))
    }
}

/// Borrows the value behind the handle argument `ptr` (called `name` in
/// error messages).
///
/// NULL gives `CRM_STATUS_NULL_POINTER`. A handle of another type, or one
/// that was freed, gives `CRM_STATUS_INVALID_ARGUMENT` on a best-effort
/// basis: using a freed handle is undefined behaviour in C, and is detected
/// only while its memory has not been reused.
///
/// # Safety
///
/// `ptr` must be NULL or a handle returned by crmkit that has not been freed,
/// and must not be freed during `'a`.
pub(crate) unsafe fn handle_ref<'a, H: Handle>(
    ptr: *const H,
    name: &str,
) -> Result<&'a H::Inner, FfiError> {
    if ptr.is_null() {
        return Err(FfiError::null_pointer(name));
    }
    // SAFETY: non-NULL; the caller guarantees a live crmkit handle.
    unsafe { check_tag(ptr, name) }?;
    // SAFETY: the tag says this is a `Tagged<H::Inner>` made by `handle_new`.
    Ok(unsafe { &(*ptr.cast::<Tagged<H::Inner>>()).value })
}

/// Mutably borrows the value behind the handle argument `ptr`, with the
/// checks of [`handle_ref`]. Handle types used this way are not safe to share
/// across threads without the host's own locking; say so in their docs.
///
/// # Safety
///
/// As for [`handle_ref`], and no other reference to the handle's value may
/// exist during `'a` (the C caller must not use it concurrently).
#[allow(dead_code, reason = "a helper for the FFI areas")]
pub(crate) unsafe fn handle_mut<'a, H: Handle>(
    ptr: *mut H,
    name: &str,
) -> Result<&'a mut H::Inner, FfiError> {
    if ptr.is_null() {
        return Err(FfiError::null_pointer(name));
    }
    // SAFETY: non-NULL; the caller guarantees a live crmkit handle.
    unsafe { check_tag(ptr.cast_const(), name) }?;
    // SAFETY: the tag says this is a `Tagged<H::Inner>` made by `handle_new`;
    // the caller guarantees exclusive access.
    Ok(unsafe { &mut (*ptr.cast::<Tagged<H::Inner>>()).value })
}

/// Releases a handle made by [`handle_new`]. NULL is a no-op.
///
/// A pointer whose tag is not `H`'s (another handle type, or a handle already
/// freed, detected best-effort) is not freed: the problem is stored as the
/// last error message and the call otherwise does nothing, since a `_free`
/// function returns no status.
///
/// # Safety
///
/// `ptr` must be NULL or a handle returned by crmkit that has not been freed;
/// it must not be used again afterwards.
pub(crate) unsafe fn handle_free<H: Handle>(ptr: *mut H) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: non-NULL; the caller guarantees a live crmkit handle.
    if let Err(err) = unsafe { check_tag(ptr.cast_const(), "handle") } {
        set_last_error(err.message());
        return;
    }
    // SAFETY: the tag says this is a `Tagged<H::Inner>` boxed by
    // `handle_new`, and the caller gives up ownership.
    let mut boxed = unsafe { Box::from_raw(ptr.cast::<Tagged<H::Inner>>()) };
    boxed.magic = FREED_MAGIC;
    drop(boxed);
}

// ---------------------------------------------------------------------------
// Exported functions
// ---------------------------------------------------------------------------

/// Returns the message of the last failed crmkit call on the calling thread,
/// or an empty string if the last call succeeded or none failed yet.
///
/// The message is UTF-8, lowercase, and names the offending argument or the
/// JSON path of the offending value where known. The pointer is owned by
/// crmkit: do not free it. It stays valid until the next call on the same
/// thread to a crmkit function that returns a crm_status (copy the text to
/// keep it longer), and never returns NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_last_error_message() -> *const c_char {
    boundary_or(c"".as_ptr(), || {
        LAST_ERROR
            .try_with(|slot| {
                slot.try_borrow()
                    .ok()
                    .and_then(|message| message.as_ref().map(|message| message.as_ptr()))
            })
            .ok()
            .flatten()
            .unwrap_or(c"".as_ptr())
    })
}

/// Returns the static name of a status code ("CRM_STATUS_OK",
/// "CRM_STATUS_NULL_POINTER"...), or "CRM_STATUS_UNKNOWN" for a value that
/// is not a crm_status.
///
/// The code is taken as an int32_t so that any value is safe to pass. The
/// string is static: do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn crm_status_str(status: i32) -> *const c_char {
    crm_status::from_code(status)
        .map_or(c"CRM_STATUS_UNKNOWN", crm_status::c_name)
        .as_ptr()
}

/// Frees a string returned by crmkit (a JSON document, a report). NULL is a
/// no-op.
///
/// # Safety
///
/// `string` must be NULL or a string returned by a crmkit function that has
/// not been freed yet; it must not be used afterwards. Never pass a string
/// that crmkit did not allocate, nor the result of crm_last_error_message(),
/// crm_status_str() or crm_version().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_string_free(string: *mut c_char) {
    if string.is_null() {
        return;
    }
    boundary_or((), || {
        // SAFETY: the caller guarantees the string came from this library
        // (a `CText`, from malloc) and is freed only once.
        unsafe { free(string.cast()) };
    });
}

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
    use super::*;

    fn last_error() -> String {
        // SAFETY: crm_last_error_message never returns NULL and the pointer
        // is read before any other crmkit call.
        unsafe { CStr::from_ptr(crm_last_error_message()) }
            .to_str()
            .expect("messages are UTF-8")
            .to_owned()
    }

    #[test]
    fn status_values_are_fixed() {
        let expected = [
            (crm_status::Ok, 0, "CRM_STATUS_OK"),
            (crm_status::NullPointer, 1, "CRM_STATUS_NULL_POINTER"),
            (crm_status::InvalidUtf8, 2, "CRM_STATUS_INVALID_UTF8"),
            (crm_status::Json, 3, "CRM_STATUS_JSON"),
            (crm_status::Invalid, 4, "CRM_STATUS_INVALID"),
            (crm_status::NotFound, 5, "CRM_STATUS_NOT_FOUND"),
            (
                crm_status::CurrencyMismatch,
                6,
                "CRM_STATUS_CURRENCY_MISMATCH",
            ),
            (crm_status::Overflow, 7, "CRM_STATUS_OVERFLOW"),
            (crm_status::Unsupported, 8, "CRM_STATUS_UNSUPPORTED"),
            (
                crm_status::ProtectedAttribute,
                9,
                "CRM_STATUS_PROTECTED_ATTRIBUTE",
            ),
            (crm_status::Numerical, 10, "CRM_STATUS_NUMERICAL"),
            (crm_status::Panic, 11, "CRM_STATUS_PANIC"),
            (
                crm_status::InvalidArgument,
                12,
                "CRM_STATUS_INVALID_ARGUMENT",
            ),
        ];
        assert_eq!(expected.len(), crm_status::ALL.len());
        for (status, code, name) in expected {
            assert_eq!(status.code(), code);
            assert_eq!(status.name(), name);
            assert_eq!(crm_status::from_code(code), Some(status));
        }
        assert_eq!(crm_status::from_code(-1), None);
        assert_eq!(crm_status::from_code(13), None);
    }

    #[test]
    fn every_error_kind_maps_to_its_own_status() {
        let kinds = [
            (ErrorKind::Json, crm_status::Json),
            (ErrorKind::Invalid, crm_status::Invalid),
            (ErrorKind::NotFound, crm_status::NotFound),
            (ErrorKind::CurrencyMismatch, crm_status::CurrencyMismatch),
            (ErrorKind::Overflow, crm_status::Overflow),
            (ErrorKind::Unsupported, crm_status::Unsupported),
            (
                ErrorKind::ProtectedAttribute,
                crm_status::ProtectedAttribute,
            ),
            (ErrorKind::Numerical, crm_status::Numerical),
        ];
        for (kind, status) in kinds {
            assert_eq!(crm_status::from(kind), status);
        }
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

    #[test]
    fn string_arguments_are_checked() {
        // SAFETY: NULL and valid NUL-terminated literals.
        unsafe {
            let err = str_arg(std::ptr::null(), "json").expect_err("NULL");
            assert_eq!(err.status(), crm_status::NullPointer);
            assert!(err.message().contains("`json`"));

            let bad = b"ab\xffc\0";
            let err = str_arg(bad.as_ptr().cast(), "json").expect_err("not UTF-8");
            assert_eq!(err.status(), crm_status::InvalidUtf8);
            assert!(err.message().contains("offset 2"), "{}", err.message());

            assert_eq!(str_arg(c"héllo".as_ptr(), "json"), Ok("héllo"));
        }
    }

    #[test]
    fn slices_accept_null_when_empty_only() {
        // SAFETY: NULL pointers and a live array.
        unsafe {
            assert_eq!(slice_arg::<u32>(std::ptr::null(), 0, "xs"), Ok(&[][..]));
            let err = slice_arg::<u32>(std::ptr::null(), 1, "xs").expect_err("NULL");
            assert_eq!(err.status(), crm_status::NullPointer);
            let values = [1u32, 2, 3];
            assert_eq!(slice_arg(values.as_ptr(), 3, "xs"), Ok(&values[..]));
            let err = slice_arg(values.as_ptr(), usize::MAX, "xs").expect_err("too long");
            assert_eq!(err.status(), crm_status::InvalidArgument);
        }
    }

    #[test]
    fn out_pointers_are_written_only_on_success() {
        let mut slot = 7u32;
        // SAFETY: a live local and NULL.
        unsafe {
            assert_eq!(write_out(&mut slot, 9, "out"), Ok(()));
            assert_eq!(slot, 9);
            let err = write_out(std::ptr::null_mut::<u32>(), 1, "out").expect_err("NULL");
            assert_eq!(err.status(), crm_status::NullPointer);
        }
    }

    #[test]
    fn timestamps_outside_the_range_are_invalid_arguments() {
        assert!(timestamp_arg(0, "as_of").is_ok());
        let err = timestamp_arg(i64::MAX, "as_of").expect_err("out of range");
        assert_eq!(err.status(), crm_status::InvalidArgument);
        assert!(err.message().contains("`as_of`"));
    }

    #[test]
    fn strings_with_nul_bytes_cannot_be_returned() {
        let err = string_out("a\0b".to_string()).expect_err("NUL");
        assert_eq!(err.status(), crm_status::Invalid);
        let ptr = string_out("ok".to_string()).expect("no NUL");
        // SAFETY: returned by string_out, freed once.
        unsafe { crm_string_free(ptr) };
    }

    #[allow(non_camel_case_types)]
    struct crm_test_a;
    #[allow(non_camel_case_types)]
    struct crm_test_b;
    impl Handle for crm_test_a {
        type Inner = String;
        const NAME: &'static str = "crm_test_a";
        const MAGIC: u64 = handle_tag(b"crm_tsta");
    }
    impl Handle for crm_test_b {
        type Inner = u8;
        const NAME: &'static str = "crm_test_b";
        const MAGIC: u64 = handle_tag(b"crm_tstb");
    }

    #[test]
    fn handles_check_their_type() {
        let a = handle_new::<crm_test_a>("hello".to_string());
        // SAFETY: `a` is live until freed at the end; the cast to another
        // handle type is what the tag check is for.
        unsafe {
            assert_eq!(handle_ref(a, "a").map(String::as_str), Ok("hello"));
            handle_mut(a, "a").expect("live").push('!');
            assert_eq!(handle_ref(a, "a").map(String::as_str), Ok("hello!"));
            let err = handle_ref(a.cast::<crm_test_b>(), "b").expect_err("wrong type");
            assert_eq!(err.status(), crm_status::InvalidArgument);
            assert!(err.message().contains("crm_test_b"), "{}", err.message());
            // Freeing through the wrong type is refused rather than done.
            handle_free(a.cast::<crm_test_b>());
            let err = handle_ref::<crm_test_a>(std::ptr::null(), "a").expect_err("NULL");
            assert_eq!(err.status(), crm_status::NullPointer);
            handle_free(a);
            handle_free::<crm_test_a>(std::ptr::null_mut());
        }
    }
}
