//! crmkit — the domain logic of customer-relationship management, embeddable.
//!
//! (Crate docs are completed with a runnable example as the modules land.)
#![deny(missing_docs)]
#![deny(unsafe_code)]

pub mod calendar;
pub mod error;
#[cfg(feature = "ffi")]
#[allow(unsafe_code)]
pub mod ffi;
pub mod kpi;
pub mod model;
pub mod money;


pub use error::{Error, ErrorKind, Result};
