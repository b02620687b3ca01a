//! Permalinks: what the reader sees (chapter, language, colours, time, speed, the scenario or
//! cluster, embed options) as a short, versioned query string, and back.
//!
//! The scenario is stored as its differences from the chapter's own scenario, one field per
//! parameter with a dotted path (`s.vm.memory_mib=16384&s.network.dedicated=true`), so a link
//! stays short and readable and a later version can still tell what each part meant. Reading
//! never fails: a part that cannot be read or that makes the scenario invalid is dropped with a
//! notice, and the rest is kept (the nearest valid state).
//!
//! The scenario's fields are written and read by `engine::fields`, without JSON, so the lite
//! bundle carries no JSON parser; the cluster's (full bundle only) through its scenario
//! file's JSON tree, which gives the same paths.

use std::cell::RefCell;
use std::rc::Rc;

use crate::chapters::{chapter_index, chapters};
use crate::engine::fields::{diff_from_fields, FieldError};
use crate::engine::scenario::Problem;
use crate::engine::{ClusterScenario, Scenario};
use crate::playback::SPEEDS;
use crate::text::Lang;

/// The format written by `encode`; links without `v` are read as this version.
pub const VERSION: u32 = 1;

/// Light or dark colours; `System` follows the reader's system setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    pub fn code(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The value of the page's `data-theme` attribute (none for `System`).
    pub fn attr(self) -> Option<&'static str> {
        (self != Theme::System).then_some(self.code())
    }

    pub fn from_code(code: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// How the app is shown inside another page (`?embed=1`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Embed {
    /// Only these controls (by id), in the chapter's order; all of the chapter's when `None`.
    pub controls: Option<Vec<String>>,
    /// Only these views (`stage`, `memory`, `link`, `passes`, `result`, `compare`, `sweep`,
    /// `spread`, `blackout`); the chapter's when `None`.
    pub views: Option<Vec<String>>,
}

/// Everything a link can restore. `None` means "as the chapter opens it".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Link {
    /// A chapter id (`chapters()`); the first chapter when `None`.
    pub chapter: Option<String>,
    pub lang: Option<Lang>,
    pub theme: Option<Theme>,
    /// The playback time, simulated seconds.
    pub t: Option<f64>,
    /// The playback speed, one of `SPEEDS`.
    pub speed: Option<f64>,
    /// The single-VM scenario. `encode` writes only what differs from the chapter's own;
    /// `decode` gives `None` where nothing does.
    pub scenario: Option<Scenario>,
    /// The cluster, likewise.
    pub cluster: Option<ClusterScenario>,
    pub embed: Option<Embed>,
}

/// Something in a link that was not used, and why.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// The link was made by a newer version of the format.
    NewerVersion(String),
    /// A part that does not mean anything here (an unknown key, or a value out of range).
    Ignored { key: String, value: String },
    /// A scenario change that would make the scenario invalid, with the engine's reason.
    Invalid { key: String, reason: Problem },
}

impl Notice {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Notice::NewerVersion(v) => lang.pick(
                format!("This link was made by a newer version (format {v}); what could be read is shown."),
                format!("Dieser Link stammt von einer neueren Version (Format {v}); gezeigt wird, was sich lesen ließ."),
            ),
            Notice::Ignored { key, value } => lang.pick(
                format!("“{key}={value}” was ignored: it is not something this page knows or allows."),
                format!("„{key}={value}“ wurde ignoriert: diese Seite kennt oder erlaubt es nicht."),
            ),
            Notice::Invalid { key, reason } => {
                let reason = crate::text::problem(reason, lang);
                lang.pick(
                    format!("The change to “{key}” was not applied: {reason}."),
                    format!("Die Änderung an „{key}“ wurde nicht übernommen: {reason}."),
                )
            }
        }
    }
}

/// A link read back: the state it describes, and what was left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub link: Link,
    pub notices: Vec<Notice>,
}

/// The scenario a chapter opens with (the default one for chapters without their own).
pub fn chapter_scenario(chapter: Option<&str>) -> Scenario {
    chapter
        .and_then(chapter_index)
        .and_then(|i| chapters()[i].scenario().ok())
        .unwrap_or_default()
}

