//! The reducer's view side: what the user looks at (the centre tab, large text, the shortcuts
//! list, the welcome, the query filtering the log), and what the sharer saw beside the log
//! (those, the cursor and the open lesson with the learner's progress in it). A shared link
//! carries the latter in the scenario's settings (`view`); opening the link puts the recipient
//! where the sharer was.

use eventide_engine::Position;
use serde::{Deserialize, Serialize};

use super::{AppState, CenterTab};
use crate::lessons::{Did, Progress};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct View {
    /// The keyboard-shortcut overlay is open.
    pub help: bool,
    /// Presenter mode: everything larger, for the back of the room.
    pub large_text: bool,
    /// The centre tab open.
    pub tab: CenterTab,
    /// The welcome for a first visit (nothing saved, no link): what this is, where to start.
    pub welcome: bool,
}

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
            tab: state.view.tab,
            large_text: state.view.large_text,
            selected: state.timeline.selected,
            lesson: state
                .lessons
                .current
                .as_ref()
                .map(|(slug, progress)| SharedLesson {
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
    /// Filters the event log by this query (blank: show it whole); a bad one is refused with
    /// the reason and the query before stays.
    pub(super) fn set_query(&mut self, text: &str) {
        let session = self.session.borrow();
        self.search
            .borrow_mut()
            .set(text, session.shop().store().events());
    }

    /// Puts the view a link carried in place. An unknown lesson is left out (said so), the rest
    /// still applies.
    pub(super) fn apply_view(&mut self, view: SharedView) {
        if let Some(at) = view.cursor {
            self.seek(at);
        }
        self.view.tab = view.tab;
        self.view.large_text = view.large_text;
        self.timeline.selected = view.selected;
        if let Some(query) = view.query {
            self.set_query(&query);
        }
        if let Some(shared) = view.lesson {
            match crate::lessons::find(&shared.slug) {
                Some(lesson) => {
                    self.lessons.open = true;
                    self.lessons.current = Some((
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
