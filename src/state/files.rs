//! The reducer's files side: an import (a file, the autosave, a kept session, a link) replayed
//! a chunk per task and put in place with its settings, an empty session instead of this one,
//! and the confirmation a destructive step waits for. Nothing a user made is replaced without
//! asking (see `pending`).

use eventide_engine::Position;

use super::session::ImportJob;
use super::{AppState, ImportSource, Pending, Readable, ScenarioSettings, Session, Tone};
use crate::format::fmt_count;
use crate::recipe::Step;

/// Events an import replays per task, like generation.
pub const IMPORT_CHUNK: usize = 20_000;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Files {
    /// A destructive step waiting for the user's yes.
    pub pending: Option<Pending>,
    /// Counts what the user did (commands, generation, imports, scripts, knobs): a tab opened
    /// from a link writes nothing to the browser's storage until this moves.
    pub work: u64,
    /// The session holds something replacing it would lose (the user's work, a restored or
    /// imported log): a lesson or an import then asks first.
    pub precious: bool,
    /// This tab writes the autosave. A tab opened from a link does not, until the user works
    /// in it (the session saved before is kept aside first).
    pub owns_autosave: bool,
}

impl AppState {
    /// Whether replacing the whole session now would lose something the user made.
    pub(super) fn would_lose_work(&self) -> bool {
        self.files.precious && !self.session().what_a_replace_loses().is_empty()
    }

    /// Replaces the log with a file's (all or nothing; asks first if the session holds work).
    pub(super) fn import(&mut self, name: String, bytes: &[u8], source: ImportSource) {
        let started = self.session_mut().start_import(name.clone(), bytes, source);
        match started {
            // A small file is in at once; a big one continues a chunk per task.
            Ok(()) => self.continue_import(),
            Err(problem) => self.notify(
                Tone::Problem,
                format!("{name} was not imported (nothing changed): {problem}"),
                None,
            ),
        }
    }

    /// Replays the next chunk of an import or of a branch's prefix.
    pub(super) fn continue_import(&mut self) {
        let outcome = self.session_mut().continue_import(IMPORT_CHUNK);
        match outcome {
            Ok(Some(job)) => match job.fork_at {
                Some(at) => self.branch_opened(at),
                None if self.would_lose_work() => {
                    self.files.pending = Some(Pending::Import {
                        name: job.name.clone(),
                        events: job.events_in(),
                    });
                    self.session_mut().hold_import(job);
                }
                None => self.adopt_import(job),
            },
            Ok(None) => {}
            Err(problem) => self.notify(
                Tone::Problem,
                format!("The import stopped (nothing changed): {problem}"),
                None,
            ),
        }
    }

    pub(super) fn cancel_import(&mut self) {
        let cancelled = self.session_mut().cancel_import();
        if let Some(job) = cancelled {
            let what = match job.fork_at {
                Some(_) => format!("Opening {} cancelled: nothing changed", job.name),
                None => format!("Import of {} cancelled: nothing changed", job.name),
            };
            self.notify(Tone::Success, what, None);
        }
    }

    /// An empty session in place of this one (asks first if it holds work).
    pub(super) fn ask_fresh(&mut self) {
        if self.would_lose_work() {
            self.files.pending = Some(Pending::Fresh);
        } else {
            self.start_fresh();
        }
    }

    /// Carries out the pending destructive step: the user said yes.
    pub(super) fn confirm(&mut self) {
        let Some(pending) = self.files.pending.take() else {
            return;
        };
        match pending {
            Pending::Import { .. } => {
                let ready = self.session_mut().take_ready_import();
                if let Some(job) = ready {
                    self.adopt_import(job);
                }
            }
            Pending::Lesson { slug, at } => self.load_lesson(slug, at),
            Pending::Fresh => self.start_fresh(),
            Pending::KeepBranch => self.close_branch(true),
            Pending::DiscardBranch => self.close_branch(false),
            Pending::ForgetSetAside => self.forget_set_aside(),
        }
    }

    /// Drops the pending step: nothing changes but the question going away.
    pub(super) fn cancel_pending(&mut self) {
        if let Some(Pending::Import { name, .. }) = self.files.pending.take() {
            self.session_mut().take_ready_import();
            self.notify(
                Tone::Success,
                format!("{name} was not opened: nothing changed"),
                None,
            );
        }
    }

