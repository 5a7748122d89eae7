//! Every change to the services' simulation goes through here, for the live session and a
//! replayed recipe alike, so the two cannot drift apart.

use eventide_engine::delivery::DeliverySettings;
use eventide_shop::events::ShopEventKind;
use eventide_shop::services::ServiceName;
use eventide_shop::simulation::Simulation;
use eventide_shop::CommandError;

use super::Session;
use crate::recipe::Step;

/// Does a services step to a simulation: the one place both the live session and a replayed
/// recipe change the services, so the two cannot drift apart. Returns how many deliveries a
/// `ReplayParked` or a `ResetSubscription` sent again (0 for the others). Commands, generations
/// and policy reactions need ids and are the session's own.
pub(super) fn apply_to_services(sim: &mut Simulation, step: &Step) -> Result<usize, String> {
    let failed = |error: CommandError| error.to_string();
    match step {
        Step::Services { config } => *sim = Simulation::idle(config.clone()),
        Step::Reacting { on } => sim.set_reacting(*on),
        Step::OpenStorefront { checkouts } => sim.open_storefront(*checkouts).map_err(failed)?,
        Step::AdvanceTo { until } => sim.advance_to(*until).map_err(failed)?,
        Step::SimSteps { count } => {
            for _ in 0..*count {
                sim.step().map_err(failed)?;
            }
        }
        Step::Delivery {
            subscription,
            settings,
        } => {
            let targets: Vec<_> = match subscription {
                Some(one) => vec![*one],
                None => sim.subscriptions().collect(),
            };
            for target in targets {
                sim.set_subscription_delivery(target, *settings);
            }
        }
        Step::Idempotent {
            service,
            idempotent,
        } => {
            let services = match service {
                Some(one) => vec![*one],
                None => <ServiceName as eventide_engine::Named>::ALL.to_vec(),
            };
            for service in services {
                sim.set_idempotent(service, *idempotent);
            }
        }
        Step::Inject { event } => sim.inject(event.clone()).map_err(failed)?,
        Step::Mode { mode } => sim.set_mode(*mode)?,
        Step::ReplayParked { service } => return Ok(sim.replay_parked(*service)),
        Step::ResetSubscription { subscription, to } => {
            return sim.reset(*subscription, *to).map_err(|refused| {
                format!("{} was not reset: {refused}", sim.bus().name(*subscription))
            });
        }
        Step::Generate { .. }
        | Step::Command { .. }
        | Step::React { .. }
        | Step::Evolution { .. } => return Err("not a step of the services".into()),
    }
    Ok(0)
}

impl Session {
    /// Does one thing to the services' simulation and, while the line has a recipe, writes it
    /// down. Every change to the simulation goes through here (there is no `&mut Simulation`
    /// outside the session), so a run of the services shares as its steps. Returns how many
    /// deliveries a `ReplayParked` or a `ResetSubscription` sent again (0 for the others).
    pub fn run_services(&mut self, step: Step) -> Result<usize, String> {
        // A knob set to what it is changes nothing (a reopened link asks the model again).
        if self.changes_nothing(&step) {
            return Ok(0);
        }
        // Even a step that fails part way (a clock run stopped by an error) may have done some.
        self.changed();
        let done = apply_to_services(&mut self.sim, &step)?;
        if let Some(recipe) = self.recipe.as_mut() {
            recipe.push(step);
        }
        Ok(done)
    }

    /// Whether `step` would leave the simulation as it is: a knob set to its value.
    fn changes_nothing(&self, step: &Step) -> bool {
        let sim = &self.sim;
        match step {
            Step::Mode { mode } => *mode == sim.mode(),
            Step::Reacting { on } => *on == sim.is_reacting(),
            Step::Delivery {
                subscription,
                settings,
            } => {
                let settings = settings.clamped();
                let bus = sim.bus();
                let mut targets = subscription
                    .map_or_else(|| sim.subscriptions().collect::<Vec<_>>(), |one| vec![one]);
                targets.retain(|id| bus.settings(*id) != Some(&settings));
                targets.is_empty()
            }
            Step::Idempotent {
                service,
                idempotent,
            } => sim
                .services()
                .iter()
                .filter(|runtime| service.is_none_or(|one| runtime.service.name() == one))
                .all(|runtime| runtime.idempotent == *idempotent),
            _ => false,
        }
    }

    /// The delivery settings most subscriptions have: what "every subscription" shows, and
    /// what a knob turned for all of them starts from (read from the bus, so it follows
    /// imports, branches and lessons). A subscription set on its own may differ.
    pub fn delivery(&self) -> DeliverySettings {
        let bus = self.sim.bus();
        let all: Vec<DeliverySettings> = bus
            .subscription_ids()
            .filter_map(|id| bus.settings(id).copied())
            .collect();
        let mut most = (0, DeliverySettings::default());
        for settings in &all {
            let count = all.iter().filter(|other| *other == settings).count();
            if count > most.0 {
                most = (count, *settings);
            }
        }
        most.1
    }

    /// Whether every service's consumer is idempotent (the Consumers switch).
    pub fn idempotent(&self) -> bool {
        self.sim.services().iter().all(|runtime| runtime.idempotent)
    }

    /// Whether chaos mode is on: the log's last word on it, at its head.
    pub fn chaos(&self) -> bool {
        let store = self.shop().store();
        let last = |kind| {
            store
                .read_by_kind(kind)
                .next_back()
                .map(|event| event.position)
        };
        last(ShopEventKind::ChaosModeEnabled) > last(ShopEventKind::ChaosModeDisabled)
    }
}
