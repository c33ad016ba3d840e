//! The input space of one event type: dimensions (one per field the rules
//! test), their cells (split at the conditions' literals), atoms (one test
//! on one dimension) and formulas over atoms.

use std::collections::HashMap;
use std::mem::Discriminant;

use rust_decimal::Decimal;

use super::super::condition::{Cond, Leaf, Lit, Test};
use super::super::context::Source;
use super::super::trigger::{Direction, StuckEntity, Trigger};
use crate::model::LifecycleStage;
use crate::money::Currency;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum DimKind {
    Numeric {
        currency: Option<Currency>,
        integer: bool,
        min: Option<Decimal>,
        time: bool,
        days: bool,
    },
    Categorical,
    /// A categorical dimension whose only values are those named (the
    /// schedules and thresholds of derived events): no "other" cell.
    Closed,
    Stage,
    Boolean,
}

#[derive(Debug, Clone)]
pub(super) struct Dim {
    pub(super) name: String,
    pub(super) kind: DimKind,
    pub(super) points: Vec<Decimal>,
    pub(super) values: Vec<String>,
    pub(super) scale: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Pred {
    Num(Cmp, Decimal),
    Between(Decimal, Decimal),
    NumIn(Vec<Decimal>, bool),
    Cat(Vec<String>, bool),
    Stages(u16),
    Is(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Atom {
    pub(super) dim: usize,
    pub(super) pred: Pred,
}

#[derive(Debug, Clone)]
pub(super) enum F {
    True,
    And(Vec<F>),
    Or(Vec<F>),
    Not(Box<F>),
    Atom(usize),
}

/// The value of a cell of one dimension.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum CellVal {
    Num(Decimal),
    Cat(Option<usize>),
    Stage(LifecycleStage),
    Bool(bool),
}

#[derive(Debug, Clone)]
pub(super) struct Cell {
    pub(super) value: CellVal,
    pub(super) region: String,
}

#[derive(Default)]
pub(super) struct Space {
    pub(super) dims: Vec<Dim>,
    pub(super) atoms: Vec<Atom>,
    pub(super) mixed: Vec<(String, String)>,
    /// Each dimension's index by name and kind family.
    dim_index: HashMap<(String, Discriminant<DimKind>), usize>,
    /// Each atom's index (atoms are shared by the rules that use them).
    atom_index: HashMap<Atom, usize>,
}

pub(super) fn stage_bit(s: LifecycleStage) -> u16 {
    1u16 << (s as u16)
}

pub(super) fn cmp_of(op: super::super::condition::Op) -> Cmp {
    use super::super::condition::Op;
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
    pub(super) fn dim(&mut self, name: &str, kind: DimKind) -> usize {
        let key = (name.to_string(), std::mem::discriminant(&kind));
        if let Some(i) = self.dim_index.get(&key) {
            return *i;
        }
        self.dim_index.insert(key, self.dims.len());
        self.dims.push(Dim {
            name: name.to_string(),
            kind,
            points: Vec::new(),
            values: Vec::new(),
            scale: 0,
        });
        self.dims.len() - 1
    }

    pub(super) fn atom(&mut self, dim: usize, pred: Pred) -> F {
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
        if let Some(i) = self.atom_index.get(&atom) {
            return F::Atom(*i);
        }
        self.atom_index.insert(atom.clone(), self.atoms.len());
        self.atoms.push(atom);
        F::Atom(self.atoms.len() - 1)
    }

    /// Sorts and deduplicates the values of every categorical dimension:
    /// call once after the last conversion, before [`Space::cells`]. A
    /// categorical cell's index is then its value's index in `values`.
    pub(super) fn finish(&mut self) {
        for dim in &mut self.dims {
            dim.values.sort();
            dim.values.dedup();
        }
    }

    pub(super) fn opaque(&mut self, text: &str) -> F {
        let dim = self.dim(text, DimKind::Boolean);
        self.atom(dim, Pred::Is(true))
    }

    pub(super) fn numeric_dim(
        &mut self,
        name: &str,
        source: Option<&Source>,
        lit: &Lit,
    ) -> Option<usize> {
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

    pub(super) fn num_value(lit: &Lit) -> Option<Decimal> {
        match lit {
            Lit::Number(n) => Some(*n),
            Lit::Money(m) => Some(m.amount),
            Lit::Time(t) => Some(Decimal::from(t.timestamp())),
            _ => None,
        }
    }

    pub(super) fn leaf(&mut self, leaf: &Leaf) -> F {
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
                    Pred::Cat(vec![t.clone()], *op == super::super::condition::Op::Ne),
                )
            }
            Test::Cmp(op, Lit::Bool(b)) => {
                let dim = self.dim(name, DimKind::Boolean);
                let want = if *op == super::super::condition::Op::Ne {
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

    pub(super) fn convert(&mut self, cond: &Cond) -> F {
        match cond {
            Cond::True => F::True,
            Cond::All(parts) => F::And(parts.iter().map(|p| self.convert(p)).collect()),
            Cond::Any(parts) => F::Or(parts.iter().map(|p| self.convert(p)).collect()),
            Cond::Not(inner) => F::Not(Box::new(self.convert(inner))),
            Cond::Leaf(leaf) => self.leaf(leaf),
        }
    }

    pub(super) fn cat(&mut self, name: &str, value: &str) -> F {
        let dim = self.dim(name, DimKind::Categorical);
        self.atom(dim, Pred::Cat(vec![value.to_string()], false))
    }

    fn closed(&mut self, name: &str, value: &str) -> F {
        let dim = self.dim(name, DimKind::Closed);
        self.atom(dim, Pred::Cat(vec![value.to_string()], false))
    }

    pub(super) fn num(
        &mut self,
        name: &str,
        integer: bool,
        min: Option<Decimal>,
        cmp: Cmp,
        v: Decimal,
    ) -> F {
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
    pub(super) fn trigger(&mut self, trigger: &Trigger) -> F {
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
                parts.push(self.closed("event.schedule", &key));
            }
            Trigger::Stuck {
                entity,
                days,
                stage,
                pipeline,
            } => {
                // `tick` derives stuck events only for the thresholds of the
                // rules, so the thresholds are the only values.
                parts.push(self.closed("event.days", &days.to_string()));
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
    pub(super) fn cells(&self, dim: &Dim) -> Vec<Cell> {
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
            DimKind::Categorical | DimKind::Closed => {
                let mut cells: Vec<Cell> = dim
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Cell {
                        value: CellVal::Cat(Some(i)),
                        region: format!("{} = {v:?}", dim.name),
                    })
                    .collect();
                if dim.kind == DimKind::Categorical {
                    cells.push(Cell {
                        value: CellVal::Cat(None),
                        region: format!("{} = any other value", dim.name),
                    });
                }
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
                    None => first.checked_sub(step),
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
                            let stepped = p.checked_add(step).filter(|v| v < next);
                            let candidate = match (stepped, quantum) {
                                (Some(v), _) => Some(v),
                                (None, Some(q)) => p
                                    .checked_div(q)
                                    .map(|x| x.floor())
                                    .and_then(|x| x.checked_mul(q))
                                    .and_then(|x| x.checked_add(q))
                                    .filter(|v| v > p && v < next),
                                (None, None) => p
                                    .checked_add(*next)
                                    .and_then(|x| x.checked_div(Decimal::TWO))
                                    .or_else(|| {
                                        (*p / Decimal::TWO).checked_add(*next / Decimal::TWO)
                                    })
                                    .filter(|v| v > p && v < next),
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
                        None => {
                            if let Some(v) = p.checked_add(step) {
                                cells.push(Cell {
                                    value: CellVal::Num(v),
                                    region: format!("{} > {}", dim.name, fmt(*p)),
                                });
                            }
                        }
                    }
                }
                cells
            }
        }
    }

    pub(super) fn format(&self, dim: &Dim, v: Decimal) -> String {
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

    pub(super) fn example_json(&self, dim: &Dim, cell: &Cell) -> (serde_json::Value, String) {
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
                let v = dim.values.get(*i).cloned().unwrap_or_default();
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

pub(super) fn holds(pred: &Pred, value: &CellVal, dim: &Dim) -> bool {
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
            let inside = index
                .and_then(|i| dim.values.get(i))
                .is_some_and(|v| values.contains(v));
            inside != *negate
        }
        (Pred::Stages(mask), CellVal::Stage(s)) => mask & stage_bit(*s) != 0,
        (Pred::Is(want), CellVal::Bool(b)) => want == b,
        _ => false,
    }
}

pub(super) fn eval(f: &F, truth: &[bool]) -> bool {
    match f {
        F::True => true,
        F::And(parts) => parts.iter().all(|p| eval(p, truth)),
        F::Or(parts) => parts.iter().any(|p| eval(p, truth)),
        F::Not(inner) => !eval(inner, truth),
        F::Atom(i) => truth.get(*i).copied().unwrap_or(false),
    }
}