    /// A finished import takes the session's place.
    fn adopt_import(&mut self, job: ImportJob) {
        let knobs_replayed = job.knobs_replayed;
        let (job, summary, settings) = self.session_mut().adopt_import(job);
        self.apply_settings(&settings, knobs_replayed);
        self.clock.running = false;
        self.timeline.playing = false;
        self.timeline.selected = None;
        self.lessons.current = None;
        self.files.precious = summary.events > 0;
        // The filter the log was left with (none: the log whole; a link's view below says its
        // own). One that no longer reads is said, and the log is shown whole.
        self.set_query(settings.query.as_deref().unwrap_or_default());
        let refused = self
            .search
            .borrow()
            .refused()
            .map(|refused| refused.reason.clone());
        if let Some(reason) = refused {
            self.set_query("");
            self.notify(
                Tone::Problem,
                format!("The saved filter no longer reads ({reason}): the log is shown whole"),
                None,
            );
        }
        // A shared link puts the recipient where the sharer was.
        match settings.view {
            Some(Readable::Read(view)) => self.apply_view(view),
            Some(Readable::Unreadable(_)) => self.notify(
                Tone::Problem,
                "The link's view (cursor, tab, lesson) could not be read; the events are in."
                    .into(),
                None,
            ),
            None => {}
        }
        if job.source == ImportSource::Autosave {
            self.files.owns_autosave = true;
        }
        let what = match job.source {
            ImportSource::Autosave => "Restored your saved session",
            ImportSource::Kept => "Opened the kept session",
            ImportSource::File | ImportSource::Link => "Imported",
        };
        self.notify(
            Tone::Success,
            format!(
                "{what} {}: {} events in {} streams",
                job.name,
                fmt_count(summary.events as u64),
                fmt_count(summary.streams as u64)
            ),
            None,
        );
    }

    /// What a scenario's settings say about the knobs, the scripts and the schemas, put back
    /// in place. A recipe's steps already set the knobs as they were (`knobs_replayed`), per
    /// subscription and all, and the session reads them from there.
    fn apply_settings(&mut self, settings: &ScenarioSettings, knobs_replayed: bool) {
        if !knobs_replayed {
            let mut session = self.session_mut();
            let knobs = [
                settings.delivery.map(|delivery| Step::Delivery {
                    subscription: None,
                    settings: delivery.clamped(),
                }),
                settings.idempotent.map(|idempotent| Step::Idempotent {
                    service: None,
                    idempotent,
                }),
                settings.mode.map(|mode| Step::Mode { mode }),
            ];
            for step in knobs.into_iter().flatten() {
                let _ = session.run_services(step);
            }
        }
        if let Some(saved) = &settings.scripts {
            *self.session_mut().scripts_mut() = saved.clone().with_ids();
        }
        let restored = match &settings.evolution {
            Some(Readable::Read(record)) => self.session_mut().restore_evolution(record),
            Some(Readable::Unreadable(problem)) => Err(problem.clone()),
            None => Ok(()),
        };
        if let Err(problem) = restored {
            self.notify(
                Tone::Problem,
                format!("The scenario's schema versions were not restored: {problem}"),
                None,
            );
        }
    }

    /// An empty session, with the knobs at their defaults; the user's scripts stay (code, not
    /// history) and join the new line at its head.
    pub(super) fn start_fresh(&mut self) {
        let scripts = std::mem::take(self.session_mut().scripts_mut());
        let mut session = Session::default();
        session.scripts = scripts;
        session.scripts.join_at(0);
        self.session_mut().replace_with(session);
        self.clock.running = false;
        self.timeline.playing = false;
        self.timeline.selected = None;
        self.lessons.current = None;
        self.next_command.backdate = None;
        self.next_command.expected = None;
        self.files.precious = false;
        self.notify(Tone::Success, "A fresh, empty session".into(), None);
    }

    /// A what-if branch's prefix is in: commands now go to the branch.
    fn branch_opened(&mut self, at: Position) {
        self.clock.running = false;
        let without = self.session().branch().and_then(|branch| {
            branch
                .without
                .as_ref()
                .map(|left| (left.picked.len(), left.all.len()))
        });
        let text = match without {
            Some((picked, all)) => {
                let which = match picked {
                    1 => "that event".to_string(),
                    n => format!("those {} events", fmt_count(n as u64)),
                };
                let more = match all - picked {
                    0 => String::new(),
                    n => format!(" and the {} that followed from it", fmt_count(n as u64)),
                };
                format!("What-if branch: the log without {which}{more}. Compare it with the main line; commands now go to the branch")
            }
            None => format!(
                "What-if branch opened at position {}: commands now go to the branch",
                fmt_count(at.0)
            ),
        };
        self.notify(Tone::Success, text, None);
    }
}
