//! The script worker's entry point, on wasm32: Trunk builds it as a worker (see index.html) and
//! the page starts it with `new Worker("eventide-script-worker_loader.js")` when scripts are
//! first used. Each message is a request envelope as JSON text; each answer is the reply
//! envelope, with the same id. One `Runner` keeps the copy of the log between messages. Natively there is nothing to run: the lib is tested instead.

#[cfg(target_arch = "wasm32")]
fn main() {
    use eventide_shop::scripting::WORKER_READY;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    // The copy of the log and the deployed scripts, kept between messages for the worker's
    // life (messages are handled one at a time, so the borrow never overlaps).
    let runner = std::cell::RefCell::new(eventide_script_worker::Runner::default());
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |message: MessageEvent| {
        // The page sends only text; anything else has no id to answer to.
        let Some(text) = message.data().as_string() else {
            return;
        };
        // The worker's own monotonic clock: the deadline is about time spent here.
        let performance = replies.performance();
        let clock = move || {
            performance
                .as_ref()
                .map_or_else(js_sys::Date::now, |performance| performance.now())
        };
        let reply = eventide_script_worker::handle_message(&mut runner.borrow_mut(), &text, clock);
        // Posting a string cannot fail to clone; if the page is gone there is no one to tell.
        let _ = replies.post_message(&JsValue::from_str(&reply));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The listener lives as long as the worker.
    on_message.forget();
    // Messages posted before this listener existed were dropped: the page waits for this.
    let _ = scope.post_message(&JsValue::from_str(WORKER_READY));
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
