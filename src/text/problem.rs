//! Why the engine refuses a scenario or a cluster, in the reader's language. English is the
//! engine's own wording (`Problem`'s `Display`); German is written here, with the same
//! numbers and units.

use super::format::{localize, Fmt, Lang};
use crate::engine::scenario::{Input, Named, Problem};
use crate::engine::ScenarioError;

/// The error as the page shows it: the field, then why, in `lang`.
pub fn scenario_error(e: &ScenarioError, lang: Lang) -> String {
    format!("{}: {}", e.field, problem(&e.problem, lang))
}

/// Why a value is refused, as a phrase in `lang`, with numbers in its format.
pub fn problem(p: &Problem, lang: Lang) -> String {
    if lang == Lang::En {
        return p.to_string();
    }
    let f = Fmt(lang);
    // A number as the engine writes it, with the German decimal comma.
    let n = |v: f64| localize(&v.to_string(), lang);
    use Problem as P;
    match p {
        P::Unreadable { what, detail } => {
            let what = match what {
                Input::ScenarioFile => "keine gültige Szenariodatei",
                Input::ClusterFile => "keine gültige Clusterszenario-Datei",
                Input::Link => "kein gültiger Link",
            };
            format!("{what} (der Parser meldet: {detail})")
        }
        P::FileTooLarge { max_mib } => format!("die Datei ist größer als {max_mib} MiB"),
        P::NoSuchSetting => "keine solche Einstellung".into(),
        P::NotANumber(raw) => format!("erwartet wird eine Zahl, nicht „{raw}“"),
        P::NotAWholeNumber(raw) => format!("erwartet wird eine ganze Zahl, nicht „{raw}“"),
        P::NotTrueOrFalse(raw) => format!("erwartet wird true oder false, nicht „{raw}“"),
        P::NotAChoice(raw) => format!("„{raw}“ ist keine der möglichen Angaben"),
        P::NotOnOrOff(raw) => format!("erwartet wird {{}} oder null, nicht „{raw}“"),
        P::AGroup(path) => format!("{path} ist eine Gruppe von Einstellungen, kein Wert"),
        P::UnsupportedVersion { got, reads: None } => {
            format!("Szenarioversion {got} wird nicht unterstützt")
        }
        P::UnsupportedVersion {
            got,
            reads: Some(v),
        } => format!(
            "Szenarioversion {got} wird nicht unterstützt (diese Version liest Version {v})"
        ),
        P::NotFinite => "muss eine endliche Zahl sein".into(),
        P::Negative(v) => format!("darf nicht negativ sein ({} angegeben)", n(*v)),
        P::NoMemory => "eine VM braucht Arbeitsspeicher (0 MiB angegeben)".into(),
        P::TooMuchMemory { bytes, max_bytes } => format!(
            "{} sind mehr Arbeitsspeicher, als ein Hypervisor einer VM gibt (höchstens {})",
            f.bytes(*bytes),
            f.bytes(*max_bytes)
        ),
        P::WorkingSetAboveMemory {
            working_set_mib,
            memory_mib,
        } => format!(
            "der Arbeitssatz ({} MiB) kann nicht größer sein als der Arbeitsspeicher der VM ({} MiB)",
            n(*working_set_mib),
            n(*memory_mib)
        ),
        P::UntouchedDoesNotFit {
            working_set_mib,
            untouched_mib,
            memory_mib,
        } => format!(
            "Arbeitssatz ({} MiB) und nie beschriebener Speicher ({} MiB) passen nicht in {} MiB",
            n(*working_set_mib),
            n(*untouched_mib),
            n(*memory_mib)
        ),
        P::Fraction(v) => format!("ein Anteil von 0 bis 1 ({} angegeben)", n(*v)),
        P::WriteCpuShare(v) => format!(
            "ein Anteil der vCPU-Zeit über 0 und höchstens 1 ({} angegeben)",
            n(*v)
        ),
        P::ZeroAndSparse { zero, sparse } => format!(
            "Nullseiten ({}) und fast leere Seiten ({}) sind zusammen mehr als alle beschriebenen Seiten",
            n(*zero),
            n(*sparse)
        ),
        P::HotColdNeedsHotPart => {
            "ein Heiß-kalt-Muster braucht einen heißen Teil zwischen 0 und 1".into()
        }
        P::DirtyRateTooHigh { mibps, max_mibps } => format!(
            "{} MiB/s sind schneller, als Arbeitsspeicher beschrieben wird (höchstens {} MiB/s)",
            n(*mibps),
            n(*max_mibps)
        ),
        P::WritesNeedWorkingSet => {
            "eine VM, die Speicher beschreibt, braucht einen Arbeitssatz über 0".into()
        }
        P::LinkTooFast { gbps, max_gbps } => format!(
            "{} Gbit/s sind schneller als jede Ethernet-Verbindung (höchstens {} Gbit/s)",
            n(*gbps),
            n(*max_gbps)
        ),
        P::NicCount { max } => format!("1 bis {max} Netzwerkadapter je Host"),
        P::TcpWindow => "ein TCP-Fenster fasst mindestens 1 KiB".into(),
        P::MultifdChannels { got, max } => {
            format!("multifd nutzt 1 bis {max} Kanäle ({got} angegeben)")
        }
        P::Descriptors { lo, hi, got } => format!(
            "die Ringe eines Netzwerkadapters fassen {lo} bis {hi} Deskriptoren ({got} angegeben)"
        ),
        P::Rtt { max_ms } => format!(
            "die Umlaufzeit muss zwischen 0 und {} ms liegen",
            n(*max_ms)
        ),
        P::Cores { max } => format!("ein Host hat 1 bis {max} Kerne"),
        P::HostLoad => "die CPU-Last eines Hosts ist ein Anteil von 0 bis 1".into(),
        P::CoreGhz { lo, hi } => {
            format!("ein Kern läuft mit {} bis {} GHz", n(*lo), n(*hi))
        }
        P::CompressThreads { max } => format!("höchstens {max} Threads"),
        P::NoCompressionProgress => "die Komprimierung muss vorankommen".into(),
        P::CodecRate(v) => format!(
            "ein Codec-Thread komprimiert 0,01 bis 100000 MiB/s ({} angegeben)",
            n(*v)
        ),
        P::ZeroScan(v) => format!(
            "die Suche nach Nullseiten läuft mit 0,01 bis 1024 GiB/s ({} angegeben)",
            n(*v)
        ),
        P::Passes { max } => format!("zwischen 1 und {max} Pre-Copy-Durchläufe"),
        P::Iterations { max } => format!("zwischen 1 und {max} Iterationen"),
        P::MaxFactor => {
            "mindestens 1 (der Arbeitsspeicher muss einmal gesendet werden)".into()
        }
        P::DowntimeLimit { max_s } => format!("QEMU nimmt höchstens {} s an", n(*max_s)),
        P::AtMost { max, unit, got } => format!(
            "höchstens {} {unit} ({} angegeben)",
            n(*max),
            n(*got)
        ),
        P::NoTimeout => "die Zeitgrenze muss länger als 0 s sein".into(),
        P::HostCount { max, got } => {
            format!("ein Cluster hat 2 bis {max} Hosts ({got} angegeben)")
        }
        P::TwoCalled { what, name } => {
            let what = match what {
                Named::Network => "Netzwerke",
                Named::Host => "Hosts",
                Named::Vm => "VMs",
            };
            format!("zwei {what} heißen {name}")
        }
        P::HostWithoutMemory { host } => format!("{host} braucht Arbeitsspeicher für VMs"),
        P::HostCoresAndLoad { host } => {
            format!("{host}: mindestens ein Kern und eine Last von 0 bis 1")
        }
        P::NicOnUnknownNetwork { host, network } => format!(
            "{host} hat einen Netzwerkadapter im unbekannten Netzwerk {network}"
        ),
        P::NicSpeed { host, max_gbps } => format!(
            "{host}: Netzwerkadapter sind schneller als 0 und höchstens {} Gbit/s schnell",
            n(*max_gbps)
        ),
        P::NicRings { host, lo, hi } => format!(
            "{host}: die Ringe eines Netzwerkadapters fassen {lo} bis {hi} Deskriptoren"
        ),
        P::VmOnUnknownHost { vm, host } => format!("{vm} läuft auf dem unbekannten Host {host}"),
        P::In { at, problem: inner } => format!("{at}: {}", problem(inner, lang)),
        P::NegativeDisk { vm } => {
            format!("{vm}: die Datenträgergröße muss 0 oder mehr sein")
        }
        P::HostOverfull {
            host,
            has_bytes,
            needs_bytes,
            index,
            vm,
        } => format!(
            "{host} hat {} für VMs; die VMs darauf brauchen {} (vms[{index}], {vm}, passt als erste nicht mehr)",
            f.bytes(*has_bytes),
            f.bytes(*needs_bytes)
        ),
        P::SmbLimit => "das SMB-Bandbreitenlimit beträgt 0,01 bis 100 % der Bandbreite der Netzwerkadapter eines Knotens (oder null für keines)".into(),
        P::NoMigrationAllowed => {
            "die Migrationslimits müssen mindestens eine Migration zulassen".into()
        }
        P::UnknownNetwork(name) => format!("unbekanntes Netzwerk {name}"),
        P::NoVmCalled(name) => format!("keine VM namens {name}"),
        P::NoHostCalled(name) => format!("kein Host namens {name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::units::MIB;
    use crate::engine::Scenario;

    #[test]
    fn the_engines_reasons_read_in_german_with_their_numbers() {
        let mut s = Scenario::default();
        s.vm.memory_mib = 4096.0;
        s.vm.working_set_mib = 9000.5;
        let e = s.validate().unwrap_err();
        assert_eq!(
            e.to_string(),
            "vm.working_set_mib: the working set (9000.5 MiB) cannot exceed the VM's memory (4096 MiB)"
        );
        assert_eq!(
            scenario_error(&e, Lang::De),
            "vm.working_set_mib: der Arbeitssatz (9000,5 MiB) kann nicht größer sein als der Arbeitsspeicher der VM (4096 MiB)"
        );
        assert_eq!(scenario_error(&e, Lang::En), e.to_string());
        let full = Problem::HostOverfull {
            host: "H1".into(),
            has_bytes: 8192.0 * MIB,
            needs_bytes: 12288.0 * MIB,
            index: 2,
            vm: "db".into(),
        };
        assert_eq!(
            problem(&full, Lang::De),
            "H1 hat 8 GiB für VMs; die VMs darauf brauchen 12 GiB (vms[2], db, passt als erste nicht mehr)"
        );
    }

    #[test]
    fn every_reason_has_a_german_wording_of_its_own() {
        let s = || "x".to_string();
        let all = [
            Problem::Unreadable {
                what: Input::Link,
                detail: s(),
            },
            Problem::FileTooLarge { max_mib: 4 },
            Problem::NoSuchSetting,
            Problem::NotANumber(s()),
            Problem::NotAWholeNumber(s()),
            Problem::NotTrueOrFalse(s()),
            Problem::NotAChoice(s()),
            Problem::NotOnOrOff(s()),
            Problem::AGroup(s()),
            Problem::UnsupportedVersion {
                got: 2,
                reads: None,
            },
            Problem::NotFinite,
            Problem::Negative(-1.5),
            Problem::NoMemory,
            Problem::TooMuchMemory {
                bytes: 1.0,
                max_bytes: 2.0,
            },
            Problem::UntouchedDoesNotFit {
                working_set_mib: 1.0,
                untouched_mib: 2.0,
                memory_mib: 2.0,
            },
            Problem::Fraction(1.5),
            Problem::WriteCpuShare(0.0),
            Problem::ZeroAndSparse {
                zero: 0.6,
                sparse: 0.6,
            },
            Problem::HotColdNeedsHotPart,
            Problem::DirtyRateTooHigh {
                mibps: 2.0,
                max_mibps: 1.0,
            },
            Problem::WritesNeedWorkingSet,
            Problem::LinkTooFast {
                gbps: 2.0,
                max_gbps: 1.0,
            },
            Problem::NicCount { max: 16 },
            Problem::TcpWindow,
            Problem::MultifdChannels { got: 0, max: 255 },
            Problem::Descriptors {
                lo: 64,
                hi: 8192,
                got: 1,
            },
            Problem::Rtt { max_ms: 1000.0 },
            Problem::Cores { max: 1024 },
            Problem::HostLoad,
            Problem::CoreGhz { lo: 0.1, hi: 10.0 },
            Problem::CompressThreads { max: 1024 },
            Problem::NoCompressionProgress,
            Problem::CodecRate(0.0),
            Problem::ZeroScan(0.0),
            Problem::Passes { max: 1000 },
            Problem::Iterations { max: 1000 },
            Problem::MaxFactor,
            Problem::DowntimeLimit { max_s: 2000.0 },
            Problem::AtMost {
                max: 1.0,
                unit: "s",
                got: 2.0,
            },
            Problem::NoTimeout,
            Problem::HostCount { max: 16, got: 1 },
            Problem::TwoCalled {
                what: Named::Vm,
                name: s(),
            },
            Problem::HostWithoutMemory { host: s() },
            Problem::HostCoresAndLoad { host: s() },
            Problem::NicOnUnknownNetwork {
                host: s(),
                network: s(),
            },
            Problem::NicSpeed {
                host: s(),
                max_gbps: 400.0,
            },
            Problem::NicRings {
                host: s(),
                lo: 64,
                hi: 8192,
            },
            Problem::VmOnUnknownHost { vm: s(), host: s() },
            Problem::In {
                at: s(),
                problem: Box::new(Problem::NoMemory),
            },
            Problem::NegativeDisk { vm: s() },
            Problem::SmbLimit,
            Problem::NoMigrationAllowed,
            Problem::UnknownNetwork(s()),
            Problem::NoVmCalled(s()),
            Problem::NoHostCalled(s()),
        ];
        for p in all {
            let (en, de) = (problem(&p, Lang::En), problem(&p, Lang::De));
            assert_ne!(en, de, "{p:?}");
            // The numbers stay: each one in the English wording is in the German one too.
            let numbers = |t: &str| -> Vec<String> {
                t.split(|c: char| !c.is_ascii_digit())
                    .filter(|d| !d.is_empty())
                    .map(str::to_string)
                    .collect()
            };
            let (in_en, in_de) = (numbers(&en), numbers(&de));
            for n in &in_en {
                assert!(in_de.contains(n), "{n} of “{en}” is missing in “{de}”");
            }
        }
    }
}
