//! The schema registry's changes on the line the user works on, each written into the recipe.

use eventide_engine::schema::{CompatibilityMode, Upcaster};
use eventide_engine::SchemaVersion;
use eventide_shop::events::ShopEventKind;
use eventide_shop::evolution::{Evolution, EvolutionRecord};

use super::Session;
use crate::recipe::Step;

impl Session {
    /// Every event type's schemas, modes and upcasters, on the line the user works on.
    pub fn evolution(&self) -> &Evolution {
        self.shop().evolution()
    }

    /// Registers the next schema version of `kind` with its upcaster; read models and services
    /// read the log through it from then on. A refusal says why and changes nothing.
    pub fn register_version(
        &mut self,
        kind: ShopEventKind,
        schema: serde_json::Value,
        upcaster: Upcaster,
    ) -> Result<SchemaVersion, String> {
        let version = self
            .sim
            .with_shop(|shop| shop.register_version(kind, schema, upcaster))
            .map_err(|error| error.to_string())?;
        self.changed();
        self.record_evolution();
        Ok(version)
    }

    pub fn set_schema_mode(&mut self, kind: ShopEventKind, mode: CompatibilityMode) {
        if self.evolution().mode(kind) == mode {
            return;
        }
        self.changed();
        self.sim.with_shop(|shop| shop.set_schema_mode(kind, mode));
        self.record_evolution();
    }

    /// Puts back the evolution a scenario saved; a record the log does not satisfy is refused.
    pub fn restore_evolution(&mut self, record: &EvolutionRecord) -> Result<(), String> {
        if *record == self.evolution().record() {
            return Ok(());
        }
        let evolution = Evolution::from_record(record, self.shop().store())
            .map_err(|error| error.to_string())?;
        self.sim.with_shop(|shop| shop.set_evolution(evolution));
        self.changed();
        self.record_evolution();
        Ok(())
    }

    /// Writes the registry down as it now stands: commands after it write by it.
    fn record_evolution(&mut self) {
        let record = self.evolution().record();
        if let Some(recipe) = self.recipe.as_mut() {
            recipe.push(Step::Evolution { record });
        }
    }
}
