//! The guided chapters and the glossary, as data (`www/chapters.json`, `www/glossary.json`):
//! each chapter is a short text in English and German with its own preset scenario, the
//! controls and views it needs, the real settings it teaches and its sources. `build.rs` turns
//! the two files into the statics below, so the app carries no parser for them; this module
//! reads and checks them, and the browser shell renders them.
//!
//! The long texts (paragraphs, what to try, definitions) live in one file per language, which
//! the browser fetches for the reader's language only ([`text_file`], [`set_texts`]); until it
//! is there they read as `None`. Native builds compile both files in.

use crate::engine::fields::FieldError;
use crate::engine::scenario::Problem;
use crate::engine::{Scenario, ScenarioError};
use crate::text::Lang;

/// The views the lite bundle, the page's first load, carries: those of the first chapter,
/// which needs no chart library. The other chapters are shown by the full bundle; `www/boot.js`
/// loads it at once for a link to one of them (its `LITE_CHAPTERS` lists the others).
pub const LITE_VIEWS: [&str; 3] = ["stage", "memory", "result"];

/// The chapters that are free views rather than guided ones.
pub const FREE_VIEWS: [&str; 2] = ["playground", "cluster"];

/// A text in both languages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Text {
    pub en: &'static str,
    pub de: &'static str,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &'static str {
        lang.pick(self.en, self.de)
    }
}

/// A long text in both languages: its index in each language's text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongText {
    pub en: u16,
    pub de: u16,
}

impl LongText {
    /// The text, once the language's texts are loaded.
    pub fn get(&self, lang: Lang) -> Option<&'static str> {
        let i = usize::from(lang.pick(self.en, self.de));
        texts(lang).and_then(|t| t.get(i).copied())
    }
}

/// Consecutive texts of one language's text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: u16,
    pub len: u16,
}

