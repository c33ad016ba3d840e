//! Typed field paths into contacts and their companies, shared by the
//! scoring and automation engines.
//!
//! A [`FieldPath`] such as `contact.age`, `company.employees` or
//! `contact.attributes.plan` is parsed once (when a model or rule set is
//! loaded) and then resolved cheaply against records. Built-in fields have a
//! static [`FieldKind`], so an operator that does not suit the field is
//! refused at load time; custom attributes are typed by their values.
//!
//! ```
//! use crmkit::model::{Contact, FieldKind, FieldPath, FieldValue, ProtectedAttribute};
//!
//! let path = FieldPath::parse("contact.age")?;
//! assert_eq!(path.kind(), Some(FieldKind::Number));
//! assert_eq!(path.protected(), Some(ProtectedAttribute::Age));
//! let contact: Contact = serde_json::from_str(r#"{"id": "C-1",
//!     "created_at": "2024-01-01T00:00:00Z", "demographics": {"age": 41}}"#).unwrap();
//! assert_eq!(path.resolve(&contact, None), Some(FieldValue::Number(41.into())));
//! assert!(FieldPath::parse("contact.shoe_size").is_err());
//! Ok::<(), crmkit::Error>(())
//! ```

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::attributes::{AttributeValue, FieldKind, ProtectedAttribute};
use super::contact::{Company, Contact};
use crate::money::Money;
use crate::{Error, ErrorKind, Result};

/// A built-in or custom field of a contact.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ContactField {
    /// `contact.name`
    Name,
    /// `contact.email`
    Email,
    /// `contact.job_title`
    JobTitle,
    /// `contact.country`
    Country,
    /// `contact.territory`
    Territory,
    /// `contact.lifecycle_stage` (text: `"mql"`...)
    LifecycleStage,
    /// `contact.created_at`
    CreatedAt,
    /// `contact.age` (protected)
    Age,
    /// `contact.occupation`
    Occupation,
    /// `contact.gender` (protected)
    Gender,
    /// `contact.marital_status` (protected)
    MaritalStatus,
    /// `contact.income`
    Income,
    /// `contact.education`
    Education,
    /// `contact.ethnicity` (protected)
    Ethnicity,
    /// `contact.attributes.<name>`
    Attribute(String),
}

/// A built-in or custom field of a company.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CompanyField {
    /// `company.name`
    Name,
    /// `company.industry`
    Industry,
    /// `company.employees`
    Employees,
    /// `company.annual_revenue`
    AnnualRevenue,
    /// `company.country`
    Country,
    /// `company.territory`
    Territory,
    /// `company.created_at`
    CreatedAt,
    /// `company.attributes.<name>`
    Attribute(String),
}

const CONTACT_FIELDS: [(&str, ContactField); 14] = [
    ("name", ContactField::Name),
    ("email", ContactField::Email),
    ("job_title", ContactField::JobTitle),
    ("country", ContactField::Country),
    ("territory", ContactField::Territory),
    ("lifecycle_stage", ContactField::LifecycleStage),
    ("created_at", ContactField::CreatedAt),
    ("age", ContactField::Age),
    ("occupation", ContactField::Occupation),
    ("gender", ContactField::Gender),
    ("marital_status", ContactField::MaritalStatus),
    ("income", ContactField::Income),
    ("education", ContactField::Education),
    ("ethnicity", ContactField::Ethnicity),
];

const COMPANY_FIELDS: [(&str, CompanyField); 7] = [
    ("name", CompanyField::Name),
    ("industry", CompanyField::Industry),
    ("employees", CompanyField::Employees),
    ("annual_revenue", CompanyField::AnnualRevenue),
    ("country", CompanyField::Country),
    ("territory", CompanyField::Territory),
    ("created_at", CompanyField::CreatedAt),
];

/// A path to a field of a contact or of the contact's company.
///
/// JSON form: the path as a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum FieldPath {
    /// A field of the contact.
    Contact(ContactField),
    /// A field of the contact's company.
    Company(CompanyField),
}

