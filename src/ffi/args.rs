//! Checking and borrowing the C arguments: strings ([`str_arg`]), arrays
//! ([`slice_arg`], [`slice_arg_mut`]) and whether output arrays overlap
//! anything ([`disjoint_arrays`]), and timestamps ([`timestamp_arg`]).

use std::ffi::{CStr, c_char};

use super::crm_status;
use super::error::FfiError;

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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn timestamps_outside_the_range_are_invalid_arguments() {
        assert!(timestamp_arg(0, "as_of").is_ok());
        let err = timestamp_arg(i64::MAX, "as_of").expect_err("out of range");
        assert_eq!(err.status(), crm_status::InvalidArgument);
        assert!(err.message().contains("`as_of`"));
    }
}
