//! The pieces of the static bundle that are plain text work: content hashes for file names,
//! the JS and CSS minifier (esbuild), gzip (flate2), and the checks that keep the page loadable
//! under a strict Content Security Policy.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A short content hash for a file name (`app.3f9c2a7d51e0.js`): FNV-1a over the bytes, 48 bits
/// in hex. It only has to change when the content does; nothing relies on it being secret.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{:012x}", h >> 16)
}

/// `stem.HASH.ext` for `content`.
pub fn hashed_name(stem: &str, ext: &str, content: &[u8]) -> String {
    format!("{stem}.{}.{ext}", content_hash(content))
}

/// `bytes` gzipped at the best level, with no name or time in the header, so the output is
/// reproducible.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).expect("writing to memory cannot fail");
    gz.finish().expect("writing to memory cannot fail")
}

/// What `wasm-opt --minify-imports-and-exports` prints: `[module, old, new]` per import and
/// `[old, new]` per export.
#[derive(serde::Deserialize)]
struct Mapping {
    imports: Vec<Vec<String>>,
    exports: Vec<Vec<String>>,
}

/// The JS glue with the wasm's imports and exports renamed as `mapping` (the JSON that
/// `wasm-opt --minify-imports-and-exports` prints) says: an import is the key of a function in
/// the imports object, an export is read as `wasm.NAME` (some, such as the abort handler, are
/// not read at all). Err when an import is not where expected or an old export name is left
/// anywhere, so a changed glue cannot go out half renamed.
pub fn rename_wasm_names(glue: &str, mapping: &str, new_module: &str) -> Result<String, String> {
    let mapping: Mapping =
        serde_json::from_str(mapping).map_err(|e| format!("wasm-opt's mapping: {e}"))?;
    let mut out = glue.to_string();
    let mut old_module = None;
    for entry in &mapping.imports {
        let [module, old, new] = entry.as_slice() else {
            return Err(format!("unexpected import entry {entry:?}"));
        };
        if *old_module.get_or_insert(module) != module {
            return Err("the wasm imports from more than one module".into());
        }
        let (renamed, n) = replace_token(&out, &format!("{old}:"), &format!("{new}:"));
        if n == 0 {
            return Err(format!("the import `{old}` is not in the JS glue"));
        }
        out = renamed;
    }
    if let Some(old) = old_module {
        // The imports object: `"./app_bg.js": import0`.
        let (renamed, n) =
            replace_token(&out, &format!("\"{old}\":"), &format!("\"{new_module}\":"));
        if n != 1 {
            return Err(format!(
                "the module \"{old}\" is named {n} times in the JS glue"
            ));
        }
        out = renamed;
    }
    for entry in &mapping.exports {
        let [old, new] = entry.as_slice() else {
            return Err(format!("unexpected export entry {entry:?}"));
        };
        out = replace_token(&out, &format!("wasm.{old}"), &format!("wasm.{new}")).0;
        // Any other property access or string naming it would now miss.
        let elsewhere = [format!(".{old}"), format!("'{old}'"), format!("\"{old}\"")];
        if elsewhere.iter().any(|s| replace_token(&out, s, s).1 > 0) {
            return Err(format!(
                "the JS glue uses the export `{old}` other than as wasm.{old}"
            ));
        }
    }
    Ok(out)
}

/// The module name of a wasm binary's first import, or None when it has none (or is not wasm).
pub fn wasm_import_module(wasm: &[u8]) -> Option<String> {
    fn leb(bytes: &[u8], at: &mut usize) -> Option<usize> {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let byte = *bytes.get(*at)?;
            *at += 1;
            value |= usize::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Some(value);
            }
            shift += 7;
        }
    }
    let mut at = 8; // magic and version
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = leb(wasm, &mut at)?;
        if id == 2 {
            let mut p = at;
            if leb(wasm, &mut p)? == 0 {
                return None;
            }
            let len = leb(wasm, &mut p)?;
            return String::from_utf8(wasm.get(p..p + len)?.to_vec()).ok();
        }
        at += size;
    }
    None
}

/// Replaces every `from` in `text` that is not part of a longer name, and counts them.
fn replace_token(text: &str, from: &str, to: &str) -> (String, usize) {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut found = 0;
    while let Some(at) = rest.find(from) {
        out.push_str(&rest[..at]);
        let before = out.chars().next_back();
        let after = rest[at + from.len()..].chars().next();
        // A boundary matters only where `from` itself starts or ends with a name character.
        let glued_before = from.starts_with(ident) && before.is_some_and(ident);
        let glued_after = from.ends_with(ident) && after.is_some_and(ident);
        let whole = !glued_before && !glued_after;
        out.push_str(if whole { to } else { from });
        found += usize::from(whole);
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest);
    (out, found)
}

