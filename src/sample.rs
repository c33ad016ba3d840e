//! A seeded generator of realistic sample CRM data, for demos, tests and
//! benchmarks.
//!
//! The generator is pure: the same [`SampleConfig`] always yields the same
//! dataset, on every platform. The default configuration is the sample
//! company shipped in `examples/data/sample_company.json` (regenerate it with
//! `cargo run --example generate_sample`): a year of activity of a small B2B
//! software vendor with a few hundred contacts, deals around and exactly at
//! $500, deals in EUR and GBP, campaigns with costs, tickets, calls and
//! surveys. By construction about half of the open deals sit in the
//! `needs-analysis` stage and about two thirds of those were followed up
//! within a week of entering it — the bottleneck the pipeline report is meant
//! to find.
//!
//! Its rates sit in published ranges: a win rate of 25 % over the year
//! (HubSpot's survey of sales reps: about 21 % on all opportunities, 29 % on
//! qualified ones; B2B tables give 15–40 %), SLA compliance near 88 %
//! (healthy attainment is usually put at 85–95 %), open deals that entered
//! their current stage 3–45 days before the end of the data, paid campaign
//! touches with channels (search and social ads with UTM tags, webinar and
//! trade-show forms) and a nurture A/B split (CMP-4 "A" and CMP-7 "B", small
//! deals tagged `nurture-A`/`nurture-B`). The second-pass module
//! `marketing` gives the sources and the drawn rates.
//!
//! A third pass (module `realism`, its own random stream, appended
//! records only) gives about 10 % of sign-ups a first purchase within ten
//! days (self-serve trials, 25 % of them converted: a won deal paid at
//! once) and every customer a monthly subscription payment with a 2 %
//! monthly cancellation (plus add-on purchases while it pays), so that the quarterly customer churn measured on
//! payments sits near 3–8 % (B2B SaaS benchmarks) rather than the half of
//! the customers a quarter that deals alone suggested.
//!
//! ```
//! use crmkit::sample::{generate, SampleConfig};
//!
//! let small = SampleConfig { contacts: 40, ..SampleConfig::default() };
//! let ds = generate(&small)?;
//! assert_eq!(ds.counts().contacts, 40);
//! assert_eq!(generate(&small)?, ds); // deterministic
//! Ok::<(), crmkit::Error>(())
//! ```

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

use crate::calendar::FiscalCalendar;
use crate::model::*;
use crate::money::{Currency, ExchangeRates, Money, Percent};
use crate::{Error, ErrorKind, Result};

mod marketing;
mod realism;

/// The instant the sample company's data runs up to (exclusive); use it as
/// `as_of` in examples.
pub const SAMPLE_AS_OF: Timestamp = match chrono::DateTime::from_timestamp(1_793_491_200, 0) {
    // 2026-11-01T00:00:00Z
    Some(t) => t,
    None => chrono::DateTime::UNIX_EPOCH,
};

/// A small, fast, seedable pseudo-random generator (SplitMix64).
///
/// Not cryptographic; used so that generated data is reproducible without a
/// dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleRng(u64);

impl SampleRng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SampleRng {
        SampleRng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform float in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniform integer in `[low, high]` (returns `low` if `high < low`).
    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        let span = (high - low) as u64 + 1;
        low + (self.next_u64() % span) as i64
    }

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.next_f64() < p
    }

    /// A uniformly chosen element (`None` for an empty slice).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get((self.next_u64() % items.len() as u64) as usize)
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleConfig {
    /// Seed of the generator.
    pub seed: u64,
    /// Number of contacts.
    pub contacts: usize,
    /// Number of companies the contacts work for.
    pub companies: usize,
    /// Mean number of marketing/engagement activities per contact.
    pub activities_per_contact: usize,
    /// First day of the data.
    pub start: NaiveDate,
    /// Number of days of data (up to [`SAMPLE_AS_OF`] for the default).
    pub days: i64,
}

impl Default for SampleConfig {
    fn default() -> Self {
        SampleConfig {
            seed: 2021_0315,
            contacts: 300,
            companies: 60,
            activities_per_contact: 12,
            start: NaiveDate::from_ymd_opt(2025, 11, 1).unwrap_or_default(),
            days: 365,
        }
    }
}