impl Span {
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Paragraphs in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paragraphs {
    pub en: Span,
    pub de: Span,
}

impl Paragraphs {
    /// The paragraphs, once the language's texts are loaded.
    pub fn get(&self, lang: Lang) -> Option<&'static [&'static str]> {
        let span = lang.pick(self.en, self.de);
        let start = usize::from(span.start);
        texts(lang).and_then(|t| t.get(start..start + span.len()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Single,
    Cluster,
}

/// The id of a control, a view or a sweep parameter that a chapter names; compares equal to
/// the id as a `str`. (Not `Copy`, so that code written for the owned ids these once were,
/// `.clone()` included, reads the same.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(pub &'static str);

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

/// A sweep of one parameter for the sweep chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    pub param: Name,
    pub from: f64,
    pub to: f64,
}

/// Scenario settings as (path, value) text, as `Scenario::set_fields` takes them.
pub type Fields = &'static [(&'static str, &'static str)];

/// One configuration of a side-by-side comparison: a label and the fields that change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variant {
    pub label: Text,
    pub set: Fields,
}

/// A real setting a chapter teaches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Setting {
    /// A command line: the same in every language.
    Code(&'static str),
    /// Where a setting is or what it does, with the commands in it marked as `` `code` ``.
    Text(&'static str),
}

impl Paragraphs {
    /// The settings these texts hold (a command line after U+001D, else words), once the
    /// texts are loaded.
    pub fn settings(&self, lang: Lang) -> impl Iterator<Item = Setting> {
        self.get(lang)
            .unwrap_or_default()
            .iter()
            .map(|s| match s.strip_prefix('\u{1d}') {
                Some(code) => Setting::Code(code),
                None => Setting::Text(s),
            })
    }
}

/// A source: its title and address.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Source {
    pub title: &'static str,
    pub url: &'static str,
}

impl Paragraphs {
    /// The sources these texts hold ("title US url" each), once the texts are loaded.
    pub fn sources(&self, lang: Lang) -> impl Iterator<Item = Source> {
        self.get(lang).unwrap_or_default().iter().filter_map(|s| {
            let (title, url) = s.split_once('\u{1f}')?;
            Some(Source { title, url })
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chapter {
    pub id: &'static str,
    pub view: View,
    pub title: Text,
    pub body: Paragraphs,
    /// What to try (`"try"` in the file).
    pub try_this: Option<LongText>,
    /// The chapter's scenario as JSON (`None`: the reader's own one stays).
    pub scenario: Option<Fields>,
    pub cluster_preset: Option<usize>,
    pub controls: &'static [Name],
    pub views: &'static [Name],
    /// The controls an embed shows without `controls=` (at most two of `controls`).
    pub embed_controls: &'static [Name],
    /// The views an embed shows without `views=` (some of `views`).
    pub embed_views: &'static [Name],
    pub sweep: Option<Sweep>,
    pub compare: &'static [Variant],
    /// The real settings it teaches (`Paragraphs::settings`), fetched with the long texts.
    pub settings: Paragraphs,
    /// Its sources (`Paragraphs::sources`), fetched with the long texts.
    pub sources: Paragraphs,
}

impl Chapter {
    /// The chapter's scenario (the default one where it names none).
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        let mut s = Scenario::default();
        if let Some(fields) = self.scenario {
            set(&mut s, fields)?;
        }
        Ok(s)
    }

    /// Whether this is one of the free views (the playground and the cluster): one workspace,
    /// whose scenario and cluster stay as the reader left them when moving between the two.
    pub fn is_free(&self) -> bool {
        FREE_VIEWS.contains(&self.id)
    }

    /// Whether the lite bundle can show this chapter: a single VM in `LITE_VIEWS` only.
    pub fn lite(&self) -> bool {
        self.view == View::Single
            && !self.views.is_empty()
            && self.views.iter().all(|v| LITE_VIEWS.contains(&v.0))
    }

    /// Whether the control is shown.
    pub fn shows_control(&self, control: Control) -> bool {
        self.controls
            .iter()
            .any(|c| c.0 == Control::All.id() || c.0 == control.id())
    }

    /// Whether an embed of this chapter can show the control `id` (`controls=`): any control
    /// of the page (an embed may show one its chapter does not).
    pub fn offers_control(&self, id: &str) -> bool {
        Control::from_id(id).is_some_and(|c| c != Control::All)
    }

    /// Whether an embed of this chapter can show the view `id` (`views=`): a known view, and for
    /// the comparison and the sweep, one the chapter defines.
    pub fn offers_view(&self, id: &str) -> bool {
        VIEWS.contains(&id)
            && match id {
                "compare" => !self.compare.is_empty(),
                "sweep" => self.sweep.is_some() || self.id == "playground",
                _ => true,
            }
    }

    /// Whether the panel with this id is shown.
    pub fn shows_view(&self, id: &str) -> bool {
        self.views.iter().any(|v| v.0 == "*" || v.0 == id)
    }

    /// The scenario of comparison variant `i`: the chapter's with the variant's fields set.
    pub fn variant(&self, i: usize) -> Option<Result<Scenario, ScenarioError>> {
        match self.scenario() {
            Ok(base) => self.variant_of(&base, i),
            Err(e) => Some(Err(e)),
        }
    }

    /// Variant `i` applied to `base`: what the reader has set, with the variant's fields
    /// changed (another policy kind starts from that policy's defaults).
    pub fn variant_of(&self, base: &Scenario, i: usize) -> Option<Result<Scenario, ScenarioError>> {
        let v = self.compare.get(i)?;
        let mut s = base.clone();
        Some(set(&mut s, v.set).map(|()| s))
    }
}

/// `s` with `fields` set, checked.
fn set(s: &mut Scenario, fields: Fields) -> Result<(), ScenarioError> {
    s.set_fields(fields.iter().copied())
        .map_err(|(path, e)| ScenarioError {
            field: "scenario",
            problem: match e {
                FieldError::Unknown => Problem::In {
                    at: path.into(),
                    problem: Box::new(Problem::NoSuchSetting),
                },
                FieldError::Value(why) => why,
            },
        })?;
    s.validate()
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Term {
    pub id: &'static str,
    pub term: Text,
    pub definition: LongText,
}

include!(concat!(env!("OUT_DIR"), "/chapters.rs"));

/// Separates the texts in a language's text file (see build.rs).
const RS: char = '\u{1e}';

/// A language's long texts in file order, or None while they are not loaded (wasm only).
#[cfg(not(target_arch = "wasm32"))]
pub fn texts(lang: Lang) -> Option<&'static [&'static str]> {
    static SPLIT: std::sync::OnceLock<[Vec<&'static str>; 2]> = std::sync::OnceLock::new();
    let split = SPLIT.get_or_init(|| TEXT_BLOBS.map(|blob| blob.split(RS).collect()));
    Some(&split[lang.pick(0, 1)])
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    static LOADED: std::cell::Cell<[Option<&'static [&'static str]>; 2]> =
        const { std::cell::Cell::new([None, None]) };
}

/// A language's long texts in file order, or None while they are not loaded (wasm only).
#[cfg(target_arch = "wasm32")]
pub fn texts(lang: Lang) -> Option<&'static [&'static str]> {
    LOADED.with(|l| l.get()[lang.pick(0, 1)])
}

/// The bundle's file that holds `lang`'s long texts.
#[cfg(target_arch = "wasm32")]
pub fn text_file(lang: Lang) -> &'static str {
    TEXT_FILES[lang.pick(0, 1)]
}

/// Keeps `lang`'s text file as fetched, for as long as the page lives; false (and nothing
/// kept) when it does not hold the texts this build expects.
#[cfg(target_arch = "wasm32")]
pub fn set_texts(lang: Lang, file: String) -> bool {
    let i = lang.pick(0, 1);
    if file.split(RS).count() != TEXT_COUNTS[i] {
        return false;
    }
    let file: &'static str = Box::leak(file.into_boxed_str());
    let split: &'static [&'static str] = Box::leak(file.split(RS).collect());
    LOADED.with(|l| {
        let mut all = l.get();
        all[i] = Some(split);
        l.set(all);
    });
    true
}

/// How many long texts each language has (checked against a fetched file; a test checks the
/// compiled-in ones).
pub fn text_count(lang: Lang) -> usize {
    TEXT_COUNTS[lang.pick(0, 1)]
}

/// The chapters, in reading order. The file is part of the build and checked by tests.
pub fn chapters() -> &'static [Chapter] {
    CHAPTERS
}

