//! What the app says about a run, in English and German: the verdict and why the transfer
//! ran at its rate, why a cluster refused a migration, why the engine refused an input, and
//! numbers in the reader's format. Outside the engine, which only computes; the page, the
//! command line and the exports all word a trace through here.

pub mod explain;
pub mod format;
pub mod problem;
pub mod refusal;

pub use explain::{
    rate_explanation, rate_explanation_in, risk, verdict, verdict_in, Severity, Verdict,
};
pub use format::{localize, one_line, Fmt, Lang};
pub use problem::{problem, scenario_error};
pub use refusal::refusal;
