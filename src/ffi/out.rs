//! Writing the results: checked out pointers ([`out_arg`], [`Out`],
//! [`write_out`]), the strings handed to the caller (in memory from the C
//! library's `malloc`: [`CText`], [`string_out`], the JSON writers) and
//! crm_string_free(), which releases them.

use std::ffi::c_char;
use std::marker::PhantomData;
use std::ptr::NonNull;

use super::boundary::boundary_or;
use super::crm_status;
use super::error::FfiError;

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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn strings_with_nul_bytes_cannot_be_returned() {
        let err = string_out("a\0b".to_string()).expect_err("NUL");
        assert_eq!(err.status(), crm_status::Invalid);
        let ptr = string_out("ok".to_string()).expect("no NUL");
        // SAFETY: returned by string_out, freed once.
        unsafe { crm_string_free(ptr) };
    }
}
