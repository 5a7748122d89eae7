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
    let (class, words) = match &room.status {
        RoomStatus::Joining => ("joining", "joining…".to_string()),
        RoomStatus::Connected => ("connected", "connected".to_string()),
        RoomStatus::Reconnecting => ("reconnecting", "connection lost, reconnecting…".to_string()),
        RoomStatus::Refused(reason) => ("refused", format!("refused: {reason}")),
    };
    // Proposals the room has not delivered back yet: sent, or waiting for the connection.
    let waiting = match room.proposed.len() {
        0 => String::new(),
        1 => " · 1 event on its way".into(),
        n => format!(" · {n} events on their way"),
    };
    html! {
        <span class={classes!("room-badge", class)} role="status" data-testid="room-badge" data-status={class}
              title={format!("{} on {}", room.address.name, room.address.server)}>
            { format!("Room {} · {words} · you are {}{waiting}", room.address.name, room.me) }
        </span>
    }
}