/// The value a [`FieldPath`] resolves to, borrowed from the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValue<'a> {
    /// Text.
    Text(&'a str),
    /// An exact number.
    Number(Decimal),
    /// A flag.
    Bool(bool),
    /// A date.
    Date(NaiveDate),
    /// A point in time.
    Timestamp(Timestamp),
    /// Money.
    Money(Money),
}

impl FieldValue<'_> {
    /// The kind of the value.
    pub fn kind(&self) -> FieldKind {
        match self {
            FieldValue::Text(_) => FieldKind::Text,
            FieldValue::Number(_) => FieldKind::Number,
            FieldValue::Bool(_) => FieldKind::Bool,
            FieldValue::Date(_) => FieldKind::Date,
            FieldValue::Timestamp(_) => FieldKind::Timestamp,
            FieldValue::Money(_) => FieldKind::Money,
        }
    }
}

impl<'a> From<&'a AttributeValue> for FieldValue<'a> {
    fn from(value: &'a AttributeValue) -> Self {
        match value {
            AttributeValue::Text(text) => FieldValue::Text(text),
            AttributeValue::Number(n) => FieldValue::Number(*n),
            AttributeValue::Bool(b) => FieldValue::Bool(*b),
            AttributeValue::Date(d) => FieldValue::Date(*d),
            AttributeValue::Money(m) => FieldValue::Money(*m),
        }
    }
}

fn unknown_field(path: &str) -> Error {
    let contact: Vec<&str> = CONTACT_FIELDS.iter().map(|(n, _)| *n).collect();
    let company: Vec<&str> = COMPANY_FIELDS.iter().map(|(n, _)| *n).collect();
    Error::new(
        ErrorKind::Invalid,
        format!(
            "unknown field {path:?}: expected contact.<{}|attributes.NAME> or company.<{}|attributes.NAME>",
            contact.join("|"),
            company.join("|")
        ),
    )
}

impl FieldPath {
    /// Parses `contact.<field>`, `company.<field>` or
    /// `contact|company.attributes.<name>`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) for a path of another
    /// form or an unknown field, with the accepted forms in the message.
    pub fn parse(path: &str) -> Result<FieldPath> {
        let (entity, rest) = path.split_once('.').ok_or_else(|| unknown_field(path))?;
        let attribute = rest
            .strip_prefix("attributes.")
            .filter(|name| !name.is_empty());
        match entity {
            "contact" => match attribute {
                Some(name) => Ok(FieldPath::Contact(ContactField::Attribute(
                    name.to_string(),
                ))),
                None => CONTACT_FIELDS
                    .iter()
                    .find(|(n, _)| *n == rest)
                    .map(|(_, f)| FieldPath::Contact(f.clone()))
                    .ok_or_else(|| unknown_field(path)),
            },
            "company" => match attribute {
                Some(name) => Ok(FieldPath::Company(CompanyField::Attribute(
                    name.to_string(),
                ))),
                None => COMPANY_FIELDS
                    .iter()
                    .find(|(n, _)| *n == rest)
                    .map(|(_, f)| FieldPath::Company(f.clone()))
                    .ok_or_else(|| unknown_field(path)),
            },
            _ => Err(unknown_field(path)),
        }
    }

    /// The static kind of a built-in field; `None` for custom attributes,
    /// whose kind is that of their value.
    pub fn kind(&self) -> Option<FieldKind> {
        use CompanyField as K;
        use ContactField as C;
        Some(match self {
            FieldPath::Contact(C::Age) => FieldKind::Number,
            FieldPath::Contact(C::Income) => FieldKind::Money,
            FieldPath::Contact(C::CreatedAt) => FieldKind::Timestamp,
            FieldPath::Contact(C::Attribute(_)) | FieldPath::Company(K::Attribute(_)) => {
                return None;
            }
            FieldPath::Contact(_) => FieldKind::Text,
            FieldPath::Company(K::Employees) => FieldKind::Number,
            FieldPath::Company(K::AnnualRevenue) => FieldKind::Money,
            FieldPath::Company(K::CreatedAt) => FieldKind::Timestamp,
            FieldPath::Company(_) => FieldKind::Text,
        })
    }

