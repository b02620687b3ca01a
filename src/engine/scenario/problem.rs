//! Why a scenario or a cluster cannot describe a real migration, as data: each reason with
//! the numbers it is about. `Display` words it in English, the engine's language;
//! `text::problem` words it for a reader.

use crate::engine::units::{fmt_bytes, fmt_mib, fmt_num};

/// What a cluster gives a name to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Network,
    Host,
    Vm,
}

/// What the parser reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    ScenarioFile,
    ClusterFile,
    /// The cluster's part of a link.
    Link,
}

/// Why a value or a combination of values is refused. (`Debug` shows the English wording: a
/// derived one would put every variant's field names into the page's first load.)
#[derive(Clone, PartialEq)]
pub enum Problem {
    /// Input the parser could not read, in the parser's own (English) words.
    Unreadable {
        what: Input,
        detail: String,
    },
    /// A file larger than any scenario file.
    FileTooLarge {
        max_mib: u64,
    },
    /// A setting's path that names nothing.
    NoSuchSetting,
    /// A value given as text that is not a number.
    NotANumber(String),
    NotAWholeNumber(String),
    NotTrueOrFalse(String),
    NotAChoice(String),
    /// An optional group set to something other than `{}` or `null`.
    NotOnOrOff(String),
    /// A group of settings given a value.
    AGroup(String),
    UnsupportedVersion {
        got: u32,
        /// The version this build reads (`None`: not said).
        reads: Option<u32>,
    },
    NotFinite,
    Negative(f64),
    NoMemory,
    TooMuchMemory {
        /// What was asked for, in MiB (as bytes it may be beyond a floating-point number).
        mib: f64,
        max_bytes: f64,
    },
    WorkingSetAboveMemory {
        working_set_mib: f64,
        memory_mib: f64,
    },
    UntouchedDoesNotFit {
        working_set_mib: f64,
        untouched_mib: f64,
        memory_mib: f64,
    },
    Fraction(f64),
    WriteCpuShare(f64),
    ZeroAndSparse {
        zero: f64,
        sparse: f64,
    },
    HotColdNeedsHotPart,
    DirtyRateTooHigh {
        mibps: f64,
        max_mibps: f64,
    },
    WritesNeedWorkingSet,
    LinkTooFast {
        gbps: f64,
        max_gbps: f64,
    },
    NicCount {
        max: u32,
    },
    TcpWindow,
    MultifdChannels {
        got: u32,
        max: u32,
    },
    /// QEMU takes an XBZRLE cache of a power of two of 4 KiB pages.
    XbzrleCache(f64),
    /// QEMU refuses XBZRLE, and post-copy, with multifd.
    XbzrleWithMultifd,
    PostcopyWithMultifd,
    /// A write changes 1 to 4096 bytes of a page.
    WriteBytes(f64),
    Descriptors {
        lo: u32,
        hi: u32,
        got: u32,
    },
    Rtt {
        max_ms: f64,
    },
    Cores {
        max: u32,
    },
    HostLoad,
    CoreGhz {
        lo: f64,
        hi: f64,
    },
    CompressThreads {
        max: u32,
    },
    NoCompressionProgress,
    CodecRate(f64),
    ZeroScan(f64),
    Passes {
        max: u32,
    },
    Iterations {
        max: u32,
    },
    MaxFactor,
    DowntimeLimit {
        max_s: f64,
    },
    /// A duration or size above its most.
    AtMost {
        max: f64,
        unit: &'static str,
        got: f64,
    },
    NoTimeout,
    HostCount {
        max: usize,
        got: usize,
    },
    TwoCalled {
        what: Named,
        name: String,
    },
    HostWithoutMemory {
        host: String,
    },
    HostCoresAndLoad {
        host: String,
    },
    NicOnUnknownNetwork {
        host: String,
        network: String,
    },
    NicSpeed {
        host: String,
        max_gbps: f64,
    },
    NicRings {
        host: String,
        lo: u32,
        hi: u32,
    },
    VmOnUnknownHost {
        vm: String,
        host: String,
    },
    /// A problem of one part: a cluster's VM that breaks a single-VM rule, a setting's path
    /// whose value cannot be read.
    In {
        at: String,
        problem: Box<Problem>,
    },
    NegativeDisk {
        vm: String,
    },
    HostOverfull {
        host: String,
        has_bytes: f64,
        needs_bytes: f64,
        /// The index and name of the first VM that does not fit.
        index: usize,
        vm: String,
    },
    SmbLimit,
    NoMigrationAllowed,
    UnknownNetwork(String),
    NoVmCalled(String),
    NoHostCalled(String),
}

/// A value in a wording: words as they are, a number, a size in bytes, or a problem within.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Str(&'a str),
    Num(f64),
    Bytes(f64),
    /// A size in MiB, printed as bytes are where it can be.
    Mib(f64),
    Problem(&'a Problem),
}

