//! Static analysis of a loaded journey: what it is made of, and the
//! warnings that do not stop it from loading (an if, wait or exit whose
//! condition the rules engine proves contradictory, a split arm of weight
//! 0 that no contact can take).

use serde::Serialize;

use super::compile::{Journey, Kind};

/// One warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JourneyFinding {
    /// Reason code: `condition_never_holds`, `arm_never_taken`.
    pub kind: &'static str,
    /// The JSON path (`steps[3].condition`).
    pub path: String,
    /// What it means.
    pub message: String,
}

/// The analysis of a journey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JourneyAnalysis {
    /// The journey id.
    pub journey: String,
    /// The version.
    pub version: u32,
    /// Steps by type name, in document order of first appearance.
    pub steps: Vec<(String, usize)>,
    /// The goal step ids.
    pub goals: Vec<String>,
    /// The exit ids.
    pub exits: Vec<String>,
    /// The warnings.
    pub findings: Vec<JourneyFinding>,
}

/// Analyses a journey.
pub fn analyze(journey: &Journey) -> JourneyAnalysis {
    let mut steps: Vec<(String, usize)> = Vec::new();
    for doc in &journey.doc.steps {
        let name = doc.type_name();
        match steps.iter_mut().find(|(n, _)| n == name) {
            Some((_, count)) => *count += 1,
            None => steps.push((name.to_string(), 1)),
        }
    }
    let mut findings = Vec::new();
    let never = |path: String, what: &str| JourneyFinding {
        kind: "condition_never_holds",
        path,
        message: format!("{what}: the rules engine's analysis finds the condition contradictory"),
    };
    if let Some(c) = &journey.entry_condition
        && c.never_holds()
    {
        findings.push(never("entry.condition".into(), "no contact can ever enter"));
    }
    for (i, exit) in journey.exits.iter().enumerate() {
        if exit.condition.as_ref().is_some_and(|c| c.never_holds()) {
            findings.push(never(
                format!("exits[{i}].condition"),
                &format!("exit {:?} never applies", exit.id),
            ));
        }
    }
    for (i, step) in journey.steps.iter().enumerate() {
        match &step.kind {
            Kind::If { condition, .. } if condition.never_holds() => {
                findings.push(never(
                    format!("steps[{i}].condition"),
                    &format!("step {:?} always takes else", step.id),
                ));
            }
            Kind::WaitUntil { condition, .. } if condition.never_holds() => {
                findings.push(never(
                    format!("steps[{i}].condition"),
                    &format!("step {:?} always times out", step.id),
                ));
            }
            Kind::Split { arms } => {
                let mut below = 0;
                for (a, arm) in arms.iter().enumerate() {
                    if arm.upto == below {
                        findings.push(JourneyFinding {
                            kind: "arm_never_taken",
                            path: format!("steps[{i}].arms[{a}].weight"),
                            message: format!(
                                "arm {:?} of split {:?} has weight 0: no contact takes it",
                                arm.id, step.id
                            ),
                        });
                    }
                    below = arm.upto;
                }
            }
            _ => {}
        }
    }
    JourneyAnalysis {
        journey: journey.doc.id.clone(),
        version: journey.doc.version,
        steps,
        goals: journey.goal_ids().map(str::to_string).collect(),
        exits: journey.exits.iter().map(|x| x.id.clone()).collect(),
        findings,
    }
}
