//! Static analysis of a rule set: gaps, overlaps, conflicts, unreachable
//! rules and branches, and contradictory conditions, each with a concrete
//! example input.
//!
//! For each event type the analysis splits every field the rules look at
//! into cells at the literals the conditions use (for a number: below,
//! at and between each boundary, and above the last; for text: each value
//! named and "any other value"; for dates relative to `as_of`: days since the
//! date), and evaluates every rule on one representative of every
//! combination of cells. Inside a cell every condition has the same truth
//! value, so the findings are exact for numeric, money, categorical,
//! lifecycle-stage and date conditions. Text tests (`contains`,
//! `starts_with`), tags and presence tests are treated as independent yes/no
//! facts. Money fields are analysed in the currency of their literals; a
//! field compared in two currencies is reported (`mixed_currencies`).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::action::ActionSpec;
use super::condition::{Cond, Leaf, Lit, Test};
use super::context::Source;
use super::ruleset::{HitPolicy, Rule, RuleSet};
use super::trigger::{Direction, EventType, StuckEntity, Trigger};
use crate::model::LifecycleStage;
use crate::money::Currency;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// An input no rule acts on.
    Gap,
    /// An input several rules match (first match: who wins; all matches:
    /// they all act, without conflicting actions).
    Overlap,
    /// An input several rules act on with conflicting actions (a call task
    /// and a nurture campaign; adding and removing the same tag...).
    Conflict,
    /// A rule that never acts: earlier rules always win (first match).
    UnreachableRule,
    /// A branch never taken: earlier branches always hold first.
    UnreachableBranch,
    /// Conditions that can never hold together.
    Contradiction,
    /// A money field compared in several currencies: not analysed across
    /// them.
    MixedCurrencies,
    /// Too many combinations to enumerate for one event type.
    Truncated,
}

/// One finding of the analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// What kind of finding.
    pub kind: FindingKind,
    /// The event type (trigger) concerned.
    pub trigger: EventType,
    /// The rules concerned (for overlaps: the winner first).
    pub rules: Vec<String>,
    /// The branch concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// A plain explanation.
    pub message: String,
    /// A concrete input showing the finding: field path → value (empty for
    /// contradictions, which have none).
    pub example: BTreeMap<String, serde_json::Value>,
    /// The same input as text (`deal.value = 500.00 USD`).
    pub example_text: String,
    /// The region of inputs the example stands for
    /// (`deal.value = 500.00 USD`, `event.form = any other value`).
    pub region: Vec<String>,
}

impl Finding {
    /// The example input as text.
    pub fn example_text(&self) -> &str {
        &self.example_text
    }
}

/// Per event type, how the rules cover the inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TriggerSummary {
    /// The event type.
    pub trigger: EventType,
    /// The rules listening to it, in priority order.
    pub rules: Vec<String>,
    /// The number of input cells examined.
    pub cells: u64,
    /// Cells no rule acts on.
    pub gap_cells: u64,
    /// Cells several rules match.
    pub overlap_cells: u64,
}

/// The result of [`analyze`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalysisReport {
    /// The hit policy analysed under.
    pub hit_policy: HitPolicy,
    /// Per event type.
    pub triggers: Vec<TriggerSummary>,
    /// The findings, by event type and kind.
    pub findings: Vec<Finding>,
}

impl AnalysisReport {
    /// The findings of one kind.
    pub fn of_kind(&self, kind: FindingKind) -> impl Iterator<Item = &Finding> + '_ {
        self.findings.iter().filter(move |f| f.kind == kind)
    }
}

/// The most cells enumerated per event type.
const MAX_CELLS: u64 = 200_000;
/// The most gap findings reported per event type.
const MAX_GAPS: usize = 64;

#[derive(Debug, Clone, PartialEq)]
enum DimKind {
    Numeric {
        currency: Option<Currency>,
        integer: bool,
        min: Option<Decimal>,
        time: bool,
        days: bool,
    },
    Categorical,
    Stage,
    Boolean,
}

#[derive(Debug, Clone)]
struct Dim {
    name: String,
    kind: DimKind,
    points: Vec<Decimal>,
    values: Vec<String>,
    scale: u32,
}

