//! The tab and the browser's storage: what the address asks for on opening, and the autosave.
//!
//! Opening a link never overwrites saved work. A plain visit restores the saved session and
//! owns the autosave. A link (a lesson, a shared scenario, `#fresh`, or one that is damaged or
//! unknown) opens beside it: the tab writes nothing until the user works in it, and then keeps
//! the session saved before aside (Files → Kept in this browser) before its first write.

use gloo::timers::callback::Timeout;
use yew::prelude::*;

use crate::saved;
use crate::state::{Action, AppContext, ImportSource};

/// Local storage holds about five megabytes an origin; past this the file export is the way.
const AUTOSAVE_LIMIT: usize = 4_500_000;
/// Roughly what an event takes in a scenario file: a bigger log is not even serialised.
const BYTES_PER_EVENT: usize = 400;
const AUTOSAVE_DELAY_MS: u32 = 1_500;

/// What an address asks for when the page opens.
#[derive(Debug, PartialEq)]
pub enum Opening {
    /// No fragment: continue the saved session.
    Plain,
    Lesson(&'static str, Option<eventide_engine::Position>),
    Scenario(Result<Vec<u8>, String>),
    /// `#fresh`: an empty session, the saved one left as it is.
    Fresh,
    /// `#room=...`: a fresh session that is a room's (the saved one left as it is).
    Room(Result<crate::room::RoomAddress, String>),
    /// A fragment Eventide does not know, or a lesson that does not exist.
    Unknown(String),
}

impl Opening {
    pub fn read(hash: &str) -> Opening {
        if hash.is_empty() || hash == "#" {
            return Opening::Plain;
        }
        if hash == "#fresh" {
            return Opening::Fresh;
        }
        if let Some(room) = crate::room::RoomAddress::read(hash) {
            return Opening::Room(room);
        }
        if let Some(shared) = crate::share::decode(hash) {
            return Opening::Scenario(shared);
        }
        if let Some(slug) = hash.strip_prefix("#lesson=") {
            return match crate::lessons::from_hash(hash) {
                Some((lesson, at)) => Opening::Lesson(lesson.slug, at),
                None => {
                    let slug = slug.split('&').next().unwrap_or_default();
                    Opening::Unknown(format!(
                        "There is no lesson \u{201c}{}\u{201d}. Open the Lessons panel to pick one.",
                        crate::format::clip(slug, 40)
                    ))
                }
            };
        }
        Opening::Unknown(format!(
            "This address asks for something Eventide does not know ({}).",
            crate::format::clip(hash, 40)
        ))
    }
}

fn current_hash() -> String {
    crate::address::current()
}

/// A link pasted into the open tab's address bar (`hashchange`) is acted on as the user's own
/// request: a lesson opens (at its position), a shared scenario imports, `#fresh` starts
/// afresh; each asks first if the session holds work. What the app wrote there itself is not.
#[hook]
pub fn use_pasted_links(state: &AppContext) {
    let dispatcher = state.dispatcher();
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|window| {
            gloo::events::EventListener::new(&window, "hashchange", move |_| {
                let hash = current_hash();
                let action = match Opening::read(&hash) {
                    Opening::Plain => return,
                    Opening::Lesson(slug, at) => Action::OpenLesson { slug, at },
                    Opening::Scenario(Ok(bytes)) => Action::Import {
                        name: "the shared scenario".into(),
                        bytes: std::rc::Rc::new(bytes),
                        source: ImportSource::Link,
                    },
                    Opening::Scenario(Err(problem)) | Opening::Unknown(problem) => {
                        Action::InvalidInput(problem)
                    }
                    Opening::Fresh => Action::StartFresh,
                    Opening::Room(Ok(address)) => Action::JoinRoom(address),
                    Opening::Room(Err(problem)) => Action::InvalidInput(problem),
                };
                dispatcher.dispatch(action);
            })
        });
        move || drop(listener)
    });
}

