//! The session in a room: its commands are proposed to the room instead of appended, and its
//! log is what the room's stream delivers, admitted in order (`eventide_shop::room`).

use eventide_engine::store::ExpectedVersion;
use eventide_engine::{Metadata, Position, Timestamp};
use eventide_shop::commands::ShopCommand;
use eventide_shop::room::{Admitted, Proposal, Room};
use eventide_shop::simulation::{ScriptReaction, PRODUCER};
use eventide_shop::{CommandContext, CommandError};

use super::Session;

impl Session {
    /// Makes this (fresh) session a room's: its services stop reacting (each tab's own would
    /// act on every event of the room), and its log is the room's from now on. A room's log is
    /// not a recipe: a share carries the file.
    pub fn enter_room(&mut self) {
        self.changed();
        self.sim.set_reacting(false);
        self.recipe = None;
        self.room = Some(Room::new());
    }

    pub fn in_room(&self) -> bool {
        self.room.is_some()
    }

    /// What `command` decides now, as the envelope to publish, produced by `attendee`; nothing
    /// is appended.
    /// A business time (`occurred_at`) and an expected version go with it as with a command.
    pub fn propose(
        &mut self,
        command: ShopCommand,
        now: Timestamp,
        attendee: String,
        occurred_at: Option<Timestamp>,
        expected: Option<ExpectedVersion>,
    ) -> Result<Proposal, CommandError> {
        let mut context = CommandContext::new(now, &mut self.ids);
        context.metadata = Metadata::default().with(PRODUCER, attendee);
        context.occurred_at = occurred_at;
        context.expected = expected;
        self.sim.shop().propose(command, context)
    }

    /// What a room service decided in reaction to the event at `cause`, as the envelope to
    /// publish, produced by `producer`; nothing is appended.
    pub fn propose_reaction(
        &mut self,
        cause: Position,
        reaction: ScriptReaction,
        producer: &str,
        now: Timestamp,
    ) -> Result<Proposal, CommandError> {
        self.sim
            .shop()
            .propose_reaction(cause, reaction, producer, now, &mut self.ids)
    }

    /// Admits one envelope the room delivered, stored by the broker at `stored_at`.
    pub fn admit_from_room(
        &mut self,
        envelope: serde_json::Value,
        stored_at: Timestamp,
    ) -> Result<Admitted, String> {
        let Some(room) = self.room.as_mut() else {
            return Err("this tab is in no room".into());
        };
        let admitted = self
            .sim
            .with_shop(|shop| room.admit(shop, envelope, stored_at))
            .map_err(|refused| refused.to_string())?;
        if matches!(admitted, Admitted::Landed(_)) {
            self.changed();
        }
        Ok(admitted)
    }
}
