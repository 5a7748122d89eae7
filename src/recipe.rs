//! A scenario as the steps that made it rather than every event: the engine is deterministic
//! (time, ids and seeds are passed in), so a start time, the generations with their seeds and
//! the user's commands with their times and ids make the same log again, in far fewer
//! characters. So does a run of the services: the simulation is deterministic too, so what was
//! done to it (opened the storefront, ran the clock on, switched a consumer to naive, injected
//! chaos, a policy's reaction) replays it in order. Pure data and its text form; replaying it is
//! the session's job (`Session::replay`), and a recipe is only offered once a replay proved it
//! exact.

use eventide_engine::delivery::{DeliverySettings, SubscriptionId};
use eventide_engine::store::ExpectedVersion;
use eventide_engine::{EventId, Position, Timestamp};
use eventide_shop::commands::ShopCommand;
use eventide_shop::events::ShopEvent;
use eventide_shop::evolution::EvolutionRecord;
use eventide_shop::services::{Mode, ServiceName};
use eventide_shop::simulation::{ScriptReaction, SimulationConfig};
use serde::{Deserialize, Serialize};

use crate::state::ScenarioSettings;

/// What a recipe file calls itself, so it is never mistaken for a scenario file.
pub const FORMAT: &str = "eventide-recipe";
/// The recipe format this version writes and reads (2 added the services' steps). A later one
/// is refused politely.
pub const VERSION: u32 = 2;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recipe {
    pub format: String,
    pub version: u32,
    /// The session's clock when it began.
    pub start: Timestamp,
    pub steps: Vec<Step>,
    /// The scenario's settings beside the log (knobs, scripts, schema versions, the view).
    #[serde(default)]
    pub settings: ScenarioSettings,
}

/// One thing that appended events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum Step {
    /// A generated workload, from its seed.
    Generate {
        seed: u64,
        orders: u64,
    },
    /// A command of the user's: the clock it ran at, its business time if back-dated, and the
    /// ids its events got (random in the browser, so carried).
    Command {
        command: ShopCommand,
        at: Timestamp,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        occurred_at: Option<Timestamp>,
        ids: Vec<EventId>,
        /// The stream version the user said to expect, if not the aggregate's own.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected: Option<ExpectedVersion>,
    },
    /// A fresh simulation of the services (a services lesson's scenario starts with one).
    Services {
        config: SimulationConfig,
    },
    /// The services start or stop listening.
    Reacting {
        on: bool,
    },
    OpenStorefront {
        checkouts: u64,
    },
    /// The virtual clock ran on to `until`, everything due on the way done.
    AdvanceTo {
        until: Timestamp,
    },
    /// The simulation did its next thing `count` times (the Step button, a lesson's catch-up).
    SimSteps {
        count: u64,
    },
    /// A subscription's delivery settings changed (`None`: every subscription's).
    Delivery {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subscription: Option<SubscriptionId>,
        settings: DeliverySettings,
    },
    /// A service's consumer made idempotent or naive (`None`: every service's).
    Idempotent {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service: Option<ServiceName>,
        idempotent: bool,
    },
    /// An event published from outside the services (chaos on or off).
    Inject {
        event: ShopEvent,
    },
    Mode {
        mode: Mode,
    },
    /// A service's dead letters sent again.
    ReplayParked {
        service: ServiceName,
    },
    /// A subscription reset to a position: everything it consumes after it sent again.
    ResetSubscription {
        subscription: SubscriptionId,
        to: Position,
    },
    /// The schema registry as it stood after a change (a version registered, a mode chosen):
    /// later commands write and read their events by it.
    Evolution {
        record: EvolutionRecord,
    },
    /// What a deployed policy did about the event at `cause`, with the ids its events got.
    React {
        policy: u64,
        name: String,
        cause: Position,
        reaction: ScriptReaction,
        ids: Vec<EventId>,
    },
}

