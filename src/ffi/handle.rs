//! Opaque handles: the [`Handle`] trait of a C handle type, the tag that
//! tells handle types (and freed handles) apart, and creating, borrowing
//! and freeing handles.

use super::error::{FfiError, set_last_error};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::crm_status;

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
