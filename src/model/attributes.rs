//! Attribute values, demographics and the protected attributes.
//!
//! Contacts and companies carry built-in fields plus custom attributes. A
//! custom attribute is a typed [`AttributeValue`]; in JSON a string, number or
//! boolean is written as itself, a date as `{"date": "2024-05-01"}` and money
//! as `{"amount": "12.50", "currency": "EUR"}`.
//!
//! ```
//! use crmkit::model::{AttributeValue, ProtectedAttribute};
//!
//! let v: AttributeValue = serde_json::from_str(r#"{"date": "2024-05-01"}"#).unwrap();
//! assert!(matches!(v, AttributeValue::Date(_)));
//! let n: AttributeValue = serde_json::from_str("12.5").unwrap();
//! assert_eq!(n, AttributeValue::Number("12.5".parse().unwrap()));
//! assert_eq!(ProtectedAttribute::from_field("ethnicity"), Some(ProtectedAttribute::Ethnicity));
//! Ok::<(), crmkit::Error>(())
//! ```

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::money::{Money, decimal_from_json};

/// The value of a custom attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeValue {
    /// Free text.
    Text(String),
    /// An exact number.
    Number(Decimal),
    /// A yes/no flag.
    Bool(bool),
    /// A calendar date.
    Date(NaiveDate),
    /// An amount of money.
    Money(Money),
}

impl AttributeValue {
    /// The kind of the value.
    pub fn kind(&self) -> FieldKind {
        match self {
            AttributeValue::Text(_) => FieldKind::Text,
            AttributeValue::Number(_) => FieldKind::Number,
            AttributeValue::Bool(_) => FieldKind::Bool,
            AttributeValue::Date(_) => FieldKind::Date,
            AttributeValue::Money(_) => FieldKind::Money,
        }
    }
}

impl Serialize for AttributeValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            AttributeValue::Text(text) => s.serialize_str(text),
            AttributeValue::Bool(flag) => s.serialize_bool(*flag),
            AttributeValue::Number(number) => {
                // A JSON number when it survives the f64 round trip exactly,
                // otherwise the lossless {"number": "..."} form.
                let text = number.to_string();
                match text.parse::<f64>() {
                    Ok(f)
                        if f.is_finite()
                            && decimal_from_json(&serde_json::json!(f)).ok() == Some(*number) =>
                    {
                        s.serialize_f64(f)
                    }
                    _ => {
                        let mut map = s.serialize_map(Some(1))?;
                        map.serialize_entry("number", &text)?;
                        map.end()
                    }
                }
            }
            AttributeValue::Date(date) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("date", date)?;
                map.end()
            }
            AttributeValue::Money(money) => money.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for AttributeValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let value = serde_json::Value::deserialize(d)?;
        match value {
            serde_json::Value::String(text) => Ok(AttributeValue::Text(text)),
            serde_json::Value::Bool(flag) => Ok(AttributeValue::Bool(flag)),
            serde_json::Value::Number(_) => decimal_from_json(&value)
                .map(AttributeValue::Number)
                .map_err(D::Error::custom),
            serde_json::Value::Object(ref map) => {
                if map.len() == 1 {
                    if let Some(date) = map.get("date") {
                        return serde_json::from_value::<NaiveDate>(date.clone())
                            .map(AttributeValue::Date)
                            .map_err(D::Error::custom);
                    }
                    if let Some(number) = map.get("number") {
                        return decimal_from_json(number)
                            .map(AttributeValue::Number)
                            .map_err(D::Error::custom);
                    }
                }
                // An object with an amount is meant as money: its own error
                // (an inexact amount, a bad currency) says more than the
                // list of the accepted forms.
                let meant_as_money = map.contains_key("amount");
                serde_json::from_value::<Money>(value)
                    .map(AttributeValue::Money)
                    .map_err(|err| {
                        if meant_as_money {
                            D::Error::custom(format!("a money attribute: {err}"))
                        } else {
                            D::Error::custom(
                                "expected an attribute value: a string, number, boolean, {\"date\": ...}, {\"number\": ...} or {\"amount\": ..., \"currency\": ...}",
                            )
                        }
                    })
            }
            other => Err(D::Error::custom(format!(
                "expected an attribute value (string, number, boolean, date or money), found {other}"
            ))),
        }
    }
}

/// The kinds of value a field can hold; scoring and automation rules check
/// that an operator suits the kind of the field it is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text.
    Text,
    /// An exact number.
    Number,
    /// A yes/no flag.
    Bool,
    /// A calendar date.
    Date,
    /// A point in time.
    Timestamp,
    /// An amount of money.
    Money,
}

impl fmt::Display for FieldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Bool => "bool",
            FieldKind::Date => "date",
            FieldKind::Timestamp => "timestamp",
            FieldKind::Money => "money",
        })
    }
}

/// Attributes that must not drive automated decisions without an explicit
/// opt-in: scoring models and predictive models refuse to use them unless
/// told otherwise, and flag every result that did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtectedAttribute {
    /// Age in years.
    Age,
    /// Gender.
    Gender,
    /// Marital status.
    MaritalStatus,
    /// Ethnicity.
    Ethnicity,
}

impl ProtectedAttribute {
    /// All protected attributes.
    pub const ALL: [ProtectedAttribute; 4] = [
        ProtectedAttribute::Age,
        ProtectedAttribute::Gender,
        ProtectedAttribute::MaritalStatus,
        ProtectedAttribute::Ethnicity,
    ];

    /// The demographic field name (`"age"`, `"marital_status"`...).
    pub fn field_name(self) -> &'static str {
        match self {
            ProtectedAttribute::Age => "age",
            ProtectedAttribute::Gender => "gender",
            ProtectedAttribute::MaritalStatus => "marital_status",
            ProtectedAttribute::Ethnicity => "ethnicity",
        }
    }

    /// The protected attribute a demographic field name refers to, if any.
    pub fn from_field(name: &str) -> Option<ProtectedAttribute> {
        ProtectedAttribute::ALL
            .into_iter()
            .find(|p| p.field_name() == name)
    }
}

/// Demographic facts about a person. Every field is optional; four of them
/// are [protected](ProtectedAttribute).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Demographics {
    /// Age in years (protected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<u8>,
    /// Occupation or job title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occupation: Option<String>,
    /// Gender (protected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// Marital status (protected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marital_status: Option<String>,
    /// Yearly income.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub income: Option<Money>,
    /// Highest education.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub education: Option<String>,
    /// Ethnicity (protected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ethnicity: Option<String>,
}

impl Demographics {
    /// The protected attributes that have a value.
    pub fn protected_present(&self) -> Vec<ProtectedAttribute> {
        let mut present = Vec::new();
        if self.age.is_some() {
            present.push(ProtectedAttribute::Age);
        }
        if self.gender.is_some() {
            present.push(ProtectedAttribute::Gender);
        }
        if self.marital_status.is_some() {
            present.push(ProtectedAttribute::MaritalStatus);
        }
        if self.ethnicity.is_some() {
            present.push(ProtectedAttribute::Ethnicity);
        }
        present
    }
}