/// The cluster a chapter opens with: its preset, else the first preset.
#[cfg(feature = "full")]
pub fn chapter_cluster(chapter: Option<&str>) -> ClusterScenario {
    let preset = chapter
        .and_then(chapter_index)
        .and_then(|i| chapters()[i].cluster_preset)
        .unwrap_or(0);
    crate::presets::preset(preset)
}

/// The query string (without `?`) for `link`, with the scenario stored as its differences
/// from the chapter's.
pub fn encode(link: &Link) -> String {
    let pairs = state_pairs(
        link.chapter.as_deref(),
        link.scenario.as_ref(),
        link.cluster.as_ref(),
    );
    encode_with(link, &pairs)
}

/// The scenario's and the cluster's part of a link (`s.…` and `c.…` pairs, as `encode` writes
/// them): what differs from chapter `chapter`'s own. It is the costly part of a link, which a
/// page that encodes often (the time while paused) keeps until the scenario or cluster changes.
pub fn state_pairs(
    chapter: Option<&str>,
    scenario: Option<&Scenario>,
    cluster: Option<&ClusterScenario>,
) -> Vec<(String, String)> {
    /// A chapter's id and its scenario's fields.
    type Base = (Option<String>, Rc<Vec<(&'static str, String)>>);
    thread_local! {
        /// The last chapter's scenario's fields: the base of every link made while the
        /// reader stays in one chapter.
        static BASE: RefCell<Option<Base>> = const { RefCell::new(None) };
    }
    let mut pairs = Vec::new();
    if let Some(s) = scenario {
        let base = BASE.with(|b| {
            let mut b = b.borrow_mut();
            match &*b {
                Some((c, fields)) if c.as_deref() == chapter => fields.clone(),
                _ => {
                    let fields = Rc::new(chapter_scenario(chapter).fields());
                    *b = Some((chapter.map(str::to_string), fields.clone()));
                    fields
                }
            }
        });
        pairs.extend(
            diff_from_fields(&base, s)
                .into_iter()
                .map(|(path, v)| (format!("s.{path}"), v)),
        );
    }
    // The lite bundle shows no cluster, and writes none.
    #[cfg(feature = "full")]
    if let Some(c) = cluster {
        tree::diff(
            "c",
            &tree::to_value(&chapter_cluster(chapter)),
            &tree::to_value(c),
            &mut pairs,
        );
    }
    #[cfg(not(feature = "full"))]
    let _ = cluster;
    pairs
}

/// `encode`, with the scenario and cluster pairs made by [`state_pairs`] for the link's
/// chapter (the link's own scenario and cluster are not read).
pub fn encode_with(link: &Link, pairs: &[(String, String)]) -> String {
    encode_with_encoded(link, &encode_pairs(pairs))
}

/// The scenario and cluster pairs as they end a link ([`encode_with_encoded`]).
pub fn encode_pairs(pairs: &[(String, String)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.extend_pairs(pairs);
    q.finish()
}

/// [`encode_with`] with the pairs already encoded ([`encode_pairs`]): a cluster's are
/// hundreds, the same for every seek of a paused playback, while the time changes.
pub fn encode_with_encoded(link: &Link, encoded_pairs: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("v", &VERSION.to_string());
    if let Some(c) = &link.chapter {
        q.append_pair("chapter", c);
    }
    if let Some(l) = link.lang {
        q.append_pair("lang", l.code());
    }
    if let Some(t) = link.theme {
        q.append_pair("theme", t.code());
    }
    if let Some(e) = &link.embed {
        q.append_pair("embed", "1");
        if let Some(c) = &e.controls {
            q.append_pair("controls", &c.join(","));
        }
        if let Some(v) = &e.views {
            q.append_pair("views", &v.join(","));
        }
    }
    if let Some(s) = link.speed {
        q.append_pair("speed", &s.to_string());
    }
    if let Some(t) = link.t {
        q.append_pair("t", &t.to_string());
    }
    let mut query = q.finish();
    if !encoded_pairs.is_empty() {
        query.push('&');
        query.push_str(encoded_pairs);
    }
    query
}

/// The longest address a link is given, characters. RFC 9110 §4.1 recommends that senders
/// and recipients support URIs of at least 8,000 octets, and servers refuse longer request
/// lines by default (Apache's `LimitRequestLine` is 8,190 bytes, nginx's header buffers are
/// 8 kB): a longer address would not open again where it is sent, nor on reload.
pub const MAX_ADDRESS_CHARS: usize = 8000;

/// What the address bar and "Copy link" are given for a page whose address without its query
/// string (`origin`, path and `?`) is `base_len` characters long: `link` with the scenario and
/// cluster pairs ([`encode_with_encoded`]) when that address fits in [`MAX_ADDRESS_CHARS`], and
/// `true`; else `link` without them (it opens the chapter's own scenario and cluster), and
/// `false`.
pub fn address_query(link: &Link, encoded_pairs: &str, base_len: usize) -> (String, bool) {
    let whole = encode_with_encoded(link, encoded_pairs);
    if base_len + whole.len() <= MAX_ADDRESS_CHARS {
        (whole, true)
    } else {
        (encode_with_encoded(link, ""), false)
    }
}

/// Reads a query string (with or without `?`). Never fails: see `Notice`.
pub fn decode(query: &str) -> Decoded {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut link = Link::default();
    let mut notices = Vec::new();
    let mut scenario_pairs = Vec::new();
    let mut cluster_pairs = Vec::new();
    let mut embed = false;
    let mut controls = None;
    let mut views = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let (key, value) = (key.into_owned(), value.into_owned());
        let ignored = || Notice::Ignored {
            key: key.clone(),
            value: value.clone(),
        };
        match key.as_str() {
            "v" => {
                if value.parse::<u32>().map_or(true, |v| v > VERSION) {
                    notices.push(Notice::NewerVersion(value.clone()));
                }
            }
            "chapter" => match chapter_index(&value) {
                Some(_) => link.chapter = Some(value),
                None => notices.push(ignored()),
            },
            "lang" => match Lang::from_code(&value) {
                Some(l) => link.lang = Some(l),
                None => notices.push(ignored()),
            },
            "theme" => match Theme::from_code(&value) {
                Some(t) => link.theme = Some(t),
                None => notices.push(ignored()),
            },
            "embed" => match value.as_str() {
                "1" | "true" => embed = true,
                "0" | "false" => embed = false,
                _ => notices.push(ignored()),
            },
            "controls" => controls = Some(list(&value)),
            "views" => views = Some(list(&value)),
            "t" => match value.parse::<f64>() {
                Ok(t) if t.is_finite() && t >= 0.0 => link.t = Some(t),
                _ => notices.push(ignored()),
            },
            "speed" => match value.parse::<f64>() {
                Ok(s) if SPEEDS.contains(&s) => link.speed = Some(s),
                _ => notices.push(ignored()),
            },
            _ => {
                if let Some(path) = key.strip_prefix("s.") {
                    scenario_pairs.push((path.to_string(), value));
                } else if let Some(path) = key.strip_prefix("c.") {
                    cluster_pairs.push((path.to_string(), value));
                } else {
                    notices.push(ignored());
                }
            }
        }
    }
    if embed {
        // What the chapter cannot show is named in a notice, not dropped in silence.
        let c = &chapters()[link.chapter.as_deref().and_then(chapter_index).unwrap_or(0)];
        let mut keep = |key: &str, list: Option<Vec<String>>, ok: &dyn Fn(&str) -> bool| {
            list.map(|l| {
                l.into_iter()
                    .filter(|name| {
                        let known = ok(name);
                        if !known {
                            notices.push(Notice::Ignored {
                                key: key.to_string(),
                                value: name.clone(),
                            });
                        }
                        known
                    })
                    .collect()
            })
        };
        let controls = keep("controls", controls, &|n| c.offers_control(n));
        let views = keep("views", views, &|n| c.offers_view(n));
        link.embed = Some(Embed { controls, views });
    }
    let chapter = link.chapter.as_deref();
    if !scenario_pairs.is_empty() {
        let base = chapter_scenario(chapter);
        let s = apply(&base, "s", &scenario_pairs, &mut notices, |from, pairs| {
            let mut next = from.clone();
            next.set_fields(pairs.iter().map(|(p, v)| (p.as_str(), v.as_str())))
                .map_err(|(path, e)| match e {
                    FieldError::Unknown => Failure::Unknown(path.to_string()),
                    FieldError::Value(why) => Failure::Invalid(why),
                })?;
            next.validate().map_err(|e| Failure::Invalid(e.located()))?;
            Ok(next)
        });
        link.scenario = (s != base).then_some(s);
    }
    // A cluster is only seen in the full bundle, which reads the same address again when the
    // lite one hands over to it.
    #[cfg(feature = "full")]
    if !cluster_pairs.is_empty() {
        let base = chapter_cluster(chapter);
        let c = apply(&base, "c", &cluster_pairs, &mut notices, |from, pairs| {
            tree::attempt(from, pairs, |c: &ClusterScenario| {
                c.validate().map_err(|e| e.located())
            })
        });
        link.cluster = (c != base).then_some(c);
    }
    #[cfg(not(feature = "full"))]
    let _ = cluster_pairs;
    Decoded { link, notices }
}

/// A comma-separated list, empty items dropped.
fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// Why a group of a link's changes could not be applied.
enum Failure {
    /// A path (relative to `s.`/`c.`) that names nothing.
    Unknown(String),
    /// The changes read, but do not make a valid scenario: the reason.
    Invalid(Problem),
}

/// `base` with the link's changes applied (`attempt` applies a group of them, or says why
/// not). When together they do not make a valid scenario, they are applied group by group
/// (the first path segment: `vm`, `network`, `hosts` …) and a group that cannot be read, or
/// that makes the whole invalid, is left out with a notice, so the result is always valid.
fn apply<T: Clone>(
    base: &T,
    side: &str,
    pairs: &[(String, String)],
    notices: &mut Vec<Notice>,
    attempt: impl Fn(&T, &[(String, String)]) -> Result<T, Failure>,
) -> T {
    let notice = |failure: Failure, group: &str, pairs: &[(String, String)]| match failure {
        Failure::Unknown(path) => Notice::Ignored {
            key: format!("{side}.{path}"),
            value: pairs
                .iter()
                .find(|(p, _)| *p == path)
                .map_or_else(String::new, |(_, v)| v.clone()),
        },
        Failure::Invalid(reason) => Notice::Invalid {
            key: format!("{side}.{group}"),
            reason,
        },
    };
    if let Ok(next) = attempt(base, pairs) {
        return next;
    }
    let mut groups: Vec<(&str, Vec<(String, String)>)> = Vec::new();
    for p in pairs {
        let head = p.0.split('.').next().unwrap_or("");
        match groups.iter_mut().find(|(h, _)| *h == head) {
            Some((_, g)) => g.push(p.clone()),
            None => groups.push((head, vec![p.clone()])),
        }
    }
    let mut current = base.clone();
    for (head, group) in groups {
        match attempt(&current, &group) {
            Ok(next) => current = next,
            Err(failure) => notices.push(notice(failure, head, &group)),
        }
    }
    current
}

/// The cluster's part of a link, read and written through its scenario file's JSON tree:
/// the differences of two trees, and a tree with changes set into it.
#[cfg(feature = "full")]
mod tree {
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::{Map, Value};

    use super::Failure;
    use crate::engine::scenario::json::deserialize_named;
    use crate::engine::scenario::{Input, Problem};

    pub(super) fn to_value<T: Serialize>(v: &T) -> Value {
        serde_json::to_value(v).unwrap_or(Value::Null)
    }

    /// A scalar as it appears in a link: numbers in their shortest form, `true`/`false`/`null`,
    /// strings as they are unless they would read as something else, then with a leading `'`.
    pub(super) fn scalar(v: &Value) -> String {
        match v {
            Value::String(s) => {
                if matches!(parse_scalar(s), Value::String(ref p) if p == s) {
                    s.clone()
                } else {
                    format!("'{s}")
                }
            }
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => u.to_string(),
                (_, Some(i), _) => i.to_string(),
                (_, _, Some(f)) => f.to_string(),
                _ => n.to_string(),
            },
            Value::Array(a) if a.is_empty() => "[]".into(),
            Value::Object(o) if o.is_empty() => "{}".into(),
            other => other.to_string(),
        }
    }

    pub(super) fn parse_scalar(s: &str) -> Value {
        match s {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            "[]" => Value::Array(Vec::new()),
            "{}" => Value::Object(Map::new()),
            _ => {
                if let Some(rest) = s.strip_prefix('\'') {
                    return Value::String(rest.to_string());
                }
                // Rust's own parsers, which round-trip every f64 `scalar` writes exactly.
                let numeric = !s.is_empty()
                    && s.bytes().all(|b| {
                        b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')
                    });
                let number = numeric
                    .then(|| {
                        s.parse::<u64>()
                            .map(Value::from)
                            .or_else(|_| s.parse::<i64>().map(Value::from))
                            .ok()
                            .or_else(|| {
                                s.parse::<f64>().ok().and_then(|f| {
                                    serde_json::Number::from_f64(f).map(Value::Number)
                                })
                            })
                    })
                    .flatten();
                number.unwrap_or_else(|| Value::String(s.to_string()))
            }
        }
    }

    /// Every leaf of `v` under `prefix`, arrays by index; an emptied container as `[]`/`{}`.
    fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(o) if !o.is_empty() => {
                for (k, x) in o {
                    flatten(&format!("{prefix}.{k}"), x, out);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for (i, x) in a.iter().enumerate() {
                    flatten(&format!("{prefix}.{i}"), x, out);
                }
            }
            _ => out.push((prefix.to_string(), scalar(v))),
        }
    }

    /// The changes that turn `base` into `cur`: changed leaves of objects; an array or a tagged
    /// object (`kind`) that changed is replaced whole (`prefix=[]`/`{}` then its leaves).
    pub(super) fn diff(prefix: &str, base: &Value, cur: &Value, out: &mut Vec<(String, String)>) {
        if base == cur {
            return;
        }
        match (base, cur) {
            (Value::Object(b), Value::Object(c)) if b.get("kind") == c.get("kind") => {
                for (k, x) in c {
                    let path = format!("{prefix}.{k}");
                    match b.get(k) {
                        Some(y) => diff(&path, y, x, out),
                        None => flatten(&path, x, out),
                    }
                }
                // A field left out (an optional one not written) reads as null.
                for k in b.keys().filter(|k| !c.contains_key(*k)) {
                    out.push((format!("{prefix}.{k}"), "null".into()));
                }
            }
            (_, Value::Object(c)) if !c.is_empty() => {
                out.push((prefix.to_string(), "{}".into()));
                flatten(prefix, cur, out);
            }
            (_, Value::Array(a)) if !a.is_empty() => {
                out.push((prefix.to_string(), "[]".into()));
                flatten(prefix, cur, out);
            }
            _ => out.push((prefix.to_string(), scalar(cur))),
        }
    }

    /// An empty container for path segment `next`: an array when it is an index.
    fn container_for(next: &str) -> Value {
        if next.parse::<usize>().is_ok() {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        }
    }

    /// Sets `path` (dot-separated; an array index may append one element) in `root` to `v`,
    /// creating the containers on the way.
    fn set(root: &mut Value, path: &str, v: Value) -> Result<(), ()> {
        let parts: Vec<&str> = path.split('.').collect();
        let mut node = root;
        for (i, part) in parts.iter().enumerate() {
            let next = parts.get(i + 1);
            node = match node {
                Value::Object(o) => match next {
                    None => {
                        o.insert(part.to_string(), v);
                        return Ok(());
                    }
                    Some(n) => o
                        .entry(part.to_string())
                        .or_insert_with(|| container_for(n)),
                },
                Value::Array(a) => {
                    let ix: usize = part.parse().map_err(|_| ())?;
                    if ix == a.len() {
                        a.push(next.map_or(Value::Null, |n| container_for(n)));
                    }
                    let slot = a.get_mut(ix).ok_or(())?;
                    if next.is_none() {
                        *slot = v;
                        return Ok(());
                    }
                    slot
                }
                _ => return Err(()),
            };
        }
        Err(())
    }

    /// `from` with `pairs` set into its tree, read back and checked by `valid`.
    pub(super) fn attempt<T: Serialize + DeserializeOwned>(
        from: &T,
        pairs: &[(String, String)],
        valid: impl Fn(&T) -> Result<(), Problem>,
    ) -> Result<T, Failure> {
        let mut value = to_value(from);
        for (path, raw) in pairs {
            set(&mut value, path, parse_scalar(raw))
                .map_err(|()| Failure::Unknown(path.clone()))?;
        }
        let next: T = deserialize_named(&value.to_string()).map_err(|detail| {
            Failure::Invalid(Problem::Unreadable {
                what: Input::Link,
                detail,
            })
        })?;
        valid(&next).map_err(Failure::Invalid)?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fields::diff_fields;
    use crate::engine::StopPolicy;

    #[test]
    fn the_state_pairs_kept_between_calls_give_the_same_link() {
        let mut s = Scenario::default();
        s.vm.memory_mib = 16384.0;
        let mut c = chapter_cluster(Some("cluster"));
        c.seed = 9;
        let link = Link {
            chapter: Some("cluster".into()),
            lang: Some(Lang::En),
            t: Some(1.5),
            speed: Some(2.0),
            scenario: Some(s.clone()),
            cluster: Some(c.clone()),
            ..Link::default()
        };
        let pairs = state_pairs(Some("cluster"), Some(&s), Some(&c));
        assert!(
            pairs.iter().any(|(k, v)| k == "c.seed" && v == "9"),
            "{pairs:?}"
        );
        let view = Link {
            scenario: None,
            cluster: None,
            ..link.clone()
        };
        assert_eq!(encode_with(&view, &pairs), encode(&link));
    }

    #[test]
    fn an_address_too_long_to_open_again_leaves_the_cluster_out() {
        let link = Link {
            chapter: Some("cluster".into()),
            lang: Some(Lang::En),
            t: Some(2.5),
            ..Link::default()
        };
        // A cluster of 40 VMs, each differing from the chapter's: its pairs run to kilobytes.
        let mut c = chapter_cluster(Some("cluster"));
        let vm = c.vms[0].clone();
        c.vms = (0..40)
            .map(|i| {
                let mut v = vm.clone();
                if i > 0 {
                    v.name = format!("vm-{i}");
                }
                v.memory_mib = 2048.0 + f64::from(i);
                v.working_set_mib = 512.0;
                v
            })
            .collect();
        let pairs = encode_pairs(&state_pairs(Some("cluster"), None, Some(&c)));
        let whole = encode_with_encoded(&link, &pairs);
        let short = encode_with_encoded(&link, "");
        assert!(whole.len() > short.len() + 1000, "{}", whole.len());
        // Just fitting, and one character over: the whole link, then the link without pairs.
        let fits = MAX_ADDRESS_CHARS - whole.len();
        assert_eq!(address_query(&link, &pairs, fits), (whole.clone(), true));
        assert_eq!(
            address_query(&link, &pairs, fits + 1),
            (short.clone(), false)
        );
        // The short link opens the same view on the chapter's own cluster.
        let opened = decode(&short).link;
        assert_eq!(opened.chapter.as_deref(), Some("cluster"));
        assert_eq!(opened.t, Some(2.5));
        assert_eq!(opened.cluster, None);
        let reopened = decode(&whole);
        assert_eq!(reopened.notices, vec![]);
        assert_eq!(reopened.link.cluster, Some(c));
    }

    #[test]
    fn a_changed_scenario_is_stored_as_its_differences() {
        let mut s = Scenario::default();
        s.vm.memory_mib = 16384.0;
        s.network.dedicated = true;
        let link = Link {
            chapter: Some("playground".into()),
            lang: Some(Lang::De),
            t: Some(3.25),
            scenario: Some(s.clone()),
            ..Link::default()
        };
        let q = encode(&link);
        assert!(q.contains("s.vm.memory_mib=16384"), "{q}");
        assert!(q.contains("s.network.dedicated=true"), "{q}");
        assert!(
            !q.contains("s.vm.dirty_rate"),
            "unchanged fields stay out: {q}"
        );
        let back = decode(&q);
        assert_eq!(back.notices, vec![]);
        assert_eq!(back.link, link);
    }

    #[test]
    fn strings_that_look_like_numbers_stay_strings() {
        use serde_json::Value;
        for s in ["42", "true", "null", "'x", "[]", "a b", "1e3", "Ünïcode"] {
            assert_eq!(
                tree::parse_scalar(&tree::scalar(&Value::String(s.into()))),
                Value::String(s.into())
            );
        }
    }

    /// Scenarios with random settings changed, each through its field's text.
    fn random_scenarios(n: usize) -> Vec<Scenario> {
        use rand_core::{RngCore, SeedableRng};
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(7);
        let values = [
            "0",
            "1",
            "2",
            "3",
            "0.5",
            "0.25",
            "64",
            "512",
            "4096",
            "16384",
            "1e3",
            "true",
            "false",
            "null",
            "{}",
            "random",
            "sequential",
            "hotcold",
            "tcp",
            "compression",
            "smb",
            "hyperv",
            "qemu",
            "xen",
            "none",
            "zlib",
            "zstd",
        ];
        (0..n)
            .map(|i| {
                let mut s = Scenario {
                    policy: [StopPolicy::hyperv(), StopPolicy::qemu(), StopPolicy::xen()][i % 3]
                        .clone(),
                    ..Scenario::default()
                };
                if rng.next_u32() % 2 == 0 {
                    let _ = s.set_field("policy.multifd", "{}");
                }
                for _ in 0..rng.next_u32() % 12 {
                    let fields = s.fields();
                    let (path, _) = fields[rng.next_u32() as usize % fields.len()];
                    let value = values[rng.next_u32() as usize % values.len()];
                    let _ = s.set_field(path, value);
                }
                s
            })
            .collect()
    }

    /// The scenario's fields are written as the difference of the two scenario files' JSON
    /// trees (how links were written before the fields had their own code, and how the
    /// cluster's still are), and both read back the same.
    #[test]
    fn scenario_fields_are_the_json_trees_difference() {
        let scenarios = random_scenarios(400);
        let mut kinds = std::collections::BTreeSet::new();
        for base in &scenarios[..20] {
            for cur in &scenarios {
                let mut by_tree = Vec::new();
                tree::diff(
                    "",
                    &tree::to_value(base),
                    &tree::to_value(cur),
                    &mut by_tree,
                );
                let by_tree: Vec<(String, String)> = by_tree
                    .into_iter()
                    .map(|(k, v)| (k[1..].to_string(), v))
                    .collect();
                assert_eq!(diff_fields(base, cur), by_tree, "{base:?} → {cur:?}");
                kinds.insert(cur.policy.name());
                let mut typed = base.clone();
                typed
                    .set_fields(by_tree.iter().map(|(p, v)| (p.as_str(), v.as_str())))
                    .unwrap();
                assert_eq!(&typed, cur);
                let read = tree::attempt(base, &by_tree, |_: &Scenario| Ok(()));
                assert!(matches!(read, Ok(ref s) if s == cur), "{by_tree:?}");
            }
        }
        assert_eq!(kinds.len(), 3, "every policy kind was tried");
        assert!(
            scenarios.iter().any(|s| matches!(
                s.policy,
                StopPolicy::Qemu {
                    multifd: Some(_),
                    ..
                }
            )),
            "multifd was tried"
        );
    }

    #[test]
    fn bad_parts_are_dropped_with_a_notice_and_the_rest_kept() {
        let d = decode(
            "?v=1&chapter=nope&lang=xx&s.vm.memory_mib=-5&s.network.link_gbps=25&t=abc&zzz=1",
        );
        let s = d.link.scenario.expect("the valid change is kept");
        assert_eq!(s.network.link_gbps, 25.0);
        assert_eq!(s.vm.memory_mib, Scenario::default().vm.memory_mib);
        assert_eq!(d.link.chapter, None);
        assert_eq!(d.link.lang, None);
        assert_eq!(d.link.t, None);
        assert_eq!(d.notices.len(), 5, "{:?}", d.notices);
        assert!(
            matches!(&d.notices[4], Notice::Invalid { key, .. } if key == "s.vm"),
            "{:?}",
            d.notices
        );
        let v = decode("v=7");
        assert_eq!(v.notices, vec![Notice::NewerVersion("7".into())]);
    }
}
