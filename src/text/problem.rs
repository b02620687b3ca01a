//! Why the engine refuses a scenario or a cluster, in the reader's language. English is the
//! engine's own wording (`Problem::wording`); German is written here, with the same values in
//! the same order, numbers in German format.

use super::format::{localize, Fmt, Lang};
use crate::engine::scenario::{fill, Arg, Input, Named, Problem};
use crate::engine::units::{fmt_mib, fmt_num};
use crate::engine::ScenarioError;

/// The error as one line: the field, then why, in `lang`.
pub fn scenario_error(e: &ScenarioError, lang: Lang) -> String {
    format!("{}: {}", e.field, problem(&e.problem, lang))
}

/// Why a value is refused, as a phrase in `lang`, with numbers in its format.
pub fn problem(p: &Problem, lang: Lang) -> String {
    if lang == Lang::En {
        return p.to_string();
    }
    let (_, args) = p.wording();
    fill(german(p), &args, |a| match a {
        Arg::Str(s) => s.to_string(),
        Arg::Num(v) => localize(&fmt_num(v), lang),
        Arg::Bytes(b) => Fmt(lang).bytes(b),
        Arg::Mib(m) => localize(&fmt_mib(m), lang),
        Arg::Problem(inner) => problem(inner, lang),
    })
}

