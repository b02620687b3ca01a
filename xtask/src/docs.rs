//! The widget in the documentation tools people use, built into `dist/` with the bundle:
//! `www/examples/book/`, a small mdBook, into `dist/book/`; and `www/examples/markdown.md`, one
//! Markdown file, into `dist/www/examples/markdown.html` (rendered with pulldown-cmark, the
//! parser mdBook itself uses, into a page that runs under the strict Content Security Policy).
//! Both embed the widget as an iframe and as `<migration-lab>`; `tests/e2e/docs.test.mjs`
//! checks them.

use std::fs;
use std::path::Path;

use pulldown_cmark::{html, Options, Parser};

use crate::bundle::csp_problems;
use crate::tools;
use crate::util::{step, warn, Cmd, Context, Ctx, Error, Result};

/// The book's source and where it goes in `dist/` (its pages reach the widget at `../`).
const BOOK: &str = "www/examples/book";
const BOOK_OUT: &str = "book";
/// The Markdown page's source; the page goes next to it in `dist/www/`.
const MARKDOWN: &str = "www/examples/markdown.md";

/// Builds the Markdown page and the book into `dist`. Without mdBook (it could not be
/// installed) the book is left out with a warning; the e2e layer installs it first.
pub fn build(ctx: &Ctx, dist: &Path) -> Result<()> {
    let source = fs::read_to_string(ctx.path(MARKDOWN)).context(format!("reading {MARKDOWN}"))?;
    let page = markdown_page(&source);
    let problems = csp_problems(&page);
    if !problems.is_empty() {
        return Err(Error::new(format!(
            "{MARKDOWN} would not load under the Content Security Policy: {}",
            problems.join("; ")
        )));
    }
    let out = dist.join(MARKDOWN).with_extension("html");
    fs::write(&out, page).context(format!("writing {}", out.display()))?;

    let mdbook = match tools::ensure_mdbook(ctx) {
        Ok(mdbook) => mdbook,
        Err(e) => {
            warn(&format!("no mdBook, so dist/{BOOK_OUT}/ is left out: {e}"));
            return Ok(());
        }
    };
    step(&format!(
        "building {BOOK} into dist/{BOOK_OUT}/ with mdBook"
    ));
    Cmd::new(&mdbook)
        .arg("build")
        .arg(ctx.path(BOOK))
        .arg("--dest-dir")
        .arg(dist.join(BOOK_OUT))
        .run()
}

/// A Markdown document as a page of its own: its first `# ` heading as the title, `markdown.css`
/// (beside it) as its stylesheet, and its HTML passed through as it is.
pub fn markdown_page(markdown: &str) -> String {
    let title = markdown
        .lines()
        .find_map(|line| line.strip_prefix("# "))
        .unwrap_or("Migration Lab")
        .replace('&', "&amp;")
        .replace('<', "&lt;");
    let mut body = String::new();
    html::push_html(&mut body, Parser::new_ext(markdown, Options::ENABLE_TABLES));
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n\
         <link rel=\"icon\" href=\"../favicon.svg\" type=\"image/svg+xml\">\n\
         <link rel=\"stylesheet\" href=\"markdown.css\">\n</head>\n<body>\n<main>\n{body}</main>\n\
         </body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_markdown_page_keeps_its_html_and_takes_its_title() {
        let page = markdown_page(
            "# Pages & <b>\n\nSome *text*.\n\n<migration-lab chapter=\"precopy\">\n</migration-lab>\n\n\
             <script type=\"module\" src=\"../../migration-lab.js\"></script>\n",
        );
        assert!(page.contains("<title>Pages &amp; &lt;b></title>"), "{page}");
        assert!(page.contains("<p>Some <em>text</em>.</p>"), "{page}");
        assert!(
            page.contains("<migration-lab chapter=\"precopy\">\n</migration-lab>"),
            "{page}"
        );
        assert!(csp_problems(&page).is_empty(), "{:?}", csp_problems(&page));
    }

    #[test]
    fn the_example_page_runs_under_the_policy() {
        let page = markdown_page(include_str!("../../www/examples/markdown.md"));
        assert!(csp_problems(&page).is_empty(), "{:?}", csp_problems(&page));
        assert_eq!(page.matches("<migration-lab ").count(), 2);
        assert_eq!(page.matches("<iframe ").count(), 1);
    }
}