/// The glossary, in file order.
pub fn glossary() -> &'static [Term] {
    GLOSSARY
}

/// The glossary in alphabetical order of its terms in `lang` (sorted when the app is built).
pub fn glossary_sorted(lang: Lang) -> impl Iterator<Item = &'static Term> {
    GLOSSARY_ORDER[lang.pick(0, 1)]
        .iter()
        .map(|&i| &GLOSSARY[usize::from(i)])
}

pub fn term(id: &str) -> Option<&'static Term> {
    glossary().iter().find(|t| t.id == id)
}

/// The index of the chapter with this id.
pub fn chapter_index(id: &str) -> Option<usize> {
    chapters().iter().position(|c| c.id == id)
}

/// A piece of chapter text: plain words, inline code, or a glossary term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Code(&'a str),
    /// A term's id and the words shown (the term's own name when the text gives none).
    Term(&'a str, Option<&'a str>),
}

/// Splits `[[id]]`, `[[id|shown words]]` and `` `code` `` out of a paragraph. Unclosed marks
/// stay plain text.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let term = rest.find("[[");
        let code = rest.find('`');
        let next = match (term, code) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => {
                out.push(Piece::Text(rest));
                break;
            }
        };
        if next > 0 {
            out.push(Piece::Text(&rest[..next]));
        }
        let at = &rest[next..];
        if let Some(inner) = at.strip_prefix("[[") {
            if let Some(end) = inner.find("]]") {
                let body = &inner[..end];
                let (id, shown) = match body.split_once('|') {
                    Some((id, shown)) => (id, Some(shown)),
                    None => (body, None),
                };
                out.push(Piece::Term(id.trim(), shown));
                rest = &inner[end + 2..];
                continue;
            }
        } else if let Some(inner) = at.strip_prefix('`') {
            if let Some(end) = inner.find('`') {
                out.push(Piece::Code(&inner[..end]));
                rest = &inner[end + 1..];
                continue;
            }
        }
        // An unclosed mark: the rest is plain text.
        out.push(Piece::Text(at));
        break;
    }
    out
}

