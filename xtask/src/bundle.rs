//! The pieces of the static bundle that are plain text work: content hashes for file names,
//! a whitespace-and-comment minifier for the JS and the CSS, gzip, and the checks that keep
//! the page loadable under a strict Content Security Policy.

use std::io::Write;
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

/// `gzip -9 -n` of `bytes` (no name or time in the header, so the output is reproducible), or
/// None when gzip cannot run.
pub fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut child = Command::new("gzip")
        .args(["-9", "-n", "-c"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = bytes.to_vec();
    // Write from another thread so a full stdout pipe cannot deadlock us.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    output.status.success().then_some(output.stdout)
}

/// The JS glue with the wasm's imports and exports renamed as `mapping` (the JSON that
/// `wasm-opt --minify-imports-and-exports` prints) says: an import is the key of a function in
/// the imports object, an export is read as `wasm.NAME` (some, such as the abort handler, are
/// not read at all). Err when an import is not where expected or an old export name is left
/// anywhere, so a changed glue cannot go out half renamed.
pub fn rename_wasm_names(glue: &str, mapping: &str, new_module: &str) -> Result<String, String> {
    let (imports, exports) = mapping
        .split_once("\"exports\"")
        .ok_or("no \"exports\" in wasm-opt's mapping")?;
    let mut out = glue.to_string();
    let mut old_module = None;
    for entry in string_lists(imports) {
        let [module, old, new] = entry.as_slice() else {
            return Err(format!("unexpected import entry {entry:?}"));
        };
        if *old_module.get_or_insert(*module) != *module {
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
    for entry in string_lists(exports) {
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

/// The lists of strings in a JSON text (`["a", "b"]` → `["a", "b"]`), in order; strings without
/// escapes only, which is all wasm-opt's mapping holds.
fn string_lists(json: &str) -> Vec<Vec<&str>> {
    let mut lists = Vec::new();
    for part in json.split('[').skip(1) {
        let body = part.split(']').next().unwrap_or_default();
        let strings: Vec<&str> = body.split('"').skip(1).step_by(2).collect();
        if !strings.is_empty() {
            lists.push(strings);
        }
    }
    lists
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

/// What the JS minifier is reading.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Js {
    Code,
    Str(char),
    Template,
    Regex { in_class: bool },
    LineComment,
    BlockComment { newline: bool },
}

/// Removes comments, indentation, trailing spaces and blank lines from JavaScript, and nothing
/// else: line breaks stay where they were (so automatic semicolon insertion reads the code the
/// same), and strings, template literals and regular expressions are copied untouched.
pub fn minify_js(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut state = Js::Code;
    // The last character of code written (not whitespace), to tell a regex from a division.
    let mut last = '\n';
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match state {
            Js::Code => match c {
                '/' if next == Some('/') => {
                    state = Js::LineComment;
                    i += 1;
                }
                '/' if next == Some('*') => {
                    state = Js::BlockComment { newline: false };
                    i += 1;
                }
                '\n' => newline(&mut out),
                ' ' | '\t' | '\r' => {
                    if !out.is_empty() && !out.ends_with(['\n', ' ']) {
                        out.push(' ');
                    }
                }
                _ => {
                    match c {
                        '\'' | '"' => state = Js::Str(c),
                        '`' => state = Js::Template,
                        '/' if regex_may_follow(last, &out) => {
                            state = Js::Regex { in_class: false }
                        }
                        _ => {}
                    }
                    out.push(c);
                    last = c;
                }
            },
            Js::Str(quote) => {
                out.push(c);
                if c == '\\' {
                    if let Some(n) = next {
                        out.push(n);
                        i += 1;
                    }
                } else if c == quote || c == '\n' {
                    state = Js::Code;
                    last = c;
                }
            }
            Js::Template => {
                out.push(c);
                if c == '\\' {
                    if let Some(n) = next {
                        out.push(n);
                        i += 1;
                    }
                } else if c == '`' {
                    state = Js::Code;
                    last = c;
                }
            }
            Js::Regex { in_class } => {
                out.push(c);
                match c {
                    '\\' => {
                        if let Some(n) = next {
                            out.push(n);
                            i += 1;
                        }
                    }
                    '[' => state = Js::Regex { in_class: true },
                    ']' => state = Js::Regex { in_class: false },
                    '/' if !in_class => {
                        state = Js::Code;
                        last = 'x';
                    }
                    '\n' => state = Js::Code,
                    _ => {}
                }
            }
            Js::LineComment => {
                if c == '\n' {
                    state = Js::Code;
                    newline(&mut out);
                }
            }
            Js::BlockComment { newline: seen } => {
                if c == '*' && next == Some('/') {
                    state = Js::Code;
                    i += 1;
                    // A comment with a line break in it ends a line as far as ASI is concerned.
                    if seen {
                        newline(&mut out);
                    } else if !out.is_empty() && !out.ends_with(['\n', ' ']) {
                        out.push(' ');
                    }
                } else if c == '\n' {
                    state = Js::BlockComment { newline: true };
                }
            }
        }
        i += 1;
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

/// Ends a line of code: drops the spaces before the break and never writes a blank line.
fn newline(out: &mut String) {
    let trimmed = out.trim_end_matches([' ', '\t']).len();
    out.truncate(trimmed);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// Whether a `/` after `last` (the previous code character) starts a regular expression
/// rather than dividing: after an operator, an opening bracket or `return`.
fn regex_may_follow(last: char, out: &str) -> bool {
    if "(,=:[!&|?{};+-*%<>~^\n".contains(last) {
        return true;
    }
    let word: String = out
        .trim_end()
        .chars()
        .rev()
        .take_while(|&c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        .collect();
    matches!(
        word.as_str(),
        "nruter" | "foepyt" | "esle" | "ni" | "wen" | "eteled" | "diov"
    )
}

/// Removes comments and the whitespace that carries no meaning from CSS: runs of whitespace
/// become one space, and none is kept around `{ } ; , :` or before `!important`. Strings are
/// copied untouched; a space before `:` stays (it is a descendant combinator in a selector).
pub fn minify_css(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let mut pending_space = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '/' if chars.get(i + 1) == Some(&'*') => {
                let end = (i + 2..chars.len().saturating_sub(1))
                    .find(|&j| chars[j] == '*' && chars[j + 1] == '/')
                    .map_or(chars.len(), |j| j + 2);
                i = end;
                pending_space = true;
                continue;
            }
            c if c.is_whitespace() => pending_space = true,
            '"' | '\'' => {
                flush_space(&mut out, &mut pending_space);
                out.push(c);
                i += 1;
                while i < chars.len() {
                    out.push(chars[i]);
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        out.push(chars[i + 1]);
                        i += 1;
                    } else if chars[i] == c {
                        break;
                    }
                    i += 1;
                }
            }
            _ => {
                if "{};,:!".contains(c) {
                    // No space before these (except ':' after a space: `a :hover`).
                    if c == ':' {
                        flush_space(&mut out, &mut pending_space);
                    } else {
                        pending_space = false;
                    }
                    if c == '}' && out.ends_with(';') {
                        out.pop();
                    }
                    out.push(c);
                    // ... and none after them but '!'.
                    if c != '!' {
                        skip_space(&chars, &mut i);
                    }
                } else {
                    flush_space(&mut out, &mut pending_space);
                    out.push(c);
                }
            }
        }
        i += 1;
    }
    out.trim().to_string()
}

fn flush_space(out: &mut String, pending: &mut bool) {
    if *pending && !out.is_empty() && !out.ends_with(['{', '}', ';', ',', ':', ' ']) {
        out.push(' ');
    }
    *pending = false;
}

/// Moves `i` past the whitespace (and comments) that follow it.
fn skip_space(chars: &[char], i: &mut usize) {
    loop {
        let j = *i + 1;
        if j < chars.len() && chars[j].is_whitespace() {
            *i = j;
        } else if j + 1 < chars.len() && chars[j] == '/' && chars[j + 1] == '*' {
            let end = (j + 2..chars.len().saturating_sub(1))
                .find(|&k| chars[k] == '*' && chars[k + 1] == '/')
                .map_or(chars.len() - 1, |k| k + 1);
            *i = end;
        } else {
            return;
        }
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
    fn js_loses_comments_and_indentation_only() {
        let src = "/**\n * Doc with `ticks` and 'quotes'\n */\nfunction f(a) {\n    // a comment\n    const s = 'http://x // y';\n    const t = `a\n    b ${a}`;\n    return /[/]\\//.test(s) ? a / 2 : a; /* inline */ \n}\n\n\nexport { f };\n";
        let out = minify_js(src);
        assert_eq!(
            out,
            "function f(a) {\nconst s = 'http://x // y';\nconst t = `a\n    b ${a}`;\nreturn /[/]\\//.test(s) ? a / 2 : a;\n}\nexport { f };\n"
        );
    }

    #[test]
    fn js_block_comment_on_one_line_keeps_tokens_apart() {
        assert_eq!(minify_js("a/* x */b\n"), "a b\n");
        assert_eq!(minify_js("x = y / z; // half\n"), "x = y / z;\n");
        assert_eq!(minify_js("return /a b/g;"), "return /a b/g;\n");
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
    fn css_keeps_meaningful_spaces() {
        let src = "/* c */\n.a :hover, .b > p {\n  color: red !important;\n  margin: 0 auto;\n}\n@media (max-width: 600px) {\n  .c { content: \"a  ;  b\"; }\n}\n";
        assert_eq!(
            minify_css(src),
            ".a :hover,.b > p{color:red!important;margin:0 auto}@media (max-width:600px){.c{content:\"a  ;  b\"}}"
        );
        assert_eq!(
            minify_css("a{width:calc(1px + 2px)}"),
            "a{width:calc(1px + 2px)}"
        );
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
}
