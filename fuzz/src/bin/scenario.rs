//! `cargo afl fuzz` target: see `migration_lab::fuzz_checks::check_scenario`.

fn main() {
    afl::fuzz!(|data: &[u8]| migration_lab::fuzz_checks::check_scenario(data));
}
