//! The page's side of the script worker (the transport; [`runner`] is what the page asks of
//! it). User scripts never run on the page: they run in a Web
//! Worker, a wasm module of its own (`script-worker/`, package `eventide-script-worker`) that
//! Trunk emits next to the app. The worker starts, and its module downloads, on the first call,
//! not when the page loads; a runaway script then blocks only the worker, never the page.
//!
//! Requests and replies travel as JSON text ([`RequestEnvelope`] and [`ReplyEnvelope`]), matched
//! by id. The worker says [`WORKER_READY`] once it listens; requests made before wait for it. A
//! worker that crashes (a trap, a stack overflow), cannot start or stops answering is dropped:
//! its calls fail with a [`FailureKind::WorkerCrashed`] or [`FailureKind::WorkerTimedOut`] and a
//! message for people, and the next call starts a new one.

/// What the worker is believed to hold, and the messages that bring it up to date (pure).
pub mod feed;
/// The script runner: requests that name positions, answered from the worker's copy.
pub mod runner;
/// The diff of two tables of a projection script (pure, tested natively).
pub mod table_diff;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use eventide_shop::scripting::{
    FailureKind, ReplyEnvelope, RequestEnvelope, ScriptFailure, WorkerReply, WorkerRequest,
    WORKER_READY,
};
use futures_channel::oneshot;
use gloo::timers::callback::Timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ErrorEvent, Event, MessageEvent, Worker, WorkerOptions};

/// The worker's loader, as Trunk emits it (`data-type="worker"` with `data-loader-shim`): a
/// worker's files are never hashed, so the name is known here. Relative to the page, which is
/// always dist's index.html (the app's routes live in the address's fragment).
pub const WORKER_URL: &str = "eventide-script-worker_loader.js";

/// How long a compile may wait for its answer, the worker's start (download, compile of its
/// wasm) included, before the worker is given up for broken.
const COMPILE_PATIENCE_MS: f64 = 30_000.0;
/// How much longer than a run's own time limit the page waits: the worker stops the script at
/// the limit itself, so this only catches a worker that failed to start or is stuck.
const RUN_GRACE_MS: f64 = 30_000.0;

/// What a call hears back: the worker's reply, or why there is none (a worker's failure).
type Answer = Result<WorkerReply, ScriptFailure>;
type InProcess = Rc<dyn Fn(WorkerRequest) -> WorkerReply>;

thread_local! {
    static SHARED: ScriptWorker = ScriptWorker::new(WORKER_URL, true);
    static IN_PROCESS: RefCell<Option<InProcess>> = const { RefCell::new(None) };
}

/// Tests only: answer requests in-process instead of through a Worker (the test runner serves
/// no worker module). Requests and replies still go through JSON, as they would to a worker.
pub fn install_in_process(handler: Box<dyn Fn(WorkerRequest) -> WorkerReply>) {
    IN_PROCESS.with(|slot| *slot.borrow_mut() = Some(Rc::from(handler)));
}

/// The worker, spawned on first use (so its module downloads only then); replies matched by id.
/// Cheap to clone: clones share one worker.
#[derive(Clone)]
pub struct ScriptWorker {
    inner: Rc<Inner>,
}

struct Inner {
    /// The worker's script.
    url: String,
    /// Whether [`install_in_process`] applies (to the shared worker only).
    may_run_in_process: bool,
    next_id: Cell<u64>,
    /// Counts the workers started, so that events of a worker already dropped are ignored.
    started: Cell<u64>,
    running: RefCell<Option<Running>>,
}

/// One live worker and the calls waiting for it.
struct Running {
    generation: u64,
    worker: Worker,
    /// Whether it has said [`WORKER_READY`]; until then requests wait in `held`.
    ready: bool,
    held: Vec<String>,
    pending: HashMap<u64, Pending>,
    // Kept alive as long as the worker: the worker calls them.
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(Event)>,
}

struct Pending {
    answer: oneshot::Sender<Answer>,
    /// Fails the call if no answer comes in time; dropping it (on an answer) cancels it.
    _watchdog: Timeout,
}

impl ScriptWorker {
    fn new(url: &str, may_run_in_process: bool) -> ScriptWorker {
        ScriptWorker {
            inner: Rc::new(Inner {
                url: url.to_string(),
                may_run_in_process,
                next_id: Cell::new(0),
                started: Cell::new(0),
                running: RefCell::new(None),
            }),
        }
    }

    /// The page's worker, created on the first call (thread-local). The Worker itself starts
    /// on the first [`ScriptWorker::call`], not here.
    pub fn shared() -> ScriptWorker {
        SHARED.with(ScriptWorker::clone)
    }

