//! Generated workloads: spread over many frames in the tab, at once for a lesson's scenario.

use eventide_shop::catalog::PRODUCTS;
use eventide_shop::commands::{RequestedLine, ShopCommand};
use eventide_shop::generator::{Budget, Generated, Generator, GeneratorConfig};
use eventide_shop::ids::CustomerId;
use eventide_shop::simulation::SimulationConfig;
use eventide_shop::CommandError;

use super::{Session, DEFAULT_SEED};
use crate::recipe::Step;

const HOUR_MS: u64 = 3_600_000;

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

impl Session {
    /// A fresh session prepared as a lesson's scenario asks.
    pub fn prepared(scenario: crate::lessons::Scenario) -> Result<Session, String> {
        use crate::lessons::Scenario;
        let mut session = Session::default();
        match scenario {
            Scenario::Empty => {}
            Scenario::History { orders } => session.generate_now(orders)?,
            Scenario::HistoryAndOpen { orders, open } => {
                session.generate_now(orders)?;
                // Fresh orders, one line each, from customers of the history: placed, not paid.
                for i in 0..open {
                    let product = &PRODUCTS[i as usize % PRODUCTS.len()];
                    let command = ShopCommand::PlaceOrder {
                        customer: CustomerId(1 + i as u32),
                        lines: vec![RequestedLine {
                            sku: product.sku,
                            quantity: 1,
                        }],
                    };
                    session
                        .execute(command, None, None)
                        .map_err(|error| error.to_string())?;
                }
            }
            Scenario::Services {
                mode,
                checkouts,
                delivery,
                idempotent,
                failure,
            } => {
                let mut config = SimulationConfig::new(DEFAULT_SEED, 0, session.now());
                config.mode = mode;
                config.delivery = delivery;
                config.idempotent = idempotent;
                config.failure = failure;
                session.run_services(Step::Services { config })?;
                session.run_services(Step::Reacting { on: true })?;
                session.run_services(Step::OpenStorefront { checkouts })?;
            }
        }
        Ok(session)
    }

    /// Generates `orders` orders at once (a lesson's scenario: small, so no chunks).
    fn generate_now(&mut self, orders: u64) -> Result<(), String> {
        self.start_generating(DEFAULT_SEED, orders);
        while self.job.is_some() {
            self.continue_job(u64::MAX)
                .map_err(|error| error.to_string())?;
        }
        Ok(())
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
        if let Some(recipe) = self.recipe.as_mut() {
            recipe.steps.push(Step::Generate { seed, orders });
        }
        self.changed();
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
        let job = self.job.take()?;
        // Stopped part way: the recipe's step would make the whole workload.
        self.forget_recipe();
        self.changed();
        Some(job)
    }

    /// Runs the job for at most `max_events`; returns the job's total once it has finished.
    pub fn continue_job(&mut self, max_events: u64) -> Result<Option<Generated>, CommandError> {
        if self.job.is_none() {
            return Ok(None);
        }
        self.changed();
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
