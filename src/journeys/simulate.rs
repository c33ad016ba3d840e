//! Dry runs of a journey over an event history, and what they show:
//! entries, where contacts are now, conversions per goal, drop-off per
//! step, time to goal (median, p90) and conversions per split arm with a
//! two-proportion z-test.
//!
//! [`history_events`] derives the event history of a dataset: contacts
//! created, deals created, won and lost, a purchase (numbered per contact)
//! for every won deal, forms submitted and e-mails opened or clicked
//! (named by their subject, else their campaign). Nothing is executed:
//! actions are only counted.

use std::collections::BTreeMap;

use serde::Serialize;

use super::advance::Input;
use super::compile::Journey;
use super::state::{JourneyState, Status};
use crate::automation::{Event, EventType};
use crate::model::{ActivityKind, ContactId, Dataset, DealStatus, EmailEvent, Timestamp};
use crate::{Error, Result};

/// The event history of a dataset, in time order (ties by id).
pub fn history_events(snapshot: &Dataset) -> Vec<Event> {
    let mut events = Vec::new();
    for c in snapshot.contacts() {
        let mut e = Event::new(
            format!("contact_created:{}", c.id),
            EventType::ContactCreated,
            c.created_at,
        );
        e.contact = Some(c.id.clone());
        events.push(e);
    }
    let mut won: Vec<_> = snapshot
        .deals()
        .iter()
        .filter(|d| d.status == DealStatus::Won)
        .filter_map(|d| d.closed_at.map(|at| (at, d)))
        .collect();
    won.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
    let mut purchases: BTreeMap<&ContactId, u32> = BTreeMap::new();
    for (at, d) in won {
        let n = purchases.entry(&d.contact).or_insert(0);
        *n += 1;
        let mut e = Event::new(format!("purchase:{}", d.id), EventType::PurchaseMade, at);
        e.contact = Some(d.contact.clone());
        e.deal = Some(d.id.clone());
        e.value = Some(d.value);
        e.purchase_number = Some(*n);
        events.push(e);
    }
    for d in snapshot.deals() {
        let mut e = Event::new(
            format!("deal_created:{}", d.id),
            EventType::DealCreated,
            d.created_at,
        );
        e.contact = Some(d.contact.clone());
        e.deal = Some(d.id.clone());
        e.value = Some(d.value);
        events.push(e);
        if let Some(at) = d.closed_at {
            let kind = match d.status {
                DealStatus::Won => EventType::DealWon,
                DealStatus::Lost => EventType::DealLost,
                _ => continue,
            };
            let mut e = Event::new(format!("{}:{}", kind.as_str(), d.id), kind, at);
            e.contact = Some(d.contact.clone());
            e.deal = Some(d.id.clone());
            events.push(e);
        }
    }
    for a in snapshot.activities() {
        let (kind, form, email) = match &a.kind {
            ActivityKind::FormSubmission { form } => {
                (EventType::FormSubmitted, Some(form.clone()), None)
            }
            ActivityKind::Email { event, subject } => {
                let kind = match event {
                    EmailEvent::Opened => EventType::EmailOpened,
                    EmailEvent::Clicked => EventType::EmailClicked,
                    _ => continue,
                };
                let name = subject
                    .clone()
                    .or_else(|| a.campaign.as_ref().map(|c| c.to_string()));
                (kind, None, name)
            }
            _ => continue,
        };
        let mut e = Event::new(format!("activity:{}", a.id), kind, a.at);
        e.contact = Some(a.contact.clone());
        e.deal = a.deal.clone();
        e.form = form;
        e.email = email;
        events.push(e);
    }
    events.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    events
}

/// A share with its numerator and denominator; `rate` is `None` when the
/// denominator is zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Share {
    /// Numerator.
    pub count: u64,
    /// Denominator.
    pub of: u64,
    /// `count / of`, or `None` (undefined) when `of` is 0.
    pub rate: Option<f64>,
}

impl Share {
    fn new(count: u64, of: u64) -> Share {
        Share {
            count,
            of,
            rate: (of > 0).then(|| count as f64 / of as f64),
        }
    }
}

/// A two-proportion z-test (pooled standard error, two-sided p-value from
/// the normal distribution, as statsmodels' `proportions_ztest`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ZTest {
    /// The z statistic (`None` when undefined: an empty arm, or no
    /// variance because every or no contact converted).
    pub z: Option<f64>,
    /// The two-sided p-value (`None` when `z` is undefined).
    pub p_value: Option<f64>,
}

