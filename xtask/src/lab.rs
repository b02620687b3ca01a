//! `cargo xtask lab`: real QEMU migrations, measured. Installs QEMU 10 (Debian's backports, as
//! root) and a C compiler if missing, builds the lab guest (`src/lab/guest/`), then runs
//! `migration-lab lab run`, which skips the runs already in `validation/lab/qemu.csv`.

use std::fs;
use std::path::PathBuf;

use crate::tools::is_root;
use crate::util::{step, which, Cmd, Ctx, Error, Result};

/// The guest's build: 32-bit freestanding C and assembly, linked where multiboot loads it.
pub fn build_guest(ctx: &Ctx) -> Result<PathBuf> {
    let src = ctx.path("src/lab/guest");
    let out_dir = ctx.target_dir.join("lab");
    fs::create_dir_all(&out_dir).map_err(|e| Error::new(format!("{}: {e}", out_dir.display())))?;
    let elf = out_dir.join("guest.elf");
    let cc = which("gcc").or_else(|| which("cc")).ok_or_else(|| {
        Error::new("no C compiler: the lab guest is built with gcc").hint("apt-get install -y gcc")
    })?;
    step("building the lab guest");
    Cmd::new(cc)
        .args([
            "-m32",
            "-march=i686",
            "-ffreestanding",
            "-fno-pic",
            "-fno-pie",
            "-no-pie",
            "-fno-stack-protector",
            "-fno-asynchronous-unwind-tables",
            "-O2",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-nostdlib",
            "-static",
            "-Wl,--build-id=none",
            "-Wl,--no-warn-rwx-segments",
            "-T",
        ])
        .arg(src.join("guest.ld"))
        .arg(src.join("start.S"))
        .arg(src.join("guest.c"))
        .arg("-o")
        .arg(&elf)
        .run()?;
    Ok(elf)
}

/// QEMU's x86 system emulator, 10.0 from Debian's bookworm-backports when missing.
fn ensure_qemu() -> Result<PathBuf> {
    if let Some(q) = which("qemu-system-x86_64") {
        return Ok(q);
    }
    if !is_root() {
        return Err(Error::new("qemu-system-x86_64 is not installed")
            .hint("install QEMU 10 (Debian 12: `apt-get install -t bookworm-backports qemu-system-x86`) or run as root so xtask can"));
    }
    let list = PathBuf::from("/etc/apt/sources.list.d/bookworm-backports.sources");
    let debian = fs::read_to_string("/etc/apt/sources.list.d/debian.sources").unwrap_or_default();
    let is_bookworm = debian.contains("bookworm");
    if is_bookworm && !list.exists() && !debian.contains("bookworm-backports") {
        step("adding Debian's bookworm-backports (QEMU 10) to apt's sources");
        let field = |name: &str, default: &str| {
            debian
                .lines()
                .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
                .unwrap_or_else(|| default.to_string())
        };
        let text =
            format!(
            "Types: deb\nURIs: {}\nSuites: bookworm-backports\nComponents: main\nSigned-By: {}\n",
            field("URIs:", "http://deb.debian.org/debian"),
            field("Signed-By:", "/usr/share/keyrings/debian-archive-keyring.gpg")
        );
        fs::write(&list, text).map_err(|e| Error::new(format!("{}: {e}", list.display())))?;
    }
    step("installing QEMU with apt");
    Cmd::new("apt-get")
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()?;
    let mut install = Cmd::new("apt-get").args(["install", "-y"]);
    if is_bookworm {
        install = install.args(["-t", "bookworm-backports"]);
    }
    install
        .arg("qemu-system-x86")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()?;
    which("qemu-system-x86_64").ok_or_else(|| {
        Error::new("apt installed qemu-system-x86, but qemu-system-x86_64 is not on PATH")
    })
}

/// `cargo xtask lab [-- ARGS]`: ARGS go to `migration-lab lab run` (`--only`, `--limit`,
/// `--retry-failed`).
pub fn run(ctx: &Ctx, extra: &[String]) -> Result<()> {
    let qemu = ensure_qemu()?;
    let guest = build_guest(ctx)?;
    step("running the lab grid (resumable: runs already recorded are skipped)");
    ctx.cargo()
        .args([
            "run",
            "--quiet",
            "--bin",
            "migration-lab",
            "--",
            "lab",
            "run",
            "--qemu",
        ])
        .arg(&qemu)
        .arg("--guest")
        .arg(&guest)
        .arg("--out")
        .arg(ctx.path("validation/lab"))
        .args(extra)
        .run()
}
