//! What the sharer saw beside the log: the cursor, the centre tab, large text, the open
//! lesson with the learner's progress in it, and the query filtering the log. A shared link carries it in the scenario's
//! settings (`view`); opening the link puts the recipient where the sharer was.

use eventide_engine::Position;
use serde::{Deserialize, Serialize};

use super::{AppState, CenterTab};
use crate::lessons::{Did, Progress};

/// The settings key a shared scenario carries the view under.
pub const VIEW_KEY: &str = "view";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedView {
    /// Where the cursor stood; `None` when it was live.
    pub cursor: Option<Position>,
    pub tab: CenterTab,
    pub large_text: bool,
    pub selected: Option<Position>,
    pub lesson: Option<SharedLesson>,
    /// The query filtering the event log; links from before it had none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// A lesson and how far the learner got in it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedLesson {
    pub slug: String,
    pub baseline: Position,
    pub answered: Option<usize>,
    pub revealed: bool,
    pub picked: Option<Position>,
    pub sought_back: bool,
    pub stepped_back: bool,
    /// The steps done so far, one bit each: a step once done stays done for the one who opens
    /// the link too.
    #[serde(default)]
    pub latched: u32,
}

impl SharedView {
    pub fn of(state: &AppState) -> SharedView {
        let shop_cursor = {
            let session = state.session();
            let shop = session.shop();
            (!shop.is_live()).then(|| shop.cursor())
        };
        SharedView {
            cursor: shop_cursor,
            tab: state.tab,
            large_text: state.large_text,
            selected: state.selected,
            lesson: state.lesson.as_ref().map(|(slug, progress)| SharedLesson {
                slug: slug.to_string(),
                baseline: progress.baseline,
                answered: progress.answered,
                revealed: progress.revealed,
                picked: progress.did.picked,
                sought_back: progress.did.sought_back,
                stepped_back: progress.did.stepped_back,
                latched: progress.latched,
            }),
            query: {
                let search = state.search.borrow();
                (!search.text().is_empty()).then(|| search.text().to_string())
            },
        }
    }
}

impl AppState {
    /// Puts the view a link carried in place. An unknown lesson is left out (said so), the rest
    /// still applies; a view that does not read is ignored with a word.
    pub(super) fn apply_view(&mut self, value: &serde_json::Value) {
        let view = match serde_json::from_value::<SharedView>(value.clone()) {
            Ok(view) => view,
            Err(_) => {
                self.notify(
                    super::Tone::Problem,
                    "The link's view (cursor, tab, lesson) could not be read; the events are in."
                        .into(),
                    None,
                );
                return;
            }
        };
        if let Some(at) = view.cursor {
            self.seek(at);
        }
        self.tab = view.tab;
        self.large_text = view.large_text;
        self.selected = view.selected;
        if let Some(query) = view.query {
            self.set_query(&query);
        }
        if let Some(shared) = view.lesson {
            match crate::lessons::find(&shared.slug) {
                Some(lesson) => {
                    self.lessons_open = true;
                    self.lesson = Some((
                        lesson.slug,
                        Progress {
                            baseline: shared.baseline,
                            answered: shared.answered,
                            revealed: shared.revealed,
                            did: Did {
                                picked: shared.picked,
                                sought_back: shared.sought_back,
                                stepped_back: shared.stepped_back,
                            },
                            latched: shared.latched,
                        },
                    ))
                }
                None => self.notify(
                    super::Tone::Problem,
                    format!(
                        "The link names a lesson this version does not have ({}); the events are in.",
                        crate::format::clip(&shared.slug, 40)
                    ),
                    None,
                ),
            }
        }
    }
}