#[derive(Debug, Clone, PartialEq)]
enum Pred {
    Num(Cmp, Decimal),
    Between(Decimal, Decimal),
    NumIn(Vec<Decimal>, bool),
    Cat(Vec<String>, bool),
    Stages(u16),
    Is(bool),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
struct Atom {
    dim: usize,
    pred: Pred,
}

#[derive(Debug, Clone)]
enum F {
    True,
    And(Vec<F>),
    Or(Vec<F>),
    Not(Box<F>),
    Atom(usize),
}

/// The value of a cell of one dimension.
#[derive(Debug, Clone, PartialEq)]
enum CellVal {
    Num(Decimal),
    Cat(Option<usize>),
    Stage(LifecycleStage),
    Bool(bool),
}

#[derive(Debug, Clone)]
struct Cell {
    value: CellVal,
    region: String,
}

#[derive(Default)]
struct Space {
    dims: Vec<Dim>,
    atoms: Vec<Atom>,
    mixed: Vec<(String, String)>,
}

fn stage_bit(s: LifecycleStage) -> u16 {
    1u16 << (s as u16)
}

fn cmp_of(op: super::condition::Op) -> Cmp {
    use super::condition::Op;
    match op {
        Op::Eq => Cmp::Eq,
        Op::Ne => Cmp::Ne,
        Op::Lt => Cmp::Lt,
        Op::Le => Cmp::Le,
        Op::Gt => Cmp::Gt,
        _ => Cmp::Ge,
    }
}

impl Space {
    fn dim(&mut self, name: &str, kind: DimKind) -> usize {
        let same_family =
            |a: &DimKind, b: &DimKind| std::mem::discriminant(a) == std::mem::discriminant(b);
        if let Some(i) = self
            .dims
            .iter()
            .position(|d| d.name == name && same_family(&d.kind, &kind))
        {
            return i;
        }
        self.dims.push(Dim {
            name: name.to_string(),
            kind,
            points: Vec::new(),
            values: Vec::new(),
            scale: 0,
        });
        self.dims.len() - 1
    }

    fn atom(&mut self, dim: usize, pred: Pred) -> F {
        if let Some(d) = self.dims.get_mut(dim) {
            match &pred {
                Pred::Num(_, v) => {
                    d.scale = d.scale.max(v.scale());
                    d.points.push(*v);
                }
                Pred::Between(a, b) => {
                    d.scale = d.scale.max(a.scale()).max(b.scale());
                    d.points.push(*a);
                    d.points.push(*b);
                }
                Pred::NumIn(vs, _) => {
                    for v in vs {
                        d.scale = d.scale.max(v.scale());
                        d.points.push(*v);
                    }
                }
                Pred::Cat(vs, _) => d.values.extend(vs.iter().cloned()),
                Pred::Stages(_) | Pred::Is(_) => {}
            }
        }
        let atom = Atom { dim, pred };
        if let Some(i) = self.atoms.iter().position(|a| *a == atom) {
            return F::Atom(i);
        }
        self.atoms.push(atom);
        F::Atom(self.atoms.len() - 1)
    }

    fn opaque(&mut self, text: &str) -> F {
        let dim = self.dim(text, DimKind::Boolean);
        self.atom(dim, Pred::Is(true))
    }

    fn numeric_dim(&mut self, name: &str, source: Option<&Source>, lit: &Lit) -> Option<usize> {
        let integer = source.is_some_and(Source::integer);
        let min = source.filter(|s| s.non_negative()).map(|_| Decimal::ZERO);
        let kind = match lit {
            Lit::Number(_) => DimKind::Numeric {
                currency: None,
                integer,
                min,
                time: false,
                days: false,
            },
            Lit::Money(m) => {
                let existing = self.dims.iter().find_map(|d| match d.kind {
                    DimKind::Numeric {
                        currency: Some(c), ..
                    } if d.name == name => Some(c),
                    _ => None,
                });
                if let Some(c) = existing
                    && c != m.currency
                {
                    self.mixed
                        .push((name.to_string(), format!("{c} and {}", m.currency)));
                    return None;
                }
                DimKind::Numeric {
                    currency: Some(m.currency),
                    integer: false,
                    min,
                    time: false,
                    days: false,
                }
            }
            Lit::Time(_) => DimKind::Numeric {
                currency: None,
                integer: true,
                min: None,
                time: true,
                days: false,
            },
            _ => return None,
        };
        Some(self.dim(name, kind))
    }

    fn num_value(lit: &Lit) -> Option<Decimal> {
        match lit {
            Lit::Number(n) => Some(*n),
            Lit::Money(m) => Some(m.amount),
            Lit::Time(t) => Some(Decimal::from(t.timestamp())),
            _ => None,
        }
    }

