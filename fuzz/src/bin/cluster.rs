//! `cargo afl fuzz` target: see `migration_lab::fuzz_checks::check_cluster`.

fn main() {
    afl::fuzz!(|data: &[u8]| migration_lab::fuzz_checks::check_cluster(data));
}
