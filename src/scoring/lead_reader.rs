//! Reading a lead document in place, for [`ScoringModel::score_json`]:
//! one pass over the text, strings borrowed from it, and only the values a
//! score needs kept.
//!
//! The reader is deliberately narrow. It accepts a document only when it is
//! sure the typed records ([`crate::model::Contact`], [`crate::model::Company`],
//! [`crate::model::Activity`]) would accept it with the same values: strings
//! without escapes, whole numbers without sign, exponent or leading zeros,
//! timestamps of the form `2026-01-31T12:00:00Z` (with up to nine fraction
//! digits), money amounts as strings, no repeated member, no unknown one.
//! Anything else (and a document with `previous`) makes it give up, and the
//! document is read again by the typed records, which also name the path of
//! anything wrong. The unit tests compare both readers on every sample
//! lead, on a model that reads every field, and on mutated documents.
//!
//! [`ScoringModel::score_json`]: super::ScoringModel::score_json
//!
//! ```
//! use crmkit::scoring::ScoringModel;
//!
//! let model = ScoringModel::from_json(r#"{"rules": [{"id": "visit", "points": 2,
//!     "activity": {"type": "website_visit"}}]}"#)?;
//! let as_of = "2026-02-01T00:00:00Z".parse().unwrap();
//! // Read in place...
//! let plain = r#"{"contact": {"id": "C-1", "created_at": "2026-01-01T00:00:00Z"},
//!   "activities": [{"id": "A-1", "contact": "C-1", "at": "2026-01-02T00:00:00Z",
//!                   "kind": {"type": "website_visit", "url": "/"}}]}"#;
//! // ...or, with an escaped string, by the typed records: the same score.
//! let escaped = plain.replace(r#""url": "/""#, r#""url": "\/""#);
//! assert_eq!(model.score_json(plain, as_of)?, model.score_json(&escaped, as_of)?);
//! Ok::<(), crmkit::Error>(())
//! ```

use super::activity::ActivityFacts;
use super::evaluate::LeadFacts;
use super::json_cursor::{Cursor, MemberNames, MemberOrder, Memo, mark, once};
use crate::model::{
    CompanyField, ContactField, CsatScore, FieldPath, FieldValue, LifecycleStage, NpsScore,
    SurveyScore, Timestamp,
};
use crate::money::Money;

/// The contact's part of a lead read in place.
#[derive(Debug, Default)]
struct ContactView<'a> {
    id: &'a str,
    name: &'a str,
    email: Option<&'a str>,
    job_title: Option<&'a str>,
    company: Option<&'a str>,
    country: Option<&'a str>,
    territory: Option<&'a str>,
    created_at: Option<Timestamp>,
    stage: Option<LifecycleStage>,
    age: Option<u8>,
    occupation: Option<&'a str>,
    gender: Option<&'a str>,
    marital_status: Option<&'a str>,
    income: Option<Money>,
    education: Option<&'a str>,
    ethnicity: Option<&'a str>,
    attributes: Vec<(&'a str, FieldValue<'a>)>,
}

/// The company's part of a lead read in place.
#[derive(Debug, Default)]
struct CompanyView<'a> {
    id: &'a str,
    name: &'a str,
    industry: Option<&'a str>,
    employees: Option<u32>,
    annual_revenue: Option<Money>,
    country: Option<&'a str>,
    territory: Option<&'a str>,
    created_at: Option<Timestamp>,
    attributes: Vec<(&'a str, FieldValue<'a>)>,
}

/// A lead document read in place: what scoring needs, borrowed from the
/// text where it can be.
#[derive(Debug)]
pub(crate) struct LeadView<'a> {
    contact: ContactView<'a>,
    company: Option<CompanyView<'a>>,
    /// Each activity's details and time in whole seconds since the Unix
    /// epoch.
    activities: Vec<(ActivityFacts<'a>, i64)>,
}

