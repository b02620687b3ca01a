//! Scenario files: JSON in and out, with errors that name the field they are in.

use super::problem::{Input, Problem};
use super::validate::ScenarioError;

/// Scenario files larger than this are refused before they are parsed (a scenario is a few
/// KiB; a cluster of hundreds of VMs a few hundred).
pub const MAX_SCENARIO_FILE_BYTES: u64 = 4 << 20;

/// Whether a scenario file's text describes a cluster (it has `hosts`) rather than one VM.
pub fn describes_cluster(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .is_some_and(|v| v.get("hosts").is_some())
}

/// Parses a JSON object (serde would also take an array of the fields in order, which no
/// scenario file means). An error names the field it is in ("network.link_gbps: invalid type
/// …"), found from the position serde reports.
pub(crate) fn parse_object<T: serde::de::DeserializeOwned>(
    text: &str,
    what: Input,
) -> Result<T, ScenarioError> {
    let bad = |detail: String| ScenarioError {
        field: "scenario",
        problem: Problem::Unreadable { what, detail },
    };
    if !text.trim_start().starts_with('{') {
        // Not an object: the parser's own message when it is not JSON at all.
        return Err(bad(match serde_json::from_str::<serde_json::Value>(text) {
            Err(e) => e.to_string(),
            Ok(_) => "expected a JSON object { … }".into(),
        }));
    }
    deserialize_named(text).map_err(bad)
}

/// `T` from JSON text; an error names the field it is in ("network.link_gbps: invalid type
/// …"), found from the position serde reports. (One deserializer, from text, serves every
/// caller: the browser bundle carries each type's deserialization once.)
pub(crate) fn deserialize_named<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| {
        let full = e.to_string();
        let message = full
            .rsplit_once(" at line ")
            .map_or(full.as_str(), |(m, _)| m);
        if !matches!(e.classify(), serde_json::error::Category::Data) {
            return full.clone();
        }
        let mut path = json_path_at(text, e.line(), e.column());
        // For an unknown key, the object it is in (serde names the key itself).
        if message.starts_with("unknown field") {
            path.pop();
        }
        let path = path.concat();
        let path = path.trim_start_matches('.');
        if path.is_empty() {
            message.to_string()
        } else {
            // Keys are the file's own text: escaped, so a message stays on one line.
            format!("{}: {message}", path.escape_debug())
        }
    })
}

/// The path (`.key` and `[index]` segments) to the value being read at 1-based `line` and
/// `column` (a byte count, as serde_json reports it) of the JSON `text`.
pub(super) fn json_path_at(text: &str, line: usize, column: usize) -> Vec<String> {
    // Where each open object or array stands: the key or index of the value being read.
    let mut stack: Vec<(bool, String, usize)> = Vec::new(); // (is_object, key, index)
    let (mut l, mut c) = (1, 0);
    let mut in_string = false;
    let mut escaped = false;
    let mut string = String::new();
    let mut last_string = String::new();
    for ch in text.chars() {
        if ch == '\n' {
            (l, c) = (l + 1, 0);
        } else {
            c += ch.len_utf8();
        }
        if l > line || (l == line && c > column) {
            break;
        }
        if in_string {
            match (escaped, ch) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => {
                    in_string = false;
                    last_string = std::mem::take(&mut string);
                    continue;
                }
                _ => {}
            }
            string.push(ch);
            continue;
        }
        match ch {
            '"' => in_string = true,
            '{' => stack.push((true, String::new(), 0)),
            '[' => stack.push((false, String::new(), 0)),
            '}' | ']' => {
                stack.pop();
            }
            ':' => {
                if let Some(top) = stack.last_mut() {
                    top.1 = std::mem::take(&mut last_string);
                }
            }
            ',' => {
                if let Some(top) = stack.last_mut() {
                    top.1.clear();
                    top.2 += 1;
                }
            }
            _ => {}
        }
    }
    // A key just read but not yet followed by ':' (an unknown field's name).
    if let Some(top) = stack.last_mut() {
        if top.0 && top.1.is_empty() && !last_string.is_empty() {
            top.1 = last_string;
        }
    }
    stack
        .into_iter()
        .filter(|(obj, key, _)| !*obj || !key.is_empty())
        .map(|(obj, key, i)| {
            if obj {
                format!(".{key}")
            } else {
                format!("[{i}]")
            }
        })
        .collect()
}

/// [`parse_object`] for JSON already parsed (by way of its text: one deserializer per type
/// in the browser bundle).
pub(crate) fn object_from_value<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    what: Input,
) -> Result<T, ScenarioError> {
    parse_object(&value.to_string(), what)
}
