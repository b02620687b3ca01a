//! What can go wrong on the command line, each kind with its one-line message.

use std::fmt;
use std::path::PathBuf;

/// Exit status for bad input of any kind.
pub const EXIT_BAD_INPUT: i32 = 2;

#[derive(Debug)]
pub enum CliError {
    /// A flag's value, or flags that do not go together.
    Flag(String),
    /// A file that could not be read (or written).
    File {
        path: PathBuf,
        reading: bool,
        error: std::io::Error,
    },
    /// A scenario file larger than any scenario.
    TooLarge { path: PathBuf, max_mib: u64 },
    /// A file whose content is not a scenario: its path and the parser's message.
    Content { path: PathBuf, message: String },
    /// A scenario the engine does not take, and why.
    Scenario(String),
    /// A chart that could not be drawn.
    Chart(String),
    /// The lab's runs or their files.
    Lab(String),
    /// The output could not be written.
    Output(std::io::Error),
}

impl CliError {
    /// The process's exit status: 2 for bad input of any kind, 1 when the output could not
    /// be written.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Output(_) => 1,
            _ => EXIT_BAD_INPUT,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Flag(m) | CliError::Scenario(m) | CliError::Chart(m) | CliError::Lab(m) => {
                f.write_str(m)
            }
            CliError::File {
                path,
                reading,
                error,
            } => {
                let verb = if *reading { "read" } else { "write" };
                write!(f, "cannot {verb} {}: {error}", path.display())
            }
            CliError::TooLarge { path, max_mib } => write!(
                f,
                "{} is larger than {max_mib} MiB; a scenario file is a few KiB",
                path.display()
            ),
            CliError::Content { path, message } => write!(f, "{}: {message}", path.display()),
            CliError::Output(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

impl std::error::Error for CliError {}