/// The `` `code` `` pieces of a text, in order.
fn code(text: &str) -> Vec<&str> {
    pieces(text)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Code(c) => Some(c),
            _ => None,
        })
        .collect()
}

/// A control a chapter (or an embed's `controls=`) may show, by the id the chapter files, the
/// links and the page's elements use. `All` (`*`) shows every one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    All,
    Memory,
    WorkingSet,
    DirtyRate,
    Pattern,
    Free,
    Content,
    Link,
    Nics,
    Policy,
    PolicyParam,
    AutoConverge,
    MaxBandwidthChoice,
    MultifdChannels,
    MultifdCompression,
    LeverDedicated,
    LeverBuffers,
    LeverOption,
    LeverRdma,
    SmbLimit,
    Rtt,
    Window,
    Cores,
    Load,
    Seed,
    Host,
    Xbzrle,
    WriteSize,
    Postcopy,
    PostcopyPreempt,
}

/// The panel of the controls a control sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Vm,
    Network,
    Levers,
    More,
}

impl Control {
    pub const ALL: [Control; 30] = [
        Control::All,
        Control::Memory,
        Control::WorkingSet,
        Control::DirtyRate,
        Control::Pattern,
        Control::Free,
        Control::Content,
        Control::Link,
        Control::Nics,
        Control::Policy,
        Control::PolicyParam,
        Control::AutoConverge,
        Control::MaxBandwidthChoice,
        Control::MultifdChannels,
        Control::MultifdCompression,
        Control::LeverDedicated,
        Control::LeverBuffers,
        Control::LeverOption,
        Control::LeverRdma,
        Control::SmbLimit,
        Control::Rtt,
        Control::Window,
        Control::Cores,
        Control::Load,
        Control::Seed,
        Control::Host,
        Control::Xbzrle,
        Control::WriteSize,
        Control::Postcopy,
        Control::PostcopyPreempt,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Control::All => "*",
            Control::Memory => "memory",
            Control::WorkingSet => "working-set",
            Control::DirtyRate => "dirty-rate",
            Control::Pattern => "pattern",
            Control::Free => "free",
            Control::Content => "content",
            Control::Link => "link",
            Control::Nics => "nics",
            Control::Policy => "policy",
            Control::PolicyParam => "policy-param",
            Control::AutoConverge => "auto-converge",
            Control::MaxBandwidthChoice => "max-bandwidth-choice",
            Control::MultifdChannels => "multifd-channels",
            Control::MultifdCompression => "multifd-compression",
            Control::LeverDedicated => "lever-dedicated",
            Control::LeverBuffers => "lever-buffers",
            Control::LeverOption => "lever-option",
            Control::LeverRdma => "lever-rdma",
            Control::SmbLimit => "smb-limit",
            Control::Rtt => "rtt",
            Control::Window => "window",
            Control::Cores => "cores",
            Control::Load => "load",
            Control::Seed => "seed",
            Control::Host => "host",
            Control::Xbzrle => "xbzrle",
            Control::WriteSize => "write-size",
            Control::Postcopy => "postcopy",
            Control::PostcopyPreempt => "postcopy-preempt",
        }
    }

    pub fn from_id(id: &str) -> Option<Control> {
        Control::ALL.into_iter().find(|c| c.id() == id)
    }

    /// Where it sits (`None` for `All`).
    pub fn panel(self) -> Option<Panel> {
        match self {
            Control::All => None,
            Control::Memory => Some(Panel::Vm),
            Control::WorkingSet => Some(Panel::Vm),
            Control::DirtyRate => Some(Panel::Vm),
            Control::Pattern => Some(Panel::Vm),
            Control::Free => Some(Panel::Vm),
            Control::Content => Some(Panel::Vm),
            Control::Link => Some(Panel::Network),
            Control::Nics => Some(Panel::Network),
            Control::Policy => Some(Panel::Network),
            Control::PolicyParam => Some(Panel::Network),
            Control::AutoConverge => Some(Panel::Network),
            Control::MaxBandwidthChoice => Some(Panel::Network),
            Control::MultifdChannels => Some(Panel::Levers),
            Control::MultifdCompression => Some(Panel::Levers),
            Control::LeverDedicated => Some(Panel::Levers),
            Control::LeverBuffers => Some(Panel::Levers),
            Control::LeverOption => Some(Panel::Levers),
            Control::LeverRdma => Some(Panel::Levers),
            Control::SmbLimit => Some(Panel::More),
            Control::Rtt => Some(Panel::More),
            Control::Window => Some(Panel::More),
            Control::Cores => Some(Panel::More),
            Control::Load => Some(Panel::More),
            Control::Seed => Some(Panel::More),
            Control::Host => Some(Panel::Network),
            Control::Xbzrle => Some(Panel::Levers),
            Control::WriteSize => Some(Panel::Vm),
            Control::Postcopy => Some(Panel::Levers),
            Control::PostcopyPreempt => Some(Panel::Levers),
        }
    }
}

