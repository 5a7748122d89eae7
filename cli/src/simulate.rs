//! `eventide simulate`: the choreographed shop run to quiescence with the delivery knobs set from
//! the command line; prints the final read models and each service's derived state as JSON.

use clap::Args;
use eventide_engine::delivery::DeliverySettings;
use eventide_engine::projection::Cell;
use eventide_engine::{Named, Timestamp};
use eventide_shop::compare;
use eventide_shop::services::{Failure, Mode};
use eventide_shop::simulation::{Simulation, SimulationConfig};
use serde_json::{json, Map, Value};

#[derive(Args)]
pub struct SimulateArgs {
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Checkouts the storefront makes.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    orders: u64,
    /// The chance that an event is delivered twice (0 to 1).
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    duplicates: f64,
    /// The chance that an event takes a detour and arrives after later ones (0 to 1).
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    reorder: f64,
    /// The chance that a consumer fails one attempt (0 to 1); failures are retried.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    failures: f64,
    /// Keep each aggregate's events in order for every consumer.
    #[arg(long)]
    per_aggregate_ordering: bool,
    /// Consumers without an idempotency ledger: duplicates are processed again.
    #[arg(long)]
    naive: bool,
    /// How long (virtual ms) an idempotent consumer remembers an event id; a duplicate that
    /// comes later is processed again. 0 to 604800000 (a week); a day by default.
    #[arg(long, default_value_t = DeliverySettings::DEFAULT_DEDUP_WINDOW_MS, value_parser = dedup_window)]
    dedup_window_ms: u64,
    /// How the checkout is coordinated: choreography or orchestration.
    #[arg(long, default_value = "choreography", value_parser = mode)]
    mode: Mode,
    /// A failure injected into the run: none, payments-declined or shipping-down.
    #[arg(long, default_value = "none", value_parser = failure)]
    failure: Failure,
}

fn mode(text: &str) -> Result<Mode, String> {
    Mode::parse(text)
        .ok_or_else(|| format!("'{text}' is not a mode: use choreography or orchestration"))
}

fn failure(text: &str) -> Result<Failure, String> {
    Failure::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Failure::ALL.iter().map(|f| f.name()).collect();
        format!("'{text}' is not a failure: use one of {}", names.join(", "))
    })
}

fn dedup_window(text: &str) -> Result<u64, String> {
    let max = DeliverySettings::MAX_DEDUP_WINDOW_MS;
    let value: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a whole number of milliseconds"))?;
    if value <= max {
        Ok(value)
    } else {
        Err(format!(
            "{value} ms is longer than a week: use 0 to {max} milliseconds"
        ))
    }
}

fn probability(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number"))?;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is not a probability between 0 and 1"))
    }
}

/// 2026-11-26T09:00:00Z, so every run starts at the same moment.
const START: Timestamp = Timestamp(1_795_683_600_000);

pub fn run(args: &SimulateArgs) -> Result<String, String> {
    let mut config = SimulationConfig::new(args.seed, args.orders, START);
    config.idempotent = !args.naive;
    config.mode = args.mode;
    config.failure = args.failure;
    config.delivery = DeliverySettings {
        duplicate_rate: args.duplicates,
        reorder_rate: args.reorder,
        failure_rate: args.failures,
        per_aggregate_ordering: args.per_aggregate_ordering,
        max_attempts: if args.failures > 0.0 { 30 } else { 5 },
        dedup_window_ms: args.dedup_window_ms,
        ..DeliverySettings::default()
    };
    let mut simulation = Simulation::new(config).map_err(|error| error.to_string())?;
    let summary = simulation
        .run(u64::MAX)
        .map_err(|error| format!("the simulation stopped: {error}"))?;

    let mut read_models = Map::new();
    for model in simulation.shop().history().live().iter() {
        let columns = model.columns();
        let rows: Vec<Value> = model
            .rows(0..model.row_count())
            .into_iter()
            .map(|row| {
                let fields = columns
                    .iter()
                    .zip(&row.cells)
                    .map(|(column, cell)| (column.to_string(), cell_json(cell)));
                Value::Object(fields.collect())
            })
            .collect();
        read_models.insert(model.name().to_string(), Value::Array(rows));
    }
    let mut services = Map::new();
    for runtime in simulation.services() {
        let name = runtime.service.name();
        let state: Map<String, Value> = runtime
            .service
            .state()
            .into_iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        services.insert(
            name.name().to_string(),
            json!({
                "idempotent": runtime.idempotent,
                "processed": runtime.processed,
                "duplicates_processed": runtime.duplicates_processed,
                "duplicates_ignored": runtime.duplicates_ignored,
                "duplicates_past_window": runtime.duplicates_past_window,
                "ids_remembered": runtime.ledger().len(),
                "ops": runtime.ops,
                "state": state,
                "delivery": simulation.subscription_stats(name),
            }),
        );
    }
    let messages: Map<String, Value> = compare::messages(&simulation)
        .into_iter()
        .map(|m| {
            (
                m.service.to_string(),
                json!({ "sent": m.sent, "received": m.received }),
            )
        })
        .collect();
    Ok(json!({
        "seed": args.seed,
        "orders": args.orders,
        "mode": args.mode,
        "failure": args.failure,
        "dedup_window_ms": args.dedup_window_ms,
        "outcomes": compare::Outcomes::of(&simulation),
        "messages": messages,
        "events": summary.events,
        "deliveries": summary.deliveries,
        "rejections": summary.rejections,
        "read_models": read_models,
        "services": services,
    })
    .to_string())
}

fn cell_json(cell: &Cell) -> Value {
    match cell {
        Cell::Text(text) => json!(text),
        Cell::Count(n) | Cell::Cents(n) => json!(n),
        Cell::Time(time) => json!(time.to_rfc3339()),
        Cell::Event(position) => json!(position.0),
    }
}
