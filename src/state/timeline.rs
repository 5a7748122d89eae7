//! The timeline's reducer: the cursor (seek, step, live), playing it, and the event selected.
//! The cursor itself is the engine's; what is kept here is only what the engine has no word
//! for.

use eventide_engine::{Position, Timestamp};

use super::AppState;
use crate::lessons::Gesture;

/// How fast "play" moves the cursor, in events per second.
pub const SPEEDS: &[u64] = &[1, 10, 100, 1_000, 10_000];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeline {
    /// The event shown in the detail panel.
    pub selected: Option<Position>,
    /// Whether "play" is moving the cursor.
    pub playing: bool,
    /// Events per second while playing (one of `SPEEDS`).
    pub speed: u64,
}

impl Default for Timeline {
    fn default() -> Self {
        Timeline {
            selected: None,
            playing: false,
            speed: 10,
        }
    }
}

impl AppState {
    /// Moves the cursor; says whether it moved.
    pub(super) fn seek(&mut self, target: Position) -> bool {
        self.session_mut().seek(target)
    }

    /// A seek of the user's: one that leaves the cursor in the past is noted for the lesson.
    pub(super) fn seek_noted(&mut self, target: Position) {
        self.seek(target);
        self.noted_seek();
    }

    pub(super) fn seek_time(&mut self, time: Timestamp) {
        let target = self.session().shop().store().position_at(time);
        self.seek_noted(target);
    }

    pub(super) fn step_back(&mut self) {
        let cursor = self.session().shop().cursor();
        if cursor.0 > 0 && self.seek(Position(cursor.0 - 1)) {
            self.note(Gesture::SteppedBack);
        }
    }

    pub(super) fn step_forward(&mut self) {
        let cursor = self.session().shop().cursor();
        self.seek(cursor.next());
    }

    pub(super) fn go_live(&mut self) {
        self.session_mut().go_live();
        self.timeline.playing = false;
    }

    /// Moves the cursor forward while playing, by `events`; playing stops at the head.
    pub(super) fn tick(&mut self, events: u64) {
        if !self.timeline.playing {
            return;
        }
        let cursor = self.session().shop().cursor();
        self.seek(Position(cursor.0 + events.max(1)));
        if self.session().shop().is_live() {
            self.timeline.playing = false;
        }
    }

    pub(super) fn toggle_play(&mut self) {
        if !self.timeline.playing && self.session().shop().is_live() {
            // Playing from the head would do nothing: start from the beginning.
            self.seek(Position::ORIGIN);
        }
        self.timeline.playing = !self.timeline.playing;
    }

    pub(super) fn select(&mut self, position: Option<Position>) {
        self.timeline.selected = position;
        // Clicking the event a command just selected is still the learner's pick.
        self.note(Gesture::Picked(position));
    }
}
