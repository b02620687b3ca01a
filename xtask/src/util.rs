//! Shared plumbing: the error type, the repository context, and a small command runner that
//! echoes what it runs so every failure names the command to re-run by hand.

use std::env;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An expected failure: a message for the user and, when useful, what to do about it.
#[derive(Debug)]
pub struct Error {
    message: String,
    hint: Option<String>,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Attaches "what we were doing" to I/O errors.
pub trait Context<T> {
    fn context(self, what: impl fmt::Display) -> Result<T>;
}

impl<T> Context<T> for io::Result<T> {
    fn context(self, what: impl fmt::Display) -> Result<T> {
        self.map_err(|e| Error::new(format!("{what}: {e}")))
    }
}

/// Where things are: the workspace root, cargo's target directory and the cargo binary.
pub struct Ctx {
    pub root: PathBuf,
    pub target_dir: PathBuf,
    cargo: OsString,
}

impl Ctx {
    pub fn from_env() -> Result<Ctx> {
        // `cargo run` sets CARGO_MANIFEST_DIR for the process; fall back to the compile-time value.
        let manifest_dir = env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest_dir
            .parent()
            .ok_or_else(|| Error::new("xtask must live one level below the workspace root"))?
            .to_path_buf();
        let target_dir = match env::var_os("CARGO_TARGET_DIR") {
            Some(dir) if !dir.is_empty() => {
                let dir = PathBuf::from(dir);
                if dir.is_absolute() {
                    dir
                } else {
                    env::current_dir()
                        .context("reading the current directory")?
                        .join(dir)
                }
            }
            _ => root.join("target"),
        };
        let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        Ok(Ctx {
            root,
            target_dir,
            cargo,
        })
    }

    /// A `cargo` command run from the workspace root, with the same cargo that runs xtask.
    pub fn cargo(&self) -> Cmd {
        Cmd::named(&self.cargo, "cargo").dir(&self.root)
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn tools_bin(&self) -> PathBuf {
        self.root.join(".tools").join("bin")
    }

    pub fn dist_dir(&self) -> PathBuf {
        self.root.join("dist")
    }

    /// `path` relative to the workspace root when it is inside it, for messages.
    pub fn rel<'a>(&self, path: &'a Path) -> std::path::Display<'a> {
        path.strip_prefix(&self.root).unwrap_or(path).display()
    }
}

/// A command that prints itself before running and reports failures with the command line.
pub struct Cmd {
    inner: Command,
    shown: String,
    envs: Vec<String>,
    dir: Option<PathBuf>,
}