    /// The protected attribute this field is, if any.
    pub fn protected(&self) -> Option<ProtectedAttribute> {
        match self {
            FieldPath::Contact(ContactField::Age) => Some(ProtectedAttribute::Age),
            FieldPath::Contact(ContactField::Gender) => Some(ProtectedAttribute::Gender),
            FieldPath::Contact(ContactField::MaritalStatus) => {
                Some(ProtectedAttribute::MaritalStatus)
            }
            FieldPath::Contact(ContactField::Ethnicity) => Some(ProtectedAttribute::Ethnicity),
            FieldPath::Contact(ContactField::Attribute(name)) => {
                ProtectedAttribute::from_field(name)
            }
            _ => None,
        }
    }

    /// Reads the field; `None` when it has no value (or the contact has no
    /// company, for company fields).
    pub fn resolve<'a>(
        &self,
        contact: &'a Contact,
        company: Option<&'a Company>,
    ) -> Option<FieldValue<'a>> {
        use ContactField as C;
        let text = |value: &'a Option<String>| value.as_deref().map(FieldValue::Text);
        match self {
            FieldPath::Contact(field) => {
                let d = &contact.demographics;
                match field {
                    C::Name => Some(FieldValue::Text(&contact.name)),
                    C::Email => text(&contact.email),
                    C::JobTitle => text(&contact.job_title),
                    C::Country => text(&contact.country),
                    C::Territory => text(&contact.territory),
                    C::LifecycleStage => Some(FieldValue::Text(contact.lifecycle.stage.as_str())),
                    C::CreatedAt => Some(FieldValue::Timestamp(contact.created_at)),
                    C::Age => d.age.map(|age| FieldValue::Number(age.into())),
                    C::Occupation => text(&d.occupation),
                    C::Gender => text(&d.gender),
                    C::MaritalStatus => text(&d.marital_status),
                    C::Income => d.income.map(FieldValue::Money),
                    C::Education => text(&d.education),
                    C::Ethnicity => text(&d.ethnicity),
                    C::Attribute(name) => contact.attributes.get(name).map(FieldValue::from),
                }
            }
            FieldPath::Company(field) => {
                let company = company?;
                match field {
                    CompanyField::Name => Some(FieldValue::Text(&company.name)),
                    CompanyField::Industry => text(&company.industry),
                    CompanyField::Employees => {
                        company.employees.map(|n| FieldValue::Number(n.into()))
                    }
                    CompanyField::AnnualRevenue => company.annual_revenue.map(FieldValue::Money),
                    CompanyField::Country => text(&company.country),
                    CompanyField::Territory => text(&company.territory),
                    CompanyField::CreatedAt => company.created_at.map(FieldValue::Timestamp),
                    CompanyField::Attribute(name) => {
                        company.attributes.get(name).map(FieldValue::from)
                    }
                }
            }
        }
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldPath::Contact(ContactField::Attribute(name)) => {
                write!(f, "contact.attributes.{name}")
            }
            FieldPath::Company(CompanyField::Attribute(name)) => {
                write!(f, "company.attributes.{name}")
            }
            FieldPath::Contact(field) => {
                let name = CONTACT_FIELDS
                    .iter()
                    .find(|(_, x)| x == field)
                    .map_or("?", |(n, _)| n);
                write!(f, "contact.{name}")
            }
            FieldPath::Company(field) => {
                let name = COMPANY_FIELDS
                    .iter()
                    .find(|(_, x)| x == field)
                    .map_or("?", |(n, _)| n);
                write!(f, "company.{name}")
            }
        }
    }
}

impl TryFrom<String> for FieldPath {
    type Error = Error;
    fn try_from(path: String) -> Result<Self> {
        FieldPath::parse(&path)
    }
}

impl From<FieldPath> for String {
    fn from(path: FieldPath) -> String {
        path.to_string()
    }
}