const STAGES: [(&str, &str, u32, StageKind); 6] = [
    ("new", "New", 10, StageKind::Open),
    ("needs-analysis", "Needs analysis", 20, StageKind::Open),
    ("proposal", "Proposal", 50, StageKind::Open),
    ("negotiation", "Negotiation", 75, StageKind::Open),
    ("won", "Closed won", 100, StageKind::Won),
    ("lost", "Closed lost", 0, StageKind::Lost),
];
const NEEDS_ANALYSIS: usize = 1;
const URLS: [&str; 7] = [
    "/pricing",
    "/features",
    "/blog/crm-strategy",
    "/blog/lead-scoring",
    "/demo",
    "/case-studies",
    "/docs/getting-started",
];
const INDUSTRIES: [&str; 6] = [
    "software",
    "retail",
    "manufacturing",
    "healthcare",
    "finance",
    "education",
];
const OCCUPATIONS: [&str; 6] = [
    "marketing manager",
    "sales director",
    "founder",
    "it manager",
    "analyst",
    "operations lead",
];
const EDUCATION: [&str; 4] = ["secondary", "bachelor", "master", "doctorate"];
const TERRITORIES: [&str; 3] = ["north", "south", "west"];

fn id<T: std::str::FromStr<Err = Error>>(text: String) -> Result<T> {
    text.parse()
}

/// A purchase of one unit of `sku` at `amount`.
fn one_item_purchase(sku: &str, amount: Money) -> ActivityKind {
    ActivityKind::Purchase {
        amount,
        items: vec![PurchaseItem {
            sku: sku.to_string(),
            quantity: 1,
            unit_price: amount,
        }],
    }
}

fn currency(code: &str) -> Result<Currency> {
    Currency::new(code)
}

struct Generator<'a> {
    config: &'a SampleConfig,
    rng: SampleRng,
    start: Timestamp,
    end: Timestamp,
    parts: DatasetParts,
    next_activity: usize,
    stage_ids: Vec<StageId>,
    /// Open deals waiting in needs analysis, and how many were followed up.
    waiting_in_needs_analysis: usize,
    followed_in_needs_analysis: usize,
    /// The waiting deals without a follow-up: (contact, deal, entered, rep).
    not_followed: Vec<(ContactId, DealId, Timestamp, Option<RepId>)>,
}

/// Generates a validated dataset.
///
/// # Errors
///
/// [`ErrorKind::Invalid`] when the configuration is
/// out of range (see [`SampleConfig`]).
pub fn generate(config: &SampleConfig) -> Result<Dataset> {
    Dataset::new(generate_parts(config)?)
}

/// Generates the records without validating them into a [`Dataset`].
///
/// # Errors
///
/// [`ErrorKind::Invalid`] when the configuration is
/// out of range (see [`SampleConfig`]).
pub fn generate_parts(config: &SampleConfig) -> Result<DatasetParts> {
    if config.days < 30 {
        return Err(Error::invalid("days", "sample data needs at least 30 days"));
    }
    let start = Utc.from_utc_datetime(&config.start.and_hms_opt(0, 0, 0).unwrap_or_default());
    let end = start
        .checked_add_signed(Duration::days(config.days))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Overflow,
                "sample period ends beyond the calendar",
            )
        })?;
    let mut generator = Generator {
        config,
        rng: SampleRng::new(config.seed),
        start,
        end,
        parts: DatasetParts::default(),
        next_activity: 0,
        waiting_in_needs_analysis: 0,
        followed_in_needs_analysis: 0,
        not_followed: Vec::new(),
        stage_ids: STAGES
            .iter()
            .map(|(sid, ..)| StageId::new(*sid))
            .collect::<Result<_>>()?,
    };
    generator.setup()?;
    generator.people()?;
    generator.service()?;
    generator.follow_up_two_thirds()?;
    generator.marketing()?;
    generator.realism()?;
    Ok(generator.parts)
}

