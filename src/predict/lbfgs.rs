//! A limited-memory BFGS minimiser (L-BFGS, Nocedal & Wright, algorithm
//! 7.4/7.5) with a backtracking Armijo line search: memory linear in the
//! number of variables (`2·m + 4` vectors), for the wide logistic
//! regressions whose dense Newton Hessian would not fit in memory.
//!
//! Internal to the crate (the tests below show its use).

use std::collections::VecDeque;

use crate::{Error, ErrorKind, Result};

/// Options of [`minimize`].
#[derive(Debug, Clone, PartialEq)]
pub struct LbfgsOptions {
    /// Iterations allowed (default 2,000).
    pub max_iterations: u32,
    /// Correction pairs kept (default 10).
    pub memory: usize,
    /// Convergence when the largest gradient component is at most this
    /// (default 1e-9).
    pub gradient_tolerance: f64,
}

impl Default for LbfgsOptions {
    fn default() -> Self {
        LbfgsOptions {
            max_iterations: 2_000,
            memory: 10,
            gradient_tolerance: 1e-9,
        }
    }
}

/// The result of [`minimize`].
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The point reached.
    pub x: Vec<f64>,
    /// The objective there.
    pub value: f64,
    /// Largest absolute gradient component there.
    pub gradient_norm: f64,
    /// Iterations used.
    pub iterations: u32,
    /// `true` when the gradient tolerance was met.
    pub converged: bool,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0_f64, |m, x| m.max(x.abs()))
}

/// A zeroed vector of `n` values, or an error instead of an abort when the
/// memory cannot be had.
pub(crate) fn zeroed(n: usize) -> Result<Vec<f64>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        Error::invalid(
            "features",
            format!("cannot allocate {n} values for the optimiser"),
        )
    })?;
    v.resize(n, 0.0);
    Ok(v)
}

/// Minimises `f`, which returns the objective at `x` and writes its
/// gradient into the second argument, from `start`.
///
/// # Errors
///
/// [`ErrorKind::Numerical`] when the objective is not finite at `start`;
/// [`ErrorKind::Invalid`] when the working memory cannot be allocated. A
/// run that stops before the tolerance is met returns `converged: false`.
pub fn minimize<F>(start: Vec<f64>, options: &LbfgsOptions, f: &mut F) -> Result<Minimum>
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    let n = start.len();
    let memory = options.memory.max(1);
    let mut x = start;
    let mut g = zeroed(n)?;
    let mut value = f(&x, &mut g);
    if !value.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return Err(Error::new(
            ErrorKind::Numerical,
            "the objective is not finite at the starting point",
        ));
    }
    let mut history: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::new();
    let mut d = zeroed(n)?;
    let mut x_new = zeroed(n)?;
    let mut g_new = zeroed(n)?;
    let mut coefficients = vec![0.0; memory];
    let mut iterations = 0;
    let mut converged = max_abs(&g) <= options.gradient_tolerance;
    while !converged && iterations < options.max_iterations {
        iterations += 1;
        // Two-loop recursion: d = −H·g.
        d.copy_from_slice(&g);
        for (i, (s, y, rho)) in history.iter().enumerate().rev() {
            let a = rho * dot(s, &d);
            if let Some(c) = coefficients.get_mut(i) {
                *c = a;
            }
            d.iter_mut().zip(y).for_each(|(di, yi)| *di -= a * yi);
        }
        let scale = match history.back() {
            Some((s, y, _)) => dot(s, y) / dot(y, y),
            None => 1.0 / dot(&g, &g).sqrt().max(1.0),
        };
        d.iter_mut().for_each(|di| *di *= scale);
        for (i, (s, y, rho)) in history.iter().enumerate() {
            let b = rho * dot(y, &d);
            let a = coefficients.get(i).copied().unwrap_or(0.0);
            d.iter_mut().zip(s).for_each(|(di, si)| *di += (a - b) * si);
        }
        d.iter_mut().for_each(|di| *di = -*di);
        let mut slope = dot(&d, &g);
        if slope.is_nan() || slope >= 0.0 {
            // Not a descent direction: restart from steepest descent.
            history.clear();
            let norm = dot(&g, &g).sqrt().max(1.0);
            d.iter_mut().zip(&g).for_each(|(di, gi)| *di = -gi / norm);
            slope = dot(&d, &g);
        }
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            x_new
                .iter_mut()
                .zip(x.iter().zip(&d))
                .for_each(|(xn, (xi, di))| *xn = xi + step * di);
            let v = f(&x_new, &mut g_new);
            if v.is_finite()
                && g_new.iter().all(|v| v.is_finite())
                && v <= value + 1e-4 * step * slope
            {
                accepted = Some(v);
                break;
            }
            step *= 0.5;
        }
        let Some(v) = accepted else {
            break;
        };
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        let previous = value;
        value = v;
        converged = max_abs(&g) <= options.gradient_tolerance;
        if sy > 1e-12 * dot(&y, &y) {
            if history.len() == memory {
                history.pop_front();
            }
            history.push_back((s, y, 1.0 / sy));
        }
        if previous - value <= 1e-15 * value.abs().max(1.0) && step < 1e-6 {
            break;
        }
    }
    Ok(Minimum {
        gradient_norm: max_abs(&g),
        x,
        value,
        iterations,
        converged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_a_separable_quadratic_in_fifty_variables() {
        // f(x) = Σ (i+1)·(xᵢ − 1)², minimum at x = 1.
        let mut f = |x: &[f64], g: &mut [f64]| -> f64 {
            let mut v = 0.0;
            for (i, (xi, gi)) in x.iter().zip(g.iter_mut()).enumerate() {
                let w = (i + 1) as f64;
                v += w * (xi - 1.0) * (xi - 1.0);
                *gi = 2.0 * w * (xi - 1.0);
            }
            v
        };
        let minimum = minimize(vec![0.0; 50], &LbfgsOptions::default(), &mut f).expect("converges");
        assert!(minimum.converged);
        assert!(minimum.x.iter().all(|x| (x - 1.0).abs() < 1e-8));
    }
}
