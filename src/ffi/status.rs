//! The status code every fallible C function returns ([`crm_status`]), its
//! numeric values and names, the mapping from [`ErrorKind`], and
//! crm_status_str().

use std::ffi::{CStr, c_char};

use crate::ErrorKind;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