/// The rule of www/style.css that holds the dark theme's colours, for a reader who chose it.
const CHOSEN_DARK: &str = ":is(.lab[data-theme=dark], :root:has(.lab[data-theme=dark])) {";
/// Where the rule for a system set to dark takes the same declarations.
const DARK_MARKER: &str =
    "/* dark-theme: the build writes the chosen dark theme's declarations here */";

/// The stylesheet with its dark theme in both rules: the declarations of the rule for a chosen
/// dark theme replace the marker in the rule for a system set to dark, so www/style.css writes
/// each dark colour once. Err when either is not there exactly once.
pub fn expand_dark_theme(css: &str) -> Result<String, String> {
    if css.matches(CHOSEN_DARK).count() != 1 || css.matches(DARK_MARKER).count() != 1 {
        return Err("www/style.css needs one chosen-dark rule and one dark-theme marker".into());
    }
    let start = css.find(CHOSEN_DARK).expect("counted") + CHOSEN_DARK.len();
    let end = start
        + css[start..]
            .find('}')
            .ok_or("the chosen-dark rule of www/style.css is not closed")?;
    let declarations = css[start..end].trim();
    Ok(css.replacen(DARK_MARKER, declarations, 1))
}

/// The widget's root in a host page: the `.lab` element the app renders, and the panel that
/// replaces it after a panic.
const WIDGET_ROOTS: &str = ".lab, .fatal-panel";
/// Selectors that already name the widget's root or the panel that replaces it keep their
/// meaning in a host page.
const OWN_LEADS: &[&str] = &[".lab", ".fatal-panel"];
/// What stands for the root font size inside the widget: `rem` is the host page's (mdBook
/// sets 62.5 %), so the widget's root takes the browser's default size and passes it down.
const WIDGET_REM: &str = "--lab-rem";

/// www/style.css made fit for another page (`migration-lab.css`, for the JavaScript API and
/// the `<migration-lab>` element): every rule applies inside the widget only, with the
/// specificity it had, so the page's own elements keep their look and the widget's rules keep
/// their order. The light colours that `:root` holds go to the widget's root; the rules for the
/// page (`html`, `body`, `main`) and the page's share of the dark theme (`:root:has(…)`) go;
/// other selectors are prefixed with `:where(.lab)`; lengths in `rem` become the widget's own.
/// Err on a stylesheet it cannot read (an unclosed block or comment).
pub fn scope_to_widget(css: &str) -> Result<String, String> {
    let mut out = format!(
        "@property {WIDGET_REM} {{ syntax: \"<length>\"; inherits: true; initial-value: 16px; }}\n"
    );
    scope_rules(css, &mut out)?;
    Ok(out)
}

/// Appends `css` (a list of rules and at-rules) scoped to the widget to `out`.
fn scope_rules(css: &str, out: &mut String) -> Result<(), String> {
    let mut rest = css;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Ok(());
        }
        if let Some(after) = rest.strip_prefix("/*") {
            let end = after.find("*/").ok_or("an unclosed comment")?;
            rest = &after[end + 2..];
            continue;
        }
        let open = rest.find(['{', ';']).ok_or("a rule without a block")?;
        let prelude = rest[..open].trim();
        if rest.as_bytes()[open] == b';' {
            // @import, @charset: as they are.
            out.push_str(&rest[..=open]);
            out.push('\n');
            rest = &rest[open + 1..];
            continue;
        }
        let close = open + closing_brace(&rest[open..]).ok_or("an unclosed block")?;
        let body = &rest[open + 1..close];
        if ["@media", "@supports", "@container", "@layer"]
            .iter()
            .any(|at| prelude.starts_with(at))
        {
            out.push_str(prelude);
            out.push_str(" {\n");
            scope_rules(body, out)?;
            out.push_str("}\n");
        } else if prelude.starts_with('@') {
            out.push_str(&rest[..=close]);
            out.push('\n');
        } else {
            let root = prelude == ":root";
            let selectors = scope_selectors(prelude);
            if !selectors.is_empty() {
                out.push_str(&selectors.join(", "));
                out.push_str(" {");
                if root {
                    out.push_str(&format!(" font-size: medium; {WIDGET_REM}: 1em;"));
                }
                out.push_str(&widget_rem(body));
                out.push_str("}\n");
            }
        }
        rest = &rest[close + 1..];
    }
}

