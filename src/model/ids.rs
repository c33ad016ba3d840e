//! Typed identifiers: a `ContactId` can never be passed where a `DealId` is
//! expected.
//!
//! ```
//! use crmkit::model::ContactId;
//!
//! let id = ContactId::new("C-001")?;
//! assert_eq!(id.as_str(), "C-001");
//! assert!(ContactId::new("").is_err());
//! Ok::<(), crmkit::Error>(())
//! ```

use std::fmt;

use crate::{Error, ErrorKind, Result};

/// The longest identifier accepted, in bytes.
pub const MAX_ID_LEN: usize = 256;

fn check_id(kind: &str, text: &str) -> Result<()> {
    if is_valid_id(text) {
        return Ok(());
    }
    if text.is_empty() {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!("{kind} id must not be empty"),
        ));
    }
    if text.len() > MAX_ID_LEN {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!(
                "{kind} id is {} bytes long, more than {MAX_ID_LEN}",
                text.len()
            ),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!("{kind} id {text:?} contains control characters"),
        ));
    }
    Ok(())
}

/// `true` when `text` is a valid identifier of any kind (what every id
/// type's `new` accepts), without building one: non-empty, at most
/// [`MAX_ID_LEN`] bytes, no control characters (ASCII checked bytewise).
pub(crate) fn is_valid_id(text: &str) -> bool {
    if text.is_empty() || text.len() > MAX_ID_LEN {
        return false;
    }
    // Printable ASCII, the usual id, needs no decoding.
    text.bytes().all(|b| (0x20..0x7f).contains(&b)) || !text.chars().any(char::is_control)
}

macro_rules! define_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        ///
        /// Non-empty, at most [`MAX_ID_LEN`] bytes, no control characters.
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps an identifier.
            ///
            /// # Errors
            ///
            /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for an empty
            /// id, one longer than [`MAX_ID_LEN`] bytes or one with control
            /// characters.
            pub fn new(id: impl Into<String>) -> Result<Self> {
                let id = id.into();
                check_id($kind, &id)?;
                Ok($name(id))
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(id: &str) -> Result<Self> {
                $name::new(id)
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(id: String) -> Result<Self> {
                $name::new(id)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

define_id!(
    /// Identifies a [`Contact`](crate::model::Contact).
    ContactId, "contact"
);
define_id!(
    /// Identifies a [`Company`](crate::model::Company).
    CompanyId, "company"
);
define_id!(
    /// Identifies a [`Deal`](crate::model::Deal).
    DealId, "deal"
);
define_id!(
    /// Identifies a [`Pipeline`](crate::model::Pipeline).
    PipelineId, "pipeline"
);
define_id!(
    /// Identifies a [`Stage`](crate::model::Stage) within its pipeline.
    StageId, "stage"
);
define_id!(
    /// Identifies an [`Activity`](crate::model::Activity).
    ActivityId, "activity"
);
define_id!(
    /// Identifies a [`Campaign`](crate::model::Campaign).
    CampaignId, "campaign"
);
define_id!(
    /// Identifies a [`Ticket`](crate::model::Ticket).
    TicketId, "ticket"
);
define_id!(
    /// Identifies a [`Task`](crate::model::Task).
    TaskId, "task"
);
define_id!(
    /// Identifies a [`SalesRep`](crate::model::SalesRep).
    RepId, "rep"
);
define_id!(
    /// Identifies a [`Team`](crate::model::Team).
    TeamId, "team"
);
define_id!(
    /// Identifies a [`SpendEntry`](crate::model::SpendEntry).
    SpendId, "spend"
);