impl<'a> LeadView<'a> {
    /// Reads a lead document, or `None` when it must be read by the typed
    /// records (see the module docs).
    pub(crate) fn read(text: &'a str) -> Option<LeadView<'a>> {
        let mut c = Cursor::new(text);
        let (mut contact, mut company, mut activities) = (None, None, None);
        // The activities' contact: the first one's, and whether any other
        // differs (the contact itself may come after them).
        let (mut owner, mut mixed_owners) = (None, false);
        let mut memory = ActivityMemory::default();
        c.object(|c, key| match key {
            b"contact" => once(&mut contact, read_contact(c)?),
            b"company" => once(&mut company, c.nullable(read_company)?),
            b"activities" => {
                // Room for a lead of the usual size (the sample's median is 15).
                let mut list = Vec::with_capacity(16);
                c.array(|c| {
                    let (activity_owner, kind, at) = read_activity(c, &mut memory)?;
                    match owner {
                        None => owner = Some(activity_owner),
                        Some(first) => mixed_owners |= first != activity_owner,
                    }
                    list.push((kind, at));
                    Some(())
                })?;
                once(&mut activities, list)
            }
            _ => None,
        })?;
        if c.peek().is_some() {
            return None;
        }
        let contact = contact?;
        let company = company.flatten();
        // The parts must belong together; the typed reading names the
        // mismatch.
        if let (Some(company), Some(id)) = (&company, contact.company)
            && company.id != id
        {
            return None;
        }
        if mixed_owners || owner.is_some_and(|owner| owner != contact.id) {
            return None;
        }
        Some(LeadView {
            contact,
            company,
            activities: activities.unwrap_or_default(),
        })
    }

    /// The contact's id.
    pub(crate) fn contact_id(&self) -> &'a str {
        self.contact.id
    }
}

fn read_contact<'a>(c: &mut Cursor<'a>) -> Option<ContactView<'a>> {
    let mut v = ContactView::default();
    let mut seen = 0_u32;
    c.object(|c, key| {
        let text = |c: &mut Cursor<'a>| c.nullable(Cursor::string);
        let bit = match key {
            b"id" => {
                v.id = c.id()?;
                0
            }
            b"name" => {
                v.name = c.string()?;
                1
            }
            b"email" => {
                v.email = text(c)?;
                2
            }
            b"phone" => {
                text(c)?;
                3
            }
            b"job_title" => {
                v.job_title = text(c)?;
                4
            }
            b"company" => {
                v.company = c.nullable(Cursor::id)?;
                5
            }
            b"owner" => {
                c.nullable(Cursor::id)?;
                6
            }
            b"source_campaign" => {
                c.nullable(Cursor::id)?;
                7
            }
            b"country" => {
                v.country = text(c)?;
                8
            }
            b"territory" => {
                v.territory = text(c)?;
                9
            }
            b"created_at" => {
                v.created_at = Some(c.timestamp()?);
                10
            }
            b"lifecycle" => {
                v.stage = Some(read_lifecycle(c)?);
                11
            }
            b"demographics" => {
                read_demographics(c, &mut v)?;
                12
            }
            b"tags" => {
                c.tags()?;
                13
            }
            b"attributes" => {
                c.attributes(&mut v.attributes)?;
                14
            }
            _ => return None,
        };
        mark(&mut seen, bit)
    })?;
    // id and created_at are required.
    (seen & 1 != 0 && v.created_at.is_some()).then_some(v)
}

/// `{"stage": ..., "history": [...]}`: the stage, with the history checked.
fn read_lifecycle(c: &mut Cursor<'_>) -> Option<LifecycleStage> {
    let (mut stage, mut history) = (None, false);
    c.object(|c, key| match key {
        b"stage" => once(&mut stage, c.stage()?),
        b"history" if !history => {
            history = true;
            c.array(|c| {
                let mut seen = 0_u32;
                c.object(|c, key| {
                    let bit = match key {
                        b"from" => c.stage().map(|_| 0)?,
                        b"to" => c.stage().map(|_| 1)?,
                        b"at" => c.epoch_seconds().map(|_| 2)?,
                        _ => return None,
                    };
                    mark(&mut seen, bit)
                })?;
                (seen == 0b111).then_some(())
            })
        }
        _ => None,
    })?;
    stage
}

