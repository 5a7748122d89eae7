//! A line made again from its recipe, and the proof that a recipe makes exactly this log.

use eventide_engine::rng::IdSource;
use eventide_engine::EventId;
use eventide_shop::simulation::PolicyActor;

use super::services::apply_to_services;
use super::Session;
use crate::recipe::{Recipe, Step};
use crate::state::ScenarioSettings;

/// The ids a recipe carries, handed out in order as the replayed commands ask for them. Run
/// out, it hands out nil ids: the replay then differs and the proof refuses the recipe.
struct RecordedIds(std::vec::IntoIter<EventId>);

impl IdSource for RecordedIds {
    fn next_event_id(&mut self) -> EventId {
        self.0.next().unwrap_or(EventId(uuid::Uuid::nil()))
    }
}

impl Session {
    /// Makes a session again from its recipe's steps (the settings are the import's to apply).
    pub fn replay(recipe: &Recipe) -> Result<Session, String> {
        let mut session = Session::starting_at(recipe.start);
        for step in &recipe.steps {
            match step {
                Step::Generate { seed, orders } => {
                    session.start_generating(*seed, *orders);
                    while session.job.is_some() {
                        session
                            .continue_job(u64::MAX)
                            .map_err(|error| error.to_string())?;
                    }
                }
                Step::Command {
                    command,
                    at,
                    occurred_at,
                    ids,
                    expected,
                } => {
                    // As `execute` did: the wall clock moved the simulation on only while the
                    // services were not running; while they ran, the command took their clock.
                    if !session.sim.is_reacting() {
                        session
                            .sim
                            .advance_to(*at)
                            .map_err(|error| error.to_string())?;
                    }
                    let mut ids = RecordedIds(ids.clone().into_iter());
                    session
                        .sim
                        .execute_expecting(command.clone(), &mut ids, *occurred_at, *expected)
                        .map_err(|error| error.to_string())?;
                }
                Step::React {
                    policy,
                    name,
                    cause,
                    reaction,
                    ids,
                } => {
                    let actor = PolicyActor { id: *policy, name };
                    let mut ids = RecordedIds(ids.clone().into_iter());
                    session
                        .sim
                        .react_for(actor, *cause, reaction.clone(), &mut ids)
                        .map_err(|error| error.to_string())?;
                }
                Step::Evolution { record } => session.restore_evolution(record)?,
                services => {
                    apply_to_services(&mut session.sim, services)?;
                }
            }
        }
        session.recipe = Some(Recipe {
            settings: ScenarioSettings::default(),
            ..recipe.clone()
        });
        Ok(session)
    }

    /// This line's recipe with `settings`, if replaying it proved to make exactly this log
    /// (every envelope equal, field for field).
    pub fn proven_recipe(&self, settings: ScenarioSettings) -> Option<Recipe> {
        if self.job.is_some() || self.import_job.is_some() || self.branch.is_some() {
            return None;
        }
        let recipe = self.recipe.as_ref().filter(|r| r.replays_in_a_moment())?;
        let replayed = Session::replay(recipe).ok()?;
        // Every envelope field for field (what the scenario file would write), without
        // serialising two copies of a large log to compare them.
        (replayed.shop().store().events() == self.shop().store().events()).then(|| Recipe {
            settings,
            ..recipe.clone()
        })
    }

    /// Forgets the steps: what follows cannot be replayed from them.
    pub(super) fn forget_recipe(&mut self) {
        self.recipe = None;
    }
}

#[cfg(test)]
mod recipe_tests {
    use eventide_engine::schema::CompatibilityMode;
    use eventide_engine::Timestamp;
    use eventide_shop::events::ShopEventKind;
    use eventide_shop::services::ServiceName;
    use eventide_shop::simulation::SimulationConfig;

    use super::super::{ImportSource, DEFAULT_SEED};
    use super::*;

    fn generated() -> Session {
        let mut session = Session::starting_at(Timestamp::from_millis(1_700_000_000_000));
        session.start_generating(11, 30);
        while session.job.is_some() {
            session.continue_job(500).expect("generates");
        }
        session
    }

    #[test]
    fn a_generated_session_is_proven_by_its_recipe_and_replays_to_the_same_log() {
        let session = generated();
        let recipe = session
            .proven_recipe(ScenarioSettings::default())
            .expect("a recipe that reproduces the log");
        assert_eq!(
            recipe.steps,
            vec![Step::Generate {
                seed: 11,
                orders: 30
            }]
        );
        let back = Recipe::read(recipe.to_json().as_bytes()).expect("reads");
        let replayed = Session::replay(&back).expect("replays");
        assert_eq!(
            replayed.export_scenario(ScenarioSettings::default()),
            session.export_scenario(ScenarioSettings::default())
        );
    }

