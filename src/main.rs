#[cfg(not(target_arch = "wasm32"))]
fn main() {
    // A bug shows as one `error: …` line like any other error (with RUST_BACKTRACE set, the
    // usual report and backtrace instead); the exit status stays non-zero (101).
    if std::env::var_os("RUST_BACKTRACE").is_none() {
        std::panic::set_hook(Box::new(|info| {
            let payload = info.payload();
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            let at = info
                .location()
                .map(|l| format!(" (at {}:{})", l.file(), l.line()))
                .unwrap_or_default();
            eprintln!(
                "error: internal error, please report it: {}{at}",
                migration_lab::cli::one_line(&what)
            );
        }));
    }
    std::process::exit(migration_lab::cli::run(std::env::args_os()));
}

#[cfg(target_arch = "wasm32")]
fn main() {}
