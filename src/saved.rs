//! What the browser keeps between visits: the autosaved session, and the sessions kept aside
//! when something else took the autosave's place (a tab opened from a link, where the user then
//! worked). Nothing here is ever dropped without the user asking; a full storage is an error
//! the caller reports, never a reason to overwrite.

use serde::{Deserialize, Serialize};

/// The autosaved session of the tab that owns it.
pub const AUTOSAVE_KEY: &str = "eventide.scenario";
/// The presenter's large-text preference ("1" or "0"), apart from any session.
const LARGE_TEXT_KEY: &str = "eventide.large-text";
/// The list of kept sessions (their descriptions; each text under its own key).
const KEPT_INDEX_KEY: &str = "eventide.kept";
const KEPT_PREFIX: &str = "eventide.kept.";

/// A session kept aside, as the Files panel lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    pub id: u64,
    /// What it was, in words ("The session saved before you opened a lesson").
    pub name: String,
    /// When it was kept, in milliseconds since the epoch.
    pub kept_at: i64,
    /// Events in its log, read from the saved text.
    pub events: usize,
}

fn storage() -> Result<web_sys::Storage, String> {
    // Natively (the reducer's own tests) there is no browser to keep anything in.
    if !cfg!(target_arch = "wasm32") {
        return Err("no browser storage outside a browser".into());
    }
    web_sys::window()
        .and_then(|window| window.local_storage().ok().flatten())
        .ok_or_else(|| "this browser offers no local storage".to_string())
}

/// The mapping last chosen for a log file, by its name and size, so opening it again starts
/// from the user's choice (a preference: a file of another size is another file).
const EXPLORE_MAPPING_PREFIX: &str = "eventide.explore-mapping.";

fn explore_mapping_key(name: &str, size: u64) -> String {
    format!("{EXPLORE_MAPPING_PREFIX}{size}:{name}")
}

pub fn explore_mapping(name: &str, size: u64) -> Option<eventide_logs::Mapping> {
    let text = storage()
        .ok()?
        .get_item(&explore_mapping_key(name, size))
        .ok()
        .flatten()?;
    serde_json::from_str(&text).ok()
}

/// Keeps the mapping chosen for a file; a full storage only means detecting it again next time.
pub fn keep_explore_mapping(name: &str, size: u64, mapping: &eventide_logs::Mapping) {
    if let (Ok(storage), Ok(text)) = (storage(), serde_json::to_string(mapping)) {
        let _ = storage.set_item(&explore_mapping_key(name, size), &text);
    }
}

/// The services a tab deployed in a room, by room and attendee (see `state::room_services`).
const ROOM_SERVICES_PREFIX: &str = "eventide.room-services.";

/// The services this browser keeps for `room` (a room and who is in it): none when unreadable.
pub fn room_services(room: &str) -> Vec<crate::state::room_services::SavedService> {
    storage()
        .ok()
        .and_then(|storage| {
            storage
                .get_item(&format!("{ROOM_SERVICES_PREFIX}{room}"))
                .ok()
                .flatten()
        })
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

pub fn write_room_services(
    room: &str,
    services: &[crate::state::room_services::SavedService],
) -> Result<(), String> {
    let text = serde_json::to_string(services).map_err(|error| error.to_string())?;
    storage()?
        .set_item(&format!("{ROOM_SERVICES_PREFIX}{room}"), &text)
        .map_err(|_| "the browser's storage is full".to_string())
}

/// The guest name this browser drew in a room (a link without `&as=`), by server and room:
/// the same guest when the tab comes back, so its services come back with it.
const ROOM_GUEST_PREFIX: &str = "eventide.room-guest.";

pub fn room_guest(room: &str) -> Option<String> {
    storage()
        .ok()?
        .get_item(&format!("{ROOM_GUEST_PREFIX}{room}"))
        .ok()
        .flatten()
}

/// Keeps the guest name drawn for `room`; a full storage only means a new name next time.
pub fn keep_room_guest(room: &str, name: &str) {
    if let Ok(storage) = storage() {
        let _ = storage.set_item(&format!("{ROOM_GUEST_PREFIX}{room}"), name);
    }
}

/// The autosaved session's text, if there is one.
pub fn autosaved() -> Option<String> {
    storage().ok()?.get_item(AUTOSAVE_KEY).ok().flatten()
}

/// Writes the autosave. Fails when the storage is missing or full; nothing else changes.
pub fn write_autosave(text: &str) -> Result<(), String> {
    storage()?
        .set_item(AUTOSAVE_KEY, text)
        .map_err(|_| "the browser's storage is full".to_string())
}

/// Every kept session, newest first. A damaged index reads as none rather than failing: the
/// texts stay under their keys.
pub fn kept() -> Vec<Kept> {
    let Ok(storage) = storage() else {
        return Vec::new();
    };
    let mut list: Vec<Kept> = storage
        .get_item(KEPT_INDEX_KEY)
        .ok()
        .flatten()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    list.sort_by(|a, b| b.kept_at.cmp(&a.kept_at).then(b.id.cmp(&a.id)));
    list
}

/// The text of a kept session.
pub fn kept_text(id: u64) -> Option<String> {
    storage()
        .ok()?
        .get_item(&format!("{KEPT_PREFIX}{id}"))
        .ok()
        .flatten()
}

fn write_index(storage: &web_sys::Storage, list: &[Kept]) -> Result<(), String> {
    let text = serde_json::to_string(list).map_err(|error| error.to_string())?;
    storage
        .set_item(KEPT_INDEX_KEY, &text)
        .map_err(|_| "the browser's storage is full".to_string())
}

/// Keeps `text` aside under `name`. All or nothing: if the storage cannot hold it, nothing is
/// written and the caller must not overwrite what it came from.
pub fn keep(name: &str, text: &str, now_ms: i64) -> Result<Kept, String> {
    let storage = storage()?;
    let mut list = kept();
    let id = list.iter().map(|kept| kept.id).max().unwrap_or(0) + 1;
    let events = eventide_shop::interchange::read(text.as_bytes())
        .map(|log| log.events.len())
        .unwrap_or(0);
    let entry = Kept {
        id,
        name: name.to_string(),
        kept_at: now_ms,
        events,
    };
    let key = format!("{KEPT_PREFIX}{id}");
    storage
        .set_item(&key, text)
        .map_err(|_| "the browser's storage is full".to_string())?;
    list.push(entry.clone());
    if let Err(problem) = write_index(&storage, &list) {
        let _ = storage.remove_item(&key);
        return Err(problem);
    }
    Ok(entry)
}

/// Forgets a kept session (the user asked, and was offered the export).
pub fn forget(id: u64) -> Result<(), String> {
    let storage = storage()?;
    let list: Vec<Kept> = kept().into_iter().filter(|kept| kept.id != id).collect();
    write_index(&storage, &list)?;
    let _ = storage.remove_item(&format!("{KEPT_PREFIX}{id}"));
    Ok(())
}

/// Whether large text was on when last chosen; off when never chosen or unreadable.
pub fn large_text() -> bool {
    storage()
        .ok()
        .and_then(|storage| storage.get_item(LARGE_TEXT_KEY).ok().flatten())
        .is_some_and(|value| value == "1")
}

/// Remembers the large-text choice. A preference: a full or missing storage only forgets it.
pub fn remember_large_text(on: bool) {
    if let Ok(storage) = storage() {
        let _ = storage.set_item(LARGE_TEXT_KEY, if on { "1" } else { "0" });
    }
}