fn read_demographics<'a>(c: &mut Cursor<'a>, v: &mut ContactView<'a>) -> Option<()> {
    let mut seen = 0_u32;
    c.object(|c, key| {
        let text = |c: &mut Cursor<'a>| c.nullable(Cursor::string);
        let bit = match key {
            b"age" => {
                v.age = c
                    .nullable(|c| c.unsigned(u64::from(u8::MAX)))?
                    .and_then(|a| u8::try_from(a).ok());
                0
            }
            b"occupation" => {
                v.occupation = text(c)?;
                1
            }
            b"gender" => {
                v.gender = text(c)?;
                2
            }
            b"marital_status" => {
                v.marital_status = text(c)?;
                3
            }
            b"income" => {
                v.income = c.nullable(Cursor::money)?;
                4
            }
            b"education" => {
                v.education = text(c)?;
                5
            }
            b"ethnicity" => {
                v.ethnicity = text(c)?;
                6
            }
            _ => return None,
        };
        mark(&mut seen, bit)
    })
}

fn read_company<'a>(c: &mut Cursor<'a>) -> Option<CompanyView<'a>> {
    let mut v = CompanyView::default();
    let mut seen = 0_u32;
    c.object(|c, key| {
        let text = |c: &mut Cursor<'a>| c.nullable(Cursor::string);
        let bit = match key {
            b"id" => {
                v.id = c.id()?;
                0
            }
            b"name" => {
                v.name = c.string()?;
                1
            }
            b"industry" => {
                v.industry = text(c)?;
                2
            }
            b"employees" => {
                v.employees = c.nullable(Cursor::u32)?;
                3
            }
            b"annual_revenue" => {
                v.annual_revenue = c.nullable(Cursor::money)?;
                4
            }
            b"country" => {
                v.country = text(c)?;
                5
            }
            b"territory" => {
                v.territory = text(c)?;
                6
            }
            b"owner" => {
                c.nullable(Cursor::id)?;
                7
            }
            b"created_at" => {
                v.created_at = c.nullable(Cursor::timestamp)?;
                8
            }
            b"tags" => {
                c.tags()?;
                9
            }
            b"attributes" => {
                c.attributes(&mut v.attributes)?;
                10
            }
            _ => return None,
        };
        mark(&mut seen, bit)
    })?;
    // id and name are required.
    (seen & 0b11 == 0b11).then_some(v)
}

/// What the reader learnt from the activities read so far: the order of
/// their members and of their details' (see [`Cursor::members`]), and the
/// last value of the members that often repeat (see [`Cursor::repeat`]).
#[derive(Default)]
struct ActivityMemory<'a> {
    activity: MemberOrder,
    kind: MemberOrder,
    contact: Memo<'a, &'a str>,
    /// `deal`, `campaign` and `rep`.
    links: [Memo<'a, Option<&'a str>>; 3],
    details: DetailMemos<'a>,
}

/// The last value of the details' members that often repeat.
#[derive(Default)]
struct DetailMemos<'a> {
    kind: Memo<'a, &'a str>,
    /// As `KindMembers::strings`.
    strings: [Memo<'a, &'a str>; 6],
    event: Memo<'a, crate::model::EmailEvent>,
    direction: Memo<'a, crate::model::CallDirection>,
    outcome: Memo<'a, crate::model::CallOutcome>,
}

/// The members of an activity, numbered as the bits of its `seen`.
const ACTIVITY_MEMBERS: MemberNames<7> =
    MemberNames::new(["id", "contact", "at", "deal", "campaign", "rep", "kind"]);