    fn leaf(&mut self, leaf: &Leaf) -> F {
        let name = leaf.path.as_str();
        match &leaf.test {
            Test::Cmp(op, lit @ (Lit::Number(_) | Lit::Money(_) | Lit::Time(_))) => {
                match (
                    self.numeric_dim(name, Some(&leaf.source), lit),
                    Self::num_value(lit),
                ) {
                    (Some(dim), Some(v)) => self.atom(dim, Pred::Num(cmp_of(*op), v)),
                    _ => self.opaque(&leaf.text),
                }
            }
            Test::Between(lo, hi) => {
                match (
                    self.numeric_dim(name, Some(&leaf.source), lo),
                    Self::num_value(lo),
                    Self::num_value(hi),
                ) {
                    (Some(dim), Some(a), Some(b)) => self.atom(dim, Pred::Between(a, b)),
                    _ => self.opaque(&leaf.text),
                }
            }
            Test::Cmp(op, Lit::Text(t)) => {
                let dim = self.dim(name, DimKind::Categorical);
                self.atom(
                    dim,
                    Pred::Cat(vec![t.clone()], *op == super::condition::Op::Ne),
                )
            }
            Test::Cmp(op, Lit::Bool(b)) => {
                let dim = self.dim(name, DimKind::Boolean);
                let want = if *op == super::condition::Op::Ne {
                    !*b
                } else {
                    *b
                };
                self.atom(dim, Pred::Is(want))
            }
            Test::Cmp(op, Lit::Stage(s)) => {
                let mut mask = 0u16;
                for stage in LifecycleStage::ALL {
                    let holds = match cmp_of(*op) {
                        Cmp::Eq => stage == *s,
                        Cmp::Ne => stage != *s,
                        Cmp::Lt => stage < *s,
                        Cmp::Le => stage <= *s,
                        Cmp::Gt => stage > *s,
                        Cmp::Ge => stage >= *s,
                    };
                    if holds {
                        mask |= stage_bit(stage);
                    }
                }
                let dim = self.dim(name, DimKind::Stage);
                self.atom(dim, Pred::Stages(mask))
            }
            Test::In(lits) | Test::NotIn(lits) => {
                let negate = matches!(leaf.test, Test::NotIn(_));
                if lits.iter().all(|l| matches!(l, Lit::Text(_))) {
                    let values = lits
                        .iter()
                        .filter_map(|l| match l {
                            Lit::Text(t) => Some(t.clone()),
                            _ => None,
                        })
                        .collect();
                    let dim = self.dim(name, DimKind::Categorical);
                    self.atom(dim, Pred::Cat(values, negate))
                } else if lits.iter().all(|l| matches!(l, Lit::Stage(_))) {
                    let mut mask = 0u16;
                    for l in lits {
                        if let Lit::Stage(s) = l {
                            mask |= stage_bit(*s);
                        }
                    }
                    if negate {
                        mask = !mask & 0xff;
                    }
                    let dim = self.dim(name, DimKind::Stage);
                    self.atom(dim, Pred::Stages(mask))
                } else if let Some(first @ Lit::Number(_)) = lits.first()
                    && lits.iter().all(|l| matches!(l, Lit::Number(_)))
                {
                    match self.numeric_dim(name, Some(&leaf.source), first) {
                        Some(dim) => {
                            let values = lits.iter().filter_map(Self::num_value).collect();
                            self.atom(dim, Pred::NumIn(values, negate))
                        }
                        None => self.opaque(&leaf.text),
                    }
                } else {
                    self.opaque(&leaf.text)
                }
            }
            Test::OlderThanDays(n) | Test::WithinLastDays(n) | Test::WithinNextDays(n) => {
                let dim = self.dim(
                    &format!("days since {name}"),
                    DimKind::Numeric {
                        currency: None,
                        integer: true,
                        min: None,
                        time: false,
                        days: true,
                    },
                );
                let n = Decimal::from(*n);
                let pred = match leaf.test {
                    Test::OlderThanDays(_) => Pred::Num(Cmp::Ge, n),
                    Test::WithinLastDays(_) => Pred::Between(Decimal::ZERO, n),
                    _ => Pred::Between(-n, Decimal::ZERO),
                };
                self.atom(dim, pred)
            }
            _ => self.opaque(&leaf.text),
        }
    }

    fn convert(&mut self, cond: &Cond) -> F {
        match cond {
            Cond::True => F::True,
            Cond::All(parts) => F::And(parts.iter().map(|p| self.convert(p)).collect()),
            Cond::Any(parts) => F::Or(parts.iter().map(|p| self.convert(p)).collect()),
            Cond::Not(inner) => F::Not(Box::new(self.convert(inner))),
            Cond::Leaf(leaf) => self.leaf(leaf),
        }
    }

    fn cat(&mut self, name: &str, value: &str) -> F {
        let dim = self.dim(name, DimKind::Categorical);
        self.atom(dim, Pred::Cat(vec![value.to_string()], false))
    }

    fn num(&mut self, name: &str, integer: bool, min: Option<Decimal>, cmp: Cmp, v: Decimal) -> F {
        let dim = self.dim(
            name,
            DimKind::Numeric {
                currency: None,
                integer,
                min,
                time: false,
                days: false,
            },
        );
        self.atom(dim, Pred::Num(cmp, v))
    }