/// Compares two proportions `a = x1/n1` and `b = x2/n2` with the pooled
/// two-proportion z-test of [`crate::experiments`] (`z` is positive when
/// `a` is the larger); undefined when an arm is empty or the pooled
/// variance is zero.
pub fn two_proportion_z_test(x1: u64, n1: u64, x2: u64, n2: u64) -> ZTest {
    use crate::experiments::proportions::{Proportion, two_proportion_z_test as z_test};
    let compared = Proportion::new(n2, x2)
        .and_then(|control| Ok((control, Proportion::new(n1, x1)?)))
        .and_then(|(control, variant)| z_test(control, variant, 0.05));
    match compared {
        Ok(comparison) => ZTest {
            z: Some(comparison.test.statistic),
            p_value: Some(comparison.test.p_value),
        },
        Err(_) => ZTest {
            z: None,
            p_value: None,
        },
    }
}

/// Per step of the journey.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepStats {
    /// The step.
    pub step: String,
    /// Contacts that reached it at least once.
    pub reached: u64,
    /// Contacts that are at it now.
    pub now_here: u64,
    /// Contacts that left the journey through an exit at it (drop-off).
    pub exited_here: u64,
}

/// Per goal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalStats {
    /// The goal step.
    pub goal: String,
    /// Conversions over contacts that entered.
    pub conversions: Share,
    /// Median days from entry to the goal (`None` without conversions).
    pub median_days: Option<f64>,
    /// 90th percentile of days from entry to the goal.
    pub p90_days: Option<f64>,
}

/// Per arm of a split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmStats {
    /// The split step.
    pub split: String,
    /// The arm.
    pub arm: String,
    /// Contacts of the arm that reached any goal.
    pub conversions: Share,
    /// Against the split's first arm (undefined for the first arm itself).
    pub versus_first: ZTest,
}

/// The result of a simulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Simulation {
    /// Contacts that entered at least once.
    pub entered: u64,
    /// Contacts inside the journey at the end.
    pub active: u64,
    /// Contacts that completed.
    pub completed: u64,
    /// Contacts that exited, by exit id.
    pub exited: BTreeMap<String, u64>,
    /// Actions the journey would have taken.
    pub actions: u64,
    /// Per step, in document order.
    pub steps: Vec<StepStats>,
    /// Per goal, in document order.
    pub goals: Vec<GoalStats>,
    /// Per split arm.
    pub arms: Vec<ArmStats>,
    /// The final state of every contact that entered, by contact id.
    #[serde(skip)]
    pub states: BTreeMap<ContactId, JourneyState>,
}

/// The `q`-quantile (0..=1) of sorted values by linear interpolation
/// between closest ranks (numpy's default).
fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let pos = q * last as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let (a, b) = (sorted.get(lo)?, sorted.get(hi)?);
    Some(a + (b - a) * (pos - lo as f64))
}

impl Journey {
    /// Replays `events` (sorted by time, as [`history_events`] gives them)
    /// through the journey, each contact ticked up to each of its events and
    /// finally to `until`, and reports what happened.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) naming `until`
    /// outside years 1 to 9999; the first error of an advance, naming the
    /// input (`inputs[12]...`).
    pub fn simulate(
        &self,
        snapshot: &Dataset,
        events: &[Event],
        until: Timestamp,
    ) -> Result<Simulation> {
        let inputs: Vec<Input> = events.iter().cloned().map(Input::Event).collect();
        self.simulate_inputs(snapshot, &inputs, until)
    }

