//! `sweep`: one parameter varied, a CSV row per value, printed as soon as it is simulated.

use std::fmt::Write as _;

use super::emit;
use super::error::CliError;
use crate::engine::{simulate, Outcome, Scenario};
use crate::model::study::sweep_value;
use crate::model::{Param, Spacing};

/// The most rows one sweep prints.
pub const MAX_SWEEP_STEPS: u32 = 100_000;

/// Prints one CSV row per value as soon as it is simulated.
pub(super) fn sweep(
    base: &Scenario,
    p: Param,
    (from, to, steps, spacing): (f64, f64, u32, Spacing),
    out: &mut dyn std::io::Write,
) -> Result<(), CliError> {
    let name = p.name();
    if steps == 0 || steps > MAX_SWEEP_STEPS {
        return Err(CliError::Flag(format!(
            "--steps must be 1 to {MAX_SWEEP_STEPS} (got {steps})"
        )));
    }
    let whole = p.whole_range();
    for (flag, x) in [("--from", from), ("--to", to)] {
        if !x.is_finite() {
            return Err(CliError::Flag(format!(
                "{flag} must be a finite number (got {x})"
            )));
        }
        if let Some((lo, hi)) = whole {
            if x.fract() != 0.0 || !(lo..=hi).contains(&x) {
                return Err(CliError::Flag(format!(
                    "--vary {name} takes whole numbers from {lo} to {hi} (got {flag} {x})"
                )));
            }
        }
    }
    if let Some(why) = p.unavailable(base) {
        return Err(CliError::Flag(format!("--vary {name} {why} (--policy)")));
    }
    if spacing == Spacing::Log && !spacing.is_log(from, to) {
        return Err(CliError::Flag(format!(
            "--spacing log needs --from and --to above 0 (got {from} and {to})"
        )));
    }
    let mut row = format!("{name},converged,outcome,total_time_ms,downtime_ms,bytes_sent,passes\n");
    for i in 0..steps {
        let v = sweep_value(from, to, i as usize, steps as usize, spacing);
        // Whole-number parameters run, and are printed, at the nearest whole number.
        let v = if whole.is_some() { v.round() } else { v };
        if !v.is_finite() {
            return Err(CliError::Flag(format!(
                "--vary {name}: value {} of {steps} is not a finite number",
                i + 1
            )));
        }
        let t = simulate(&p.with(base, v))
            .map_err(|e| CliError::Scenario(format!("at {name} = {v}: {e}")))?;
        let outcome = serde_json::to_value(t.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = writeln!(
            row,
            "{v},{},{outcome},{:.3},{:.3},{:.0},{}",
            t.outcome == Outcome::Converged,
            t.total_time_s * 1e3,
            t.downtime_s * 1e3,
            t.wire_bytes,
            t.precopy_passes()
        );
        emit(out, &row)?;
        row.clear();
    }
    emit(out, &row)
}