    /// The trigger's narrowing as a formula over event fields.
    fn trigger(&mut self, trigger: &Trigger) -> F {
        let mut parts = Vec::new();
        match trigger {
            Trigger::ContactUpdated { field: Some(f) } => parts.push(self.cat("event.field", f)),
            Trigger::LifecycleStageChanged { from, to } => {
                if let Some(s) = from {
                    parts.push(self.cat("event.from", s.as_str()));
                }
                if let Some(s) = to {
                    parts.push(self.cat("event.to", s.as_str()));
                }
            }
            Trigger::DealStageChanged { from, to } => {
                if let Some(s) = from {
                    parts.push(self.cat("event.from", s.as_str()));
                }
                if let Some(s) = to {
                    parts.push(self.cat("event.to", s.as_str()));
                }
            }
            Trigger::PurchaseMade { count: Some(c) } => {
                let (lo, hi) = c.range();
                let one = Some(Decimal::ONE);
                let name = "event.purchase_number";
                if lo == hi {
                    parts.push(self.num(name, true, one, Cmp::Eq, lo.into()));
                } else {
                    parts.push(self.num(name, true, one, Cmp::Ge, lo.into()));
                }
            }
            Trigger::FormSubmitted { form: Some(f) } => parts.push(self.cat("event.form", f)),
            Trigger::EmailOpened { email: Some(e) } | Trigger::EmailClicked { email: Some(e) } => {
                parts.push(self.cat("event.email", e));
            }
            Trigger::SurveyAnswered { survey: Some(s) } => {
                parts.push(self.cat("event.survey", s));
            }
            Trigger::ScoreCrossed {
                threshold,
                direction,
            } => {
                let t = *threshold;
                let mut up = || {
                    F::And(vec![
                        self.num("event.old_score", false, None, Cmp::Lt, t),
                        self.num("event.new_score", false, None, Cmp::Ge, t),
                    ])
                };
                let up_f = up();
                let down_f = F::And(vec![
                    self.num("event.old_score", false, None, Cmp::Ge, t),
                    self.num("event.new_score", false, None, Cmp::Lt, t),
                ]);
                parts.push(match direction {
                    Direction::Up => up_f,
                    Direction::Down => down_f,
                    Direction::Either => F::Or(vec![up_f, down_f]),
                });
            }
            Trigger::Date { field, .. } => {
                let key = format!("{field} {}", trigger.schedule_key().unwrap_or_default());
                parts.push(self.cat("event.schedule", &key));
            }
            Trigger::Stuck {
                entity,
                days,
                stage,
                pipeline,
            } => {
                let zero = Some(Decimal::ZERO);
                parts.push(self.num("event.days", true, zero, Cmp::Eq, (*days).into()));
                if let Some(s) = stage {
                    parts.push(self.cat("event.to", s));
                }
                if let (StuckEntity::Deal, Some(p)) = (entity, pipeline) {
                    parts.push(self.cat("deal.pipeline", p.as_str()));
                }
            }
            _ => {}
        }
        F::And(parts)
    }

    /// The cells of a dimension.
    fn cells(&self, dim: &Dim) -> Vec<Cell> {
        match &dim.kind {
            DimKind::Boolean => vec![
                Cell {
                    value: CellVal::Bool(true),
                    region: format!("{}: yes", dim.name),
                },
                Cell {
                    value: CellVal::Bool(false),
                    region: format!("{}: no", dim.name),
                },
            ],
            DimKind::Stage => LifecycleStage::ALL
                .iter()
                .map(|s| Cell {
                    value: CellVal::Stage(*s),
                    region: format!("{} = {s}", dim.name),
                })
                .collect(),
            DimKind::Categorical => {
                let mut values = dim.values.clone();
                values.sort();
                values.dedup();
                let mut cells: Vec<Cell> = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Cell {
                        value: CellVal::Cat(Some(i)),
                        region: format!("{} = {v:?}", dim.name),
                    })
                    .collect();
                cells.push(Cell {
                    value: CellVal::Cat(None),
                    region: format!("{} = any other value", dim.name),
                });
                cells
            }
            DimKind::Numeric {
                integer,
                min,
                currency,
                time,
                ..
            } => {
                let mut points = dim.points.clone();
                points.sort();
                points.dedup();
                if let Some(m) = min {
                    points.retain(|p| p >= m);
                }
                let scale = if currency.is_some() {
                    dim.scale.max(2)
                } else {
                    dim.scale
                };
                let quantum = if *integer {
                    Some(Decimal::ONE)
                } else if currency.is_some() {
                    Some(Decimal::new(1, scale))
                } else {
                    None
                };
                let step = if *time {
                    Decimal::from(86_400)
                } else {
                    Decimal::ONE
                };
                let fmt = |v: Decimal| self.format(dim, v);
                let mut cells = Vec::new();
                let Some(first) = points.first().copied() else {
                    let v = min.unwrap_or(Decimal::ZERO);
                    cells.push(Cell {
                        value: CellVal::Num(v),
                        region: format!("{}: any value", dim.name),
                    });
                    return cells;
                };
                let below = match min {
                    Some(m) if *m < first => Some(*m),
                    Some(_) => None,
                    None => Some(first - step),
                };
                if let Some(v) = below {
                    cells.push(Cell {
                        value: CellVal::Num(v),
                        region: format!("{} < {}", dim.name, fmt(first)),
                    });
                }
                for (i, p) in points.iter().enumerate() {
                    cells.push(Cell {
                        value: CellVal::Num(*p),
                        region: format!("{} = {}", dim.name, fmt(*p)),
                    });
                    match points.get(i + 1) {
                        Some(next) => {
                            let candidate = if *p + step < *next {
                                Some(*p + step)
                            } else if let Some(q) = quantum {
                                let floor = (*p / q).floor() * q;
                                Some(floor + q).filter(|v| v < next)
                            } else {
                                Some((*p + *next) / Decimal::TWO)
                            };
                            if let Some(v) = candidate {
                                cells.push(Cell {
                                    value: CellVal::Num(v),
                                    region: format!(
                                        "{} in ({}, {})",
                                        dim.name,
                                        fmt(*p),
                                        fmt(*next)
                                    ),
                                });
                            }
                        }
                        None => cells.push(Cell {
                            value: CellVal::Num(*p + step),
                            region: format!("{} > {}", dim.name, fmt(*p)),
                        }),
                    }
                }
                cells
            }
        }
    }

