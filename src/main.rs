#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(migration_lab::cli::run(std::env::args_os()));
}

#[cfg(target_arch = "wasm32")]
fn main() {}
