//! Why the cluster refused or never started a migration, in the reader's language. English
//! is the engine's own wording (`Refusal`'s `Display`); German is written here.

use super::format::{Fmt, Lang};
use crate::engine::cluster::Refusal;

/// Why a migration was refused, as a phrase in `lang`, with sizes in its number format.
pub fn refusal(r: &Refusal, lang: Lang) -> String {
    if lang == Lang::En {
        return r.to_string();
    }
    let f = Fmt(lang);
    match r {
        Refusal::AlreadyThere { vm, host } => format!("{vm} läuft bereits auf {host}"),
        Refusal::NoRoom {
            host,
            free_bytes,
            vm,
            needs_bytes,
        } => format!(
            "{host} hat {} frei, {vm} braucht {}",
            f.bytes(*free_bytes),
            f.bytes(*needs_bytes)
        ),
        Refusal::NoNetwork { from, to } => {
            format!("{from} und {to} haben kein gemeinsames Netzwerk für die Livemigration")
        }
        Refusal::NoSharedStorage { vm, disk_bytes } => format!(
            "kein freigegebener Speicher: ein Failovercluster braucht ihn für die Livemigration; eine Migration ohne gemeinsame Nutzung würde zuerst die {} Festplatten von {vm} kopieren",
            f.bytes(*disk_bytes)
        ),
        Refusal::NoTarget {
            from,
            vm,
            needs_bytes,
            drained,
        } => {
            let needs = f.bytes(*needs_bytes);
            let mut text = format!("kein anderer von {from} erreichbarer Host hat {needs} frei für {vm}");
            if !drained.is_empty() {
                text += &format!(
                    " (zuvor geleerte Hosts nehmen keine auf: {})",
                    drained.join(", ")
                );
            }
            text
        }
        Refusal::NeverStarted => {
            "nie gestartet: die Migrationen davor konnten nicht abgeschlossen werden".to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::units::MIB;

    #[test]
    fn refusals_read_in_either_language_with_its_number_format() {
        let no_room = Refusal::NoRoom {
            host: "H2".into(),
            free_bytes: 1536.0 * MIB,
            vm: "db".into(),
            needs_bytes: 4096.0 * MIB,
        };
        assert_eq!(no_room.to_string(), "H2 has 1.50 GiB free, db needs 4 GiB");
        assert_eq!(
            refusal(&no_room, Lang::De),
            "H2 hat 1,50 GiB frei, db braucht 4 GiB"
        );
        let none_left = Refusal::NoTarget {
            from: "H3".into(),
            vm: "web".into(),
            needs_bytes: 4096.0 * MIB,
            drained: vec!["H1".into(), "H2".into()],
        };
        assert!(refusal(&none_left, Lang::De)
            .ends_with("(zuvor geleerte Hosts nehmen keine auf: H1, H2)"));
        assert!(
            refusal(&none_left, Lang::En).ends_with("(hosts drained earlier take none: H1, H2)")
        );
        // Every reason has a German wording of its own.
        for r in [
            no_room,
            none_left,
            Refusal::AlreadyThere {
                vm: "a".into(),
                host: "b".into(),
            },
            Refusal::NoNetwork {
                from: "a".into(),
                to: "b".into(),
            },
            Refusal::NoSharedStorage {
                vm: "a".into(),
                disk_bytes: 1e9,
            },
            Refusal::NeverStarted,
        ] {
            assert_ne!(refusal(&r, Lang::En), refusal(&r, Lang::De));
        }
    }
}