    /// A worker of its own running the script at `url` (which must speak the same protocol),
    /// started on the first call like the shared one; never answered in-process. For tests of
    /// the transport, with stand-in workers.
    pub fn at(url: &str) -> ScriptWorker {
        ScriptWorker::new(url, false)
    }

    /// Sends `request` to the worker (starting it if need be) and waits for its reply. A
    /// script's own failure is `Ok(WorkerReply::Failed(..))`; `Err` means the worker failed
    /// (crashed, could not start, was stopped: [`FailureKind::WorkerCrashed`]; did not answer
    /// in time: [`FailureKind::WorkerTimedOut`]), with words for people: "the script worker
    /// could not start …", "the script crashed (…)", "… did not answer …".
    pub async fn call(&self, request: WorkerRequest) -> Answer {
        if self.inner.may_run_in_process {
            if let Some(handler) = IN_PROCESS.with(|slot| slot.borrow().clone()) {
                return in_process(&*handler, request).await;
            }
        }
        let patience_ms = match &request {
            WorkerRequest::Compile { .. }
            | WorkerRequest::NewCopy { .. }
            | WorkerRequest::Append { .. }
            | WorkerRequest::Load { .. }
            | WorkerRequest::Unload { .. } => COMPILE_PATIENCE_MS,
            WorkerRequest::TableAt { time_limit_ms, .. }
            | WorkerRequest::CatchUp { time_limit_ms, .. }
            | WorkerRequest::DryRun { time_limit_ms, .. }
            | WorkerRequest::When { time_limit_ms, .. } => time_limit_ms.max(0.0) + RUN_GRACE_MS,
        };
        let id = self.inner.next_id.get() + 1;
        self.inner.next_id.set(id);
        let text = serde_json::to_string(&RequestEnvelope { id, request }).map_err(|error| {
            ScriptFailure::new(
                FailureKind::Input,
                format!("the request could not be written: {error}"),
            )
        })?;
        let (answer, answered) = oneshot::channel();
        self.inner.send(id, text, answer, patience_ms);
        answered
            .await
            .unwrap_or_else(|_| Err(crashed("the script worker was stopped")))
    }

    /// Stops the worker now (a runaway script, a "stop" button): its calls fail with "the
    /// script was stopped", and the next call starts a new worker.
    pub fn stop(&self) {
        self.inner.give_up(None, crashed("the script was stopped"));
    }
}

impl Inner {
    /// Queues `text` on the running worker, starting one if there is none.
    fn send(
        self: &Rc<Self>,
        id: u64,
        text: String,
        answer: oneshot::Sender<Answer>,
        patience_ms: f64,
    ) {
        if self.running.borrow().is_none() {
            match self.start() {
                Ok(running) => *self.running.borrow_mut() = Some(running),
                Err(problem) => {
                    let _ = answer.send(Err(crashed(problem)));
                    return;
                }
            }
        }
        let mut running = self.running.borrow_mut();
        let Some(running) = running.as_mut() else {
            return;
        };
        let generation = running.generation;
        let weak = Rc::downgrade(self);
        // Timers take whole milliseconds up to `i32::MAX` (beyond, a browser fires at once): a
        // longer patience waits as long as a timer can.
        let watchdog = Timeout::new(
            patience_ms.clamp(0.0, f64::from(i32::MAX)) as u32,
            move || {
                if let Some(inner) = weak.upgrade() {
                    inner.time_out(generation, patience_ms);
                }
            },
        );
        running.pending.insert(
            id,
            Pending {
                answer,
                _watchdog: watchdog,
            },
        );
        if running.ready {
            post(&running.worker, &text);
        } else {
            running.held.push(text);
        }
    }

