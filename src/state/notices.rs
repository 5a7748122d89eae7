//! What the app says about an outcome: a notice shown for a while in the corner, and the
//! problems among them kept in a list.

use std::rc::Rc;

use eventide_engine::Position;

/// A message shown for a while in the corner, and kept in the problems list if it is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub id: u64,
    pub tone: Tone,
    pub text: String,
    /// The event this notice is about, one click away.
    pub event: Option<Position>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Success,
    Problem,
}

/// Only the newest few stay on screen; the problems list keeps the rest.
const ON_SCREEN: usize = 4;

/// The notices on screen and the problems so far, shared (`Rc`) so a state clone copies none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notices {
    shown: Rc<Vec<Notice>>,
    problems: Rc<Vec<Notice>>,
    next_id: u64,
}

impl Default for Notices {
    fn default() -> Self {
        Notices {
            shown: Rc::default(),
            problems: Rc::default(),
            next_id: 1,
        }
    }
}

impl Notices {
    /// On screen, oldest first.
    pub fn shown(&self) -> &[Notice] {
        &self.shown
    }

    /// Every problem so far, newest first.
    pub fn problems(&self) -> &[Notice] {
        &self.problems
    }

    pub(super) fn push(&mut self, tone: Tone, text: String, event: Option<Position>) {
        let notice = Notice {
            id: self.next_id,
            tone,
            text,
            event,
        };
        self.next_id += 1;
        if tone == Tone::Problem {
            Rc::make_mut(&mut self.problems).insert(0, notice.clone());
        }
        let shown = Rc::make_mut(&mut self.shown);
        shown.push(notice);
        if shown.len() > ON_SCREEN {
            shown.remove(0);
        }
    }

    /// Takes a notice off the screen (it stays among the problems); one already gone is no
    /// change.
    pub(super) fn dismiss(&mut self, id: u64) {
        if self.shown.iter().any(|notice| notice.id == id) {
            Rc::make_mut(&mut self.shown).retain(|notice| notice.id != id);
        }
    }
}