    /// Like [`Journey::simulate`], over inputs that may mix events and
    /// enrollments by rules' actions (sorted by time); ticks in the list are
    /// ignored (every contact is ticked up to each of its inputs and to
    /// `until`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) naming `until`
    /// outside years 1 to 9999; the first error of an advance, naming the
    /// input (`inputs[12]...`).
    pub fn simulate_inputs(
        &self,
        snapshot: &Dataset,
        inputs: &[Input],
        until: Timestamp,
    ) -> Result<Simulation> {
        crate::model::check_timestamp(until, "until")?;
        let mut states: BTreeMap<ContactId, JourneyState> = BTreeMap::new();
        let mut reached: BTreeMap<ContactId, Vec<String>> = BTreeMap::new();
        let mut converted_at: BTreeMap<(ContactId, String), (Timestamp, Timestamp)> =
            BTreeMap::new();
        let mut actions = 0u64;
        let mut ever: BTreeMap<ContactId, ()> = BTreeMap::new();
        let mut note = |contact: &ContactId,
                        st: &JourneyState,
                        out: &super::Advance,
                        ever: &mut BTreeMap<ContactId, ()>| {
            if st.status != Status::NotEntered {
                ever.insert(contact.clone(), ());
            }
            let seen = reached.entry(contact.clone()).or_default();
            for h in &out.taken {
                if !seen.contains(&h.step) {
                    seen.push(h.step.clone());
                }
                if (h.reason == "goal_reached" || h.reason == "goal_jump")
                    && let Some(entered) = st.entered_at
                {
                    converted_at
                        .entry((contact.clone(), h.step.clone()))
                        .or_insert((entered, h.at));
                }
            }
        };
        for (i, input) in inputs.iter().enumerate() {
            let (at, contact) = match input {
                Input::Tick => continue,
                Input::Enrolled(en) => (en.at, Some(en.contact.clone())),
                Input::Event(event) => (
                    event.at,
                    event.contact.clone().or_else(|| {
                        event
                            .deal
                            .as_ref()
                            .and_then(|d| snapshot.deal(d))
                            .map(|d| d.contact.clone())
                    }),
                ),
            };
            if at > until {
                break;
            }
            let Some(contact) = contact else {
                continue;
            };
            let st = states.entry(contact.clone()).or_default();
            let out = self
                .advance_in_place(st, input, snapshot, at)
                .map_err(|e| e.with_path_prefix(&format!("inputs[{i}]")))?;
            actions += out.actions.len() as u64;
            note(&contact, st, &out, &mut ever);
        }
        for (contact, st) in states.iter_mut() {
            let out = self.advance_in_place(st, &Input::Tick, snapshot, until)?;
            actions += out.actions.len() as u64;
            note(contact, st, &out, &mut ever);
        }
        states.retain(|c, _| ever.contains_key(c));
        let entered = states.len() as u64;
        let mut exited: BTreeMap<String, u64> = BTreeMap::new();
        let (mut active, mut completed) = (0u64, 0u64);
        for st in states.values() {
            match st.status {
                Status::Active => active += 1,
                Status::Completed => completed += 1,
                Status::Exited => {
                    *exited
                        .entry(st.exit.clone().unwrap_or_default())
                        .or_insert(0) += 1
                }
                Status::NotEntered => {}
            }
        }
        let steps = self
            .step_ids()
            .map(|id| StepStats {
                step: id.to_string(),
                reached: reached
                    .iter()
                    .filter(|(c, s)| states.contains_key(*c) && s.iter().any(|x| x == id))
                    .count() as u64,
                now_here: states
                    .values()
                    .filter(|s| s.is_active() && s.step.as_deref() == Some(id))
                    .count() as u64,
                exited_here: states
                    .values()
                    .filter(|s| s.status == Status::Exited && s.step.as_deref() == Some(id))
                    .count() as u64,
            })
            .collect();
        let goals = self
            .goal_ids()
            .map(|g| {
                let mut days: Vec<f64> = converted_at
                    .iter()
                    .filter(|((_, goal), _)| goal == g)
                    .map(|(_, (from, to))| (*to - *from).num_seconds() as f64 / 86_400.0)
                    .collect();
                days.sort_by(f64::total_cmp);
                GoalStats {
                    goal: g.to_string(),
                    conversions: Share::new(days.len() as u64, entered),
                    median_days: quantile(&days, 0.5),
                    p90_days: quantile(&days, 0.9),
                }
            })
            .collect();
        let mut arms = Vec::new();
        for step in &self.steps {
            if let super::compile::Kind::Split { arms: list } = &step.kind {
                let mut first: Option<(u64, u64)> = None;
                for arm in list {
                    let members: Vec<&JourneyState> = states
                        .values()
                        .filter(|s| s.arm(&step.id) == Some(arm.id.as_str()))
                        .collect();
                    let n = members.len() as u64;
                    let x = members.iter().filter(|s| !s.goals.is_empty()).count() as u64;
                    let versus_first = match first {
                        None => ZTest {
                            z: None,
                            p_value: None,
                        },
                        Some((x0, n0)) => two_proportion_z_test(x, n, x0, n0),
                    };
                    first.get_or_insert((x, n));
                    arms.push(ArmStats {
                        split: step.id.clone(),
                        arm: arm.id.clone(),
                        conversions: Share::new(x, n),
                        versus_first,
                    });
                }
            }
        }
        Ok(Simulation {
            entered,
            active,
            completed,
            exited,
            actions,
            steps,
            goals,
            arms,
            states,
        })
    }

    /// The path of one contact in a simulation, with the reasons: the
    /// history of its final state (the latest [`HISTORY_LIMIT`](super::HISTORY_LIMIT) steps).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) when the contact
    /// never entered.
    pub fn path_of<'s>(
        &self,
        simulation: &'s Simulation,
        contact: &ContactId,
    ) -> Result<&'s [super::HistoryEntry]> {
        simulation
            .states
            .get(contact)
            .map(|s| s.history.as_slice())
            .ok_or_else(|| {
                Error::not_found(
                    "contact",
                    format!("contact {contact} never entered journey {}", self.id()),
                )
            })
    }
}