    /// A new worker, listening; it is not ready until it says so.
    fn start(self: &Rc<Self>) -> Result<Running, String> {
        let generation = self.started.get() + 1;
        self.started.set(generation);
        let options = WorkerOptions::new();
        options.set_name("eventide-scripts");
        let worker = Worker::new_with_options(&self.url, &options)
            .map_err(|error| format!("the script worker could not start: {}", words(&error)))?;

        let weak = Rc::downgrade(self);
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |message: MessageEvent| {
            if let (Some(inner), Some(text)) = (weak.upgrade(), message.data().as_string()) {
                inner.receive(generation, &text);
            }
        });
        let weak: Weak<Inner> = Rc::downgrade(self);
        let on_error = Closure::<dyn Fn(Event)>::new(move |event: Event| {
            // Handled here: the page reports it in its own words.
            event.prevent_default();
            if let Some(inner) = weak.upgrade() {
                inner.crashed(generation, &event);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Running {
            generation,
            worker,
            ready: false,
            held: Vec::new(),
            pending: HashMap::new(),
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// A message from worker `generation`: it is ready, or a reply.
    fn receive(&self, generation: u64, text: &str) {
        let unreadable = {
            let mut slot = self.running.borrow_mut();
            let Some(running) = slot.as_mut().filter(|r| r.generation == generation) else {
                return;
            };
            if text == WORKER_READY {
                running.ready = true;
                for held in running.held.drain(..) {
                    post(&running.worker, &held);
                }
                return;
            }
            match serde_json::from_str::<ReplyEnvelope>(text) {
                Ok(ReplyEnvelope { id, reply }) => {
                    // No pending call: it was given up on (timed out) already.
                    if let Some(pending) = running.pending.remove(&id) {
                        let _ = pending.answer.send(Ok(reply));
                    }
                    return;
                }
                Err(error) => {
                    format!("the script worker sent a reply the page cannot read: {error}")
                }
            }
        };
        self.give_up(Some(generation), crashed(unreadable));
    }

    /// The worker's `error` event: it could not load, or a script trapped in it (a stack
    /// overflow, a panic). Its state is lost either way.
    fn crashed(&self, generation: u64, event: &Event) {
        let ready = self
            .running
            .borrow()
            .as_ref()
            .is_some_and(|r| r.generation == generation && r.ready);
        let detail = event
            .dyn_ref::<ErrorEvent>()
            .map(ErrorEvent::message)
            .filter(|message| !message.is_empty());
        let problem = match (ready, detail) {
            (true, Some(detail)) => format!("the script crashed ({detail})"),
            (true, None) => "the script crashed".to_string(),
            (false, Some(detail)) => format!("the script worker could not start ({detail})"),
            (false, None) => format!(
                "the script worker could not start (is {} served?)",
                self.url
            ),
        };
        self.give_up(Some(generation), crashed(problem));
    }

    fn time_out(&self, generation: u64, patience_ms: f64) {
        let ready = self
            .running
            .borrow()
            .as_ref()
            .is_some_and(|r| r.generation == generation && r.ready);
        let seconds = (patience_ms / 1000.0).round();
        let problem = if ready {
            format!("the script worker did not answer within {seconds} s")
        } else {
            format!("the script worker could not start within {seconds} s")
        };
        self.give_up(
            Some(generation),
            ScriptFailure::new(FailureKind::WorkerTimedOut, problem),
        );
    }

    /// Terminates the worker (only worker `generation`, when given) and fails its calls with
    /// `problem`; the next call starts a new one.
    fn give_up(&self, generation: Option<u64>, problem: ScriptFailure) {
        let mut slot = self.running.borrow_mut();
        if generation.is_some() && slot.as_ref().map(|r| r.generation) != generation {
            return;
        }
        let Some(running) = slot.take() else {
            return;
        };
        // Nothing below may reach this `RefCell` again: answering only wakes the callers'
        // tasks, which run later.
        drop(slot);
        running.worker.terminate();
        for (_, pending) in running.pending {
            let _ = pending.answer.send(Err(problem.clone()));
        }
        // Dropping `running` here drops the closure that may be calling us: wasm-bindgen frees
        // a closure that is still running only once it returns.
    }
}

/// The worker failed, and with it everything it held.
fn crashed(problem: impl Into<String>) -> ScriptFailure {
    ScriptFailure::new(FailureKind::WorkerCrashed, problem)
}

fn post(worker: &Worker, text: &str) {
    // A string always clones; should the worker be gone, the watchdog reports it.
    let _ = worker.post_message(&JsValue::from_str(text));
}

/// A JavaScript error in words.
fn words(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}

/// The in-process stand-in: the same JSON round trip, answered a turn of the event loop later
/// (never synchronously, as a worker never is).
async fn in_process(
    handler: &dyn Fn(WorkerRequest) -> WorkerReply,
    request: WorkerRequest,
) -> Answer {
    let _ =
        wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&JsValue::UNDEFINED)).await;
    let input = |problem: String| ScriptFailure::new(FailureKind::Input, problem);
    let text = serde_json::to_string(&RequestEnvelope { id: 1, request })
        .map_err(|error| input(format!("the request could not be written: {error}")))?;
    let RequestEnvelope { id, request } = serde_json::from_str(&text)
        .map_err(|error| input(format!("the worker could not read the request: {error}")))?;
    let text = serde_json::to_string(&ReplyEnvelope {
        id,
        reply: handler(request),
    })
    .map_err(|error| input(format!("the worker could not write its reply: {error}")))?;
    serde_json::from_str::<ReplyEnvelope>(&text)
        .map(|envelope| envelope.reply)
        .map_err(|error| {
            crashed(format!(
                "the script worker sent a reply the page cannot read: {error}"
            ))
        })
}