impl Recipe {
    pub fn new(start: Timestamp, steps: Vec<Step>) -> Recipe {
        Recipe {
            format: FORMAT.into(),
            version: VERSION,
            start,
            steps,
            settings: ScenarioSettings::default(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Whether these bytes say they are a recipe (whatever their version).
    pub fn looks_like(bytes: &[u8]) -> bool {
        #[derive(Deserialize)]
        struct Head {
            format: String,
        }
        serde_json::from_slice::<Head>(bytes).is_ok_and(|head| head.format == FORMAT)
    }

    /// Reads a recipe, or says in words why not: damaged, or made by a later version.
    pub fn read(bytes: &[u8]) -> Result<Recipe, String> {
        #[derive(Deserialize)]
        struct Head {
            format: String,
            version: u32,
        }
        let head: Head = serde_json::from_slice(bytes)
            .map_err(|_| "the link's recipe is damaged (it does not read)".to_string())?;
        if head.format != FORMAT {
            return Err("the link holds no Eventide recipe".into());
        }
        if head.version > VERSION {
            return Err(format!(
                "the link was made by a newer Eventide (recipe version {}); this one reads version {VERSION}. Open it in an up-to-date Eventide, or ask for the scenario file",
                head.version
            ));
        }
        let recipe: Recipe = serde_json::from_slice(bytes)
            .map_err(|error| format!("the link's recipe is damaged ({error})"))?;
        if !recipe.replays_in_a_moment() {
            return Err(format!(
                "the link's recipe makes {} orders in {} simulation steps; a link replays at most {} orders and {} steps (ask for the scenario file)",
                recipe.generated_orders(),
                recipe.simulation_steps(),
                MAX_REPLAYED_ORDERS,
                MAX_REPLAYED_STEPS
            ));
        }
        Ok(recipe)
    }

    /// Every order the recipe's generations and storefronts make.
    pub fn generated_orders(&self) -> u64 {
        self.steps
            .iter()
            .map(|step| match step {
                Step::Generate { orders, .. } => *orders,
                Step::OpenStorefront { checkouts } => *checkouts,
                _ => 0,
            })
            .fold(0, u64::saturating_add)
    }

    /// The single steps it asks of the simulation.
    pub fn simulation_steps(&self) -> u64 {
        self.steps
            .iter()
            .map(|step| match step {
                Step::SimSteps { count } => *count,
                _ => 0,
            })
            .fold(0, u64::saturating_add)
    }

    /// Whether this version may replay it: its own format, a version it reads, and a replay
    /// in a moment (what [`Recipe::read`] checks of a recipe's text).
    pub fn reads_here(&self) -> bool {
        self.format == FORMAT && self.version <= VERSION && self.replays_in_a_moment()
    }

    /// Whether replaying it stays within what a tab does without a progress bar: a replay
    /// runs in one go, when a link opens and when sharing proves the recipe.
    pub fn replays_in_a_moment(&self) -> bool {
        self.generated_orders() <= MAX_REPLAYED_ORDERS
            && self.simulation_steps() <= MAX_REPLAYED_STEPS
    }

    /// Adds a step, folding it into the last one where the two do what one would: the clock
    /// run on twice is the clock run on to the later time, single steps add up.
    pub fn push(&mut self, step: Step) {
        match (self.steps.last_mut(), step) {
            (Some(Step::AdvanceTo { until }), Step::AdvanceTo { until: later }) => {
                *until = (*until).max(later)
            }
            (Some(Step::SimSteps { count }), Step::SimSteps { count: more }) => {
                *count = count.saturating_add(more)
            }
            // Only the registry as it ended up matters to what comes next.
            (Some(Step::Evolution { record }), Step::Evolution { record: newer }) => {
                *record = newer
            }
            (_, step) => self.steps.push(step),
        }
    }
}

/// About 2M events: a couple of seconds of replay in a tab. A link asking for more is refused
/// rather than freezing the page; a bigger session shares as its file.
pub const MAX_REPLAYED_ORDERS: u64 = 250_000;

/// As many single simulation steps as a lesson's catch-up may take (`lesson_at`'s bound).
pub const MAX_REPLAYED_STEPS: u64 = 1_000_000;

#[cfg(test)]
mod tests {
    use super::*;
    use eventide_shop::ids::CustomerId;

    fn sample() -> Recipe {
        let mut recipe = Recipe::new(
            Timestamp::from_millis(1_700_000_000_000),
            vec![
                Step::Generate {
                    seed: 7,
                    orders: 200,
                },
                Step::Command {
                    command: ShopCommand::PlaceOrder {
                        customer: CustomerId(3),
                        lines: Vec::new(),
                    },
                    at: Timestamp::from_millis(1_700_000_100_000),
                    occurred_at: None,
                    ids: vec![EventId(uuid::Uuid::from_u128(42))],
                    expected: None,
                },
            ],
        );
        recipe.settings.idempotent = Some(false);
        recipe
    }

    #[test]
    fn a_recipe_survives_its_text_form_and_the_link() {
        let recipe = sample();
        let text = recipe.to_json();
        assert!(Recipe::looks_like(text.as_bytes()));
        assert_eq!(Recipe::read(text.as_bytes()), Ok(recipe.clone()));
        let fragment = crate::share::encode_recipe(&text).expect("small");
        let bytes = crate::share::decode(&fragment)
            .expect("a link")
            .expect("intact");
        assert_eq!(Recipe::read(&bytes), Ok(recipe));
    }

    #[test]
    fn a_recipe_that_would_freeze_the_tab_is_refused() {
        let mut recipe = sample();
        recipe.steps.push(Step::Generate {
            seed: 1,
            orders: u64::MAX,
        });
        let problem = Recipe::read(recipe.to_json().as_bytes()).expect_err("refused");
        assert!(problem.contains("at most 250000"), "{problem}");
    }

    #[test]
    fn a_damaged_recipe_says_so() {
        let text = sample().to_json();
        let cut = &text.as_bytes()[..text.len() / 2];
        assert!(Recipe::read(cut).is_err_and(|why| why.contains("damaged")));
        let wrong_step = text.replace("\"generate\"", "\"teleport\"");
        assert!(Recipe::read(wrong_step.as_bytes()).is_err_and(|why| why.contains("damaged")));
        assert!(crate::share::decode("#recipe=%%%").is_some_and(|r| r.is_err()));
    }

    #[test]
    fn a_recipe_from_a_later_version_is_refused_politely() {
        let text = sample().to_json().replace("\"version\":2", "\"version\":3");
        let why = Recipe::read(text.as_bytes()).expect_err("refused");
        assert!(why.contains("newer Eventide (recipe version 3)"), "{why}");
        // Still recognised as a recipe, so it is not taken for a scenario file.
        assert!(Recipe::looks_like(text.as_bytes()));
    }
}
