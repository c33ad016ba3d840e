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

/// Longest id kept inline (no allocation); longer ids go to the heap.
const INLINE: usize = 15;

/// The length of an inline id. An enum of the 16 lengths rather than a
/// `u8`, so that the byte's other values are free for the compiler to tell
/// [`IdText`]'s variants (and `Option`'s `None`) apart: an id takes 16
/// bytes instead of 24.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum InlineLen {
    L0,
    L1,
    L2,
    L3,
    L4,
    L5,
    L6,
    L7,
    L8,
    L9,
    L10,
    L11,
    L12,
    L13,
    L14,
    L15,
}

impl InlineLen {
    const ALL: [InlineLen; INLINE + 1] = [
        InlineLen::L0,
        InlineLen::L1,
        InlineLen::L2,
        InlineLen::L3,
        InlineLen::L4,
        InlineLen::L5,
        InlineLen::L6,
        InlineLen::L7,
        InlineLen::L8,
        InlineLen::L9,
        InlineLen::L10,
        InlineLen::L11,
        InlineLen::L12,
        InlineLen::L13,
        InlineLen::L14,
        InlineLen::L15,
    ];

    #[inline]
    fn get(self) -> usize {
        usize::from(self as u8)
    }
}

/// The text of an id: inline up to [`INLINE`] bytes, so the common short
/// id (`C-0012345`, `P00001234`) costs no allocation (and cloning one costs
/// none), else a boxed `str` behind one more box, so that the variant is a
/// thin pointer. The representation is canonical (an id of at most
/// [`INLINE`] bytes is always inline, unused bytes are zero), so the
/// derived equality is the text's. 16 bytes, and `Option` of it too: a
/// record with five ids (an activity) is 40 bytes smaller than with
/// `String`s.
#[derive(Clone, PartialEq, Eq)]
enum IdText {
    Inline { len: InlineLen, bytes: [u8; INLINE] },
    Heap(Box<Box<str>>),
}

impl IdText {
    fn copy_of(text: &str) -> IdText {
        let mut bytes = [0u8; INLINE];
        match (bytes.get_mut(..text.len()), InlineLen::ALL.get(text.len())) {
            (Some(slot), Some(&len)) => {
                slot.copy_from_slice(text.as_bytes());
                IdText::Inline { len, bytes }
            }
            _ => IdText::Heap(Box::new(text.into())),
        }
    }

    fn from_string(text: String) -> IdText {
        if text.len() <= INLINE {
            IdText::copy_of(&text)
        } else {
            IdText::Heap(Box::new(text.into_boxed_str()))
        }
    }

    /// The bytes of the text, without the UTF-8 check of
    /// [`IdText::as_str`] (what hashing and comparing ids need).
    #[inline]
    fn as_bytes(&self) -> &[u8] {
        match self {
            IdText::Inline { len, bytes } => bytes.get(..len.get()).unwrap_or_default(),
            IdText::Heap(text) => text.as_bytes(),
        }
    }

    #[inline]
    fn as_str(&self) -> &str {
        match self {
            // Always valid UTF-8: the bytes are a copy of a `str`.
            IdText::Inline { len, bytes } => bytes
                .get(..len.get())
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default(),
            IdText::Heap(text) => text,
        }
    }
}

macro_rules! define_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        ///
        /// Non-empty, at most [`MAX_ID_LEN`] bytes, no control characters.
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(IdText);

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
                Ok($name(IdText::from_string(id)))
            }

            /// Validates a borrowed identifier (no allocation for a short one).
            fn from_text(id: &str) -> Result<Self> {
                check_id($kind, id)?;
                Ok($name(IdText::copy_of(id)))
            }

            /// The identifier as text.
            #[inline]
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }

            /// The identifier's UTF-8 bytes (no check: for the indexes).
            #[inline]
            #[allow(dead_code)]
            pub(crate) fn as_bytes(&self) -> &[u8] {
                self.0.as_bytes()
            }
        }

        impl std::hash::Hash for $name {
            // As the text, so that lookups by `&str` (`Borrow<str>`) agree.
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                std::hash::Hash::hash(self.as_str(), state)
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<$name, E> {
                        $name::from_text(v).map_err(E::custom)
                    }
                    fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<$name, E> {
                        $name::new(v).map_err(E::custom)
                    }
                }
                d.deserialize_str(Visitor)
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(id: &str) -> Result<Self> {
                $name::from_text(id)
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
                match id.0 {
                    IdText::Heap(text) => (*text).into_string(),
                    inline => inline.as_str().to_owned(),
                }
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.as_str())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                self.as_str()
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashMap};

    #[test]
    fn an_id_and_an_optional_one_take_16_bytes() {
        assert_eq!(std::mem::size_of::<ContactId>(), 16);
        assert_eq!(std::mem::size_of::<Option<ContactId>>(), 16);
    }

    #[test]
    fn short_and_long_ids_keep_their_text_order_hash_and_json() {
        let texts = [
            "C-1".to_string(),
            "x".repeat(INLINE),
            "y".repeat(INLINE + 1),
            "é".repeat(40),
            "B".to_string(),
        ];
        let ids: Vec<ContactId> = texts.iter().map(|t| t.parse().expect("id")).collect();
        let mut by_text = HashMap::new();
        for (id, text) in ids.iter().zip(&texts) {
            assert_eq!(id.as_str(), text);
            assert_eq!(String::from(id.clone()), *text);
            assert_eq!(ContactId::new(text.clone()).expect("id"), *id);
            let json = serde_json::to_string(id).expect("json");
            assert_eq!(json, serde_json::to_string(text).expect("json"));
            assert_eq!(serde_json::from_str::<ContactId>(&json).expect("back"), *id);
            by_text.insert(id.clone(), text.len());
        }
        // Lookups by `&str` find ids (hash and equality agree with the text).
        for text in &texts {
            assert_eq!(by_text.get(text.as_str()), Some(&text.len()));
        }
        let sorted: Vec<&str> = ids
            .iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(ContactId::as_str)
            .collect();
        let mut expected: Vec<&str> = texts.iter().map(String::as_str).collect();
        expected.sort_unstable();
        assert_eq!(sorted, expected);
    }

    #[test]
    fn json_ids_are_checked_as_constructed_ones() {
        let err = serde_json::from_str::<ContactId>(r#""""#).expect_err("empty");
        assert!(
            err.to_string().contains("contact id must not be empty"),
            "{err}"
        );
        let err = serde_json::from_str::<DealId>("5").expect_err("number");
        assert!(err.to_string().contains("expected a string"), "{err}");
        // An escaped id reaches the visitor as an owned string.
        let id: ContactId = serde_json::from_str(r#""C\u002d1""#).expect("escaped");
        assert_eq!(id.as_str(), "C-1");
    }
}