    fn format(&self, dim: &Dim, v: Decimal) -> String {
        match &dim.kind {
            DimKind::Numeric {
                currency: Some(c), ..
            } => {
                let mut amount = v;
                amount.rescale(dim.scale.max(2).max(v.scale()));
                format!("{amount} {c}")
            }
            DimKind::Numeric { time: true, .. } => {
                let secs = i64::try_from(v.trunc().mantissa() / 10i128.pow(v.trunc().scale()))
                    .unwrap_or(0);
                match chrono::DateTime::from_timestamp(secs, 0) {
                    Some(t) if t.time() == chrono::NaiveTime::MIN => t.date_naive().to_string(),
                    Some(t) => t.to_rfc3339(),
                    None => v.to_string(),
                }
            }
            DimKind::Numeric { days: true, .. } => format!("{} days", v.normalize()),
            _ => v.normalize().to_string(),
        }
    }

    fn example_json(&self, dim: &Dim, cell: &Cell) -> (serde_json::Value, String) {
        match (&cell.value, &dim.kind) {
            (
                CellVal::Num(v),
                DimKind::Numeric {
                    currency: Some(c), ..
                },
            ) => {
                let mut amount = *v;
                amount.rescale(dim.scale.max(2).max(v.scale()));
                (
                    serde_json::json!({"amount": amount.to_string(), "currency": c.as_str()}),
                    self.format(dim, *v),
                )
            }
            (CellVal::Num(v), DimKind::Numeric { days: true, .. }) => (
                serde_json::json!(v.normalize().to_string()),
                self.format(dim, *v),
            ),
            (CellVal::Num(v), _) => {
                let text = self.format(dim, *v);
                (serde_json::json!(text), text)
            }
            (CellVal::Cat(Some(i)), _) => {
                let mut values = dim.values.clone();
                values.sort();
                values.dedup();
                let v = values.get(*i).cloned().unwrap_or_default();
                (serde_json::json!(v), format!("{v:?}"))
            }
            (CellVal::Cat(None), _) => {
                let mut other = "other".to_string();
                while dim.values.contains(&other) {
                    other.push('_');
                }
                (
                    serde_json::json!(other),
                    format!("{other:?} (any other value)"),
                )
            }
            (CellVal::Stage(s), _) => (serde_json::json!(s.as_str()), s.as_str().to_string()),
            (CellVal::Bool(b), _) => (serde_json::json!(b), b.to_string()),
        }
    }
}

fn holds(pred: &Pred, value: &CellVal, dim: &Dim) -> bool {
    match (pred, value) {
        (Pred::Num(cmp, lit), CellVal::Num(v)) => match cmp {
            Cmp::Eq => v == lit,
            Cmp::Ne => v != lit,
            Cmp::Lt => v < lit,
            Cmp::Le => v <= lit,
            Cmp::Gt => v > lit,
            Cmp::Ge => v >= lit,
        },
        (Pred::Between(a, b), CellVal::Num(v)) => a <= v && v <= b,
        (Pred::NumIn(values, negate), CellVal::Num(v)) => values.contains(v) != *negate,
        (Pred::Cat(values, negate), CellVal::Cat(index)) => {
            let mut all = dim.values.clone();
            all.sort();
            all.dedup();
            let inside = index
                .and_then(|i| all.get(i))
                .is_some_and(|v| values.contains(v));
            inside != *negate
        }
        (Pred::Stages(mask), CellVal::Stage(s)) => mask & stage_bit(*s) != 0,
        (Pred::Is(want), CellVal::Bool(b)) => want == b,
        _ => false,
    }
}

fn eval(f: &F, truth: &[bool]) -> bool {
    match f {
        F::True => true,
        F::And(parts) => parts.iter().all(|p| eval(p, truth)),
        F::Or(parts) => parts.iter().any(|p| eval(p, truth)),
        F::Not(inner) => !eval(inner, truth),
        F::Atom(i) => truth.get(*i).copied().unwrap_or(false),
    }
}

struct RuleForm<'r> {
    rule: &'r Rule,
    when: F,
    branches: Vec<F>,
}

