//! A room on a real broker: the address that names it, and the bridge to the NATS client.
//!
//! `#room=ws://192.168.1.20:9222&token=...&name=workshop` joins room `workshop` on the NATS
//! server at that WebSocket address. The client (`room/client.mjs`, the official
//! `@nats-io` packages bundled at build time) is imported only then, so a page that never joins
//! never fetches it. The room's log is a JetStream stream: what a tab proposes is published to
//! it, and every tab admits the stream in order (`eventide_shop::room`).

use std::cell::RefCell;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The longest room name and token an address may carry.
const MAX_NAME: usize = 32;
const MAX_TOKEN: usize = 128;

/// Where a room is and how to get in: validated, so nothing unchecked reaches the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomAddress {
    /// `ws://` or `wss://`, host and port.
    pub server: String,
    pub token: String,
    /// Letters, digits, `-` and `_`: it names the stream and its subject.
    pub name: String,
    /// Who this tab is in the room (`&as=`): the producer of what it proposes. A tab its
    /// link does not name is a guest (`state::room` draws its number).
    pub attendee: Option<String>,
}

impl RoomAddress {
    /// Reads a `#room=` fragment; `None` when the fragment is no room link at all.
    pub fn read(hash: &str) -> Option<Result<RoomAddress, String>> {
        let rest = hash.strip_prefix("#room=")?;
        let mut parts = rest.split('&');
        let server = parts.next().unwrap_or_default().to_string();
        let (mut token, mut name, mut attendee) = (None, None, None);
        for part in parts {
            match part.split_once('=') {
                Some(("token", value)) => token = Some(value.to_string()),
                Some(("name", value)) => name = Some(value.to_string()),
                Some(("as", value)) => attendee = Some(value.to_string()),
                _ => {
                    return Some(Err(format!(
                        "A room link carries a server, a token and a name, not \u{201c}{}\u{201d}.",
                        crate::format::clip(part, 30)
                    )))
                }
            }
        }
        Some(
            RoomAddress::new(
                server,
                token.unwrap_or_default(),
                name.unwrap_or_else(|| "room".into()),
            )
            .and_then(|address| match attendee {
                Some(attendee) => address.called(attendee),
                None => Ok(address),
            }),
        )
    }

    /// This tab's name in the room, instead of the one drawn for it.
    pub fn called(self, attendee: String) -> Result<RoomAddress, String> {
        if !plain(&attendee, MAX_NAME) {
            return Err(format!(
                "An attendee's name (as=) is 1 to {MAX_NAME} letters, digits, - or _, not \u{201c}{}\u{201d}.",
                crate::format::clip(&attendee, 40)
            ));
        }
        Ok(RoomAddress {
            attendee: Some(attendee),
            ..self
        })
    }

    pub fn new(server: String, token: String, name: String) -> Result<RoomAddress, String> {
        let host = server
            .strip_prefix("ws://")
            .or_else(|| server.strip_prefix("wss://"));
        match host {
            Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {}
            _ => {
                return Err(format!(
                    "A room's server is a WebSocket address such as ws://192.168.1.20:9222, not \u{201c}{}\u{201d}.",
                    crate::format::clip(&server, 40)
                ))
            }
        }
        if !plain(&token, MAX_TOKEN) {
            return Err("A room link needs its token (letters, digits, - and _), as scripts/room.sh prints it.".into());
        }
        if !plain(&name, MAX_NAME) {
            return Err(format!(
                "A room's name is 1 to {MAX_NAME} letters, digits, - or _, not \u{201c}{}\u{201d}.",
                crate::format::clip(&name, 40)
            ));
        }
        Ok(RoomAddress {
            server,
            token,
            name,
            attendee: None,
        })
    }
}

