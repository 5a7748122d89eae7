//! Scenario files in and out: an import (or a branch's prefix) replayed a chunk at a time into
//! a line of its own, put in place only when every event is in.

use eventide_engine::Position;
use eventide_shop::checked::CheckedLog;
use eventide_shop::interchange;
use eventide_shop::simulation::{Simulation, SimulationConfig};

use super::branches::Without;
use super::{Branch, Session, DEFAULT_SEED};
use crate::recipe::Recipe;
use crate::state::{ExportWhich, ScenarioSettings};

/// Where an imported log comes from: it decides what the notice says and whether the tab then
/// owns the autosave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportSource {
    /// A file the user chose.
    File,
    /// The session autosaved in this browser.
    Autosave,
    /// A session kept aside in this browser.
    Kept,
    /// A scenario carried by the address.
    Link,
}

/// A log being replayed a chunk at a time into a line of its own: an import (the session's line
/// is replaced only when every event is in) or a what-if branch (the main line's prefix, read
/// from the main line itself; the branch opens when it is all in).
pub struct ImportJob {
    pub name: String,
    pub source: ImportSource,
    /// Set when the job opens a branch at this position.
    pub fork_at: Option<Position>,
    /// Set when the branch is the whole line without these events ("what if they had not
    /// happened?"): the main line is replayed through `Without::through`, these left out.
    pub(super) without: Option<Without>,
    pub(super) events: CheckedLog,
    pub(super) settings: ScenarioSettings,
    pub(super) line: Simulation,
    pub done: usize,
    /// The recipe the line was replayed from (an opened recipe link), so sharing again stays short.
    pub(super) recipe: Option<Recipe>,
    /// Whether the services' knobs (delivery, idempotence, model) came back with the replayed
    /// steps, so the settings must not set them over again (recipes from version 2 on).
    pub knobs_replayed: bool,
}

impl ImportJob {
    /// The events in the line replayed so far.
    pub fn events_in(&self) -> usize {
        self.line.shop().store().len()
    }

    pub fn total(&self) -> usize {
        match (&self.without, self.fork_at) {
            (Some(without), _) => without.through.0 as usize,
            (None, Some(fork_at)) => fork_at.0 as usize,
            (None, None) => self.events.len(),
        }
    }
}

impl Session {
    /// The whole scenario as a JSON file: events, schemas registered beyond version 1, settings.
    /// The line as a scenario file; its recipe, if it has one, rides along in the settings, so
    /// a session restored from the autosave or a file shares as a short link again (the share
    /// still proves the recipe by replaying it).
    pub fn export_scenario(&self, mut settings: ScenarioSettings) -> String {
        settings.recipe = self.recipe.as_ref().map(|recipe| {
            Box::new(Recipe {
                settings: ScenarioSettings::default(),
                ..recipe.clone()
            })
        });
        interchange::export_scenario(self.shop().store(), Some(DEFAULT_SEED), settings.to_map())
    }

    pub fn export_cloudevents(&self) -> String {
        interchange::export_cloudevents(self.shop().store())
    }

    /// Reads and checks a file, then starts replaying it into a line of its own. Nothing here
    /// changes until the whole log is in; on an error the message names the event and the field.
    pub fn start_import(
        &mut self,
        name: String,
        bytes: &[u8],
        source: ImportSource,
    ) -> Result<(), String> {
        interchange::check_size(bytes.len() as u64).map_err(|error| error.to_string())?;
        if Recipe::looks_like(bytes) {
            let recipe = Recipe::read(bytes)?;
            let replayed = Session::replay(&recipe)
                .map_err(|problem| format!("the link's recipe does not replay ({problem})"))?;
            self.import_job = Some(ImportJob {
                name,
                source,
                fork_at: None,
                settings: recipe.settings,
                events: CheckedLog::default(),
                line: replayed.sim,
                done: 0,
                knobs_replayed: recipe.version >= 2,
                without: None,
                recipe: replayed.recipe,
            });
            self.changed();
            return Ok(());
        }
        let log = interchange::read(bytes).map_err(|error| error.to_string())?;
        let start = log
            .events
            .events()
            .first()
            .map_or(self.now(), |e| e.recorded_at);
        // A recipe the file carries is kept unproven: sharing replays it before trusting it.
        let mut settings = ScenarioSettings::read(log.settings);
        let recipe = settings
            .recipe
            .take()
            .map(|recipe| *recipe)
            .filter(Recipe::reads_here);
        self.import_job = Some(ImportJob {
            name,
            source,
            fork_at: None,
            settings,
            events: log.events,
            line: Simulation::idle(SimulationConfig::new(DEFAULT_SEED, 0, start)),
            done: 0,
            recipe,
            knobs_replayed: false,
            without: None,
        });
        self.changed();
        Ok(())
    }

    pub fn import_job(&self) -> Option<&ImportJob> {
        self.import_job.as_ref()
    }

    pub fn cancel_import(&mut self) -> Option<ImportJob> {
        let job = self.import_job.take()?;
        self.changed();
        Some(job)
    }