/// Acts, once, on the address the page opened with.
#[hook]
pub fn use_opening_address(state: &AppContext) {
    let dispatcher = state.dispatcher();
    use_effect_with((), move |_| {
        let link = |action: Action| dispatcher.dispatch(Action::FromLink(Box::new(action)));
        match Opening::read(&current_hash()) {
            Opening::Plain => match saved::autosaved() {
                Some(text) => link(Action::Import {
                    name: "the saved session".into(),
                    bytes: std::rc::Rc::new(text.into_bytes()),
                    source: ImportSource::Autosave,
                }),
                None => {
                    link(Action::ClaimAutosave);
                    // A first visit: nothing saved and no link asking for anything.
                    link(Action::Welcome(true));
                }
            },
            Opening::Lesson(slug, at) => link(Action::OpenLesson { slug, at }),
            Opening::Scenario(Ok(bytes)) => link(Action::Import {
                name: "the shared scenario".into(),
                bytes: std::rc::Rc::new(bytes),
                source: ImportSource::Link,
            }),
            Opening::Room(Ok(address)) => link(Action::JoinRoom(address)),
            Opening::Scenario(Err(problem))
            | Opening::Unknown(problem)
            | Opening::Room(Err(problem)) => {
                let kept = if saved::autosaved().is_some() {
                    " Your saved session is untouched: open it from Save and share."
                } else {
                    ""
                };
                link(Action::InvalidInput(format!("{problem}{kept}")));
            }
            Opening::Fresh => {}
        }
    });
}

/// Saves the scenario a moment after the last change (debounced). A tab that does not own the
/// autosave writes only once the user has worked in it, and keeps the saved session aside
/// first; if that cannot be kept, nothing is written. Problems are reported once; the work in
/// memory is never touched.
#[hook]
pub fn use_autosave(state: &AppContext) {
    let problem_said = use_mut_ref(|| false);
    let state = state.clone();
    use_effect_with(state.revision, move |_| {
        let timeout = Timeout::new(AUTOSAVE_DELAY_MS, move || {
            if !state.files.owns_autosave && state.files.work == 0 {
                return;
            }
            let problem = save(&state);
            match problem {
                Some(text) if !*problem_said.borrow() => {
                    *problem_said.borrow_mut() = true;
                    state.dispatch(Action::InvalidInput(text));
                }
                Some(_) => {}
                None => *problem_said.borrow_mut() = false,
            }
        });
        move || drop(timeout)
    });
}

/// One autosave; the problem, if any, in words for the user.
fn save(state: &AppContext) -> Option<String> {
    let events = state.session().shop().store().len();
    if events > AUTOSAVE_LIMIT / BYTES_PER_EVENT {
        return Some(too_big(events));
    }
    let text = state.session().export_scenario(state.scenario_settings());
    if text.len() > AUTOSAVE_LIMIT {
        return Some(too_big(events));
    }
    if !state.files.owns_autosave {
        if let Some(before) = saved::autosaved().filter(|before| *before != text) {
            let now = js_sys::Date::now() as i64;
            match saved::keep("The session saved before this tab opened a link", &before, now) {
                Ok(kept) => state.dispatch(Action::Notify(format!(
                    "Your earlier saved session ({} events) is kept: find it under Save and share → Kept in this browser.",
                    crate::format::fmt_count(kept.events as u64)
                ))),
                Err(problem) => {
                    return Some(format!(
                        "Autosave paused: your earlier saved session could not be kept aside ({problem}), so it was not overwritten. Export this work as a file to keep it."
                    ))
                }
            }
        }
        state.dispatch(Action::ClaimAutosave);
    }
    saved::write_autosave(&text).err().map(|problem| {
        format!("Autosave failed: {problem}. Your work is safe in this tab; export it as a file to keep it.")
    })
}

fn too_big(events: usize) -> String {
    format!(
        "Autosave paused: {} events are too many for the browser's storage. Your work is safe in this tab; export it as a file to keep it.",
        crate::format::fmt_count(events as u64)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_address_reads_as_one_opening() {
        assert_eq!(Opening::read(""), Opening::Plain);
        assert_eq!(Opening::read("#fresh"), Opening::Fresh);
        assert!(matches!(
            Opening::read("#lesson=cqrs&at=3"),
            Opening::Lesson("cqrs", Some(eventide_engine::Position(3)))
        ));
        assert!(
            matches!(Opening::read("#lesson=does-not-exist"), Opening::Unknown(text) if text.contains("does-not-exist"))
        );
        assert!(matches!(
            Opening::read("#scenario=garbage"),
            Opening::Scenario(Err(_))
        ));
        assert!(matches!(Opening::read("#bench=abc"), Opening::Unknown(_)));
    }
}