/// Letters, digits, `-` and `_`, 1 to `max` of them: what names a room, a token, an attendee.
fn plain(text: &str, max: usize) -> bool {
    !text.is_empty()
        && text.len() <= max
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Where the connection stands, as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoomStatus {
    Joining,
    Connected,
    /// Lost: the client reconnects by itself; nothing published is lost (JetStream keeps it).
    Reconnecting,
    /// The server said no (a wrong token), or could not be reached at all.
    Refused(String),
}

/// What the bridge hears from the client.
#[derive(Clone, Debug, PartialEq)]
pub enum Heard {
    Status(RoomStatus),
    /// One envelope of the room's stream, in order, with when the broker stored it (ms).
    Delivered {
        text: String,
        stored_at_ms: i64,
    },
    PublishFailed(String),
}

type Hear = std::rc::Rc<dyn Fn(Heard)>;

thread_local! {
    /// The joined room's client handle (`{ publish, close }`) and where what it hears goes:
    /// one room a page.
    static JOINED: RefCell<Option<(JsValue, Hear)>> = RefCell::new(None);
}

/// The bundled client's address, beside the page (Trunk copies it into dist/).
fn client_url() -> String {
    gloo::utils::document()
        .base_uri()
        .ok()
        .flatten()
        .and_then(|base| web_sys::Url::new_with_base("nats-room.js", &base).ok())
        .map(|url| url.href())
        .unwrap_or_else(|| "./nats-room.js".into())
}

fn reason(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the room could not be reached".into())
}

/// Imports the client and joins `address`; everything heard goes to `hear`, in order.
pub async fn join(address: RoomAddress, hear: impl Fn(Heard) + 'static) {
    let hear: Hear = std::rc::Rc::new(hear);
    match connect(&address, hear.clone()).await {
        Ok(handle) => JOINED.with(|joined| *joined.borrow_mut() = Some((handle, hear))),
        Err(error) => hear(Heard::Status(RoomStatus::Refused(reason(error)))),
    }
}

async fn connect(address: &RoomAddress, hear: Hear) -> Result<JsValue, JsValue> {
    let import = Function::new_with_args("url", "return import(url)");
    let module: Promise = import
        .call1(&JsValue::NULL, &JsValue::from(client_url()))?
        .dyn_into()?;
    let module = JsFuture::from(module).await?;
    let join: Function = Reflect::get(&module, &JsValue::from("join"))?.dyn_into()?;
    let delivered = {
        let hear = hear.clone();
        Closure::<dyn Fn(String, f64)>::new(move |text: String, stored_at: f64| {
            hear(Heard::Delivered {
                text,
                stored_at_ms: stored_at as i64,
            })
        })
    };
    let status = Closure::<dyn Fn(String, String)>::new(move |kind: String, _detail: String| {
        let status = match kind.as_str() {
            "connected" | "reconnect" | "reconnected" => RoomStatus::Connected,
            "disconnect" | "disconnected" | "reconnecting" => RoomStatus::Reconnecting,
            _ => return,
        };
        hear(Heard::Status(status));
    });
    let arguments = Array::of5(
        &JsValue::from(address.server.as_str()),
        &JsValue::from(address.token.as_str()),
        &JsValue::from(address.name.as_str()),
        delivered.as_ref(),
        status.as_ref(),
    );
    let joined: Promise = join.apply(&JsValue::NULL, &arguments)?.dyn_into()?;
    let handle = JsFuture::from(joined).await?;
    // The room stays joined as long as the page lives: the callbacks must too.
    delivered.forget();
    status.forget();
    Ok(handle)
}

/// Publishes one proposal to the joined room, its event id as the message id; a failure is
/// heard like anything else the room says.
pub fn send(text: String, id: String) {
    let Some((handle, hear)) = JOINED.with(|joined| joined.borrow().clone()) else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(problem) = publish(&handle, text, id).await {
            hear(Heard::PublishFailed(problem));
        }
    });
}

async fn publish(handle: &JsValue, text: String, id: String) -> Result<(), String> {
    let publish: Function = Reflect::get(handle, &JsValue::from("publish"))
        .and_then(|f| f.dyn_into())
        .map_err(reason)?;
    let sent: Promise = publish
        .call2(handle, &JsValue::from(text), &JsValue::from(id))
        .and_then(|p| p.dyn_into())
        .map_err(reason)?;
    JsFuture::from(sent).await.map(|_| ()).map_err(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_room_link_names_its_server_token_and_room() {
        assert_eq!(
            RoomAddress::read("#room=ws://192.168.1.20:9222&token=abc-123&name=workshop&as=Ada"),
            Some(Ok(RoomAddress {
                server: "ws://192.168.1.20:9222".into(),
                token: "abc-123".into(),
                name: "workshop".into(),
                attendee: Some("Ada".into()),
            }))
        );
        assert_eq!(RoomAddress::read("#lesson=cqrs"), None);
        let unnamed = RoomAddress::read("#room=wss://rooms.example:443&token=t")
            .and_then(Result::ok)
            .map(|address| address.name);
        assert_eq!(unnamed.as_deref(), Some("room"));
    }

    #[test]
    fn a_room_link_that_is_wrong_says_what_is_wrong() {
        let problem = |hash: &str| {
            RoomAddress::read(hash)
                .and_then(Result::err)
                .unwrap_or_default()
        };
        assert!(problem("#room=http://host:9222&token=t").contains("WebSocket address"));
        assert!(problem("#room=ws://host:9222").contains("needs its token"));
        assert!(problem("#room=ws://host:9222&token=t&name=a.b").contains("1 to 32 letters"));
        assert!(problem("#room=ws://host:9222&token=t&subject=x")
            .contains("not \u{201c}subject=x\u{201d}"));
        assert!(problem("#room=ws://host:9222&token=t&as=Ada Lovelace").contains("attendee's name"));
    }
}