/// An activity: its contact, details and time.
fn read_activity<'a>(
    c: &mut Cursor<'a>,
    memory: &mut ActivityMemory<'a>,
) -> Option<(&'a str, ActivityFacts<'a>, i64)> {
    let (mut contact, mut at, mut kind) = (None, None, None);
    let mut seen = 0_u32;
    let ActivityMemory {
        activity,
        kind: kind_order,
        contact: contact_memo,
        links,
        details,
    } = memory;
    c.members(&ACTIVITY_MEMBERS, activity, |c, member| {
        match member {
            0 => {
                c.id()?;
            }
            1 => contact = Some(c.repeat(contact_memo, Cursor::id)?),
            2 => at = Some(c.epoch_seconds()?),
            3..=5 => {
                c.repeat(links.get_mut(member - 3)?, |c| c.nullable(Cursor::id))?;
            }
            _ => kind = Some(read_kind(c, kind_order, details)?),
        }
        mark(&mut seen, member as u32)
    })?;
    // id is required too.
    (seen & 1 != 0).then_some(())?;
    Some((contact?, kind?, at?))
}

/// The bit numbers of the members an activity's details may have, in any
/// variant.
const TYPE: u32 = 0;
const URL: u32 = 1;
const DURATION_SECONDS: u32 = 2;
const GOAL_COMPLETED: u32 = 3;
const FORM: u32 = 4;
const CONTENT: u32 = 5;
const EVENT: u32 = 6;
const SUBJECT: u32 = 7;
const DIRECTION: u32 = 8;
const OUTCOME: u32 = 9;
const WAIT_SECONDS: u32 = 10;
const TALK_SECONDS: u32 = 11;
const HOLD_SECONDS: u32 = 12;
const WRAP_UP_SECONDS: u32 = 13;
const CALLBACK: u32 = 14;
const DURATION_MINUTES: u32 = 15;
const AMOUNT: u32 = 16;
const ITEMS: u32 = 17;
const REFERRED: u32 = 18;
const SURVEY: u32 = 19;
const SCORE: u32 = 20;
const RATING: u32 = 21;
const TEXT: u32 = 22;

/// The members an activity's details may have, in any variant, numbered
/// as the constants above.
const KIND_MEMBERS: MemberNames<23> = MemberNames::new([
    "type",
    "url",
    "duration_seconds",
    "goal_completed",
    "form",
    "content",
    "event",
    "subject",
    "direction",
    "outcome",
    "wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "wrap_up_seconds",
    "callback",
    "duration_minutes",
    "amount",
    "items",
    "referred",
    "survey",
    "score",
    "rating",
    "text",
]);

/// The members of an activity's details, each read by its one type.
#[derive(Default)]
struct KindMembers<'a> {
    seen: u32,
    kind: Option<&'a str>,
    strings: [Option<&'a str>; 6],
    numbers: [Option<u32>; 6],
    flags: [Option<bool>; 2],
    event: Option<crate::model::EmailEvent>,
    direction: Option<crate::model::CallDirection>,
    outcome: Option<crate::model::CallOutcome>,
    amount: Option<Money>,
    score: Option<SurveyScore>,
    rating: Option<CsatScore>,
}

impl KindMembers<'_> {
    /// Gives up unless every member seen is `type` or one of `allowed`.
    fn only(&self, allowed: &[u32]) -> Option<()> {
        let mask = allowed.iter().fold(1 << TYPE, |mask, bit| mask | 1 << bit);
        (self.seen & !mask == 0).then_some(())
    }
}

