//! A room on a real broker: the address that names it, and the bridge to the NATS client.
//!
//! `#room=ws://192.168.1.20:9222&token=...&name=workshop` joins room `workshop` on the NATS
//! server at that WebSocket address. The client (`room/client.mjs`, the official
//! `@nats-io` packages bundled at build time) is imported only then, so a page that never joins
//! never fetches it. The room's log is a JetStream stream: what a tab proposes is published to
//! it, and every tab admits the stream in order (`eventide_shop::room`).

use std::cell::RefCell;

use eventide_engine::EventId;
use serde::Deserialize;

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
    /// `&role=teacher`: the token is the teacher's, who controls the room. The server checks
    /// it (room/nats.conf): a tab that only claims the role is refused.
    pub role: Role,
}

/// Whom a room link lets in: an attendee, or the teacher (by the teacher's own token).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Role {
    #[default]
    Attendee,
    Teacher,
}

impl Role {
    /// The server's user for this role (room/nats.conf).
    fn user(self) -> &'static str {
        match self {
            Role::Attendee => "attendee",
            Role::Teacher => "teacher",
        }
    }
}

impl RoomAddress {
    /// Reads a `#room=` fragment; `None` when the fragment is no room link at all.
    pub fn read(hash: &str) -> Option<Result<RoomAddress, String>> {
        let rest = hash.strip_prefix("#room=")?;
        let mut parts = rest.split('&');
        let server = parts.next().unwrap_or_default().to_string();
        let (mut token, mut name, mut attendee, mut role) = (None, None, None, Role::Attendee);
        for part in parts {
            match part.split_once('=') {
                Some(("token", value)) => token = Some(value.to_string()),
                Some(("name", value)) => name = Some(value.to_string()),
                Some(("as", value)) => attendee = Some(value.to_string()),
                Some(("role", "teacher")) => role = Role::Teacher,
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
            })
            .map(|address| RoomAddress { role, ..address }),
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
            role: Role::Attendee,
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
    /// How long the room's log was when this tab joined: it has caught up once it has
    /// heard that far.
    Joined {
        last_seq: u64,
    },
    /// One envelope of the room's stream, in order, with when the broker stored it (ms) and
    /// its sequence in the stream.
    Delivered {
        text: String,
        stored_at_ms: i64,
        seq: u64,
    },
    PublishFailed(String),
    /// The room refused what this tab asked of it (a service's consumer, a control).
    RoomRefused(String),
    /// One message of the log to one of this tab's services, through its durable consumer.
    ToService(ServiceDelivery),
    /// How every service's consumer in the room stands, as the server says.
    Consumers(Vec<ConsumerLag>),
    /// The teacher changed one of the room's controls (or this tab joined and hears each).
    Control(Control),
}

/// A delivery to a service: settle it by `handle` (ack, or nak for a redelivery).
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceDelivery {
    pub consumer: String,
    pub handle: u32,
    /// The message's sequence in the room's stream.
    pub seq: u64,
    /// 1 on the first delivery; more is a redelivery (no ack came in time, or a nak).
    pub count: u32,
    /// The event the message carries, read once here; `None` when it does not read.
    pub event: Option<EventId>,
}

/// The event id a room envelope carries.
pub fn event_id_of(envelope: &serde_json::Value) -> Option<EventId> {
    envelope
        .get("event_id")?
        .as_str()?
        .parse()
        .ok()
        .map(EventId)
}

/// One durable consumer of the room's log, as JetStream reports it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ConsumerLag {
    pub name: String,
    /// What the service that made it wrote: see [`ServiceLabel`].
    pub description: String,
    /// Messages it has not been delivered yet: its lag, in events.
    pub num_pending: u64,
    /// Delivered and not acknowledged yet.
    pub num_ack_pending: u64,
    pub num_redelivered: u64,
    /// The last stream sequence delivered, and the last below which all are acknowledged.
    pub delivered: u64,
    pub ack_floor: u64,
}

/// What a service's consumer says about it (its description on the server): whose it is and
/// what it consumes, so every tab can draw the room's graph.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ServiceLabel {
    /// The producer its reactions carry in the log.
    pub producer: String,
    pub consumes: Vec<String>,
}

impl ServiceLabel {
    /// As JSON: a policy's name may hold any character.
    pub fn describe(&self) -> String {
        serde_json::json!({ "producer": self.producer, "consumes": self.consumes }).to_string()
    }

