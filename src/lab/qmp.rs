//! A QMP client: JSON commands over a QEMU's unix socket (QEMU's `docs/interop/qmp-spec.rst`).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub struct Qmp {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    /// The asynchronous events QEMU sent while a command waited for its answer, in order.
    events: Vec<Value>,
}

impl Qmp {
    /// Connects to the socket QEMU listens on (it may not exist yet: retried until `wait`
    /// runs out) and leaves capabilities negotiation.
    pub fn connect(path: &Path, wait: Duration) -> Result<Qmp, String> {
        let start = Instant::now();
        let stream = loop {
            match UnixStream::connect(path) {
                Ok(s) => break s,
                Err(e) if start.elapsed() > wait => {
                    return Err(format!("cannot reach QMP at {}: {e}", path.display()))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .map_err(|e| e.to_string())?;
        let writer = stream.try_clone().map_err(|e| e.to_string())?;
        let mut qmp = Qmp {
            reader: BufReader::new(stream),
            writer,
            events: Vec::new(),
        };
        let greeting = qmp.read()?;
        if greeting.get("QMP").is_none() {
            return Err(format!("not a QMP greeting: {greeting}"));
        }
        qmp.execute("qmp_capabilities", json!({}))?;
        Ok(qmp)
    }

    fn read(&mut self) -> Result<Value, String> {
        let mut line = String::new();
        let n = self
            .reader
            .read_line(&mut line)
            .map_err(|e| format!("QMP read: {e}"))?;
        if n == 0 {
            return Err("QEMU closed its QMP socket".into());
        }
        serde_json::from_str(&line).map_err(|e| format!("QMP sent no JSON ({e}): {line}"))
    }

    /// Runs `command` and returns its `return` value; asynchronous events are kept
    /// ([`Qmp::event_time`]).
    pub fn execute(&mut self, command: &str, arguments: Value) -> Result<Value, String> {
        let mut msg = json!({ "execute": command, "arguments": arguments }).to_string();
        msg.push('\n');
        self.writer
            .write_all(msg.as_bytes())
            .map_err(|e| format!("QMP write: {e}"))?;
        loop {
            let v = self.read()?;
            if v.get("event").is_some() {
                self.events.push(v);
                continue;
            }
            if let Some(r) = v.get("return") {
                return Ok(r.clone());
            }
            if let Some(e) = v.get("error") {
                return Err(format!(
                    "{command}: {}",
                    e["desc"].as_str().unwrap_or("error")
                ));
            }
            return Err(format!("{command}: unexpected reply {v}"));
        }
    }

    /// The host time, in seconds since the epoch, of the last event `name` this client has
    /// read (QEMU stamps each event with the host's clock when it emits it).
    pub fn event_time(&self, name: &str) -> Option<f64> {
        self.events
            .iter()
            .rev()
            .find(|e| e["event"] == name)
            .and_then(event_timestamp)
    }

    /// A human-monitor command (`xp` reads guest physical memory).
    pub fn hmp(&mut self, line: &str) -> Result<String, String> {
        let r = self.execute("human-monitor-command", json!({ "command-line": line }))?;
        Ok(r.as_str().unwrap_or_default().to_string())
    }

    /// `n` 32-bit words of guest physical memory from `addr`.
    pub fn read_words(&mut self, addr: u64, n: usize) -> Result<Vec<u32>, String> {
        parse_xp(&self.hmp(&format!("xp /{n}wx {addr:#x}"))?, n)
    }
}

/// An event's `timestamp` (`{"seconds", "microseconds"}`), in seconds.
pub fn event_timestamp(event: &Value) -> Option<f64> {
    let t = &event["timestamp"];
    Some(t["seconds"].as_f64()? + t["microseconds"].as_f64()? / 1e6)
}

/// The words of an `xp /Nwx` answer ("0000000000300000: 0x42414c4d 0x00000002 …", four a line).
pub fn parse_xp(text: &str, n: usize) -> Result<Vec<u32>, String> {
    let words: Vec<u32> = text
        .lines()
        .filter_map(|l| l.split_once(": ").map(|(_, rest)| rest))
        .flat_map(str::split_whitespace)
        .map(|w| {
            w.strip_prefix("0x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("xp gave {w:?}, not a hexadecimal word: {text}"))
        })
        .collect::<Result<_, _>>()?;
    if words.len() == n {
        Ok(words)
    } else {
        Err(format!("xp gave {} words, not {n}: {text}", words.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xp_answers_are_read_word_by_word() {
        let text = "0000000000300000: 0x42414c4d 0x00000002 0x00008c7f 0x00000000\r\n\
                    0000000000300010: 0x00001000 0x00279881 0x3ce0d2b1 0x00000001\r\n";
        let w = parse_xp(text, 8).unwrap();
        assert_eq!(w[0], 0x4241_4c4d);
        assert_eq!(w[2], 0x8c7f);
        assert_eq!(w[7], 1);
        assert!(parse_xp(text, 4).is_err(), "a short read is an error");
        assert!(parse_xp("Cannot access memory", 1).is_err());
        assert!(parse_xp("0000000000300000: 0x4241zz4d", 1).is_err());
    }

    #[test]
    fn an_events_time_is_its_seconds_and_microseconds() {
        let e: Value = serde_json::from_str(
            r#"{"timestamp": {"seconds": 1765100000, "microseconds": 5900}, "event": "STOP"}"#,
        )
        .unwrap();
        assert!((event_timestamp(&e).unwrap() - 1_765_100_000.005_9).abs() < 1e-6);
        assert_eq!(event_timestamp(&serde_json::json!({"event": "STOP"})), None);
    }
}