    /// Replays up to `max_events` more. When all are in, a branch opens at once (the main line
    /// waits beside it, untouched); an import's new line waits, ready, until
    /// [`Session::adopt_import`] puts it in place, so the user can be asked first. An error
    /// abandons the job and leaves the session as it was.
    pub fn continue_import(&mut self, max_events: usize) -> Result<Option<ImportJob>, String> {
        if self.import_job.is_none() {
            return Ok(None);
        }
        self.changed();
        let Some(job) = self.import_job.as_mut() else {
            return Ok(None);
        };
        let end = (job.done + max_events).min(job.total());
        let chunk = match job.fork_at {
            // The main line's prefix is append-only history: reading it as the main line grows
            // meanwhile is safe.
            Some(_) => self.sim.shop().recorded().slice(job.done..end),
            None => job.events.as_checked().slice(job.done..end),
        };
        let outcome = match &job.without {
            Some(without) => job
                .line
                .with_shop(|shop| {
                    shop.replay_without(chunk, |at| without.left_out.all.contains(&at))
                })
                .map(|_| ())
                .map_err(|error| error.to_string()),
            None => job
                .line
                .with_shop(|shop| shop.replay(chunk))
                .map_err(|error| error.to_string()),
        };
        if let Err(problem) = outcome {
            self.import_job = None;
            return Err(problem);
        }
        job.done = end;
        if job.done < job.total() {
            return Ok(None);
        }
        let Some(mut job) = self.import_job.take() else {
            return Ok(None);
        };
        job.events = CheckedLog::default();
        if let Some(fork_at) = job.fork_at {
            self.forget_recipe();
            let idle = Simulation::idle(SimulationConfig::new(DEFAULT_SEED, 0, self.now()));
            let line = std::mem::replace(&mut job.line, idle);
            let main = std::mem::replace(&mut self.sim, line);
            let main_progress = self.scripts.progress();
            match &job.without {
                // The same history without some of it: no policy reacts to it again.
                Some(_) => self.scripts.join_at(self.sim.shop().store().head().0),
                // The branch's events after the fork are new to every policy.
                None => self.scripts.rewind_to(fork_at.0),
            }
            self.branch = Some(Branch {
                fork_at,
                main,
                main_progress,
                without: job.without.as_ref().map(|without| without.left_out.clone()),
                opened_at: self.sim.shop().store().head(),
            });
        }
        Ok(Some(job))
    }

    /// Puts a finished import in place of the whole session (its branch and the line set aside
    /// go too: the caller asked the user first) and returns what the file held.
    pub fn adopt_import(
        &mut self,
        mut job: ImportJob,
    ) -> (ImportJob, interchange::LogSummary, ScenarioSettings) {
        self.changed();
        let summary = interchange::summarize(job.line.shop().store());
        let settings = std::mem::take(&mut job.settings);
        let idle = Simulation::idle(SimulationConfig::new(DEFAULT_SEED, 0, self.now()));
        self.sim = std::mem::replace(&mut job.line, idle);
        self.recipe = job.recipe.take();
        self.branch = None;
        self.set_aside = None;
        self.job = None;
        // Policies deployed before join the imported log at its head: its history is not news.
        self.scripts.join_at(self.shop().store().head().0);
        (job, summary, settings)
    }

    /// An import that finished while the session held work: it waits for the user's answer.
    pub fn hold_import(&mut self, job: ImportJob) {
        self.ready_import = Some(job);
        self.changed();
    }

    pub fn take_ready_import(&mut self) -> Option<ImportJob> {
        let job = self.ready_import.take()?;
        self.changed();
        Some(job)
    }

    /// A line as a scenario file: the current one, the main line under an open branch, or the
    /// one set aside.
    pub fn export_line(&self, which: ExportWhich, settings: ScenarioSettings) -> Option<String> {
        let line = match which {
            ExportWhich::Current => &self.sim,
            ExportWhich::Main => &self.branch.as_ref()?.main,
            ExportWhich::SetAside => &self.set_aside.as_ref()?.line,
        };
        Some(interchange::export_scenario(
            line.shop().store(),
            Some(DEFAULT_SEED),
            settings.to_map(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use eventide_engine::Timestamp;

    use super::*;

    /// The session's replay once appended whatever it was handed: an event whose id was already
    /// in the line was skipped in silence (the store's idempotence), and the import finished
    /// one event short. A file that repeats an id is now refused before anything is replayed
    /// (and only checked logs reach a replay at all), naming the event.
    #[test]
    fn an_import_that_repeats_an_event_is_refused_not_shortened() {
        let mut session = Session::starting_at(Timestamp::from_millis(1_700_000_000_000));
        session.start_generating(11, 30);
        while session.job.is_some() {
            session.continue_job(500).expect("generates");
        }
        let mut file: serde_json::Value =
            serde_json::from_str(&session.export_scenario(ScenarioSettings::default()))
                .expect("an export reads");
        let events = file["events"]
            .as_array_mut()
            .expect("a scenario has events");
        events.truncate(3);
        let mut again = events[0].clone();
        again["position"] = 4.into();
        again["recorded_at"] = events[2]["recorded_at"].clone();
        events.push(again);
        let mut importing = Session::starting_at(Timestamp::from_millis(1_800_000_000_000));
        let Err(refused) = importing.start_import(
            "a repeat".into(),
            file.to_string().as_bytes(),
            ImportSource::File,
        ) else {
            panic!("#4 repeats #1's id, yet the import went on");
        };
        assert!(
            refused.contains("index 3")
                && refused.contains("repeats the id of the event at index 0"),
            "{refused}"
        );
        assert!(importing.import_job().is_none(), "nothing is replayed");
    }
}