impl Generator<'_> {
    fn time_between(&mut self, from: Timestamp, to: Timestamp) -> Timestamp {
        let span = (to - from).num_seconds().max(1);
        from + Duration::seconds(self.rng.range(0, span - 1))
    }

    fn money(&mut self, low: i64, high: i64, currency: Currency) -> Money {
        Money::new(
            Decimal::new(self.rng.range(low * 100, high * 100), 2),
            currency,
        )
    }

    fn setup(&mut self) -> Result<()> {
        let usd = currency("USD")?;
        let mut rates = ExchangeRates::new(usd);
        rates.set(currency("EUR")?, Decimal::new(108, 2))?;
        rates.set(currency("GBP")?, Decimal::new(127, 2))?;
        self.parts.reporting_currency = Some(usd);
        self.parts.exchange_rates = Some(rates);
        self.parts.fiscal_calendar = FiscalCalendar::default();
        for (team, name) in [
            ("east", "Team East"),
            ("west", "Team West"),
            ("support", "Customer Support"),
        ] {
            self.parts.teams.push(Team {
                id: id(team.to_string())?,
                name: name.to_string(),
            });
        }
        let reps = [
            ("R-1", "Ana Souza", "east", "north"),
            ("R-2", "Ben Miller", "east", "south"),
            ("R-3", "Chen Wei", "west", "west"),
            ("R-4", "Dana Petrova", "west", "north"),
            ("R-5", "Eli Schmidt", "support", "south"),
            ("R-6", "Fay Lin", "support", "west"),
        ];
        for (rep, name, team, territory) in reps {
            self.parts.reps.push(SalesRep {
                id: id(rep.to_string())?,
                name: name.to_string(),
                email: Some(format!(
                    "{}@example.com",
                    name.to_lowercase().replace(' ', ".")
                )),
                team: Some(id(team.to_string())?),
                territories: vec![territory.to_string()],
                active: true,
            });
        }
        let stages = STAGES
            .iter()
            .map(|(sid, name, p, kind)| {
                Ok(Stage {
                    id: id(sid.to_string())?,
                    name: name.to_string(),
                    probability: Percent::new(*p)?,
                    kind: *kind,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.parts.pipelines.push(Pipeline {
            id: id("sales".to_string())?,
            name: "Sales".to_string(),
            stages,
        });
        let campaigns = [
            (
                "CMP-1",
                "Spring webinar",
                Channel::Email,
                CampaignPurpose::Acquisition,
                4_000,
            ),
            (
                "CMP-2",
                "Search ads",
                Channel::Search,
                CampaignPurpose::Acquisition,
                12_000,
            ),
            (
                "CMP-3",
                "Trade show",
                Channel::Events,
                CampaignPurpose::Acquisition,
                9_500,
            ),
            (
                "CMP-4",
                "Nurture series",
                Channel::Email,
                CampaignPurpose::Nurture,
                1_500,
            ),
            (
                "CMP-5",
                "Welcome series",
                Channel::Email,
                CampaignPurpose::Welcome,
                800,
            ),
            (
                "CMP-6",
                "Referral programme",
                Channel::Referral,
                CampaignPurpose::Retention,
                2_500,
            ),
        ];
        for (k, (cid, name, channel, purpose, cost)) in campaigns.into_iter().enumerate() {
            let begin = self.config.start + Duration::days(k as i64 * self.config.days / 8);
            self.parts.campaigns.push(Campaign {
                id: id(cid.to_string())?,
                name: name.to_string(),
                channel,
                purpose,
                cost: Money::new(Decimal::from(cost), usd),
                start: begin,
                end: begin + Duration::days(self.config.days / 4),
            });
        }
        for month in 0..(self.config.days / 30) {
            let date = self.config.start + Duration::days(month * 30);
            for (category, kind, amount, team) in [
                (
                    SpendCategory::Marketing,
                    SpendKind::Advertising,
                    1_500,
                    None,
                ),
                (SpendCategory::Marketing, SpendKind::Salaries, 9_000, None),
                (
                    SpendCategory::Sales,
                    SpendKind::Salaries,
                    16_000,
                    Some("east"),
                ),
                (SpendCategory::Sales, SpendKind::Tools, 600, Some("west")),
            ] {
                let n = self.parts.spend.len() + 1;
                self.parts.spend.push(SpendEntry {
                    id: id(format!("S-{n}"))?,
                    date,
                    category,
                    kind,
                    amount: Money::new(Decimal::from(amount), usd),
                    campaign: None,
                    team: team.map(|t| id(t.to_string())).transpose()?,
                });
            }
        }
        for k in 0..self.config.companies {
            let employees = self.rng.range(5, 5_000) as u32;
            let industry = self.rng.pick(&INDUSTRIES).copied().unwrap_or("software");
            let territory = self.rng.pick(&TERRITORIES).copied().unwrap_or("north");
            let revenue = self.money(200_000, 80_000_000, usd);
            self.parts.companies.push(Company {
                id: id(format!("CO-{:03}", k + 1))?,
                name: format!("Company {:03}", k + 1),
                industry: Some(industry.to_string()),
                employees: Some(employees),
                annual_revenue: Some(revenue.round_dp(0)),
                country: Some(["US", "DE", "GB", "BR"][k % 4].to_string()),
                territory: Some(territory.to_string()),
                owner: None,
                created_at: Some(self.start),
                tags: BTreeSet::new(),
                attributes: Default::default(),
            });
        }
        Ok(())
    }

    fn push_activity(
        &mut self,
        contact: &ContactId,
        at: Timestamp,
        kind: ActivityKind,
    ) -> Result<()> {
        self.push_activity_full(contact, at, kind, None, None, None)
    }

    fn push_activity_full(
        &mut self,
        contact: &ContactId,
        at: Timestamp,
        kind: ActivityKind,
        deal: Option<DealId>,
        campaign: Option<CampaignId>,
        rep: Option<RepId>,
    ) -> Result<()> {
        self.next_activity += 1;
        self.parts.activities.push(Activity {
            id: id(format!("A-{:06}", self.next_activity))?,
            contact: contact.clone(),
            at,
            deal,
            campaign,
            rep,
            kind,
        });
        Ok(())
    }

    fn people(&mut self) -> Result<()> {
        let currencies = [currency("USD")?, currency("EUR")?, currency("GBP")?];
        let lifecycle_mix = [
            (LifecycleStage::Subscriber, 15),
            (LifecycleStage::Lead, 20),
            (LifecycleStage::Mql, 13),
            (LifecycleStage::Sql, 10),
            (LifecycleStage::Opportunity, 17),
            (LifecycleStage::Customer, 20),
            (LifecycleStage::Evangelist, 3),
            (LifecycleStage::Disqualified, 2),
        ];
        for k in 0..self.config.contacts {
            let roll = self.rng.range(0, 99);
            let mut acc = 0;
            let mut stage = LifecycleStage::Lead;
            for (s, weight) in lifecycle_mix {
                acc += weight;
                if roll < acc {
                    stage = s;
                    break;
                }
            }
            let contact_id: ContactId = id(format!("C-{:04}", k + 1))?;
            let created_at = self.time_between(
                self.start,
                self.start + Duration::days(self.config.days / 2),
            );
            let history = self.lifecycle_history(stage, created_at);
            let rep = self.rng.pick(&self.parts.reps[..4]).map(|r| r.id.clone());
            let company = if self.config.companies > 0 && self.rng.chance(0.8) {
                Some(id(format!(
                    "CO-{:03}",
                    self.rng.range(1, self.config.companies as i64)
                ))?)
            } else {
                None
            };
            let home = currencies[if self.rng.chance(0.8) { 0 } else { 1 + (k % 2) }];
            let campaign_index = self.rng.range(1, 7);
            let source_campaign = if campaign_index <= 6 {
                Some(id(format!("CMP-{campaign_index}"))?)
            } else {
                None
            };
            let mut demographics = Demographics {
                age: Some(self.rng.range(22, 67) as u8),
                occupation: self.rng.pick(&OCCUPATIONS).map(|s| s.to_string()),
                income: Some(self.money(30_000, 180_000, home).round_dp(0)),
                education: self.rng.pick(&EDUCATION).map(|s| s.to_string()),
                ..Demographics::default()
            };
            if self.rng.chance(0.3) {
                demographics.gender = Some(["female", "male", "non-binary"][k % 3].to_string());
                demographics.marital_status = Some(["single", "married"][k % 2].to_string());
            }
            let mut tags = BTreeSet::new();
            if self.rng.chance(0.25) {
                tags.insert("newsletter".to_string());
            }
            let mut attributes = std::collections::BTreeMap::new();
            attributes.insert(
                "plan_interest".to_string(),
                AttributeValue::Text(["starter", "pro", "enterprise"][k % 3].to_string()),
            );
            let contact = Contact {
                id: contact_id.clone(),
                name: format!("Contact {:04}", k + 1),
                email: Some(format!("contact{:04}@example.com", k + 1)),
                phone: None,
                job_title: demographics.occupation.clone(),
                company,
                owner: rep.clone(),
                source_campaign: source_campaign.clone(),
                country: Some(["US", "DE", "GB", "BR", "PT", "CN"][k % 6].to_string()),
                territory: self.rng.pick(&TERRITORIES).map(|s| s.to_string()),
                created_at,
                lifecycle: Lifecycle { stage, history },
                demographics,
                tags,
                attributes,
            };
            self.engagement(&contact, source_campaign.as_ref())?;
            self.deals(&contact, home, rep.as_ref())?;
            self.parts.contacts.push(contact);
        }
        Ok(())
    }

    fn lifecycle_history(
        &mut self,
        stage: LifecycleStage,
        created_at: Timestamp,
    ) -> Vec<LifecycleTransition> {
        let funnel = [
            LifecycleStage::Subscriber,
            LifecycleStage::Lead,
            LifecycleStage::Mql,
            LifecycleStage::Sql,
            LifecycleStage::Opportunity,
            LifecycleStage::Customer,
            LifecycleStage::Evangelist,
        ];
        let target = if stage == LifecycleStage::Disqualified {
            LifecycleStage::Lead
        } else {
            stage
        };
        let mut history = Vec::new();
        let mut at = created_at;
        for pair in funnel.windows(2) {
            if pair[0] >= target {
                break;
            }
            at = (at + Duration::hours(self.rng.range(6, 24 * 10)))
                .min(self.end - Duration::hours(1));
            history.push(LifecycleTransition {
                from: pair[0],
                to: pair[1],
                at,
            });
        }
        if stage == LifecycleStage::Disqualified {
            history.push(LifecycleTransition {
                from: LifecycleStage::Lead,
                to: LifecycleStage::Disqualified,
                at: at + Duration::days(3),
            });
        }
        history
    }

    fn engagement(&mut self, contact: &Contact, campaign: Option<&CampaignId>) -> Result<()> {
        let n = self
            .rng
            .range(0, 2 * self.config.activities_per_contact as i64);
        for _ in 0..n {
            let at = self.time_between(contact.created_at, self.end);
            let kind = match self.rng.range(0, 9) {
                0..=3 => ActivityKind::WebsiteVisit {
                    url: self.rng.pick(&URLS).copied().unwrap_or("/").to_string(),
                    duration_seconds: self.rng.range(5, 600) as u32,
                    goal_completed: self.rng.chance(0.08),
                },
                4 => ActivityKind::FormSubmission {
                    form: ["contact-us", "demo-request", "newsletter"]
                        [self.rng.range(0, 2) as usize]
                        .to_string(),
                },
                5 => ActivityKind::ContentDownload {
                    content: ["crm-strategy-ebook", "pricing-sheet", "roi-calculator"]
                        [self.rng.range(0, 2) as usize]
                        .to_string(),
                },
                _ => {
                    let event = match self.rng.range(0, 19) {
                        0..=8 => EmailEvent::Opened,
                        9..=13 => EmailEvent::Clicked,
                        14..=15 => EmailEvent::Replied,
                        16..=17 => EmailEvent::Bounced,
                        _ => EmailEvent::Unsubscribed,
                    };
                    ActivityKind::Email {
                        event,
                        subject: Some("monthly newsletter".to_string()),
                    }
                }
            };
            let attributed = if self.rng.chance(0.4) {
                campaign.cloned()
            } else {
                None
            };
            self.push_activity_full(&contact.id, at, kind, None, attributed, None)?;
        }
        Ok(())
    }

    fn deal_value(&mut self, home: Currency) -> Money {
        let usd = self.parts.reporting_currency.unwrap_or(home);
        match self.rng.range(0, 9) {
            0 => Money::new(Decimal::new(50_000, 2), usd),
            1 => {
                let near = [49_999, 50_001, 49_900, 50_100];
                Money::new(Decimal::new(near[self.rng.range(0, 3) as usize], 2), usd)
            }
            2 | 3 => self.money(80, 480, home),
            _ => self.money(520, 6_000, home),
        }
    }

    fn deals(&mut self, contact: &Contact, home: Currency, rep: Option<&RepId>) -> Result<()> {
        let stage = contact.lifecycle.stage;
        let plan: Vec<(DealStatus, DealKind)> = match stage {
            LifecycleStage::Sql if self.rng.chance(0.5) => vec![(DealStatus::Lost, DealKind::New)],
            LifecycleStage::Opportunity => vec![(DealStatus::Open, DealKind::New)],
            LifecycleStage::Customer | LifecycleStage::Evangelist => {
                let mut plan = vec![(DealStatus::Won, DealKind::New)];
                if self.rng.chance(0.3) {
                    plan.push((
                        DealStatus::Won,
                        [DealKind::Upsell, DealKind::CrossSell, DealKind::Renewal]
                            [self.rng.range(0, 2) as usize],
                    ));
                }
                if self.rng.chance(0.15) {
                    plan.push((DealStatus::Open, DealKind::Upsell));
                }
                plan
            }
            _ => Vec::new(),
        };
        let became = contact
            .lifecycle
            .entered(LifecycleStage::Opportunity)
            .unwrap_or(contact.created_at);
        // The longest stage path takes 100 days; deals start early enough to
        // finish inside the data's time span.
        let latest_start = self.end - Duration::days(101);
        let mut cursor = became.min(latest_start);
        for (k, (status, kind)) in plan.into_iter().enumerate() {
            if k > 0 && cursor > latest_start {
                break;
            }
            let n = self.parts.deals.len() + 1;
            let deal_id: DealId = id(format!("D-{n:04}"))?;
            let created_at = cursor;
            let value = self.deal_value(home);
            let (mut visits, stage_index, closed_at) = self.stage_path(status, created_at);
            let stage_id = self.stage_ids[stage_index].clone();
            cursor = closed_at.unwrap_or(created_at) + Duration::days(self.rng.range(20, 90));
            // An open deal entered its current stage 3–45 days before the
            // end of the data (a live pipeline, not deals parked for half a
            // year); the whole path moves later, no extra random draw.
            let mut created_at = created_at;
            if status == DealStatus::Open {
                let target = self.end - Duration::days(3 + (n as i64 * 37) % 43);
                let shift = visits
                    .last()
                    .map_or(Duration::zero(), |v| target - v.entered_at);
                if shift > Duration::zero() {
                    for v in &mut visits {
                        v.entered_at += shift;
                        v.exited_at = v.exited_at.map(|t| t + shift);
                    }
                    created_at += shift;
                }
            }
            self.deal_activities(contact, &deal_id, &visits, status, value, rep)?;
            self.parts.deals.push(Deal {
                id: deal_id,
                name: format!("{} deal", contact.name),
                contact: contact.id.clone(),
                company: contact.company.clone(),
                pipeline: id("sales".to_string())?,
                stage: stage_id,
                value,
                status,
                lost_reason: (status == DealStatus::Lost)
                    .then(|| ["price", "timing", "competitor"][n % 3].to_string()),
                kind,
                created_at,
                closed_at,
                owner: rep.cloned(),
                source_campaign: contact.source_campaign.clone(),
                stage_history: visits,
                tags: BTreeSet::new(),
            });
        }
        Ok(())
    }

    /// The stages a deal went through, its final stage index and close time.
    fn stage_path(
        &mut self,
        status: DealStatus,
        created_at: Timestamp,
    ) -> (Vec<StageVisit>, usize, Option<Timestamp>) {
        let last_open = match status {
            DealStatus::Won => 3,
            DealStatus::Lost => self.rng.range(0, 3) as usize,
            DealStatus::Open => match self.rng.range(0, 9) {
                0..=4 => NEEDS_ANALYSIS,
                5 | 6 => 0,
                7 | 8 => 2,
                _ => 3,
            },
        };
        let mut visits = Vec::new();
        let mut at = created_at;
        for stage in 0..=last_open {
            let stay = Duration::hours(self.rng.range(24, 24 * 25));
            let exit = at + stay;
            let still_here = status == DealStatus::Open && stage == last_open;
            visits.push(StageVisit {
                stage: self.stage_ids[stage].clone(),
                entered_at: at,
                exited_at: (!still_here).then_some(exit),
            });
            at = exit;
        }
        let closing = match status {
            DealStatus::Won => Some(4),
            DealStatus::Lost => Some(5),
            DealStatus::Open => None,
        };
        match closing {
            Some(index) => {
                visits.push(StageVisit {
                    stage: self.stage_ids[index].clone(),
                    entered_at: at,
                    exited_at: None,
                });
                (visits, index, Some(at))
            }
            None => (visits, last_open, None),
        }
    }

    fn deal_activities(
        &mut self,
        contact: &Contact,
        deal: &DealId,
        visits: &[StageVisit],
        status: DealStatus,
        value: Money,
        rep: Option<&RepId>,
    ) -> Result<()> {
        for visit in visits {
            let stage = visit.stage.as_str();
            if stage == "won" || stage == "lost" {
                continue;
            }
            let open_in_needs_analysis =
                stage == STAGES[NEEDS_ANALYSIS].0 && visit.exited_at.is_none();
            // Two thirds of the deals waiting in needs analysis were followed
            // up within a week; the rest were not touched since.
            let follow_up = !open_in_needs_analysis || self.rng.chance(2.0 / 3.0);
            if open_in_needs_analysis {
                self.waiting_in_needs_analysis += 1;
                if follow_up {
                    self.followed_in_needs_analysis += 1;
                } else {
                    self.not_followed.push((
                        contact.id.clone(),
                        deal.clone(),
                        visit.entered_at,
                        rep.cloned(),
                    ));
                }
            }
            if follow_up {
                let at = visit.entered_at + Duration::hours(self.rng.range(2, 24 * 6));
                let at = at.min(self.end - Duration::hours(1));
                let outcome = if self.rng.chance(0.7) {
                    CallOutcome::Connected
                } else {
                    CallOutcome::NoAnswer
                };
                let talk = if outcome == CallOutcome::Connected {
                    self.rng.range(60, 1_500) as u32
                } else {
                    0
                };
                self.push_activity_full(
                    &contact.id,
                    at,
                    ActivityKind::Call {
                        direction: CallDirection::Outbound,
                        outcome,
                        wait_seconds: 0,
                        talk_seconds: talk,
                        hold_seconds: 0,
                        wrap_up_seconds: if talk > 0 { 60 } else { 0 },
                        callback: false,
                    },
                    Some(deal.clone()),
                    None,
                    rep.cloned(),
                )?;
            }
            if stage == "proposal" {
                let at = visit.entered_at + Duration::hours(1);
                self.push_activity_full(
                    &contact.id,
                    at,
                    ActivityKind::ProposalSent {
                        amount: Some(value),
                    },
                    Some(deal.clone()),
                    None,
                    rep.cloned(),
                )?;
            }
            if stage == "negotiation" {
                let at = visit.entered_at + Duration::hours(30);
                self.push_activity_full(
                    &contact.id,
                    at,
                    ActivityKind::Meeting {
                        duration_minutes: 45,
                    },
                    Some(deal.clone()),
                    None,
                    rep.cloned(),
                )?;
            }
        }
        if status == DealStatus::Won {
            let closed = visits.last().map_or(self.start, |v| v.entered_at);
            let purchases = self.rng.range(1, 4);
            let mut at = closed;
            for _ in 0..purchases {
                if at >= self.end {
                    break;
                }
                let amount = if at == closed {
                    value
                } else {
                    self.money(40, 400, value.currency)
                };
                self.push_activity(&contact.id, at, one_item_purchase("SUB-1", amount))?;
                at += Duration::days(self.rng.range(20, 120));
            }
            let survey_at = self.time_between(
                closed,
                self.end.max(closed + Duration::days(1)) - Duration::hours(3),
            );
            if survey_at < self.end {
                let nps = NpsScore::new(self.rng.range(3, 10) as u8)?;
                self.push_activity(
                    &contact.id,
                    survey_at,
                    ActivityKind::SurveyAnswer {
                        survey: "nps".to_string(),
                        score: SurveyScore::Nps(nps),
                    },
                )?;
                let csat = CsatScore::new(self.rng.range(2, 5) as u8)?;
                self.push_activity(
                    &contact.id,
                    survey_at + Duration::minutes(1),
                    ActivityKind::SurveyAnswer {
                        survey: "csat".to_string(),
                        score: SurveyScore::Csat(csat),
                    },
                )?;
                if contact.lifecycle.stage == LifecycleStage::Evangelist {
                    self.push_activity(
                        &contact.id,
                        survey_at + Duration::hours(2),
                        ActivityKind::Referral { referred: None },
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Tops the follow-ups of the deals waiting in needs analysis up to
    /// two thirds (rounded), so that the sample shows the promised finding
    /// exactly rather than up to the noise of the random draw. The extra
    /// calls are appended after every other activity, so no other record
    /// changes.
    fn follow_up_two_thirds(&mut self) -> Result<()> {
        let target = (self.waiting_in_needs_analysis * 2 + 1) / 3;
        let extra = target.saturating_sub(self.followed_in_needs_analysis);
        let chosen: Vec<_> = self.not_followed.drain(..).take(extra).collect();
        for (contact, deal, entered, rep) in chosen {
            let at = (entered + Duration::days(1))
                .min(self.end - Duration::hours(1))
                .max(entered);
            self.push_activity_full(
                &contact,
                at,
                ActivityKind::Call {
                    direction: CallDirection::Outbound,
                    outcome: CallOutcome::Connected,
                    wait_seconds: 0,
                    talk_seconds: 600,
                    hold_seconds: 0,
                    wrap_up_seconds: 60,
                    callback: false,
                },
                Some(deal),
                None,
                rep,
            )?;
        }
        Ok(())
    }

    fn service(&mut self) -> Result<()> {
        let customers: Vec<ContactId> = self
            .parts
            .contacts
            .iter()
            .filter(|c| c.lifecycle.stage.is_customer())
            .map(|c| c.id.clone())
            .collect();
        let agents = [id::<RepId>("R-5".to_string())?, id("R-6".to_string())?];
        for (k, contact) in customers.iter().enumerate() {
            for _ in 0..self.rng.range(0, 3) {
                let n = self.parts.tickets.len() + 1;
                let opened_at = self.time_between(self.start, self.end - Duration::days(1));
                // 95 % of first responses within the 8-hour SLA and 92 % of
                // resolutions within 3 days (healthy SLA attainment is
                // 85–95 %: digitalenabler.com's SLA calculator, TicketBoard's
                // SLA compliance bands); one draw each, mapped piecewise.
                let r = self.rng.range(5, 60 * 30);
                let minutes = if r <= 1_710 {
                    5 + (r - 5) * 465 / 1_705
                } else {
                    480 + (r - 1_710) * 1_320 / 90
                };
                let first = opened_at + Duration::minutes(minutes);
                let r = self.rng.range(10, 60 * 24 * 5);
                let minutes = if r <= 6_620 {
                    10 + (r - 10) * 2_590 / 6_610
                } else {
                    4_400 + (r - 6_620) * 2_800 / 580
                };
                let resolved = first + Duration::minutes(minutes);
                let channel = [
                    TicketChannel::Email,
                    TicketChannel::Phone,
                    TicketChannel::Chat,
                    TicketChannel::Web,
                ][self.rng.range(0, 3) as usize];
                let kind = if self.rng.chance(0.12) {
                    TicketKind::Complaint
                } else {
                    TicketKind::Question
                };
                self.parts.tickets.push(Ticket {
                    id: id(format!("T-{n:04}"))?,
                    contact: contact.clone(),
                    channel,
                    kind,
                    priority: Priority::Normal,
                    subject: "help needed".to_string(),
                    assignee: Some(agents[n % 2].clone()),
                    opened_at,
                    first_response_at: (first < self.end).then_some(first),
                    resolved_at: (resolved < self.end && !self.rng.chance(0.08))
                        .then_some(resolved),
                    sla: Some(Sla {
                        first_response_minutes: Some(8 * 60),
                        resolution_minutes: Some(3 * 24 * 60),
                    }),
                });
                if channel == TicketChannel::Phone {
                    let outcome = [
                        CallOutcome::Connected,
                        CallOutcome::Connected,
                        CallOutcome::Abandoned,
                        CallOutcome::Missed,
                    ][self.rng.range(0, 3) as usize];
                    let talk = if outcome == CallOutcome::Connected {
                        self.rng.range(120, 900) as u32
                    } else {
                        0
                    };
                    let wait = self.rng.range(5, 300) as u32;
                    let hold = if talk > 0 {
                        self.rng.range(0, 120) as u32
                    } else {
                        0
                    };
                    self.push_activity_full(
                        contact,
                        opened_at,
                        ActivityKind::Call {
                            direction: CallDirection::Inbound,
                            outcome,
                            wait_seconds: wait,
                            talk_seconds: talk,
                            hold_seconds: hold,
                            wrap_up_seconds: if talk > 0 { 45 } else { 0 },
                            callback: false,
                        },
                        None,
                        None,
                        Some(agents[k % 2].clone()),
                    )?;
                    if outcome != CallOutcome::Connected {
                        self.push_activity_full(
                            contact,
                            opened_at + Duration::minutes(40),
                            ActivityKind::Call {
                                direction: CallDirection::Outbound,
                                outcome: CallOutcome::Connected,
                                wait_seconds: 0,
                                talk_seconds: 300,
                                hold_seconds: 0,
                                wrap_up_seconds: 60,
                                callback: true,
                            },
                            None,
                            None,
                            Some(agents[k % 2].clone()),
                        )?;
                    }
                }
            }
        }
        let open_deals: Vec<(DealId, ContactId, Option<RepId>, Timestamp)> = self
            .parts
            .deals
            .iter()
            .filter(|d| d.is_open())
            .map(|d| {
                (
                    d.id.clone(),
                    d.contact.clone(),
                    d.owner.clone(),
                    d.created_at,
                )
            })
            .collect();
        for (deal, contact, owner, created_at) in open_deals {
            let Some(assignee) = owner else { continue };
            let n = self.parts.tasks.len() + 1;
            let due = created_at + Duration::days(self.rng.range(1, 14));
            let done = self
                .rng
                .chance(0.6)
                .then(|| due - Duration::hours(2))
                .filter(|d| *d >= created_at && *d < self.end);
            self.parts.tasks.push(Task {
                id: id(format!("K-{n:04}"))?,
                title: "follow up on deal".to_string(),
                kind: TaskKind::Call,
                assignee,
                contact: Some(contact),
                deal: Some(deal),
                created_at,
                due,
                done_at: done,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_sample_is_valid_and_has_the_promised_shape() {
        let ds = generate(&SampleConfig::default()).expect("valid sample");
        let counts = ds.counts();
        assert_eq!(counts.contacts, 300);
        let deals = ds.deals();
        let at_500 = deals
            .iter()
            .filter(|d| d.value.amount == Decimal::new(500, 0))
            .count();
        assert!(at_500 >= 5, "deals of exactly 500: {at_500}");
        let currencies: BTreeSet<_> = deals.iter().map(|d| d.value.currency).collect();
        assert!(currencies.len() >= 3, "{currencies:?}");
        let open: Vec<_> = deals.iter().filter(|d| d.is_open()).collect();
        let needs = open
            .iter()
            .filter(|d| d.stage.as_str() == "needs-analysis")
            .count();
        let share = needs as f64 / open.len() as f64;
        assert!(
            (0.35..=0.65).contains(&share),
            "share in needs analysis {share}"
        );
        assert!(
            counts.tickets > 20 && counts.activities > 2_000,
            "{counts:?}"
        );
        let late: Vec<_> = ds
            .activities()
            .iter()
            .filter(|a| a.at >= SAMPLE_AS_OF)
            .map(|a| (a.kind.type_name(), a.at))
            .collect();
        assert!(late.is_empty(), "{late:?}");
    }

    #[test]
    fn sample_as_of_is_the_first_of_november_2026() {
        assert_eq!(SAMPLE_AS_OF.to_rfc3339(), "2026-11-01T00:00:00+00:00");
    }
}