/// An activity's details: checked as the typed records check them, and
/// what its rules read kept.
fn read_kind<'a>(
    c: &mut Cursor<'a>,
    order: &mut MemberOrder,
    memos: &mut DetailMemos<'a>,
) -> Option<ActivityFacts<'a>> {
    let mut m = KindMembers::default();
    c.members(&KIND_MEMBERS, order, |c, member| {
        let member = member as u32;
        mark(&mut m.seen, member)?;
        let mut string = |c: &mut Cursor<'a>, slot: usize| {
            let value = c.repeat(memos.strings.get_mut(slot)?, Cursor::string)?;
            *m.strings.get_mut(slot)? = Some(value);
            Some(())
        };
        match member {
            TYPE => m.kind = Some(c.repeat(&mut memos.kind, Cursor::string)?),
            URL => string(c, 0)?,
            FORM => string(c, 1)?,
            CONTENT => string(c, 2)?,
            SUBJECT => string(c, 3)?,
            SURVEY => string(c, 4)?,
            TEXT => string(c, 5)?,
            REFERRED => {
                c.id()?;
            }
            DURATION_SECONDS => m.numbers[0] = Some(c.u32()?),
            WAIT_SECONDS => m.numbers[1] = Some(c.u32()?),
            TALK_SECONDS => m.numbers[2] = Some(c.u32()?),
            HOLD_SECONDS => m.numbers[3] = Some(c.u32()?),
            WRAP_UP_SECONDS => m.numbers[4] = Some(c.u32()?),
            DURATION_MINUTES => m.numbers[5] = Some(c.u32()?),
            GOAL_COMPLETED => m.flags[0] = Some(c.boolean()?),
            CALLBACK => m.flags[1] = Some(c.boolean()?),
            EVENT => m.event = Some(c.repeat(&mut memos.event, Cursor::name)?),
            DIRECTION => m.direction = Some(c.repeat(&mut memos.direction, Cursor::name)?),
            OUTCOME => m.outcome = Some(c.repeat(&mut memos.outcome, Cursor::name)?),
            AMOUNT => m.amount = Some(c.money()?),
            ITEMS => c.array(read_item)?,
            SCORE => m.score = Some(read_survey_score(c)?),
            RATING => m.rating = Some(CsatScore::new(read_small(c)?).ok()?),
            _ => return None,
        }
        Some(())
    })?;
    let [url, form, content, subject, survey, _text] = m.strings;
    let [duration, _wait, talk, _hold, _wrap_up, minutes] = m.numbers;
    let [goal, _callback] = m.flags;
    let facts = match m.kind? {
        "website_visit" => {
            m.only(&[URL, DURATION_SECONDS, GOAL_COMPLETED])?;
            ActivityFacts::WebsiteVisit {
                url: url?,
                duration_seconds: duration.unwrap_or(0),
                goal_completed: goal.unwrap_or(false),
            }
        }
        "form_submission" => {
            m.only(&[FORM])?;
            ActivityFacts::FormSubmission { form: form? }
        }
        "content_download" => {
            m.only(&[CONTENT])?;
            ActivityFacts::ContentDownload { content: content? }
        }
        "email" => {
            m.only(&[EVENT, SUBJECT])?;
            ActivityFacts::Email {
                event: m.event?,
                subject,
            }
        }
        "call" => {
            m.only(&[
                DIRECTION,
                OUTCOME,
                WAIT_SECONDS,
                TALK_SECONDS,
                HOLD_SECONDS,
                WRAP_UP_SECONDS,
                CALLBACK,
            ])?;
            ActivityFacts::Call {
                direction: m.direction?,
                outcome: m.outcome?,
                talk_seconds: talk.unwrap_or(0),
            }
        }
        "meeting" => {
            m.only(&[DURATION_MINUTES])?;
            ActivityFacts::Meeting {
                duration_minutes: minutes.unwrap_or(0),
            }
        }
        "proposal_sent" => {
            m.only(&[AMOUNT])?;
            ActivityFacts::ProposalSent
        }
        "purchase" => {
            m.only(&[AMOUNT, ITEMS])?;
            ActivityFacts::Purchase { amount: m.amount? }
        }
        "referral" => {
            m.only(&[REFERRED])?;
            ActivityFacts::Referral
        }
        "survey_answer" => {
            m.only(&[SURVEY, SCORE])?;
            ActivityFacts::SurveyAnswer {
                survey: survey.unwrap_or_default(),
                score: m.score?,
            }
        }
        "review" => {
            m.only(&[RATING, TEXT])?;
            ActivityFacts::Review { rating: m.rating? }
        }
        _ => return None,
    };
    Some(facts)
}

