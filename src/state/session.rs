//! The engine as the browser holds it: one shop, where new ids and the time come from, and a
//! generation job that may be spread over many frames.

use eventide_engine::rng::IdSource;
use eventide_engine::schema::SchemaRegistry;
use eventide_engine::shop::commands::ShopCommand;
use eventide_engine::shop::event_catalog;
use eventide_engine::shop::events::ShopEventKind;
use eventide_engine::shop::generator::{Budget, Generated, Generator, GeneratorConfig};
use eventide_engine::shop::simulation::{Simulation, SimulationConfig};
use eventide_engine::shop::{CommandError, Shop};
use eventide_engine::store::Appended;
use eventide_engine::{EventId, Named, Position, Timestamp};

const HOUR_MS: u64 = 3_600_000;

/// Random v4 ids for commands a person issues. Generated workloads use a seeded source instead.
pub struct BrowserIds;

impl IdSource for BrowserIds {
    fn next_event_id(&mut self) -> EventId {
        EventId(uuid::Uuid::new_v4())
    }
}

/// A workload being generated a chunk at a time.
pub struct GenerateJob {
    generator: Generator,
    budget: Budget,
    pub orders: u64,
    pub events: u64,
}

impl GenerateJob {
    pub fn progress(&self) -> f64 {
        match self.budget {
            Budget::Orders(limit) if limit > 0 => self.orders as f64 / limit as f64,
            Budget::Events(limit) if limit > 0 => self.events as f64 / limit as f64,
            _ => 1.0,
        }
    }

    pub fn target_orders(&self) -> u64 {
        match self.budget {
            Budget::Orders(limit) => limit,
            Budget::Events(_) => 0,
        }
    }
}

/// The seed of the services' decisions and of delivery, until the user picks another.
pub const DEFAULT_SEED: u64 = 42;

pub struct Session {
    sim: Simulation,
    ids: BrowserIds,
    job: Option<GenerateJob>,
    /// Every event type's schema versions, version 1 from the catalog.
    pub registry: SchemaRegistry<String>,
}

/// A registry holding version 1 of every event type's payload schema.
fn initial_registry() -> SchemaRegistry<String> {
    let mut registry = SchemaRegistry::new();
    for &kind in ShopEventKind::ALL {
        // The catalog's own schemas are valid JSON Schemas (a test checks it), so this succeeds.
        let _ = registry.register(kind.name().to_string(), event_catalog::schema(kind));
    }
    registry
}

impl Default for Session {
    fn default() -> Self {
        let start = Timestamp::from_millis(js_sys::Date::now() as i64);
        Session {
            sim: Simulation::idle(SimulationConfig::new(DEFAULT_SEED, 0, start)),
            ids: BrowserIds,
            job: None,
            registry: initial_registry(),
        }
    }
}

impl Session {
    pub fn shop(&self) -> &Shop {
        self.sim.shop()
    }

    pub fn sim(&self) -> &Simulation {
        &self.sim
    }

    pub fn sim_mut(&mut self) -> &mut Simulation {
        &mut self.sim
    }

    /// The virtual clock: it stands still until the simulation runs, and never falls behind
    /// the newest event.
    pub fn now(&self) -> Timestamp {
        self.sim.clock()
    }

    /// Issues a user's command. While the services are not running, time is the wall clock's;
    /// while they run, it is the simulation's virtual time.
    pub fn execute(&mut self, command: ShopCommand) -> Result<Appended, CommandError> {
        if !self.sim.is_reacting() {
            let wall = Timestamp::from_millis(js_sys::Date::now() as i64);
            self.sim.advance_to(wall)?;
        }
        self.sim.execute(command, &mut self.ids)
    }

    pub fn seek(&mut self, target: Position) -> Position {
        self.sim.seek(target)
    }

    pub fn go_live(&mut self) {
        self.sim.go_live();
    }

    /// Starts a workload that ends about now: its history is placed in the recent past (an order
    /// flow takes up to about an hour), unless the log already reaches later than that.
    pub fn start_generating(&mut self, seed: u64, orders: u64) {
        let mut config = GeneratorConfig::new(seed, self.now());
        let span_ms = orders.saturating_mul(config.mean_arrival_ms) + HOUR_MS;
        let head = self
            .shop()
            .store()
            .events()
            .last()
            .map(|event| event.recorded_at);
        let backdated = config
            .start
            .plus_millis(-(span_ms.min(i64::MAX as u64) as i64));
        config.start = head.map_or(backdated, |head| head.max(backdated));
        self.job = Some(GenerateJob {
            generator: Generator::new(config),
            budget: Budget::Orders(orders),
            orders: 0,
            events: 0,
        });
    }

    pub fn job(&self) -> Option<&GenerateJob> {
        self.job.as_ref()
    }

    pub fn cancel_job(&mut self) -> Option<GenerateJob> {
        self.job.take()
    }

    /// Runs the job for at most `max_events`; returns the job's total once it has finished.
    pub fn continue_job(&mut self, max_events: u64) -> Result<Option<Generated>, CommandError> {
        let Some(job) = self.job.as_mut() else {
            return Ok(None);
        };
        let step = self
            .sim
            .with_shop(|shop| job.generator.run_chunk(shop, job.budget, max_events));
        let step = match step {
            Ok(step) => step,
            Err(error) => {
                self.job = None;
                return Err(error);
            }
        };
        job.orders = step.orders_finished;
        job.events += step.events;
        if job.generator.is_done(job.budget) || step.events == 0 {
            let total = Generated {
                events: job.events,
                orders_placed: job.orders,
                orders_finished: job.orders,
            };
            self.job = None;
            return Ok(Some(total));
        }
        Ok(None)
    }
}
