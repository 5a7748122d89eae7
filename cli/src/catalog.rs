//! `eventide catalog asyncapi`: the event catalog of the built-in domain as an AsyncAPI 3.0
//! document (JSON), for tools that speak AsyncAPI.

use clap::Subcommand;
use eventide_shop::event_catalog;

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Prints the AsyncAPI 3.0 document of the shop's events.
    Asyncapi,
}

pub fn run(command: &CatalogCommand) -> Result<String, String> {
    match command {
        CatalogCommand::Asyncapi => serde_json::to_string_pretty(&event_catalog::asyncapi())
            .map_err(|error| format!("the catalog could not be written: {error}")),
    }
}
