//! Which of a chapter's views and controls are on screen: all of them on the page, a compact
//! few in an embed that names none, or the ones an embed names (`views=`, `controls=`).

use std::rc::Rc;

use crate::chapters::{Chapter, Name};

/// The views shown.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Shown {
    /// The page: every view of the chapter.
    #[default]
    Chapter,
    /// An embed that names no views: the chapter's compact default (`Chapter::embed_views`),
    /// which follows the reader from chapter to chapter.
    EmbedDefault,
    /// The views an embed names.
    Only(Rc<Vec<String>>),
}

impl Shown {
    /// What an embed's `views=` asks for (`None`: the page).
    pub fn of_embed(embed: Option<&crate::permalink::Embed>) -> Shown {
        match embed {
            None => Shown::Chapter,
            Some(e) => e
                .views
                .clone()
                .map_or(Shown::EmbedDefault, |v| Shown::Only(Rc::new(v))),
        }
    }

    /// Whether `view` is shown where the chapter shows it by default, as the stage, the
    /// memory map and the result are on the page of a chapter that lists no views.
    pub fn shows(&self, chapter: Option<&Chapter>, view: &str) -> bool {
        match self {
            Shown::Chapter => chapter.is_none_or(|c| c.views.is_empty() || c.shows_view(view)),
            Shown::EmbedDefault => chapter.is_some_and(|c| listed(c.embed_views, view)),
            Shown::Only(list) => list.iter().any(|v| v == view),
        }
    }

    /// Whether `view`, one a chapter has only when it lists it (a comparison, the blackout
    /// up close, the spread, the lever study), is shown.
    pub fn names(&self, chapter: Option<&Chapter>, view: &str) -> bool {
        match self {
            Shown::Chapter => chapter.is_some_and(|c| listed(c.views, view)),
            _ => self.shows(chapter, view),
        }
    }

    /// Whether the page's compact one-line result stands in for the result panel: in an
    /// embed that does not show the panel.
    pub fn result_line(&self, chapter: Option<&Chapter>) -> bool {
        *self != Shown::Chapter && !self.shows(chapter, "result")
    }
}

/// The controls an embed shows: the ones it names, else the chapter's compact default
/// (`Chapter::embed_controls`); `None` on the page (all of the chapter's).
pub fn embed_controls(
    embed: Option<&crate::permalink::Embed>,
    chapter: Option<&Chapter>,
) -> Option<Vec<String>> {
    let embed = embed?;
    embed
        .controls
        .clone()
        .or_else(|| chapter.map(|c| c.embed_controls.iter().map(|n| n.0.to_string()).collect()))
}

fn listed(names: &[Name], view: &str) -> bool {
    names.iter().any(|v| v.0 == view)
}