/// The German wording of `p`, with `{}` where its values go (in `wording`'s order).
fn german(p: &Problem) -> &'static str {
    use Problem as P;
    match p {
        P::Unreadable { what, .. } => match what {
            Input::ScenarioFile => "keine gültige Szenariodatei (der Parser meldet: {})",
            Input::ClusterFile => "keine gültige Clusterszenario-Datei (der Parser meldet: {})",
            Input::Link => "kein gültiger Link (der Parser meldet: {})",
        },
        P::FileTooLarge { .. } => "die Datei ist größer als {} MiB",
        P::NoSuchSetting => "keine solche Einstellung",
        P::NotANumber(_) => "erwartet wird eine Zahl, nicht „{}“",
        P::NotAWholeNumber(_) => "erwartet wird eine ganze Zahl, nicht „{}“",
        P::NotTrueOrFalse(_) => "erwartet wird true oder false, nicht „{}“",
        P::NotAChoice(_) => "„{}“ ist keine der möglichen Angaben",
        P::NotOnOrOff(_) => "erwartet wird {} oder null, nicht „{}“",
        P::AGroup(_) => "{} ist eine Gruppe von Einstellungen, kein Wert",
        P::UnsupportedVersion { reads: None, .. } => "Szenarioversion {} wird nicht unterstützt",
        P::UnsupportedVersion { reads: Some(_), .. } => {
            "Szenarioversion {} wird nicht unterstützt (diese Version liest Version {})"
        }
        P::NotFinite => "muss eine endliche Zahl sein",
        P::Negative(_) => "darf nicht negativ sein ({} angegeben)",
        P::NoMemory => "eine VM braucht Arbeitsspeicher (0 MiB angegeben)",
        P::TooMuchMemory { .. } => {
            "{} sind mehr Arbeitsspeicher, als ein Hypervisor einer VM gibt (höchstens {})"
        }
        P::WorkingSetAboveMemory { .. } => {
            "der Arbeitssatz ({} MiB) kann nicht größer sein als der Arbeitsspeicher der VM ({} MiB)"
        }
        P::UntouchedDoesNotFit { .. } => {
            "Arbeitssatz ({} MiB) und nie beschriebener Speicher ({} MiB) passen nicht in {} MiB"
        }
        P::Fraction(_) => "ein Anteil von 0 bis 1 ({} angegeben)",
        P::WriteCpuShare(_) => "ein Anteil der vCPU-Zeit über 0 und höchstens 1 ({} angegeben)",
        P::ZeroAndSparse { .. } => {
            "Nullseiten ({}) und fast leere Seiten ({}) sind zusammen mehr als alle beschriebenen Seiten"
        }
        P::HotColdNeedsHotPart => "ein Heiß-kalt-Muster braucht einen heißen Teil zwischen 0 und 1",
        P::DirtyRateTooHigh { .. } => {
            "{} MiB/s sind schneller, als Arbeitsspeicher beschrieben wird (höchstens {} MiB/s)"
        }
        P::WritesNeedWorkingSet => {
            "eine VM, die Speicher beschreibt, braucht einen Arbeitssatz über 0"
        }
        P::LinkTooFast { .. } => {
            "{} Gbit/s sind schneller als jede Ethernet-Verbindung (höchstens {} Gbit/s)"
        }
        P::NicCount { .. } => "1 bis {} Netzwerkadapter je Host",
        P::TcpWindow => "ein TCP-Fenster fasst mindestens 1 KiB",
        P::MultifdChannels { .. } => "multifd nutzt 1 bis {} Kanäle ({} angegeben)",
        P::XbzrleCache(_) => {
            "der XBZRLE-Cache fasst eine Zweierpotenz von 4-KiB-Seiten, 4 KiB bis 1 TiB ({} MiB angegeben)"
        }
        P::XbzrleWithMultifd => "multifd ist nicht mit XBZRLE kombinierbar",
        P::PostcopyWithMultifd => "Post-Copy ist noch nicht mit multifd kombinierbar",
        P::WriteBytes(_) => "ein Schreibzugriff ändert 1 bis 4096 Bytes einer Seite ({} angegeben)",
        P::Descriptors { .. } => {
            "die Ringe eines Netzwerkadapters fassen {} bis {} Deskriptoren ({} angegeben)"
        }
        P::Rtt { .. } => "die Umlaufzeit muss zwischen 0 und {} ms liegen",
        P::Cores { .. } => "ein Host hat 1 bis {} Kerne",
        P::HostLoad => "die CPU-Last eines Hosts ist ein Anteil von 0 bis 1",
        P::CoreGhz { .. } => "ein Kern läuft mit {} bis {} GHz",
        P::CompressThreads { .. } => "höchstens {} Threads",
        P::NoCompressionProgress => "die Komprimierung muss vorankommen",
        P::CodecRate(_) => "ein Codec-Thread komprimiert 0,01 bis 100000 MiB/s ({} angegeben)",
        P::ZeroScan(_) => "die Suche nach Nullseiten läuft mit 0,01 bis 1024 GiB/s ({} angegeben)",
        P::Passes { .. } => "zwischen 1 und {} Pre-Copy-Durchläufe",
        P::Iterations { .. } => "zwischen 1 und {} Iterationen",
        P::MaxFactor => "mindestens 1 (der Arbeitsspeicher muss einmal gesendet werden)",
        P::DowntimeLimit { .. } => "QEMU nimmt höchstens {} s an",
        P::AtMost { .. } => "höchstens {} {} ({} angegeben)",
        P::NoTimeout => "die Zeitgrenze muss länger als 0 s sein",
        P::HostCount { .. } => "ein Cluster hat 2 bis {} Hosts ({} angegeben)",
        P::TwoCalled { what, .. } => match what {
            Named::Network => "zwei Netzwerke heißen {}",
            Named::Host => "zwei Hosts heißen {}",
            Named::Vm => "zwei VMs heißen {}",
        },
        P::HostWithoutMemory { .. } => "{} braucht Arbeitsspeicher für VMs",
        P::HostCoresAndLoad { .. } => "{}: mindestens ein Kern und eine Last von 0 bis 1",
        P::NicOnUnknownNetwork { .. } => {
            "{} hat einen Netzwerkadapter im unbekannten Netzwerk {}"
        }
        P::NicSpeed { .. } => {
            "{}: Netzwerkadapter sind schneller als 0 und höchstens {} Gbit/s schnell"
        }
        P::NicRings { .. } => "{}: die Ringe eines Netzwerkadapters fassen {} bis {} Deskriptoren",
        P::VmOnUnknownHost { .. } => "{} läuft auf dem unbekannten Host {}",
        P::In { .. } => "{}: {}",
        P::NegativeDisk { .. } => "{}: die Datenträgergröße muss 0 oder mehr sein",
        P::HostOverfull { .. } => {
            "{} hat {} für VMs; die VMs darauf brauchen {} (vms[{}], {}, passt als erste nicht mehr)"
        }
        P::SmbLimit => {
            "das SMB-Bandbreitenlimit beträgt 0,01 bis 100 % der Bandbreite der Netzwerkadapter eines Knotens (oder null für keines)"
        }
        P::NoMigrationAllowed => "die Migrationslimits müssen mindestens eine Migration zulassen",
        P::UnknownNetwork(_) => "unbekanntes Netzwerk {}",
        P::NoVmCalled(_) => "keine VM namens {}",
        P::NoHostCalled(_) => "kein Host namens {}",
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
                mib: 1.0,
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
            Problem::XbzrleCache(3.0),
            Problem::XbzrleWithMultifd,
            Problem::PostcopyWithMultifd,
            Problem::WriteBytes(0.0),
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
