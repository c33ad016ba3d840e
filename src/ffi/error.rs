//! The failure of an FFI call ([`FfiError`]) and the calling thread's last
//! error message: where it is stored, set and cleared, and
//! crm_last_error_message(), which reads it.

use std::cell::RefCell;
use std::ffi::{CString, c_char};

use super::boundary::boundary_or;
use super::crm_status;

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