/// Conflicting actions between two branches, described.
fn conflict(a: &[&ActionSpec], b: &[&ActionSpec]) -> Option<String> {
    for x in a {
        for y in b {
            let found = match (x, y) {
                (
                    ActionSpec::CreateTask { task, .. },
                    ActionSpec::EnrollInCampaign { campaign },
                )
                | (
                    ActionSpec::EnrollInCampaign { campaign },
                    ActionSpec::CreateTask { task, .. },
                ) => Some(format!(
                    "a {} task and enrollment in campaign {campaign} for the same input",
                    serde_json::to_value(task)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                )),
                (
                    ActionSpec::EnrollInCampaign { campaign: c1 },
                    ActionSpec::RemoveFromCampaign { campaign: c2 },
                )
                | (
                    ActionSpec::RemoveFromCampaign { campaign: c1 },
                    ActionSpec::EnrollInCampaign { campaign: c2 },
                ) if c1 == c2 => Some(format!("enrolls in and removes from campaign {c1}")),
                (ActionSpec::AddTag { tag: t1 }, ActionSpec::RemoveTag { tag: t2 })
                | (ActionSpec::RemoveTag { tag: t1 }, ActionSpec::AddTag { tag: t2 })
                    if t1 == t2 =>
                {
                    Some(format!("adds and removes tag {t1:?}"))
                }
                (
                    ActionSpec::SetLifecycleStage { stage: s1 },
                    ActionSpec::SetLifecycleStage { stage: s2 },
                ) if s1 != s2 => Some(format!("sets the lifecycle stage to both {s1} and {s2}")),
                (
                    ActionSpec::MoveDealStage { stage: s1 },
                    ActionSpec::MoveDealStage { stage: s2 },
                ) if s1 != s2 => Some(format!("moves the deal to both {s1} and {s2}")),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
    }
    None
}

/// Analyses a rule set: for every event type its rules listen to, the gaps,
/// overlaps, conflicts, unreachable rules and branches and contradictions,
/// each with an example input.
pub fn analyze(rules: &RuleSet) -> AnalysisReport {
    let mut report = AnalysisReport {
        hit_policy: rules.hit_policy(),
        triggers: Vec::new(),
        findings: Vec::new(),
    };
    for kind in EventType::ALL {
        let group: Vec<&Rule> = rules
            .rules
            .iter()
            .filter(|r| r.trigger.event_type() == kind)
            .collect();
        if !group.is_empty() {
            analyze_group(kind, &group, rules.hit_policy(), &mut report);
        }
    }
    report
}

struct Example {
    json: BTreeMap<String, serde_json::Value>,
    text: String,
    region: Vec<String>,
}

fn analyze_group(kind: EventType, group: &[&Rule], policy: HitPolicy, report: &mut AnalysisReport) {
    let mut space = Space::default();
    let forms: Vec<RuleForm<'_>> = group
        .iter()
        .map(|rule| {
            let trigger = space.trigger(&rule.trigger);
            let guard = space.convert(&rule.guard);
            let branches = rule
                .branches
                .iter()
                .map(|b| space.convert(&b.cond))
                .collect();
            RuleForm {
                rule,
                when: F::And(vec![trigger, guard]),
                branches,
            }
        })
        .collect();
    let rule_ids: Vec<String> = group.iter().map(|r| r.id.clone()).collect();
    for (field, currencies) in &space.mixed {
        report.findings.push(Finding {
            kind: FindingKind::MixedCurrencies,
            trigger: kind,
            rules: rule_ids.clone(),
            branch: None,
            message: format!(
                "{field} is compared in {currencies}; conditions in the second currency are treated as independent facts, and evaluation converts with exchange rates or fails"
            ),
            example: BTreeMap::new(),
            example_text: String::new(),
            region: Vec::new(),
        });
    }
    let cells: Vec<Vec<Cell>> = space.dims.iter().map(|d| space.cells(d)).collect();
    let total = cells
        .iter()
        .try_fold(1u64, |acc, c| acc.checked_mul(c.len() as u64))
        .unwrap_or(u64::MAX);
    if total > MAX_CELLS {
        report.findings.push(Finding {
            kind: FindingKind::Truncated,
            trigger: kind,
            rules: rule_ids.clone(),
            branch: None,
            message: format!(
                "{total} combinations of {} fields exceed the limit of {MAX_CELLS}; not analysed",
                space.dims.len()
            ),
            example: BTreeMap::new(),
            example_text: String::new(),
            region: Vec::new(),
        });
        report.triggers.push(TriggerSummary {
            trigger: kind,
            rules: rule_ids,
            cells: 0,
            gap_cells: 0,
            overlap_cells: 0,
        });
        return;
    }
    // Truth of each atom in each cell of its dimension.
    let atom_truth: Vec<Vec<bool>> = space
        .atoms
        .iter()
        .map(|a| match (cells.get(a.dim), space.dims.get(a.dim)) {
            (Some(cs), Some(dim)) => cs.iter().map(|c| holds(&a.pred, &c.value, dim)).collect(),
            _ => Vec::new(),
        })
        .collect();
    let example_of = |choice: &[usize]| -> Example {
        let mut json = BTreeMap::new();
        let mut texts = Vec::new();
        let mut region = Vec::new();
        for ((dim, cs), i) in space.dims.iter().zip(&cells).zip(choice) {
            if let Some(cell) = cs.get(*i) {
                let (value, text) = space.example_json(dim, cell);
                json.insert(dim.name.clone(), value);
                texts.push(format!("{} = {text}", dim.name));
                region.push(cell.region.clone());
            }
        }
        Example {
            json,
            text: if texts.is_empty() {
                format!("any {kind} event")
            } else {
                texts.join(", ")
            },
            region,
        }
    };

    let n = forms.len();
    let mut matched_any = vec![false; n];
    let mut wins = vec![false; n];
    let mut satisfiable: Vec<Vec<bool>> = forms
        .iter()
        .map(|f| vec![false; f.branches.len()])
        .collect();
    let mut taken: Vec<Vec<bool>> = satisfiable.clone();
    let mut shadow_example: Vec<Vec<Option<(Vec<usize>, usize)>>> =
        forms.iter().map(|f| vec![None; f.branches.len()]).collect();
    let mut rule_shadow: Vec<Option<(Vec<usize>, usize)>> = vec![None; n];
    let mut gaps: Vec<Vec<usize>> = Vec::new();
    let mut gap_cells = 0u64;
    let mut overlap_cells = 0u64;
    let mut overlaps: BTreeMap<Vec<(usize, usize)>, Vec<usize>> = BTreeMap::new();

    let mut choice = vec![0usize; space.dims.len()];
    let mut truth = vec![false; space.atoms.len()];
    let mut done = false;
    while !done {
        for (a, atom) in space.atoms.iter().enumerate() {
            let i = choice.get(atom.dim).copied().unwrap_or(0);
            if let Some(t) = truth.get_mut(a) {
                *t = atom_truth
                    .get(a)
                    .and_then(|v| v.get(i))
                    .copied()
                    .unwrap_or(false);
            }
        }
        let mut selected: Vec<(usize, usize)> = Vec::new();
        for (r, form) in forms.iter().enumerate() {
            if !eval(&form.when, &truth) {
                continue;
            }
            let mut first = None;
            for (b, bf) in form.branches.iter().enumerate() {
                if eval(bf, &truth) {
                    if let Some(s) = satisfiable.get_mut(r).and_then(|v| v.get_mut(b)) {
                        *s = true;
                    }
                    match first {
                        None => first = Some(b),
                        Some(winner) => {
                            if let Some(slot) = shadow_example.get_mut(r).and_then(|v| v.get_mut(b))
                                && slot.is_none()
                            {
                                *slot = Some((choice.clone(), winner));
                            }
                        }
                    }
                }
            }
            if let Some(b) = first {
                selected.push((r, b));
                if let Some(t) = taken.get_mut(r).and_then(|v| v.get_mut(b)) {
                    *t = true;
                }
                if let Some(m) = matched_any.get_mut(r) {
                    *m = true;
                }
            }
        }
        match selected.first() {
            None => {
                gap_cells += 1;
                if gaps.len() < MAX_GAPS {
                    gaps.push(choice.clone());
                }
            }
            Some((winner, _)) => {
                if let Some(w) = wins.get_mut(*winner) {
                    *w = true;
                }
                if policy == HitPolicy::First {
                    for (r, _) in selected.iter().skip(1) {
                        if let Some(slot) = rule_shadow.get_mut(*r)
                            && slot.is_none()
                        {
                            *slot = Some((choice.clone(), *winner));
                        }
                    }
                }
            }
        }
        if selected.len() > 1 {
            overlap_cells += 1;
            overlaps
                .entry(selected.clone())
                .or_insert_with(|| choice.clone());
        }
        // Next combination (odometer).
        done = true;
        for (d, c) in choice.iter_mut().enumerate() {
            let len = cells.get(d).map_or(1, Vec::len);
            if *c + 1 < len {
                *c += 1;
                done = false;
                break;
            }
            *c = 0;
        }
    }

    let id = |r: usize| forms.get(r).map_or(String::new(), |f| f.rule.id.clone());
    let label = |r: usize, b: usize| {
        forms
            .get(r)
            .and_then(|f| f.rule.branches.get(b))
            .map_or(String::new(), |b| b.label.clone())
    };
    let push = |report: &mut AnalysisReport,
                kind_: FindingKind,
                rules_: Vec<String>,
                branch: Option<String>,
                message: String,
                example: Option<Example>| {
        let example = example.unwrap_or(Example {
            json: BTreeMap::new(),
            text: String::new(),
            region: Vec::new(),
        });
        report.findings.push(Finding {
            kind: kind_,
            trigger: kind,
            rules: rules_,
            branch,
            message,
            example: example.json,
            example_text: example.text,
            region: example.region,
        });
    };

    for gap in &gaps {
        let ex = example_of(gap);
        push(
            report,
            FindingKind::Gap,
            rule_ids.clone(),
            None,
            format!(
                "no rule acts on this {kind} input: {}",
                ex.region.join(", ")
            ),
            Some(ex),
        );
    }
    if gap_cells > gaps.len() as u64 {
        push(
            report,
            FindingKind::Gap,
            rule_ids.clone(),
            None,
            format!(
                "{} more gap cells not listed",
                gap_cells - gaps.len() as u64
            ),
            None,
        );
    }
    for (set, choice) in &overlaps {
        let ex = example_of(choice);
        let names: Vec<String> = set.iter().map(|(r, _)| id(*r)).collect();
        let actions: Vec<Vec<&ActionSpec>> = set
            .iter()
            .map(|(r, b)| {
                forms
                    .get(*r)
                    .and_then(|f| f.rule.branches.get(*b))
                    .map(|br| br.actions.iter().map(|p| &p.spec).collect())
                    .unwrap_or_default()
            })
            .collect();
        let mut clash = None;
        for (i, a) in actions.iter().enumerate() {
            for b in actions.iter().skip(i + 1) {
                if clash.is_none() {
                    clash = conflict(a, b);
                }
            }
        }
        let (kind_, message) = match (policy, clash) {
            (HitPolicy::First, _) => (
                FindingKind::Overlap,
                format!(
                    "rules {} all match; under first match {} wins and the others do nothing",
                    names.join(", "),
                    names.first().cloned().unwrap_or_default()
                ),
            ),
            (HitPolicy::All, Some(what)) => (
                FindingKind::Conflict,
                format!("rules {} all act: {what}", names.join(", ")),
            ),
            (HitPolicy::All, None) => (
                FindingKind::Overlap,
                format!("rules {} all act on the same input", names.join(", ")),
            ),
        };
        push(report, kind_, names, None, message, Some(ex));
    }
    for (r, form) in forms.iter().enumerate() {
        let any_satisfiable = satisfiable.get(r).is_some_and(|v| v.iter().any(|s| *s));
        if !any_satisfiable {
            push(
                report,
                FindingKind::Contradiction,
                vec![id(r)],
                None,
                format!(
                    "the conditions of rule {} can never hold together: {}",
                    id(r),
                    rule_text(form.rule)
                ),
                None,
            );
            continue;
        }
        if policy == HitPolicy::First && !wins.get(r).copied().unwrap_or(false) {
            let shadow = rule_shadow.get(r).cloned().flatten();
            let winner = shadow.as_ref().map_or(String::new(), |(_, w)| id(*w));
            push(
                report,
                FindingKind::UnreachableRule,
                vec![id(r), winner.clone()],
                None,
                format!(
                    "rule {} never acts: whenever it matches, an earlier rule ({winner}) wins",
                    id(r)
                ),
                shadow.map(|(c, _)| example_of(&c)),
            );
            continue;
        }
        let _ = matched_any.get(r);
        for b in 0..form.branches.len() {
            let was_taken = taken
                .get(r)
                .and_then(|v| v.get(b))
                .copied()
                .unwrap_or(false);
            if was_taken {
                continue;
            }
            let sat = satisfiable
                .get(r)
                .and_then(|v| v.get(b))
                .copied()
                .unwrap_or(false);
            let text = form
                .rule
                .branches
                .get(b)
                .map_or(String::new(), |br| br.cond.text());
            if sat {
                let shadow = shadow_example
                    .get(r)
                    .and_then(|v| v.get(b))
                    .cloned()
                    .flatten();
                let winner = shadow.as_ref().map_or(String::new(), |(_, w)| label(r, *w));
                push(
                    report,
                    FindingKind::UnreachableBranch,
                    vec![id(r)],
                    Some(label(r, b)),
                    format!(
                        "branch {} of rule {} ({text}) is never taken: branch {winner} always holds first",
                        label(r, b),
                        id(r)
                    ),
                    shadow.map(|(c, _)| example_of(&c)),
                );
            } else {
                push(
                    report,
                    FindingKind::Contradiction,
                    vec![id(r)],
                    Some(label(r, b)),
                    format!(
                        "branch {} of rule {} can never hold: {text}",
                        label(r, b),
                        id(r)
                    ),
                    None,
                );
            }
        }
    }
    report.triggers.push(TriggerSummary {
        trigger: kind,
        rules: rule_ids,
        cells: total,
        gap_cells,
        overlap_cells,
    });
}

fn rule_text(rule: &Rule) -> String {
    let branches: Vec<String> = rule.branches.iter().map(|b| b.cond.text()).collect();
    format!(
        "{} when {} then one of [{}]",
        rule.trigger.describe(),
        rule.guard.text(),
        branches.join("; ")
    )
}
