//! `eventide export`: a generated shop log as a CloudEvents 1.0 batch or as a whole scenario,
//! printed as JSON. The same seed and size give the same file, byte for byte.

use clap::{Args, ValueEnum};
use eventide_shop::bench::START;
use eventide_shop::generator::{generate_orders, GeneratorConfig};
use eventide_shop::interchange;
use eventide_shop::Shop;
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A CloudEvents 1.0 JSON batch (`application/cloudevents-batch+json`).
    Cloudevents,
    /// An Eventide scenario: seed, settings and every event as its full envelope.
    Scenario,
}

#[derive(Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value_t = ExportFormat::Cloudevents)]
    format: ExportFormat,
    /// The seed of the generated workload.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// How many complete order flows to generate.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=100_000))]
    orders: u64,
}

pub fn run(args: &ExportArgs) -> Result<String, String> {
    let config = GeneratorConfig::new(args.seed, START);
    let mut shop = Shop::new();
    generate_orders(&mut shop, config.clone(), args.orders)
        .map_err(|error| format!("generating the log failed: {error}"))?;
    let document = match args.format {
        ExportFormat::Cloudevents => interchange::to_cloudevents(shop.store()),
        ExportFormat::Scenario => {
            let settings = json!({
                "generator": "orders",
                "orders": args.orders,
                "customers": config.customers,
                "mean_arrival_ms": config.mean_arrival_ms,
                "start": config.start.to_rfc3339(),
            });
            let settings = settings.as_object().cloned().unwrap_or_default();
            interchange::to_scenario(shop.store(), Some(args.seed), settings)
        }
    };
    serde_json::to_string_pretty(&document)
        .map_err(|error| format!("the log could not be written: {error}"))
}
