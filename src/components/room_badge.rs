//! The room this tab is in, in the top bar: its name and whether the connection holds. It is
//! also what connects: when the tab joins a room, this component's effect imports the NATS
//! client and joins, and hands everything the room says to the reducer.

use yew::prelude::*;

use crate::room::RoomStatus;
use crate::state::{use_app, Action};

#[function_component(RoomBadge)]
pub fn room_badge() -> Html {
    let state = use_app();
    let address = state.room.as_ref().map(|room| room.address.clone());
    {
        let dispatcher = state.dispatcher();
        use_effect_with(address, move |address| {
            if let Some(address) = address.clone() {
                wasm_bindgen_futures::spawn_local(crate::room::join(address, move |heard| {
                    dispatcher.dispatch(Action::Heard(heard))
                }));
            }
        });
    }
    let Some(room) = state.room.as_ref() else {
        return html! {};
    };
    // Short, for a projector's top bar: connected is the colour and the dot; what is not
    // says so (and a notice says more).
    let (class, words) = match &room.status {
        RoomStatus::Joining => ("joining", " · joining…".to_string()),
        RoomStatus::Connected => ("connected", String::new()),
        RoomStatus::Reconnecting => ("reconnecting", " · reconnecting…".to_string()),
        RoomStatus::Refused(_) => ("refused", " · refused".to_string()),
    };
    let full = match &room.status {
        RoomStatus::Refused(reason) => format!("refused: {reason}"),
        RoomStatus::Joining => "joining".into(),
        RoomStatus::Connected => "connected".into(),
        RoomStatus::Reconnecting => "connection lost, reconnecting".into(),
    };
    // Proposals the room has not delivered back yet: sent, or waiting for the connection.
    let waiting = match room.proposed.len() + room.reactions.len() {
        0 => String::new(),
        1 => " · 1 on its way".into(),
        n => format!(" · {n} on their way"),
    };
    html! {
        <span class={classes!("room-badge", class)} role="status" data-testid="room-badge" data-status={class}
              title={format!("Room {} on {}: {full}; you are {}", room.address.name, room.address.server, room.me)}
              aria-label={format!("Room {}, {full}, you are {}", room.address.name, room.me)}>
            <span class="room-dot" aria-hidden="true">{"●"}</span>
            { format!(" {} · {}{words}{waiting}", room.address.name, room.me) }
        </span>
    }
}
