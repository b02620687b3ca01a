//! Why a scenario or a cluster cannot describe a real migration, as data: each reason with
//! the numbers it is about. `Display` words it in English, the engine's language;
//! `text::problem` words it for a reader.

use crate::engine::units::fmt_bytes;

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

impl Input {
    /// Its name in English.
    pub fn name(self) -> &'static str {
        match self {
            Input::ScenarioFile => "scenario file",
            Input::ClusterFile => "cluster scenario file",
            Input::Link => "link",
        }
    }
}

/// Why a value or a combination of values is refused.
#[derive(Debug, Clone, PartialEq)]
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
        bytes: f64,
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

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use Problem as P;
        match self {
            P::Unreadable { what, detail } => write!(f, "not a valid {}: {detail}", what.name()),
            P::FileTooLarge { max_mib } => write!(f, "the file is larger than {max_mib} MiB"),
            P::NoSuchSetting => f.write_str("no such setting"),
            P::NotANumber(raw) => write!(f, "expected a number, got “{raw}”"),
            P::NotAWholeNumber(raw) => write!(f, "expected a whole number, got “{raw}”"),
            P::NotTrueOrFalse(raw) => write!(f, "expected true or false, got “{raw}”"),
            P::NotAChoice(raw) => write!(f, "“{raw}” is not one of its choices"),
            P::NotOnOrOff(raw) => write!(f, "expected {{}} or null, got “{raw}”"),
            P::AGroup(path) => write!(f, "{path} is a group of settings, not a value"),
            P::UnsupportedVersion { got, reads: None } => {
                write!(f, "scenario version {got} is not supported")
            }
            P::UnsupportedVersion {
                got,
                reads: Some(v),
            } => write!(
                f,
                "scenario version {got} is not supported (this build reads version {v})"
            ),
            P::NotFinite => f.write_str("must be a finite number"),
            P::Negative(v) => write!(f, "must not be negative (got {v})"),
            P::NoMemory => f.write_str("a VM needs some memory (got 0 MiB)"),
            P::TooMuchMemory { bytes, max_bytes } => write!(
                f,
                "{} is more memory than any hypervisor gives one VM (at most {})",
                fmt_bytes(*bytes),
                fmt_bytes(*max_bytes)
            ),
            P::WorkingSetAboveMemory {
                working_set_mib,
                memory_mib,
            } => write!(
                f,
                "the working set ({working_set_mib} MiB) cannot exceed the VM's memory ({memory_mib} MiB)"
            ),
            P::UntouchedDoesNotFit {
                working_set_mib,
                untouched_mib,
                memory_mib,
            } => write!(
                f,
                "the working set ({working_set_mib} MiB) and never-written memory ({untouched_mib} MiB) do not fit in {memory_mib} MiB"
            ),
            P::Fraction(v) => write!(f, "a fraction from 0 to 1 (got {v})"),
            P::WriteCpuShare(v) => write!(
                f,
                "a share of the vCPU's time above 0 and at most 1 (got {v})"
            ),
            P::ZeroAndSparse { zero, sparse } => write!(
                f,
                "all-zero ({zero}) and nearly empty ({sparse}) pages are more than all written pages"
            ),
            P::HotColdNeedsHotPart => {
                f.write_str("a hot/cold pattern needs a hot part between 0 and 1")
            }
            P::DirtyRateTooHigh { mibps, max_mibps } => write!(
                f,
                "{mibps} MiB/s is faster than any memory writes (at most {max_mibps} MiB/s)"
            ),
            P::WritesNeedWorkingSet => {
                f.write_str("a VM that writes memory needs a working set larger than 0")
            }
            P::LinkTooFast { gbps, max_gbps } => write!(
                f,
                "{gbps} Gbit/s is faster than any Ethernet link (at most {max_gbps})"
            ),
            P::NicCount { max } => write!(f, "1 to {max} NICs per host"),
            P::TcpWindow => f.write_str("a TCP window holds at least 1 KiB"),
            P::MultifdChannels { got, max } => {
                write!(f, "multifd uses 1 to {max} channels (got {got})")
            }
            P::Descriptors { lo, hi, got } => {
                write!(f, "NIC rings hold {lo} to {hi} descriptors (got {got})")
            }
            P::Rtt { max_ms } => {
                write!(f, "round-trip time must be between 0 and {max_ms} ms")
            }
            P::Cores { max } => write!(f, "a host has 1 to {max} cores"),
            P::HostLoad => f.write_str("host CPU load is a fraction from 0 to 1"),
            P::CoreGhz { lo, hi } => write!(f, "a core runs at {lo} to {hi} GHz"),
            P::CompressThreads { max } => write!(f, "at most {max} threads"),
            P::NoCompressionProgress => f.write_str("compression must make progress"),
            P::CodecRate(v) => write!(
                f,
                "a codec thread compresses 0.01 to 100000 MiB/s (got {v})"
            ),
            P::ZeroScan(v) => write!(f, "a zero-page scan runs at 0.01 to 1024 GiB/s (got {v})"),
            P::Passes { max } => write!(f, "between 1 and {max} pre-copy passes"),
            P::Iterations { max } => write!(f, "between 1 and {max} iterations"),
            P::MaxFactor => f.write_str("at least 1 (memory must be sent once)"),
            P::DowntimeLimit { max_s } => write!(f, "QEMU accepts at most {max_s} s"),
            P::AtMost { max, unit, got } => write!(f, "at most {max} {unit} (got {got})"),
            P::NoTimeout => f.write_str("the timeout must be longer than 0 s"),
            P::HostCount { max, got } => write!(f, "a cluster has 2 to {max} hosts (got {got})"),
            P::TwoCalled { what, name } => {
                let what = match what {
                    Named::Network => "networks",
                    Named::Host => "hosts",
                    Named::Vm => "VMs",
                };
                write!(f, "two {what} are called {name}")
            }
            P::HostWithoutMemory { host } => write!(f, "{host} needs memory for VMs"),
            P::HostCoresAndLoad { host } => {
                write!(f, "{host}: at least one core and a load from 0 to 1")
            }
            P::NicOnUnknownNetwork { host, network } => {
                write!(f, "{host} has a NIC on unknown network {network}")
            }
            P::NicSpeed { host, max_gbps } => write!(
                f,
                "{host}: NIC speeds are above 0 and at most {max_gbps} Gbit/s"
            ),
            P::NicRings { host, lo, hi } => {
                write!(f, "{host}: NIC rings hold {lo} to {hi} descriptors")
            }
            P::VmOnUnknownHost { vm, host } => write!(f, "{vm} runs on unknown host {host}"),
            P::In { at, problem } => write!(f, "{at}: {problem}"),
            P::NegativeDisk { vm } => write!(f, "{vm}: disk size must be 0 or more"),
            P::HostOverfull {
                host,
                has_bytes,
                needs_bytes,
                index,
                vm,
            } => write!(
                f,
                "{host} has {} for VMs; the VMs placed on it need {} (vms[{index}], {vm}, is the first that does not fit)",
                fmt_bytes(*has_bytes),
                fmt_bytes(*needs_bytes)
            ),
            P::SmbLimit => f.write_str(
                "the SMB bandwidth limit is 0.01 to 100 % of a node's NIC bandwidth (or null for none)",
            ),
            P::NoMigrationAllowed => {
                f.write_str("migration limits must allow at least one migration")
            }
            P::UnknownNetwork(n) => write!(f, "unknown network {n}"),
            P::NoVmCalled(n) => write!(f, "no VM called {n}"),
            P::NoHostCalled(n) => write!(f, "no host called {n}"),
        }
    }
}
