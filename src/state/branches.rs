//! The reducer's branches side: a what-if branch opened at a position (its prefix replayed like
//! an import), closed by keeping it as the main line or discarding it, and the main line a kept
//! branch set aside, switched back to or let go. Whatever would lose events asks first.

use eventide_engine::Position;

use super::{AppState, LeaveOut, Pending, Tone};

impl AppState {
    /// Opens a what-if branch at `at`: a short prefix is replayed at once, a long one a chunk
    /// per task.
    pub(super) fn fork(&mut self, at: Position) {
        let outcome = self.session_mut().start_fork(at);
        match outcome {
            Ok(()) => self.continue_import(),
            Err(problem) => self.notify(Tone::Problem, problem, None),
        }
    }

    /// Opens the what-if branch without some events (one, or the query's matches): the whole
    /// log replayed without them, a chunk per task when it is long.
    pub(super) fn fork_without(&mut self, which: LeaveOut) {
        let skipped = match which {
            LeaveOut::Event(at) => vec![at],
            LeaveOut::Matches => self
                .search
                .borrow()
                .matches()
                .map(|matches| matches.positions().to_vec())
                .unwrap_or_default(),
        };
        let outcome = self.session_mut().start_fork_without(skipped);
        match outcome {
            Ok(()) => {
                // The line stands still while it is replayed: what it would append meanwhile
                // would be missing from the branch.
                self.clock.running = false;
                self.timeline.playing = false;
                self.continue_import()
            }
            Err(problem) => self.notify(Tone::Problem, problem, None),
        }
    }

    /// Closes the branch, keeping it as the main line or discarding it; asks first if the line
    /// that goes holds events of its own after the fork.
    pub(super) fn ask_close_branch(&mut self, keep: bool) {
        let loses = {
            let session = self.session();
            session.branch().is_some_and(|branch| {
                if keep {
                    branch.main.shop().store().head() > branch.fork_at
                } else {
                    // Only what was done on the branch since it opened is the user's own.
                    session.shop().store().head() > branch.opened_at
                }
            })
        };
        if loses {
            self.files.pending = Some(if keep {
                Pending::KeepBranch
            } else {
                Pending::DiscardBranch
            });
        } else {
            self.close_branch(keep);
        }
    }

    pub(super) fn close_branch(&mut self, keep: bool) {
        let closed = self.session_mut().close_branch(keep);
        if closed.is_some() {
            self.clock.running = false;
            self.timeline.selected = None;
            let text = if keep {
                "The branch is now the main line; the old main line is set aside (switch back at any time)"
            } else {
                "Branch discarded: back on the main line"
            };
            self.notify(Tone::Success, text.into(), None);
        }
    }

    /// Brings the line set aside back as the main line (the current one is set aside instead).
    pub(super) fn switch_lines(&mut self) {
        if self.session_mut().switch_lines() {
            self.clock.running = false;
            self.timeline.playing = false;
            self.timeline.selected = None;
            self.notify(
                Tone::Success,
                "Switched lines: the one you left is set aside, one click away".into(),
                None,
            );
        }
    }

    /// Lets the line set aside go, once the user says yes.
    pub(super) fn ask_forget_set_aside(&mut self) {
        if self.session().set_aside().is_some() {
            self.files.pending = Some(Pending::ForgetSetAside);
        }
    }

    pub(super) fn forget_set_aside(&mut self) {
        if self.session_mut().forget_set_aside() {
            self.notify(Tone::Success, "The line set aside is gone".into(), None);
        }
    }
}
