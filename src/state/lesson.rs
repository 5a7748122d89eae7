//! The reducer's lesson side: loading a lesson's scenario, and noting the learner's own
//! gestures (a pick, a seek into the past, a step back) in its progress, so a step that asks
//! for one is done only when the learner made it.

use eventide_engine::delivery::DeliverySettings;
use eventide_engine::Position;

use super::{AppState, Session, Tone};
use crate::lessons::Gesture;

impl AppState {
    /// Notes a gesture of the learner's in the lesson's progress; true if the progress changed.
    /// What a link asks for is nobody's gesture.
    pub(super) fn note(&mut self, gesture: Gesture) -> bool {
        if self.linking {
            return false;
        }
        match self.lesson.as_mut() {
            Some((_, progress)) => {
                let before = progress.did;
                progress.did.note(gesture);
                before != progress.did
            }
            None => false,
        }
    }

    /// Keeps every step done so far done: a step's check reads the session as it is now, and
    /// the learner who moved the timeline back and then returned to live did the step.
    pub(super) fn latch_steps(&mut self) {
        let Some((slug, progress)) = self.lesson else {
            return;
        };
        let Some(lesson) = crate::lessons::find(slug) else {
            return;
        };
        let latched = lesson.latch(&self.session(), &progress);
        if let Some((_, progress)) = self.lesson.as_mut() {
            progress.latched = latched;
        }
    }

    /// After a seek: notes it if it left the cursor in the past.
    pub(super) fn noted_seek(&mut self) -> bool {
        let past = !self.session().shop().is_live();
        past && self.note(Gesture::SoughtBack)
    }

    pub(super) fn load_lesson(&mut self, slug: &'static str, at: Option<Position>) {
        let Some(lesson) = crate::lessons::find(slug) else {
            return;
        };
        match Session::prepared(lesson.scenario) {
            Ok(session) => {
                let baseline = session.shop().store().head();
                *self.session_mut() = session;
                let (running, delivery, idempotent) = match lesson.scenario {
                    crate::lessons::Scenario::Services {
                        delivery,
                        idempotent,
                        ..
                    // The clock waits for the learner: the storefront opens when they press
                    // Run, after the question, so nothing happens before the prediction.
                    } => (false, delivery, idempotent),
                    _ => (false, DeliverySettings::default(), true),
                };
                self.running = running;
                self.delivery = delivery;
                self.idempotent = idempotent;
                self.chaos = false;
                self.playing = false;
                self.backdate = None;
                self.selected = None;
                self.lessons_open = true;
                self.welcome = false;
                self.precious = false;
                self.lesson = Some((
                    lesson.slug,
                    crate::lessons::Progress {
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
        self.running = false;
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
        let (slug, progress) = state.lesson.expect("a lesson");
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
        let (_, progress) = state.lesson.expect("a lesson");
        assert_eq!(progress.answered, Some(0));
    }
}