    #[test]
    fn a_run_of_the_services_is_proven_by_a_few_steps() {
        let start = Timestamp::from_millis(1_700_000_000_000);
        let mut session = Session::starting_at(start);
        let mut config = SimulationConfig::new(DEFAULT_SEED, 0, start);
        config.idempotent = false;
        for step in [
            Step::Services { config },
            Step::Reacting { on: true },
            Step::OpenStorefront { checkouts: 12 },
        ] {
            session.run_services(step).expect("runs");
        }
        // The clock runs on a frame at a time, then single steps, a knob, chaos, more time.
        for frame in 1..=200 {
            let until = start.plus_millis(frame * 250);
            session
                .run_services(Step::AdvanceTo { until })
                .expect("runs");
        }
        for _ in 0..25 {
            session
                .run_services(Step::SimSteps { count: 1 })
                .expect("steps");
        }
        let knob = Step::Idempotent {
            service: Some(ServiceName::Payment),
            idempotent: true,
        };
        session.run_services(knob).expect("turns");
        let chaos = eventide_shop::ShopEvent::ChaosModeEnabled {
            reason: "game day".into(),
        };
        session
            .run_services(Step::Inject { event: chaos })
            .expect("injects");
        let until = start.plus_millis(3_600_000);
        session
            .run_services(Step::AdvanceTo { until })
            .expect("runs");
        assert!(session.shop().store().len() > 50, "the run made events");

        let recipe = session
            .proven_recipe(ScenarioSettings::default())
            .expect("a recipe that reproduces the run");
        // 200 frames of clock are one step, 25 single steps another.
        assert_eq!(recipe.steps.len(), 8, "{:?}", recipe.steps);
        let back = Recipe::read(recipe.to_json().as_bytes()).expect("reads");
        let replayed = Session::replay(&back).expect("replays");
        assert_eq!(
            replayed.shop().store().events(),
            session.shop().store().events()
        );
        // The services themselves came back: their next steps make the same events.
        let mut replayed = replayed;
        let later = start.plus_millis(7_200_000);
        for line in [&mut session, &mut replayed] {
            line.run_services(Step::OpenStorefront { checkouts: 3 })
                .expect("opens");
            line.run_services(Step::AdvanceTo { until: later })
                .expect("runs");
        }
        assert_eq!(
            replayed.shop().store().events(),
            session.shop().store().events()
        );
    }

    #[test]
    fn the_schema_registry_is_a_step_so_commands_after_it_replay_under_it() {
        let mut session = generated();
        session.set_schema_mode(ShopEventKind::OrderPlaced, CompatibilityMode::Full);
        session.set_schema_mode(ShopEventKind::OrderPlaced, CompatibilityMode::None);
        let recipe = session
            .proven_recipe(ScenarioSettings::default())
            .expect("a recipe");
        // Two changes in a row are one step: the registry as it ended up.
        let changes = recipe
            .steps
            .iter()
            .filter(|step| matches!(step, Step::Evolution { .. }))
            .count();
        assert_eq!(changes, 1, "{:?}", recipe.steps);
        let replayed = Session::replay(&recipe).expect("replays");
        assert_eq!(replayed.evolution().record(), session.evolution().record());
        assert_eq!(
            replayed.evolution().mode(ShopEventKind::OrderPlaced),
            CompatibilityMode::None
        );
    }

    #[test]
    fn a_recipe_that_does_not_reproduce_the_log_is_not_offered() {
        let mut session = generated();
        // Steps that make another log (a different seed) than the one held.
        session.recipe = Some(Recipe::new(
            Timestamp::from_millis(1_700_000_000_000),
            vec![Step::Generate {
                seed: 12,
                orders: 30,
            }],
        ));
        assert!(session.proven_recipe(ScenarioSettings::default()).is_none());
        // Steps forgotten (an import, a branch, a simulation run): none is offered.
        session.recipe = None;
        assert!(session.proven_recipe(ScenarioSettings::default()).is_none());
    }

    fn reopen(file: &str) -> Session {
        let mut reopened = Session::starting_at(Timestamp::from_millis(1_800_000_000_000));
        reopened
            .start_import("saved".into(), file.as_bytes(), ImportSource::Autosave)
            .expect("the file reads");
        let job = loop {
            if let Some(job) = reopened.continue_import(10_000).expect("replays") {
                break job;
            }
        };
        reopened.adopt_import(job);
        reopened
    }

    #[test]
    fn a_session_reopened_from_its_file_is_still_proven_by_its_recipe() {
        let session = generated();
        let reopened = reopen(&session.export_scenario(ScenarioSettings::default()));
        let recipe = reopened
            .proven_recipe(ScenarioSettings::default())
            .expect("the file's recipe still reproduces its log");
        assert_eq!(
            Some(recipe),
            session.proven_recipe(ScenarioSettings::default())
        );
        // A file whose recipe does not make its log falls back to the file, as before.
        let mut other = generated();
        other.recipe = Some(Recipe::new(
            Timestamp::from_millis(1_700_000_000_000),
            vec![Step::Generate {
                seed: 12,
                orders: 30,
            }],
        ));
        let reopened = reopen(&other.export_scenario(ScenarioSettings::default()));
        assert!(reopened
            .proven_recipe(ScenarioSettings::default())
            .is_none());
    }
}