/// The outcome of [`Cmd::run_tee`]: whether it exited 0 and every stdout line it printed.
pub struct Captured {
    pub success: bool,
    pub code: Option<i32>,
    pub lines: Vec<String>,
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        let shown = program.as_ref().to_string_lossy().into_owned();
        Self::named(program, &shown)
    }

    /// Like `new`, but shown under another name (e.g. `cargo` for a full toolchain path).
    pub fn named(program: impl AsRef<OsStr>, shown: &str) -> Self {
        Cmd {
            inner: Command::new(program),
            shown: shown.to_string(),
            envs: Vec::new(),
            dir: None,
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.shown.push(' ');
        self.shown.push_str(&quote(&arg.as_ref().to_string_lossy()));
        self.inner.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.envs.push(format!(
            "{key}={}",
            quote(&value.as_ref().to_string_lossy())
        ));
        self.inner.env(key, value);
        self
    }

    pub fn dir(mut self, dir: &Path) -> Self {
        self.inner.current_dir(dir);
        self.dir = Some(dir.to_path_buf());
        self
    }

    /// The command as a shell line, for echoing and for "run this by hand" hints.
    pub fn display(&self) -> String {
        let mut out = String::new();
        if let Some(dir) = &self.dir {
            out.push_str(&format!("(cd {} && ", quote(&dir.to_string_lossy())));
        }
        for env in &self.envs {
            out.push_str(env);
            out.push(' ');
        }
        out.push_str(&self.shown);
        if self.dir.is_some() {
            out.push(')');
        }
        out
    }

    fn spawn_error(&self, e: io::Error) -> Error {
        let program = self.shown.split(' ').next().unwrap_or_default().to_string();
        if e.kind() == io::ErrorKind::NotFound {
            Error::new(format!("`{program}` was not found on PATH"))
        } else {
            Error::new(format!("could not start `{program}`: {e}"))
        }
    }

    fn failed(&self, code: Option<i32>) -> Error {
        let status = code.map_or("killed by a signal".to_string(), |c| {
            format!("exit code {c}")
        });
        Error::new(format!("command failed ({status}): {}", self.display()))
            .hint("run that command by hand to see the full output")
    }

    /// Runs with inherited stdio; non-zero exit is an error.
    pub fn run(mut self) -> Result<()> {
        echo(&self.display());
        let status = self.inner.status().map_err(|e| self.spawn_error(e))?;
        if status.success() {
            Ok(())
        } else {
            Err(self.failed(status.code()))
        }
    }

    /// Runs with stdout piped through us (echoed line by line and kept) and stderr inherited.
    /// A non-zero exit is reported in the result, not as an error.
    pub fn run_tee(mut self) -> Result<Captured> {
        echo(&self.display());
        let mut child = self
            .inner
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| self.spawn_error(e))?;
        let mut lines = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            let mut reader = BufReader::new(stdout);
            let mut buf = Vec::new();
            let out = io::stdout();
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let mut lock = out.lock();
                        let _ = lock.write_all(&buf);
                        let _ = lock.flush();
                        let line = String::from_utf8_lossy(&buf);
                        lines.push(line.trim_end_matches(['\n', '\r']).to_string());
                    }
                }
            }
        }
        let status = child
            .wait()
            .context(format!("waiting for {}", self.display()))?;
        Ok(Captured {
            success: status.success(),
            code: status.code(),
            lines,
        })
    }

    /// Runs quietly and returns stdout; a non-zero exit is an error that includes stderr.
    pub fn read(mut self) -> Result<String> {
        let output = self.inner.output().map_err(|e| self.spawn_error(e))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let err = self.failed(output.status.code());
            Err(Error::new(format!("{err}\n{}", stderr.trim_end())))
        }
    }
}

fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@+%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Prints a command about to run.
pub fn echo(line: &str) {
    println!("$ {line}");
    let _ = io::stdout().flush();
}

/// Prints a step header.
pub fn step(title: &str) {
    println!("\n==> {title}");
    let _ = io::stdout().flush();
}

/// Prints a warning that does not stop the task.
pub fn warn(message: &str) {
    eprintln!("xtask: warning: {message}");
}

/// Looks an executable up on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Copies a directory tree (files and folders; symlinks are followed).
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).context(format!("creating {}", to.display()))?;
    for entry in fs::read_dir(from).context(format!("reading {}", from.display()))? {
        let entry = entry.context(format!("reading {}", from.display()))?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        if src.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            fs::copy(&src, &dst).context(format!(
                "copying {} to {}",
                src.display(),
                dst.display()
            ))?;
        }
    }
    Ok(())
}

/// Removes a file or directory tree if present.
pub fn remove_path(path: &Path) -> Result<()> {
    let result = if path.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    match result {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(Error::new(format!("removing {}: {e}", path.display())))
        }
        _ => Ok(()),
    }
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_timestamp() -> String {
    format_utc(SystemTime::now())
}

/// `t` as `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC, whole seconds).
pub fn format_utc(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// Formats a byte count with thousands separators.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_dates() {
        let at = |secs| format_utc(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_764_107_125), "2025-11-25T21:45:25Z");
    }

    #[test]
    fn formats_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(205_908), "205,908");
        assert_eq!(thousands(1_404_235), "1,404,235");
    }

    #[test]
    fn displays_commands_as_shell_lines() {
        let cmd = Cmd::new("node")
            .arg("--test")
            .arg("a b.mjs")
            .env("APP_URL", "http://127.0.0.1:1/")
            .dir(Path::new("/repo/e2e"));
        assert_eq!(
            cmd.display(),
            "(cd /repo/e2e && APP_URL=http://127.0.0.1:1/ node --test 'a b.mjs')"
        );
    }
}