/// The index in `block` (which starts with `{`) of the `}` that closes it.
fn closing_brace(block: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in block.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `list` split at its commas outside parentheses and brackets, each part trimmed.
fn split_selectors(list: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in list.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(list[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}

/// A selector list confined to the widget (see `scope_to_widget`); empty when none of it
/// applies there.
fn scope_selectors(list: &str) -> Vec<String> {
    let mut scoped = Vec::new();
    for selector in split_selectors(list) {
        let starts_with_name = |name: &str| {
            selector.strip_prefix(name).is_some_and(|after| {
                name.ends_with('-')
                    || !after
                        .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
        };
        if selector == ":root" {
            scoped.push(WIDGET_ROOTS.to_string());
        } else if let Some(inner) = selector
            .strip_prefix(":is(")
            .and_then(|s| s.strip_suffix(')'))
            .filter(|inner| closing_paren_is_last(inner))
        {
            let inner = scope_selectors(inner);
            match inner.as_slice() {
                [] => {}
                [one] => scoped.push(one.clone()),
                _ => scoped.push(format!(":is({})", inner.join(", "))),
            }
        } else if selector.starts_with(":root")
            || ["html", "body", "main"].into_iter().any(starts_with_name)
        {
            // The page's, not the widget's.
        } else if selector == "*" {
            scoped.push(":where(.lab), :where(.lab) *".to_string());
        } else if OWN_LEADS.iter().any(|lead| starts_with_name(lead)) {
            scoped.push(selector.to_string());
        } else {
            scoped.push(format!(":where(.lab) {selector}"));
        }
    }
    scoped
}

/// Whether `inner` (the inside of `:is(…)`) has balanced parentheses, so that the `)` after it
/// closes the `:is(`.
fn closing_paren_is_last(inner: &str) -> bool {
    let mut depth = 0i32;
    for c in inner.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

/// Declarations with each length in `rem` (`0.85rem`) as a multiple of the widget's own root
/// font size.
fn widget_rem(declarations: &str) -> String {
    let mut out = String::with_capacity(declarations.len());
    let mut rest = declarations;
    while let Some(at) = rest.find("rem") {
        let before = &rest[..at];
        let number_start = before
            .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
            .map_or(0, |i| i + 1);
        let number = &before[number_start..];
        let glued_before = before[..number_start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let glued_after = rest[at + 3..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        out.push_str(&before[..number_start]);
        if number.parse::<f64>().is_ok() && !glued_before && !glued_after {
            out.push_str(&format!("calc({number} * var({WIDGET_REM}))"));
        } else {
            out.push_str(number);
            out.push_str("rem");
        }
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    out
}

/// What a minifier reads: the bundle's JavaScript or its stylesheet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Loader {
    Js,
    Css,
}

/// esbuild (npm, in tests/e2e/node_modules) as the bundle's minifier; without it the files go
/// out as written.
pub struct Minifier {
    pub esbuild: Option<PathBuf>,
}

impl Minifier {
    /// `src` minified: whitespace, comments and what else esbuild's `--minify` drops in a
    /// transform (no bundling, the module format kept).
    pub fn minify(&self, src: &str, loader: Loader) -> Result<String, String> {
        let Some(esbuild) = &self.esbuild else {
            return Ok(src.to_string());
        };
        let loader = match loader {
            Loader::Js => "--loader=js",
            Loader::Css => "--loader=css",
        };
        let mut child = Command::new(esbuild)
            .args(["--minify", loader, "--log-level=error"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", esbuild.display()))?;
        let mut stdin = child.stdin.take().ok_or("esbuild has no stdin")?;
        let input = src.to_string();
        // Write from another thread so a full stdout pipe cannot deadlock us.
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        let _ = writer.join();
        if !out.status.success() {
            return Err(format!(
                "esbuild --minify {loader} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        String::from_utf8(out.stdout).map_err(|e| e.to_string())
    }
}

/// Why `html` would not run under `script-src 'self'; style-src 'self'`, or would fetch from
/// another host: inline scripts and event handlers, inline styles, absolute URLs in `src` or
/// `href`. Empty when it is fine.
pub fn csp_problems(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut problems = Vec::new();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("<script") {
        let tag_end = rest[at..].find('>').map_or(rest.len(), |e| at + e);
        let tag = &rest[at..tag_end];
        let body_end = rest[tag_end..]
            .find("</script")
            .map_or(rest.len(), |e| tag_end + e);
        if !tag.contains(" src=") || !rest[tag_end + 1..body_end].trim().is_empty() {
            problems.push(format!("an inline script: `{}>`", tag.trim()));
        }
        rest = &rest[body_end..];
    }
    if let Some(at) = lower.find("<style") {
        problems.push(format!(
            "a <style> element at byte {at} (use the stylesheet)"
        ));
    }
    for attr in [" style=", " onload=", " onerror=", " onclick="] {
        if lower.contains(attr) {
            problems.push(format!("an inline `{}` attribute", attr.trim()));
        }
    }
    for attr in ["src=", "href="] {
        for quote in ['"', '\''] {
            for scheme in ["http:", "https:", "//"] {
                if lower.contains(&format!("{attr}{quote}{scheme}")) {
                    problems.push(format!("a `{attr}` naming another host ({scheme})"));
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_stable_short_and_content_dependent() {
        assert_eq!(content_hash(b"").len(), 12);
        assert_eq!(content_hash(b"abc"), content_hash(b"abc"));
        assert_ne!(content_hash(b"abc"), content_hash(b"abd"));
        assert_eq!(
            hashed_name("app", "js", b"x"),
            format!("app.{}.js", content_hash(b"x"))
        );
    }

    #[test]
    fn without_esbuild_files_go_out_as_written_and_a_failing_one_is_an_error() {
        let none = Minifier { esbuild: None };
        assert_eq!(none.minify("a  =  1;\n", Loader::Js).unwrap(), "a  =  1;\n");
        let broken = Minifier {
            esbuild: Some(PathBuf::from("false")),
        };
        let err = broken.minify("p{}", Loader::Css).unwrap_err();
        assert!(err.contains("--loader=css"), "{err}");
    }

    #[test]
    fn the_dark_theme_is_written_once_and_copied_for_a_dark_system() {
        let css = format!(
            "a {{}}\n{CHOSEN_DARK}\n  --bg: #000;\n  --ink: #fff;\n}}\n\
             @media (prefers-color-scheme: dark) {{\n  .x {{\n    {DARK_MARKER}\n  }}\n}}\n"
        );
        let out = expand_dark_theme(&css).unwrap();
        assert!(!out.contains(DARK_MARKER));
        assert_eq!(out.matches("--bg: #000;").count(), 2);
        assert!(
            out.contains(".x {\n    --bg: #000;\n  --ink: #fff;\n  }"),
            "{out}"
        );
        assert!(expand_dark_theme("a {}").is_err());
        // The real stylesheet expands, and both rules then hold the same colours.
        let real =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../www/style.css"))
                .unwrap();
        let out = expand_dark_theme(&real).unwrap();
        assert_eq!(out.matches("--bg: #0f1318;").count(), 2);
    }

    #[test]
    fn wasm_names_are_renamed_in_the_glue() {
        let glue = "const import0 = {\n__wbg_now_1a: function() { return Date.now(); },\n\
                    __wbg_now_1ab: function() {},\n};\nreturn { \"./app_bg.js\": import0 };\n\
                    wasm.start();\nwasm.__wbindgen_malloc(1);\nwasm.__wbindgen_malloc_x(2);\n";
        let mapping = "{\n \"imports\": [\n  [\"./app_bg.js\", \"__wbg_now_1a\", \"a\"],\n  \
                       [\"./app_bg.js\", \"__wbg_now_1ab\", \"b\"]\n ],\n\"exports\": [\n  \
                       [\"start\", \"c\"],\n  [\"__wbindgen_malloc\", \"d\"]\n ]\n}\n";
        assert_eq!(
            rename_wasm_names(glue, mapping, "m").unwrap(),
            "const import0 = {\na: function() { return Date.now(); },\nb: function() {},\n};\n\
             return { \"m\": import0 };\nwasm.c();\nwasm.d(1);\nwasm.__wbindgen_malloc_x(2);\n"
        );
        let missing =
            "{\"imports\": [[\"./app_bg.js\", \"__wbg_gone_9\", \"e\"]], \"exports\": []}";
        assert!(rename_wasm_names(glue, missing, "m").is_err());
        let two_modules = "{\"imports\": [[\"./app_bg.js\", \"__wbg_now_1a\", \"a\"], \
                           [\"env\", \"__wbg_now_1ab\", \"b\"]], \"exports\": []}";
        assert!(rename_wasm_names(glue, two_modules, "m").is_err());
        let unread = "{\"imports\": [], \"exports\": [[\"__abort_handler\", \"f\"]]}";
        assert_eq!(rename_wasm_names(glue, unread, "m").unwrap(), glue);
        let other_use = "{\"imports\": [], \"exports\": [[\"start\", \"f\"]]}";
        assert!(rename_wasm_names("wasm.start(); exports.start;", other_use, "m").is_err());
        assert_eq!(
            rename_wasm_names("function start() { wasm.start(); }", other_use, "m").unwrap(),
            "function start() { wasm.f(); }"
        );
    }

    #[test]
    fn reads_the_import_module_of_a_wasm() {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend([1, 4, 1, 0x60, 0, 0]); // a type section: one () -> ()
        wasm.extend([2, 7, 1, 1, b'a', 2, b'f', b'n', 0, 0]); // import "a" "fn"
        assert_eq!(wasm_import_module(&wasm).as_deref(), Some("a"));
        assert_eq!(wasm_import_module(b"\0asm\x01\0\0\0"), None);
    }

    #[test]
    fn csp_checks_find_inline_code_and_other_hosts() {
        assert!(csp_problems(
            "<script type=\"module\" src=\"boot.1.js\"></script><link href=\"style.css\">"
        )
        .is_empty());
        assert_eq!(
            csp_problems("<script type=\"module\">init()</script>").len(),
            1
        );
        assert_eq!(csp_problems("<p style=\"color:red\">").len(), 1);
        assert_eq!(
            csp_problems("<link href=\"https://cdn.example/x.css\">").len(),
            1
        );
    }

    #[test]
    fn confines_the_stylesheet_to_the_widget() {
        let css = "/* colours */\n:root {\n  --bg: #fff;\n  background: var(--bg);\n}\n\
            :is(.lab[data-theme=dark], :root:has(.lab[data-theme=dark])) { --bg: #000; }\n\
            @media (prefers-color-scheme: dark) {\n  :is(.lab:not([data-theme=light]), :root:not(:has(.lab[data-theme=light]))) { --bg: #000; }\n}\n\
            * { box-sizing: border-box; }\nbody { margin: 0; }\nmain, .panel { padding: 16px; }\n\
            .lab { color: red; }\n.lab.embedded, .lab-head h1 { font-size: 1.6rem; }\n\
            button:focus-visible, a.term { outline: 0; }\n\
            @media (max-width: 40rem) { .layout { gap: 0.5rem; } }\n\
            @container (max-width: 30em) { .timeline { gap: 0; } }\n\
            .caption { margin: 1rem 0; }\n\
            .fatal-panel a { color: inherit; }\n.remark { content: \"remove 2rem-ish\"; }\n";
        let scoped = scope_to_widget(css).unwrap();
        let expected = "@property --lab-rem { syntax: \"<length>\"; inherits: true; initial-value: 16px; }\n\
            .lab, .fatal-panel { font-size: medium; --lab-rem: 1em;\n  --bg: #fff;\n  background: var(--bg);\n}\n\
            .lab[data-theme=dark] { --bg: #000; }\n\
            @media (prefers-color-scheme: dark) {\n.lab:not([data-theme=light]) { --bg: #000; }\n}\n\
            :where(.lab), :where(.lab) * { box-sizing: border-box; }\n\
            :where(.lab) .panel { padding: 16px; }\n\
            .lab { color: red; }\n\
            .lab.embedded, :where(.lab) .lab-head h1 { font-size: calc(1.6 * var(--lab-rem)); }\n\
            :where(.lab) button:focus-visible, :where(.lab) a.term { outline: 0; }\n\
            @media (max-width: 40rem) {\n:where(.lab) .layout { gap: calc(0.5 * var(--lab-rem)); }\n}\n\
            @container (max-width: 30em) {\n:where(.lab) .timeline { gap: 0; }\n}\n\
            :where(.lab) .caption { margin: calc(1 * var(--lab-rem)) 0; }\n\
            .fatal-panel a { color: inherit; }\n\
            :where(.lab) .remark { content: \"remove 2rem-ish\"; }\n";
        assert_eq!(scoped, expected);
        assert!(scope_to_widget(".a { color: red;").is_err());
        assert!(scope_to_widget("/* open").is_err());
    }

    #[test]
    fn the_real_stylesheet_is_confined_to_the_widget() {
        let css = include_str!("../../www/style.css");
        let scoped = scope_to_widget(&expand_dark_theme(css).unwrap()).unwrap();
        for page_wide in [":root", "\nbody", "\nmain", "\n* ", "\nbutton"] {
            assert!(
                !scoped.contains(page_wide),
                "{page_wide:?} is left in the host-page stylesheet"
            );
        }
        assert!(scoped.contains(".lab[data-theme=dark] {"));
        assert!(
            !scoped.contains("rem;"),
            "a length in the page's rem is left"
        );
    }
}
