//! Graph checks of a journey: steps that cannot be reached and cycles that
//! would spin without waiting.

use crate::{Error, Result};

/// The graph of steps by position: `links[i]` are the targets of step `i`,
/// `waits[i]` whether step `i` holds a contact until time passes.
pub(crate) struct Graph<'a> {
    pub(crate) ids: Vec<&'a str>,
    pub(crate) links: Vec<Vec<usize>>,
    pub(crate) waits: Vec<bool>,
}

impl Graph<'_> {
    /// Refuses steps no path from `roots` reaches.
    pub(crate) fn check_reachable(&self, roots: &[usize]) -> Result<()> {
        let mut seen = vec![false; self.ids.len()];
        let mut stack: Vec<usize> = roots.to_vec();
        while let Some(i) = stack.pop() {
            match seen.get_mut(i) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            if let Some(next) = self.links.get(i) {
                stack.extend(next.iter().copied());
            }
        }
        if let Some(i) = seen.iter().position(|s| !s) {
            let id = self.ids.get(i).copied().unwrap_or("");
            return Err(Error::invalid(
                format!("steps[{i}]"),
                format!("step {id:?} cannot be reached from the start step (no step leads to it)"),
            ));
        }
        Ok(())
    }

    /// Refuses cycles made only of steps that do not wait: a contact would
    /// go round them forever within one call.
    pub(crate) fn check_cycles_wait(&self) -> Result<()> {
        // Colours: 0 unvisited, 1 on the stack, 2 done. Iterative DFS over
        // the non-waiting steps.
        let n = self.ids.len();
        let mut colour = vec![0u8; n];
        for root in 0..n {
            if self.waits.get(root).copied().unwrap_or(true) || colour.get(root) != Some(&0) {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
            if let Some(c) = colour.get_mut(root) {
                *c = 1;
            }
            while let Some(&mut (node, ref mut edge)) = stack.last_mut() {
                let next = self.links.get(node).and_then(|l| l.get(*edge)).copied();
                *edge += 1;
                match next {
                    None => {
                        if let Some(c) = colour.get_mut(node) {
                            *c = 2;
                        }
                        stack.pop();
                    }
                    Some(t) if self.waits.get(t).copied().unwrap_or(true) => {}
                    Some(t) => match colour.get(t).copied() {
                        Some(0) => {
                            if let Some(c) = colour.get_mut(t) {
                                *c = 1;
                            }
                            stack.push((t, 0));
                        }
                        Some(1) => {
                            let from = stack.iter().position(|(s, _)| *s == t).unwrap_or(0);
                            let cycle: Vec<&str> = stack
                                .iter()
                                .skip(from)
                                .filter_map(|(s, _)| self.ids.get(*s).copied())
                                .chain(self.ids.get(t).copied())
                                .collect();
                            return Err(Error::invalid(
                                format!("steps[{t}]"),
                                format!(
                                    "the steps {} form a cycle without a wait: a contact would go round it forever; add a wait step",
                                    cycle.join(" -> ")
                                ),
                            ));
                        }
                        _ => {}
                    },
                }
            }
        }
        Ok(())
    }
}