    /// A description a tab of this app wrote; another tool's consumer reads as its name.
    pub fn read(description: &str, name: &str) -> ServiceLabel {
        serde_json::from_str(description).unwrap_or_else(|_| ServiceLabel {
            producer: name.to_string(),
            consumes: Vec::new(),
        })
    }
}

/// The teacher's controls, each kept by the room (the last value of each) for every tab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Control {
    /// Commands are refused in every attendee's tab while the storefront is paused.
    StorefrontPaused(bool),
    /// Every service's acknowledgement may be lost (a third of them), so the broker redelivers.
    Chaos(bool),
    /// The services (by consumer) that fail on every delivery until the teacher stops it.
    Failing(Vec<String>),
}

impl Control {
    fn topic(&self) -> (&'static str, serde_json::Value) {
        match self {
            Control::StorefrontPaused(on) => ("storefront-paused", serde_json::Value::Bool(*on)),
            Control::Chaos(on) => ("chaos", serde_json::Value::Bool(*on)),
            Control::Failing(consumers) => ("failing", serde_json::json!(consumers)),
        }
    }

    /// A control as the room keeps it; `None` for one this version does not know.
    fn read(topic: &str, value: serde_json::Value) -> Option<Control> {
        Some(match topic {
            "storefront-paused" => Control::StorefrontPaused(value.as_bool()?),
            "chaos" => Control::Chaos(value.as_bool()?),
            "failing" => Control::Failing(serde_json::from_value(value).ok()?),
            _ => return None,
        })
    }
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
        Ok(handle) => {
            JOINED.with(|joined| *joined.borrow_mut() = Some((handle.clone(), hear.clone())));
            for (name, call) in WAITING.with(|waiting| std::mem::take(&mut *waiting.borrow_mut())) {
                call_now(handle.clone(), hear.clone(), name, call);
            }
        }
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
        Closure::<dyn Fn(String, f64, f64)>::new(move |text: String, stored_at: f64, seq: f64| {
            hear(Heard::Delivered {
                text,
                stored_at_ms: stored_at as i64,
                seq: seq as u64,
            })
        })
    };
    let room = {
        let hear = hear.clone();
        Closure::<dyn Fn(String, String)>::new(move |kind: String, json: String| {
            if let Some(heard) = room_heard(&kind, &json) {
                hear(heard);
            }
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
    let arguments: Array = [
        JsValue::from(address.server.as_str()),
        JsValue::from(address.role.user()),
        JsValue::from(address.token.as_str()),
        JsValue::from(address.name.as_str()),
        delivered.as_ref().clone(),
        status.as_ref().clone(),
        room.as_ref().clone(),
    ]
    .into_iter()
    .collect();
    let joined: Promise = join.apply(&JsValue::NULL, &arguments)?.dyn_into()?;
    let handle = JsFuture::from(joined).await?;
    // The room stays joined as long as the page lives: the callbacks must too.
    delivered.forget();
    status.forget();
    room.forget();
    Ok(handle)
}

/// What the client's `onRoom(kind, json)` says, read; what does not read is dropped (it came
/// from our own client, so only a bug or another version sends it).
fn room_heard(kind: &str, json: &str) -> Option<Heard> {
    #[derive(Deserialize)]
    struct Joined {
        last_seq: u64,
    }
    #[derive(Deserialize)]
    struct Delivery {
        consumer: String,
        handle: u32,
        seq: u64,
        count: u32,
        text: String,
    }
    #[derive(Deserialize)]
    struct Topic {
        topic: String,
        value: serde_json::Value,
    }
    Some(match kind {
        "joined" => Heard::Joined {
            last_seq: serde_json::from_str::<Joined>(json).ok()?.last_seq,
        },
        "delivery" => {
            let Delivery {
                consumer,
                handle,
                seq,
                count,
                text,
            } = serde_json::from_str(json).ok()?;
            let event = serde_json::from_str(&text)
                .ok()
                .and_then(|envelope| event_id_of(&envelope));
            Heard::ToService(ServiceDelivery {
                consumer,
                handle,
                seq,
                count,
                event,
            })
        }
        "consumers" => Heard::Consumers(serde_json::from_str(json).ok()?),
        "control" => {
            let Topic { topic, value } = serde_json::from_str(json).ok()?;
            Heard::Control(Control::read(&topic, value)?)
        }
        _ => return None,
    })
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

/// How a service's consumer redelivers: what `serve` creates it with.
pub struct Redelivery {
    pub ack_wait_ms: u32,
    pub max_deliver: u32,
}

/// Starts consuming the room through this tab's service's durable consumer.
pub fn serve(consumer: String, label: &ServiceLabel, redelivery: Redelivery) {
    let description = label.describe();
    call_later("serve", move |handle, serve| {
        serve.apply(
            handle,
            &Array::of4(
                &JsValue::from(consumer),
                &JsValue::from(description),
                &JsValue::from(redelivery.ack_wait_ms),
                &JsValue::from(redelivery.max_deliver),
            ),
        )
    });
}

/// What a service does with a delivery. Until then the client tells the broker it is still
/// working on it, so a delivery that waits for its event or its decision is not redelivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settle {
    Ack,
    /// Asks for it again after the delay.
    Nak {
        delay_ms: u32,
    },
    /// Neither: the ack was lost (chaos), so the broker delivers it again after its ack wait.
    Forget,
}

pub fn settle(handle: u32, settle: Settle) {
    let (kind, delay) = match settle {
        Settle::Ack => ("ack", 0),
        Settle::Nak { delay_ms } => ("nak", delay_ms),
        Settle::Forget => ("forget", 0),
    };
    call_later("settle", move |client, settle| {
        settle.apply(
            client,
            &Array::of3(
                &JsValue::from(handle),
                &JsValue::from(kind),
                &JsValue::from(delay),
            ),
        )
    });
}

/// Stops consuming for a service taken down: its consumer keeps its place on the server.
pub fn unserve(consumer: String) {
    call_later("unserve", move |client, unserve| {
        unserve.call1(client, &JsValue::from(consumer))
    });
}

/// The teacher sets a control for the room (the server refuses anyone else).
pub fn control(control: Control) {
    let (topic, value) = control.topic();
    let value = value.to_string();
    call_later("control", move |client, set| {
        let value = js_sys::JSON::parse(&value)?;
        set.call2(client, &JsValue::from(topic), &value)
    });
}

type Call = Box<dyn FnOnce(&JsValue, &Function) -> Result<JsValue, JsValue>>;

thread_local! {
    /// Calls asked for while the tab is still joining (a service deployed then): made once it
    /// has joined.
    static WAITING: RefCell<Vec<(&'static str, Call)>> = RefCell::new(Vec::new());
}

/// Calls the joined client's method `name` (once joined) and hears a failure as a notice.
fn call_later(
    name: &'static str,
    call: impl FnOnce(&JsValue, &Function) -> Result<JsValue, JsValue> + 'static,
) {
    let Some((client, hear)) = JOINED.with(|joined| joined.borrow().clone()) else {
        WAITING.with(|waiting| waiting.borrow_mut().push((name, Box::new(call))));
        return;
    };
    call_now(client, hear, name, Box::new(call));
}

fn call_now(client: JsValue, hear: Hear, name: &'static str, call: Call) {
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = async {
            let method: Function = Reflect::get(&client, &JsValue::from(name))?.dyn_into()?;
            let returned = call(&client, &method)?;
            match returned.dyn_into::<Promise>() {
                Ok(promise) => JsFuture::from(promise).await.map(|_| ()),
                Err(_) => Ok(()),
            }
        }
        .await;
        if let Err(error) = outcome {
            hear(Heard::RoomRefused(reason(error)));
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
                role: Role::Attendee,
            }))
        );
        assert_eq!(RoomAddress::read("#lesson=cqrs"), None);
        let unnamed = RoomAddress::read("#room=wss://rooms.example:443&token=t")
            .and_then(Result::ok)
            .map(|address| address.name);
        assert_eq!(unnamed.as_deref(), Some("room"));
        let teacher = RoomAddress::read("#room=ws://h:9222&token=t&role=teacher")
            .and_then(Result::ok)
            .map(|address| address.role);
        assert_eq!(teacher, Some(Role::Teacher));
    }

    #[test]
    fn a_service_s_label_reads_back_whatever_its_name_holds() {
        let label = ServiceLabel {
            producer: "Odd | name, (Bea)".into(),
            consumes: vec!["OrderPlaced".into(), "A, B".into()],
        };
        assert_eq!(ServiceLabel::read(&label.describe(), "svc"), label);
        assert_eq!(
            ServiceLabel::read("made by another tool", "svc").producer,
            "svc"
        );
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
        assert!(problem("#room=ws://host:9222&token=t&role=admin")
            .contains("not \u{201c}role=admin\u{201d}"));
    }
}