/// Panel ids a chapter may name.
pub const VIEWS: &[&str] = &[
    "*", "stage", "memory", "link", "passes", "result", "blackout", "sweep", "compare", "spread",
    "cluster", "lab", "levers",
];

/// Parameters a chapter's sweep (and the JS API's) may vary, by name; their rules are the
/// model's (`model::study::sweep_param`).
pub const SWEEP_PARAMS: [&str; 4] = ["link-gbps", "dirty-rate-mibps", "memory-mib", "buffers"];

/// Everything wrong with the chapter and glossary files, as sentences (empty when all is well).
pub fn problems() -> Vec<String> {
    // The files' shape is checked by build.rs; this checks what they say.
    let mut out = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for t in glossary() {
        if !ids.insert(t.id) {
            out.push(format!("glossary: term {} twice", t.id));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for c in chapters() {
        let at = format!("chapter {}", c.id);
        let names = |v: &str| c.views.iter().any(|x| x == v);
        if !seen.insert(c.id) {
            out.push(format!("{at}: id used twice"));
        }
        if c.body.en.len() != c.body.de.len() {
            out.push(format!(
                "{at}: English and German have different paragraph counts"
            ));
        }
        let long = |lang| {
            let body = c.body.get(lang).unwrap_or_default().iter().copied();
            body.chain(c.try_this.and_then(|t| t.get(lang)))
        };
        for p in long(Lang::En).chain(long(Lang::De)) {
            for piece in pieces(p) {
                if let Piece::Term(id, _) = piece {
                    if term(id).is_none() {
                        out.push(format!("{at}: unknown glossary term {id}"));
                    }
                }
            }
        }
        for id in c.controls {
            if Control::from_id(id.0).is_none() {
                out.push(format!("{at}: unknown control {}", id.0));
            }
        }
        for id in c.views {
            if !VIEWS.contains(&id.0) {
                out.push(format!("{at}: unknown view {}", id.0));
            }
        }
        match c.view {
            View::Single => {
                if let Err(e) = c.scenario() {
                    out.push(format!("{at}: scenario: {e}"));
                }
                for i in 0..c.compare.len() {
                    if let Some(Err(e)) = c.variant(i) {
                        out.push(format!("{at}: comparison {i}: {e}"));
                    }
                }
            }
            View::Cluster => {
                if c.cluster_preset.is_none_or(|p| p >= 3) {
                    out.push(format!("{at}: a cluster chapter names preset 0, 1 or 2"));
                }
            }
        }
        if names("sweep") && c.sweep.is_none() {
            out.push(format!("{at}: the sweep view needs a sweep"));
        }
        if let Some(s) = &c.sweep {
            let known = SWEEP_PARAMS.contains(&s.param.0);
            let range = s.from.is_finite() && s.to.is_finite() && s.from < s.to;
            if !(known && range) {
                out.push(format!(
                    "{at}: sweep {} from {} to {}",
                    s.param.0, s.from, s.to
                ));
            }
        }
        let settings = |lang| c.settings.settings(lang).collect::<Vec<_>>();
        for (en, de) in settings(Lang::En).into_iter().zip(settings(Lang::De)) {
            if let (Setting::Text(en), Setting::Text(de)) = (en, de) {
                if code(en) != code(de) {
                    out.push(format!(
                        "{at}: the setting “{en}” names other commands in German"
                    ));
                }
            }
        }
        if names("compare") && !(2..=5).contains(&c.compare.len()) {
            out.push(format!("{at}: a comparison has 2 to 5 configurations"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_split_into_terms_and_code() {
        assert_eq!(
            pieces("A [[pass]] sends `Set-VMHost` and [[dirty-page|dirty pages]]."),
            vec![
                Piece::Text("A "),
                Piece::Term("pass", None),
                Piece::Text(" sends "),
                Piece::Code("Set-VMHost"),
                Piece::Text(" and "),
                Piece::Term("dirty-page", Some("dirty pages")),
                Piece::Text("."),
            ]
        );
        assert_eq!(
            pieces("open [[pass"),
            vec![Piece::Text("open "), Piece::Text("[[pass")]
        );
        assert_eq!(pieces(""), Vec::<Piece>::new());
    }

    /// The chapters' scenarios and comparisons, compiled to fields, give what the chapter
    /// file's JSON gives when read as a scenario file (a comparison's fields set over the
    /// chapter's: a policy of another kind replaced whole).
    #[test]
    fn chapter_fields_are_the_chapter_files_scenarios() {
        use serde_json::Value;
        fn merge(base: &mut Value, patch: &Value) {
            match (base, patch) {
                (Value::Object(b), Value::Object(p))
                    if p.get("kind").is_none() || p.get("kind") == b.get("kind") =>
                {
                    for (k, v) in p {
                        merge(b.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
                (b, p) => *b = p.clone(),
            }
        }
        let file: Value = serde_json::from_str(include_str!("../www/chapters.json")).unwrap();
        let mut compared = 0;
        for (c, json) in chapters().iter().zip(file["chapters"].as_array().unwrap()) {
            let base = json
                .get("scenario")
                .cloned()
                .unwrap_or(serde_json::json!({}));
            assert_eq!(c.scenario(), Scenario::from_value(base.clone()), "{}", c.id);
            for (i, v) in json["compare"].as_array().into_iter().flatten().enumerate() {
                let mut merged = base.clone();
                merge(&mut merged, &v["set"]);
                assert_eq!(
                    c.variant(i),
                    Some(Scenario::from_value(merged)),
                    "{} {i}",
                    c.id
                );
                compared += 1;
            }
        }
        assert!(compared >= 8, "{compared} comparisons");
    }

    /// The boot script loads the lite bundle for exactly the chapters it can show.
    #[test]
    fn the_boot_script_knows_the_lite_chapters() {
        let boot = include_str!("../www/boot.js");
        let line = boot
            .lines()
            .find(|l| l.starts_with("const LITE_CHAPTERS = "))
            .expect("boot.js names the lite chapters");
        let lite: Vec<String> = chapters()
            .iter()
            .filter(|c| c.lite())
            .map(|c| format!("'{}'", c.id))
            .collect();
        assert_eq!(
            line,
            format!("const LITE_CHAPTERS = [{}];", lite.join(", "))
        );
        let views: Vec<String> = LITE_VIEWS.iter().map(|v| format!("'{v}'")).collect();
        assert!(
            boot.contains(&format!("const LITE_VIEWS = [{}];", views.join(", "))),
            "boot.js names the lite views"
        );
        assert!(chapters()[0].lite(), "the first chapter is the first load");
    }

    #[test]
    fn the_chapter_and_glossary_files_are_complete_and_consistent() {
        assert_eq!(problems(), Vec::<String>::new());
        assert!(chapters().len() >= 10, "{} chapters", chapters().len());
        assert!(glossary().len() >= 20, "{} terms", glossary().len());
        for id in ["playground", "cluster"] {
            assert!(chapter_index(id).is_some(), "the free {id} is a chapter");
        }
        // Every chapter speaks both languages and every term is defined in both.
        for c in chapters() {
            assert!(!c.title.en.is_empty() && !c.title.de.is_empty(), "{}", c.id);
            assert_ne!(c.title.en, c.title.de, "{}: untranslated title", c.id);
        }
        for t in glossary() {
            assert_ne!(
                t.definition.get(Lang::En),
                t.definition.get(Lang::De),
                "{}: untranslated",
                t.id
            );
        }
        // Each language's file holds as many texts as the statics expect.
        for lang in Lang::ALL {
            assert_eq!(texts(lang).map(<[_]>::len), Some(text_count(lang)));
        }
    }
}