fn read_small(c: &mut Cursor<'_>) -> Option<u8> {
    u8::try_from(c.unsigned(u64::from(u8::MAX))?).ok()
}

/// `{"nps": 9}` or `{"csat": 4}`.
fn read_survey_score(c: &mut Cursor<'_>) -> Option<SurveyScore> {
    let mut score = None;
    c.object(|c, key| {
        let value = read_small(c)?;
        let parsed = match key {
            b"nps" => SurveyScore::Nps(NpsScore::new(value).ok()?),
            b"csat" => SurveyScore::Csat(CsatScore::new(value).ok()?),
            _ => return None,
        };
        once(&mut score, parsed)
    })?;
    score
}

/// `{"sku": ..., "quantity": ..., "unit_price": {...}}`, checked.
fn read_item(c: &mut Cursor<'_>) -> Option<()> {
    let (mut sku, mut quantity, mut unit_price) = (None, None, None);
    c.object(|c, key| match key {
        b"sku" => once(&mut sku, c.string()?),
        b"quantity" => once(&mut quantity, c.u32()?),
        b"unit_price" => once(&mut unit_price, c.money()?),
        _ => None,
    })?;
    (sku.is_some() && quantity.is_some() && unit_price.is_some()).then_some(())
}

fn attribute<'a>(list: &[(&'a str, FieldValue<'a>)], name: &str) -> Option<FieldValue<'a>> {
    list.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

impl LeadFacts for LeadView<'_> {
    fn value(&self, field: &FieldPath) -> Option<FieldValue<'_>> {
        use ContactField as C;
        fn text(value: Option<&str>) -> Option<FieldValue<'_>> {
            value.map(FieldValue::Text)
        }
        match field {
            FieldPath::Contact(field) => {
                let v = &self.contact;
                match field {
                    C::Name => Some(FieldValue::Text(v.name)),
                    C::Email => text(v.email),
                    C::JobTitle => text(v.job_title),
                    C::Country => text(v.country),
                    C::Territory => text(v.territory),
                    C::LifecycleStage => Some(FieldValue::Text(self.stage().as_str())),
                    C::CreatedAt => v.created_at.map(FieldValue::Timestamp),
                    C::Age => v.age.map(|age| FieldValue::Number(age.into())),
                    C::Occupation => text(v.occupation),
                    C::Gender => text(v.gender),
                    C::MaritalStatus => text(v.marital_status),
                    C::Income => v.income.map(FieldValue::Money),
                    C::Education => text(v.education),
                    C::Ethnicity => text(v.ethnicity),
                    C::Attribute(name) => attribute(&v.attributes, name),
                }
            }
            FieldPath::Company(field) => {
                let v = self.company.as_ref()?;
                match field {
                    CompanyField::Name => Some(FieldValue::Text(v.name)),
                    CompanyField::Industry => text(v.industry),
                    CompanyField::Employees => v.employees.map(|n| FieldValue::Number(n.into())),
                    CompanyField::AnnualRevenue => v.annual_revenue.map(FieldValue::Money),
                    CompanyField::Country => text(v.country),
                    CompanyField::Territory => text(v.territory),
                    CompanyField::CreatedAt => v.created_at.map(FieldValue::Timestamp),
                    CompanyField::Attribute(name) => attribute(&v.attributes, name),
                }
            }
        }
    }

    fn stage(&self) -> LifecycleStage {
        // The typed records' default lifecycle starts at "lead".
        self.contact.stage.unwrap_or(LifecycleStage::Lead)
    }

    fn activities(&self) -> impl Iterator<Item = (ActivityFacts<'_>, i64)> {
        self.activities.iter().copied()
    }
}

#[cfg(test)]
#[path = "lead_reader_tests.rs"]
mod tests;
