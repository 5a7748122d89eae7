//! The reducer's lesson side: loading a lesson's scenario, the learner's answer, and noting
//! the learner's own gestures (a pick, a seek into the past, a step back) in its progress, so a
//! step that asks for one is done only when the learner made it.

use eventide_engine::Position;

use super::{AppState, Session, Tone};
use crate::lessons::{Gesture, Progress};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lessons {
    /// The lessons panel is open.
    pub open: bool,
    /// The lesson loaded, and the learner's progress in it.
    pub current: Option<(&'static str, Progress)>,
}

impl AppState {
    /// Notes a gesture of the learner's in the lesson's progress. What a link asks for is
    /// nobody's gesture.
    pub(super) fn note(&mut self, gesture: Gesture) {
        if self.linking {
            return;
        }
        if let Some((_, progress)) = self.lessons.current.as_mut() {
            progress.did.note(gesture);
        }
    }

    /// Keeps every step done so far done: a step's check reads the session as it is now, and
    /// the learner who moved the timeline back and then returned to live did the step.
    pub(super) fn latch_steps(&mut self) {
        let Some((slug, progress)) = self.lessons.current else {
            return;
        };
        let Some(lesson) = crate::lessons::find(slug) else {
            return;
        };
        let latched = lesson.latch(&self.session(), &progress);
        if let Some((_, progress)) = self.lessons.current.as_mut() {
            progress.latched = latched;
        }
    }

    /// After a seek: notes it if it left the cursor in the past.
    pub(super) fn noted_seek(&mut self) {
        if !self.session().shop().is_live() {
            self.note(Gesture::SoughtBack);
        }
    }

    /// Opens a lesson (at a position, from a shared link): asks first if the session holds
    /// work.
    pub(super) fn open_lesson(&mut self, slug: &'static str, at: Option<Position>) {
        if crate::lessons::find(slug).is_none() {
            self.notify(Tone::Problem, format!("There is no lesson '{slug}'"), None);
        } else if self.would_lose_work() {
            self.files.pending = Some(super::Pending::Lesson { slug, at });
        } else {
            self.load_lesson(slug, at);
        }
    }

    /// The learner's prediction, locked once made: the learner commits to it.
    pub(super) fn answer_lesson(&mut self, choice: usize) {
        if let Some((_, progress)) = self.lessons.current.as_mut() {
            if progress.answered.is_none() {
                progress.answered = Some(choice);
            }
        }
    }

    pub(super) fn reveal_lesson(&mut self) {
        if let Some((_, progress)) = self.lessons.current.as_mut() {
            progress.revealed = progress.answered.is_some();
        }
    }

    pub(super) fn load_lesson(&mut self, slug: &'static str, at: Option<Position>) {
        let Some(lesson) = crate::lessons::find(slug) else {
            return;
        };
        match Session::prepared(lesson.scenario) {
            Ok(session) => {
                let baseline = session.shop().store().head();
                self.session_mut().replace_with(session);
                // The clock waits for the learner: a services scenario's storefront opens when
                // they press Run, after the question, so nothing happens before the prediction.
                self.clock.running = false;
                self.timeline.playing = false;
                self.timeline.selected = None;
                self.next_command.backdate = None;
                self.lessons.open = true;
                self.view.welcome = false;
                self.files.precious = false;
                self.lessons.current = Some((
                    lesson.slug,
                    Progress {
                        baseline,
                        ..Default::default()
                    },
                ));
                self.notify(
                    Tone::Success,
                    format!("{}: scenario loaded", lesson.title),
                    None,
                );
                if let Some(at) = at {
                    self.lesson_at(at);
                }
            }
            Err(problem) => self.notify(Tone::Problem, problem, None),
        }
    }

    /// A shared lesson link's position: a services scenario is run on (deterministically, from
    /// its seed) until its log reaches it, then left paused there, so the recipient sees what
    /// the sharer saw.
    fn lesson_at(&mut self, at: Position) {
        // Each step is one customer action or one delivery; a generous bound, never a hang.
        let mut steps = 0u32;
        while self.session().shop().store().head() < at && steps < 1_000_000 {
            let stepped = self
                .session_mut()
                .run_services(crate::recipe::Step::SimSteps { count: 1 });
            if stepped.is_err() || self.session().sim().is_quiescent() {
                break;
            }
            steps += 1;
        }
        self.clock.running = false;
        self.seek(at);
    }
}

// In the browser: the state reads the page's clock (a notice's time).
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use std::rc::Rc;

    use wasm_bindgen_test::wasm_bindgen_test as test;

    use eventide_engine::Position;
    use yew::Reducible;

    use super::super::scripts::Handlers;
    use super::super::{Action, AppState};

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    fn steps_done(state: &AppState) -> Vec<bool> {
        let (slug, progress) = state.lessons.current.expect("a lesson");
        let lesson = crate::lessons::find(slug).expect("in the catalog");
        (0..lesson.steps.len())
            .map(|index| lesson.step_done(index, &state.session(), &progress))
            .collect()
    }

    #[test]
    fn moving_the_timeline_back_stays_done_after_going_back_to_live() {
        let state = [
            Action::LoadLesson("your-own-read-model"),
            Action::AnswerLesson(1),
            Action::DeployScript(Handlers {
                handles: vec!["OrderPlaced".into()],
                reads: Vec::new(),
            }),
            Action::Seek(Position(5)),
        ]
        .into_iter()
        .fold(Rc::new(AppState::default()), |state, action| {
            state.reduce(action)
        });
        assert!(steps_done(&state)[2], "in the past with a deployed script");
        let state = state.reduce(Action::GoLive);
        assert!(state.session().shop().is_live());
        assert!(steps_done(&state)[2], "back to live: the step stays done");
    }

    #[test]
    fn the_prediction_is_locked_once_made() {
        let state = [
            Action::LoadLesson("immutable-facts"),
            Action::AnswerLesson(0),
            Action::AnswerLesson(1),
        ]
        .into_iter()
        .fold(Rc::new(AppState::default()), |state, action| {
            state.reduce(action)
        });
        let (_, progress) = state.lessons.current.expect("a lesson");
        assert_eq!(progress.answered, Some(0));
    }
}