/// `template` with each `{}` replaced by the next of `args`, as `show` writes it. (One routine
/// for every wording in every language keeps the bundle small.)
pub fn fill(template: &str, args: &[Arg], show: impl Fn(Arg) -> String) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{}") {
        out.push_str(&rest[..at]);
        if let Some(&a) = args.next() {
            out.push_str(&show(a));
        }
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

/// The values of a wording, in order (the unused ones last, empty).
pub type Args<'a> = [Arg<'a>; 5];

/// `values` as `Args` (an array, not a vector: no allocation in each of the wordings).
fn args<const N: usize>(values: [Arg<'_>; N]) -> Args<'_> {
    let mut out = [Arg::Str(""); 5];
    out[..N].copy_from_slice(&values);
    out
}

impl Problem {
    /// The English wording, with `{}` for each of the values, and the values in order.
    pub fn wording(&self) -> (&'static str, Args<'_>) {
        use Arg::{Bytes, Mib, Num, Str};
        use Problem as P;
        let n = |v: u32| Num(f64::from(v));
        match self {
            P::Unreadable { what, detail } => (
                match what {
                    Input::ScenarioFile => "not a valid scenario file: {}",
                    Input::ClusterFile => "not a valid cluster scenario file: {}",
                    Input::Link => "not a valid link: {}",
                },
                args([Str(detail)]),
            ),
            P::FileTooLarge { max_mib } => {
                ("the file is larger than {} MiB", args([Num(*max_mib as f64)]))
            }
            P::NoSuchSetting => ("no such setting", args([])),
            P::NotANumber(raw) => ("expected a number, got “{}”", args([Str(raw)])),
            P::NotAWholeNumber(raw) => ("expected a whole number, got “{}”", args([Str(raw)])),
            P::NotTrueOrFalse(raw) => ("expected true or false, got “{}”", args([Str(raw)])),
            P::NotAChoice(raw) => ("“{}” is not one of its choices", args([Str(raw)])),
            P::NotOnOrOff(raw) => ("expected {} or null, got “{}”", args([Str("{}"), Str(raw)])),
            P::AGroup(path) => ("{} is a group of settings, not a value", args([Str(path)])),
            P::UnsupportedVersion { got, reads: None } => {
                ("scenario version {} is not supported", args([n(*got)]))
            }
            P::UnsupportedVersion {
                got,
                reads: Some(v),
            } => (
                "scenario version {} is not supported (this build reads version {})",
                args([n(*got), n(*v)]),
            ),
            P::NotFinite => ("must be a finite number", args([])),
            P::Negative(v) => ("must not be negative (got {})", args([Num(*v)])),
            P::NoMemory => ("a VM needs some memory (got 0 MiB)", args([])),
            P::TooMuchMemory { mib, max_bytes } => (
                "{} is more memory than any hypervisor gives one VM (at most {})",
                args([Mib(*mib), Bytes(*max_bytes)]),
            ),
            P::WorkingSetAboveMemory {
                working_set_mib,
                memory_mib,
            } => (
                "the working set ({} MiB) cannot exceed the VM's memory ({} MiB)",
                args([Num(*working_set_mib), Num(*memory_mib)]),
            ),
            P::UntouchedDoesNotFit {
                working_set_mib,
                untouched_mib,
                memory_mib,
            } => (
                "the working set ({} MiB) and never-written memory ({} MiB) do not fit in {} MiB",
                args([Num(*working_set_mib), Num(*untouched_mib), Num(*memory_mib)]),
            ),
            P::Fraction(v) => ("a fraction from 0 to 1 (got {})", args([Num(*v)])),
            P::WriteCpuShare(v) => (
                "a share of the vCPU's time above 0 and at most 1 (got {})",
                args([Num(*v)]),
            ),
            P::ZeroAndSparse { zero, sparse } => (
                "all-zero ({}) and nearly empty ({}) pages are more than all written pages",
                args([Num(*zero), Num(*sparse)]),
            ),
            P::HotColdNeedsHotPart => (
                "a hot/cold pattern needs a hot part between 0 and 1",
                args([]),
            ),
            P::DirtyRateTooHigh { mibps, max_mibps } => (
                "{} MiB/s is faster than any memory writes (at most {} MiB/s)",
                args([Num(*mibps), Num(*max_mibps)]),
            ),
            P::WritesNeedWorkingSet => (
                "a VM that writes memory needs a working set larger than 0",
                args([]),
            ),
            P::LinkTooFast { gbps, max_gbps } => (
                "{} Gbit/s is faster than any Ethernet link (at most {} Gbit/s)",
                args([Num(*gbps), Num(*max_gbps)]),
            ),
            P::NicCount { max } => ("1 to {} NICs per host", args([n(*max)])),
            P::TcpWindow => ("a TCP window holds at least 1 KiB", args([])),
            P::MultifdChannels { got, max } => (
                "multifd uses 1 to {} channels (got {})",
                args([n(*max), n(*got)]),
            ),
            P::XbzrleCache(mib) => (
                "the XBZRLE cache holds a power of two of 4 KiB pages, 4 KiB to 1 TiB (got {} MiB)",
                args([Num(*mib)]),
            ),
            P::XbzrleWithMultifd => ("multifd is not compatible with XBZRLE", args([])),
            P::PostcopyWithMultifd => ("post-copy is not yet compatible with multifd", args([])),
            P::WriteBytes(b) => (
                "a write changes 1 to 4096 bytes of a page (got {})",
                args([Num(*b)]),
            ),
            P::Descriptors { lo, hi, got } => (
                "NIC rings hold {} to {} descriptors (got {})",
                args([n(*lo), n(*hi), n(*got)]),
            ),
            P::Rtt { max_ms } => (
                "round-trip time must be between 0 and {} ms",
                args([Num(*max_ms)]),
            ),
            P::Cores { max } => ("a host has 1 to {} cores", args([n(*max)])),
            P::HostLoad => ("host CPU load is a fraction from 0 to 1", args([])),
            P::CoreGhz { lo, hi } => ("a core runs at {} to {} GHz", args([Num(*lo), Num(*hi)])),
            P::CompressThreads { max } => ("at most {} threads", args([n(*max)])),
            P::NoCompressionProgress => ("compression must make progress", args([])),
            P::CodecRate(v) => (
                "a codec thread compresses 0.01 to 100000 MiB/s (got {})",
                args([Num(*v)]),
            ),
            P::ZeroScan(v) => (
                "a zero-page scan runs at 0.01 to 1024 GiB/s (got {})",
                args([Num(*v)]),
            ),
            P::Passes { max } => ("between 1 and {} pre-copy passes", args([n(*max)])),
            P::Iterations { max } => ("between 1 and {} iterations", args([n(*max)])),
            P::MaxFactor => ("at least 1 (memory must be sent once)", args([])),
            P::DowntimeLimit { max_s } => ("QEMU accepts at most {} s", args([Num(*max_s)])),
            P::AtMost { max, unit, got } => (
                "at most {} {} (got {})",
                args([Num(*max), Str(unit), Num(*got)]),
            ),
            P::NoTimeout => ("the timeout must be longer than 0 s", args([])),
            P::HostCount { max, got } => (
                "a cluster has 2 to {} hosts (got {})",
                args([Num(*max as f64), Num(*got as f64)]),
            ),
            P::TwoCalled { what, name } => (
                match what {
                    Named::Network => "two networks are called {}",
                    Named::Host => "two hosts are called {}",
                    Named::Vm => "two VMs are called {}",
                },
                args([Str(name)]),
            ),
            P::HostWithoutMemory { host } => ("{} needs memory for VMs", args([Str(host)])),
            P::HostCoresAndLoad { host } => (
                "{}: at least one core and a load from 0 to 1",
                args([Str(host)]),
            ),
            P::NicOnUnknownNetwork { host, network } => (
                "{} has a NIC on unknown network {}",
                args([Str(host), Str(network)]),
            ),
            P::NicSpeed { host, max_gbps } => (
                "{}: NIC speeds are above 0 and at most {} Gbit/s",
                args([Str(host), Num(*max_gbps)]),
            ),
            P::NicRings { host, lo, hi } => (
                "{}: NIC rings hold {} to {} descriptors",
                args([Str(host), n(*lo), n(*hi)]),
            ),
            P::VmOnUnknownHost { vm, host } => {
                ("{} runs on unknown host {}", args([Str(vm), Str(host)]))
            }
            P::In { at, problem } => ("{}: {}", args([Str(at), Arg::Problem(problem)])),
            P::NegativeDisk { vm } => ("{}: disk size must be 0 or more", args([Str(vm)])),
            P::HostOverfull {
                host,
                has_bytes,
                needs_bytes,
                index,
                vm,
            } => (
                "{} has {} for VMs; the VMs placed on it need {} (vms[{}], {}, is the first that does not fit)",
                args([
                    Str(host),
                    Bytes(*has_bytes),
                    Bytes(*needs_bytes),
                    Num(*index as f64),
                    Str(vm),
                ]),
            ),
            P::SmbLimit => (
                "the SMB bandwidth limit is 0.01 to 100 % of a node's NIC bandwidth (or null for none)",
                args([]),
            ),
            P::NoMigrationAllowed => ("migration limits must allow at least one migration", args([])),
            P::UnknownNetwork(name) => ("unknown network {}", args([Str(name)])),
            P::NoVmCalled(name) => ("no VM called {}", args([Str(name)])),
            P::NoHostCalled(name) => ("no host called {}", args([Str(name)])),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (template, args) = self.wording();
        f.write_str(&fill(template, &args, |a| match a {
            Arg::Str(s) => s.to_string(),
            Arg::Num(v) => fmt_num(v),
            Arg::Bytes(b) => fmt_bytes(b),
            Arg::Mib(m) => fmt_mib(m),
            Arg::Problem(p) => p.to_string(),
        }))
    }
}

impl std::fmt::Debug for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Problem({self})")
    }
}
