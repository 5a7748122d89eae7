//! Whole-app tests in headless Chromium: mount the real App, act as a user would (click,
//! type, move the timeline) and read the DOM.

#![cfg(target_arch = "wasm32")]

use eventide::components::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

thread_local! {
    /// The apps mounted so far and their elements: a test's first `mount` takes down those of
    /// the tests before, so no listener, timer or autosave of theirs runs on into this one.
    static MOUNTED: std::cell::RefCell<Vec<(yew::AppHandle<App>, Element)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Puts a fragment in the address bar the way the app itself does, so no mounted app takes it
/// for a link the user pasted (see `eventide::address`).
fn set_address(fragment: &str) {
    eventide::address::write(fragment);
}

/// Unmounts every App mounted so far and removes its element.
fn unmount_all() {
    for (app, root) in MOUNTED.with(|mounted| std::mem::take(&mut *mounted.borrow_mut())) {
        app.destroy();
        root.remove();
    }
}

/// Mounts a fresh App in its own element and waits for the first render; the apps of earlier
/// tests are unmounted first.
async fn mount() -> Element {
    unmount_all();
    // An address left by a lesson test would open that lesson, and an empty one restores the
    // autosaved session: `#fresh` starts from nothing.
    set_address("fresh");
    mount_as_is().await
}

/// Mounts without touching the address (beside the apps already mounted).
async fn mount_as_is() -> Element {
    let document = gloo::utils::document();
    let root = document.create_element("div").expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&root)
        .expect("appended");
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    MOUNTED.with(|mounted| mounted.borrow_mut().push((app, root.clone())));
    yew::scheduler::flush().await;
    root
}

fn find(root: &Element, testid: &str) -> Option<Element> {
    root.query_selector(&format!("[data-testid='{testid}']"))
        .ok()
        .flatten()
}

fn all(root: &Element, testid: &str) -> Vec<Element> {
    let list = root
        .query_selector_all(&format!("[data-testid='{testid}']"))
        .expect("a valid selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .collect()
}

fn text(root: &Element, testid: &str) -> String {
    find(root, testid)
        .and_then(|element| element.text_content())
        .unwrap_or_default()
}

fn number(root: &Element, testid: &str) -> u64 {
    text(root, testid)
        .replace(',', "")
        .trim()
        .parse()
        .unwrap_or(u64::MAX)
}

/// How many events the log holds: the header's head count ("of N") in the past, its count live.
fn log_size(root: &Element) -> u64 {
    match find(root, "event-count-head") {
        Some(head) => head
            .text_content()
            .unwrap_or_default()
            .replace([',', ' '], "")
            .trim_start_matches("of")
            .parse()
            .unwrap_or(u64::MAX),
        None => number(root, "event-count"),
    }
}

async fn click(root: &Element, testid: &str) {
    find(root, testid)
        .unwrap_or_else(|| panic!("no element with data-testid={testid}"))
        .unchecked_into::<HtmlElement>()
        .click();
    yew::scheduler::flush().await;
}

async fn set_slider(root: &Element, value: u64) {
    let slider: HtmlInputElement = find(root, "timeline-slider")
        .expect("a slider")
        .unchecked_into();
    slider.set_value(&value.to_string());
    let event = web_sys::InputEvent::new("input").expect("an input event");
    slider.dispatch_event(&event).expect("dispatched");
    yew::scheduler::flush().await;
    next_frame().await;
}

/// Types into a field as a user would (an `input` event), then waits for the render.
async fn type_into(root: &Element, testid: &str, value: &str) {
    let input: HtmlInputElement = find(root, testid)
        .unwrap_or_else(|| panic!("no field with data-testid={testid}"))
        .unchecked_into();
    input.set_value(value);
    input
        .dispatch_event(&web_sys::InputEvent::new("input").expect("an input event"))
        .expect("dispatched");
    yew::scheduler::flush().await;
}

/// Sets a field and commits it as a user would (a `change` event), then waits for the render.
async fn change_into(root: &Element, testid: &str, value: &str) {
    let input: HtmlInputElement = find(root, testid)
        .unwrap_or_else(|| panic!("no field with data-testid={testid}"))
        .unchecked_into();
    input.set_value(value);
    input
        .dispatch_event(&web_sys::Event::new("change").expect("a change event"))
        .expect("dispatched");
    yew::scheduler::flush().await;
}

/// Picks an option of a select as a user would (a `change` event), then waits for the render.
async fn choose(root: &Element, testid: &str, value: &str) {
    let select: web_sys::HtmlSelectElement = find(root, testid)
        .unwrap_or_else(|| panic!("no select with data-testid={testid}"))
        .unchecked_into();
    select.set_value(value);
    select
        .dispatch_event(&web_sys::Event::new("change").expect("a change event"))
        .expect("dispatched");
    yew::scheduler::flush().await;
}

/// Waits for the next animation frame: the slider applies its newest value once per frame.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        gloo::utils::window()
            .request_animation_frame(&resolve)
            .expect("a frame");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("the frame came");
    yew::scheduler::flush().await;
}

#[wasm_bindgen_test]
async fn it_starts_with_an_empty_log_at_live() {
    let root = mount().await;
    assert_eq!(log_size(&root), 0);
    assert_eq!(number(&root, "cursor-position"), 0);
    assert!(find(&root, "past-banner").is_none());
}

#[wasm_bindgen_test]
async fn placing_an_order_appends_an_event_and_updates_the_read_model() {
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    assert_eq!(log_size(&root), 1);
    let rows = all(&root, "order-row");
    assert_eq!(rows.len(), 1);
    let row = rows[0].text_content().unwrap_or_default();
    assert!(row.contains("O-0001") && row.contains("placed"), "{row}");
    assert!(text(&root, "event-log").contains("OrderPlaced"));
}

#[wasm_bindgen_test]
async fn the_header_counts_what_the_cursor_shows_and_the_head_beside_it() {
    let root = mount().await;
    for _ in 0..3 {
        click(&root, "cmd-place-order").await;
    }
    assert_eq!(number(&root, "event-count"), 3);
    assert!(find(&root, "event-count-head").is_none(), "live: no \"of\"");
    set_slider(&root, 1).await;
    assert_eq!(
        all(&root, "order-row").len(),
        1,
        "the table shows the cursor"
    );
    assert_eq!(number(&root, "event-count"), 1);
    assert_eq!(
        number(&root, "order-count"),
        1,
        "as many orders as the table"
    );
    assert_eq!(number(&root, "stream-count"), 1);
    assert_eq!(text(&root, "event-count-head").trim(), "of 3");
    assert_eq!(text(&root, "order-count-head").trim(), "of 3");
    click(&root, "timeline-live").await;
    assert_eq!(number(&root, "order-count"), 3);
    assert!(find(&root, "order-count-head").is_none());
}

#[wasm_bindgen_test]
async fn a_rejected_command_shows_why_and_appends_nothing() {
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    click(&root, "cmd-dispatch").await;
    assert_eq!(log_size(&root), 1, "nothing appended");
    let problems = text(&root, "problems");
    assert!(problems.contains("not paid"), "{problems}");
    assert!(text(&root, "notices").contains("DispatchShipment rejected"));
}

/// Places an order (#1), pays it (#2), restocks its product (#3), reserves its line (#4) and
/// dispatches it (#5): a shipment needs its stock.
async fn ship_the_first_order(root: &Element) {
    click(root, "cmd-place-order").await;
    click(root, "cmd-pay").await;
    click(root, "cmd-restock").await;
    click(root, "cmd-reserve-order").await;
    click(root, "cmd-dispatch").await;
}

#[wasm_bindgen_test]
async fn the_order_follows_its_commands_to_shipped() {
    let root = mount().await;
    ship_the_first_order(&root).await;
    assert_eq!(number(&root, "event-count"), 5);
    let row = all(&root, "order-row")[0]
        .text_content()
        .unwrap_or_default();
    assert!(row.contains("shipped"), "{row}");
}

#[wasm_bindgen_test]
async fn moving_the_timeline_shows_the_past_everywhere() {
    let root = mount().await;
    for _ in 0..3 {
        click(&root, "cmd-place-order").await;
    }
    assert_eq!(all(&root, "order-row").len(), 3);

    click(&root, "timeline-step-back").await;
    assert_eq!(number(&root, "cursor-position"), 2);
    assert!(
        find(&root, "past-banner").is_some(),
        "the past is announced"
    );
    assert_eq!(
        all(&root, "order-row").len(),
        2,
        "the read model follows the cursor"
    );

    set_slider(&root, 1).await;
    assert_eq!(number(&root, "cursor-position"), 1);
    assert_eq!(all(&root, "order-row").len(), 1);
    assert!(text(&root, "headline-orders").starts_with("1 orders"));

    click(&root, "timeline-step-forward").await;
    assert_eq!(number(&root, "cursor-position"), 2);

    click(&root, "timeline-live").await;
    assert!(find(&root, "past-banner").is_none());
    assert_eq!(number(&root, "cursor-position"), 3);
    assert_eq!(all(&root, "order-row").len(), 3);
}

#[wasm_bindgen_test]
async fn a_command_in_the_past_appends_at_the_head_and_returns_to_live() {
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    click(&root, "cmd-place-order").await;
    set_slider(&root, 0).await;
    assert!(find(&root, "past-banner").is_some());
    click(&root, "cmd-place-order").await;
    assert!(find(&root, "past-banner").is_none());
    assert_eq!(number(&root, "cursor-position"), 3);
}

#[wasm_bindgen_test]
async fn selecting_an_event_shows_its_envelope_cause_and_effects() {
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    let row = all(&root, "event-row")
        .into_iter()
        .next()
        .expect("a log row");
    row.unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    let detail = text(&root, "event-detail");
    for field in [
        "Event id",
        "Schema version",
        "Aggregate version",
        "Global position",
        "Correlation id",
        "Causation id",
    ] {
        assert!(detail.contains(field), "{field} missing from {detail}");
    }
    assert!(text(&root, "detail-payload").contains("\"order\": \"O-0001\""));
    let touched = text(&root, "detail-touched");
    assert!(touched.contains("Orders O-0001 created"), "{touched}");
}

#[wasm_bindgen_test]
async fn invalid_form_input_is_reported_not_sent() {
    let root = mount().await;
    change_into(&root, "place-order-quantity", "lots").await;
    click(&root, "cmd-place-order").await;
    assert_eq!(log_size(&root), 0);
    assert!(text(&root, "problems").contains("Quantity"));
}

/// Lets timers run (the generator works a chunk per task), then waits for the render.
async fn settle() {
    gloo_timers::future::TimeoutFuture::new(0).await;
    yew::scheduler::flush().await;
}

#[wasm_bindgen_test]
async fn generating_orders_runs_in_chunks_and_fills_every_read_model() {
    let root = mount().await;
    type_into(&root, "cmd-generate-count", "30").await;
    click(&root, "cmd-generate").await;
    for _ in 0..500 {
        if find(&root, "cmd-generate").is_some() {
            break;
        }
        settle().await;
    }
    assert!(find(&root, "cmd-generate").is_some(), "generation finished");
    assert!(log_size(&root) > 100, "{}", text(&root, "event-count"));
    assert!(text(&root, "notices").contains("Generated 30 orders"));
    assert!(!all(&root, "order-row").is_empty());
    click(&root, "tab-inventory").await;
    assert_eq!(
        all(&root, "inventory-row").len(),
        12,
        "every product is stocked"
    );
    click(&root, "tab-revenue").await;
    assert!(!all(&root, "revenue-row").is_empty());
    click(&root, "tab-activity").await;
    assert!(!all(&root, "activity-row").is_empty());
}

#[wasm_bindgen_test]
async fn the_keyboard_drives_the_timeline() {
    let root = mount().await;
    for _ in 0..3 {
        click(&root, "cmd-place-order").await;
    }
    let press = |key: &str| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
            .expect("a keyboard event");
        gloo::utils::window()
            .dispatch_event(&event)
            .expect("dispatched");
    };
    press("ArrowLeft");
    yew::scheduler::flush().await;
    assert_eq!(number(&root, "cursor-position"), 2);
    press("Home");
    yew::scheduler::flush().await;
    assert_eq!(number(&root, "cursor-position"), 0);
    press("ArrowRight");
    yew::scheduler::flush().await;
    assert_eq!(number(&root, "cursor-position"), 1);
    press("End");
    yew::scheduler::flush().await;
    assert!(find(&root, "past-banner").is_none());
}

#[wasm_bindgen_test]
async fn jumping_to_a_position_moves_the_cursor() {
    let root = mount().await;
    for _ in 0..4 {
        click(&root, "cmd-place-order").await;
    }
    let field: HtmlInputElement = find(&root, "jump-position")
        .expect("a field")
        .unchecked_into();
    field.set_value("2");
    let form = field.form().expect("inside a form");
    form.request_submit().expect("submitted");
    yew::scheduler::flush().await;
    assert_eq!(number(&root, "cursor-position"), 2);
    assert_eq!(all(&root, "order-row").len(), 2);
}

#[wasm_bindgen_test]
async fn jumping_to_a_time_moves_the_cursor_to_the_last_event_at_or_before_it() {
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    let field: HtmlInputElement = find(&root, "jump-time").expect("a field").unchecked_into();
    field.set_value("2000-01-01 00:00:00");
    field
        .form()
        .expect("inside a form")
        .request_submit()
        .expect("submitted");
    yew::scheduler::flush().await;
    assert_eq!(
        number(&root, "cursor-position"),
        0,
        "nothing had happened in 2000"
    );
    field.set_value("not a time");
    field
        .form()
        .expect("inside a form")
        .request_submit()
        .expect("submitted");
    yew::scheduler::flush().await;
    assert!(text(&root, "problems").contains("is not a date and time"));
    field.set_value("2999-01-01 00:00:00");
    field
        .form()
        .expect("inside a form")
        .request_submit()
        .expect("submitted");
    yew::scheduler::flush().await;
    assert!(
        find(&root, "past-banner").is_none(),
        "the future is the head: live"
    );
}

#[wasm_bindgen_test]
async fn a_panic_is_reported_on_the_page_not_left_blank() {
    eventide::panic::report("boom at engine/src/store/mod.rs:1");
    let alert = gloo::utils::document()
        .query_selector("[data-testid='panic']")
        .ok()
        .flatten()
        .expect("an alert on the page");
    let text = alert.text_content().unwrap_or_default();
    assert!(
        text.contains("internal error") && text.contains("boom"),
        "{text}"
    );
    assert_eq!(alert.get_attribute("role").as_deref(), Some("alert"));
    alert.remove();
}

#[wasm_bindgen_test]
async fn the_graph_draws_every_declared_service_and_edge() {
    let root = mount().await;
    click(&root, "center-services").await;
    let names: Vec<String> = all(&root, "graph-node")
        .iter()
        .filter_map(|node| node.get_attribute("data-name"))
        .collect();
    for service in [
        "Order",
        "Inventory",
        "FraudDetection",
        "Payment",
        "Shipping",
        "Notification",
        "Personalization",
        "Storefront",
    ] {
        assert!(
            names.iter().any(|n| n == service),
            "{service} missing from {names:?}"
        );
    }
    let edges = all(&root, "graph-edge");
    let has = |from: &str, to: &str| {
        edges.iter().any(|e| {
            e.get_attribute("data-from").as_deref() == Some(from)
                && e.get_attribute("data-to").as_deref() == Some(to)
        })
    };
    assert!(
        has("Storefront", "Order"),
        "checkouts reach the order service"
    );
    assert!(has("FraudDetection", "Payment"));
    assert!(has("Payment", "Shipping"));
    assert!(
        has("Payment", "Order"),
        "a failed payment flows back to orders"
    );
    // Edges are drawn by what they carry, not by which way they point.
    let meaning = |from: &str, to: &str| {
        edges
            .iter()
            .find(|e| {
                e.get_attribute("data-from").as_deref() == Some(from)
                    && e.get_attribute("data-to").as_deref() == Some(to)
            })
            .and_then(|e| e.get_attribute("data-meaning"))
    };
    assert_eq!(
        meaning("Shipping", "Notification").as_deref(),
        Some("success"),
        "a dispatched shipment is no failure"
    );
    assert_eq!(meaning("Payment", "Order").as_deref(), Some("failure"));
    assert_eq!(all(&root, "service-card").len(), 7);

    // Large text draws the graph's text larger, and the drawing is never shrunk below its size.
    let font = |root: &Element| -> f64 {
        find(root, "graph-label-line")
            .and_then(|line| line.get_attribute("font-size"))
            .and_then(|size| size.parse().ok())
            .unwrap_or(0.0)
    };
    let normal = font(&root);
    click(&root, "large-text").await;
    assert!(font(&root) > normal, "{} then {}", normal, font(&root));
    let graph = find(&root, "service-graph").expect("the graph");
    let own_width: f64 = graph
        .get_attribute("viewBox")
        .and_then(|view| view.split(' ').nth(2).and_then(|w| w.parse().ok()))
        .unwrap_or(f64::MAX);
    assert!(
        f64::from(graph.client_width()) >= own_width - 1.0,
        "drawn {} wide, its own size {own_width}",
        graph.client_width()
    );
    click(&root, "large-text").await;
}

/// Steps the simulation until `done` or the budget runs out.
async fn step_until(root: &Element, budget: usize, done: impl Fn(&Element) -> bool) {
    for _ in 0..budget {
        if done(root) {
            return;
        }
        click(root, "sim-step").await;
    }
}

/// The card of one service, if it is drawn.
fn find_card(root: &Element, service: &str) -> Option<Element> {
    all(root, "service-card")
        .into_iter()
        .find(|card| card.get_attribute("data-name").as_deref() == Some(service))
}

fn card_text(root: &Element, service: &str) -> String {
    find_card(root, service)
        .and_then(|card| card.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn services_react_to_a_checkout_and_the_graph_follows_the_timeline() {
    let root = mount().await;
    click(&root, "center-services").await;
    type_into(&root, "storefront-count", "2").await;
    click(&root, "storefront-open").await;
    click(&root, "sim-run").await; // pause the clock: the test drives it step by step
    step_until(&root, 600, |root| {
        text(root, "event-log").contains("ShipmentDispatched")
    })
    .await;
    let log = text(&root, "event-log");
    assert!(
        log.contains("OrderPlaced") && log.contains("FraudCheck"),
        "services reacted: {log}"
    );
    let shipping = card_text(&root, "Shipping");
    assert!(shipping.contains("shipments requested1"), "{shipping}");

    set_slider(&root, 0).await;
    let badge = |root: &Element, service: &str| {
        all(root, "graph-node")
            .into_iter()
            .find(|node| node.get_attribute("data-name").as_deref() == Some(service))
            .and_then(|node| {
                node.query_selector("[data-testid='node-badge']")
                    .ok()
                    .flatten()
            })
            .and_then(|badge| badge.text_content())
            .unwrap_or_default()
    };
    assert!(
        badge(&root, "Shipping").starts_with("✓0"),
        "nothing had reached shipping then: {}",
        badge(&root, "Shipping")
    );
    let shipping_then = card_text(&root, "Shipping");
    assert!(
        shipping_then.contains("shipments requested0"),
        "the past: {shipping_then}"
    );
    click(&root, "timeline-live").await;
    assert!(card_text(&root, "Shipping").contains("shipments requested1"));
    // Shipping hears the order's placement, reservations and payment before it asks to ship.
    assert!(
        badge(&root, "Shipping").starts_with('✓') && !badge(&root, "Shipping").starts_with("✓0"),
        "{}",
        badge(&root, "Shipping")
    );
}

#[wasm_bindgen_test]
async fn the_consumers_switch_says_the_same_thing_ticked_or_not() {
    let root = mount().await;
    click(&root, "center-services").await;
    let label = |root: &Element| {
        find(root, "idempotent")
            .and_then(|input| input.parent_element())
            .and_then(|label| label.text_content())
            .unwrap_or_default()
    };
    let ticked = |root: &Element| {
        find(root, "idempotent")
            .expect("the consumers switch")
            .unchecked_into::<HtmlInputElement>()
            .checked()
    };
    let idempotent_label = label(&root);
    assert!(
        ticked(&root),
        "consumers start idempotent, and the box says so"
    );
    assert!(
        idempotent_label.contains("Idempotent consumers"),
        "{idempotent_label}"
    );
    click(&root, "idempotent").await;
    assert!(!ticked(&root));
    assert_eq!(
        label(&root),
        idempotent_label,
        "the label does not change with the box"
    );
    assert!(text(&root, "idempotent-now").contains("naive"));
    click(&root, "idempotent").await;
    assert!(ticked(&root));
    assert!(text(&root, "idempotent-now").contains("skips a duplicate"));
}

#[wasm_bindgen_test]
async fn a_naive_consumer_shows_the_wrong_value_beside_the_right_one() {
    let root = mount().await;
    click(&root, "center-services").await;
    change_into(&root, "knob-duplicates", "100").await;
    click(&root, "idempotent").await;
    click(&root, "storefront-open").await;
    click(&root, "sim-run").await;
    step_until(&root, 3000, |root| !all(root, "expected-value").is_empty()).await;
    let expected = all(&root, "expected-value");
    assert!(!expected.is_empty(), "a naive service diverged and says so");
    assert!(expected[0]
        .text_content()
        .unwrap_or_default()
        .contains("exactly once"));
}

/// The card of one service, which must be drawn.
fn card(root: &Element, service: &str) -> Element {
    find_card(root, service).unwrap_or_else(|| panic!("no card for {service}"))
}

/// Types `to` into a service card's "Replay from" field and presses Reset.
async fn reset_subscription(root: &Element, service: &str, to: &str) {
    let card = card(root, service);
    let field: HtmlInputElement = find(&card, "reset-to")
        .expect("a reset field on a live card")
        .unchecked_into();
    field.set_value(to);
    click(&card, "reset-subscription").await;
}

#[wasm_bindgen_test]
async fn a_reset_subscription_replays_and_a_naive_service_does_it_all_twice() {
    let root = mount().await;
    click(&root, "center-services").await;
    type_into(&root, "storefront-count", "2").await;
    click(&root, "storefront-open").await;
    click(&root, "sim-run").await; // paused: the test drives the clock
    step_until(&root, 3000, |root| {
        text(root, "event-log").contains("EmailSent")
            && card_text(root, "Notification").contains("lag0 events")
    })
    .await;
    let checkpoint = |root: &Element| text(&card(root, "Notification"), "service-checkpoint");
    let head = format!("#{}", log_size(&root));
    assert!(
        checkpoint(&root).starts_with(&head),
        "{} at head {head}",
        checkpoint(&root)
    );
    assert!(all(&card(&root, "Notification"), "expected-value").is_empty());

    // Nonsense is refused where it was typed, and nothing is sent.
    let before = log_size(&root);
    reset_subscription(&root, "Notification", "yesterday").await;
    let problem = text(&card(&root, "Notification"), "reset-problem");
    assert!(problem.contains("neither a position"), "{problem}");
    assert!(
        checkpoint(&root).starts_with(&head),
        "unchanged: {}",
        checkpoint(&root)
    );

    click(&root, "idempotent").await; // naive consumers
    reset_subscription(&root, "Notification", "start").await;
    assert!(find(&card(&root, "Notification"), "reset-problem").is_none());
    assert!(
        checkpoint(&root).contains("replayed"),
        "{}",
        checkpoint(&root)
    );
    assert!(
        text(&root, "notices").contains("Notification reset to position 0"),
        "{}",
        text(&root, "notices")
    );
    click(&root, "sim-run").await; // paused again: the reset set the clock running
    step_until(&root, 3000, |root| {
        !all(&card(root, "Notification"), "expected-value").is_empty()
    })
    .await;
    let wrong = text(&card(&root, "Notification"), "expected-value");
    assert!(wrong.contains("exactly once"), "emails sent twice: {wrong}");
    assert!(
        log_size(&root) > before,
        "the naive service sent its emails again"
    );

    // The reset is part of the run: a shared link replays it.
    let link = share(&root).await;
    assert_short_recipe(&link);
    let opened = open_link(&link).await;
    click(&opened, "center-services").await;
    assert!(
        text(&card(&opened, "Notification"), "service-checkpoint").contains("replayed"),
        "{}",
        text(&opened, "problems")
    );
}

#[wasm_bindgen_test]
async fn resetting_the_projector_rebuilds_the_read_models_behind_the_log_until_it_catches_up() {
    let root = mount().await;
    click(&root, "center-services").await;
    // The projector's lag in events, from its row.
    let projector_lag = |root: &Element| {
        all(root, "subscription")
            .into_iter()
            .find(|row| row.get_attribute("data-name").as_deref() == Some("Read-model projector"))
            .map(|row| text(&row, "subscription-lag"))
            .and_then(|lag| lag.split(' ').next().map(|n| n.replace(',', "")))
            .and_then(|n| n.parse::<u64>().ok())
            .expect("the projector's row says how far behind it is")
    };
    type_into(&root, "storefront-count", "1").await;
    click(&root, "storefront-open").await;
    click(&root, "sim-run").await;
    step_until(&root, 3000, |root| {
        text(root, "event-log").contains("EmailSent") && projector_lag(root) == 0
    })
    .await;
    assert_eq!(projector_lag(&root), 0);
    for service in ["Order", "Payment", "Shipping"] {
        assert!(
            all(&root, "subscription")
                .iter()
                .any(|row| row.get_attribute("data-name").as_deref() == Some(service)),
            "{service} is a subscription too"
        );
    }
    let panel = find(&root, "projector-reset").expect("the projector's reset, live");
    let field: HtmlInputElement = find(&panel, "reset-to").expect("a field").unchecked_into();
    field.set_value("0");
    click(&panel, "reset-subscription").await;
    click(&root, "sim-run").await; // paused: the replay is still on its way
    assert!(projector_lag(&root) > 0, "the projector is behind again");
    click(&root, "center-read-models").await;
    assert!(
        text(&root, "projection-lag").contains("behind the log"),
        "the read models show the rebuild: {}",
        text(&root, "projection-lag")
    );
    click(&root, "center-services").await;
    step_until(&root, 3000, |root| projector_lag(root) == 0).await;
    click(&root, "center-read-models").await;
    assert!(find(&root, "projection-lag").is_none(), "caught up again");
}

/// A tab in a room builds its log from the room's stream alone: what would append to its own
/// log is refused with a message (here the room is unreachable, so nothing ever lands).
#[wasm_bindgen_test]
async fn a_tab_in_a_room_refuses_what_would_append_to_its_own_log() {
    unmount_all();
    set_address("room=ws://127.0.0.1:1&token=t0ken&name=test");
    let root = mount_as_is().await;
    settle().await;
    let badge = text(&root, "room-badge");
    assert!(badge.contains("test · guest-"), "{badge}");
    click(&root, "center-services").await;
    // The room's panel, without the teacher's controls (this link is an attendee's).
    let panel = text(&root, "room-panel");
    assert!(
        panel.contains("No service consumes the room yet"),
        "{panel}"
    );
    assert!(find(&root, "teacher-controls").is_none());
    click(&root, "storefront-open").await;
    let notices = text(&root, "notices");
    assert!(
        notices.contains("not done in a room yet") && notices.contains("opening the storefront"),
        "{notices}"
    );
    assert_eq!(log_size(&root), 0, "nothing appended");
    // A command is not lost in silence either: not joined, it says it was not sent.
    click(&root, "cmd-place-order").await;
    let notices = text(&root, "notices");
    assert!(notices.contains("PlaceOrder not sent"), "{notices}");
    assert!(!text(&root, "room-badge").contains("on its way"));
    assert_eq!(log_size(&root), 0, "nothing appended");
    // The tab comes back as the same guest (its services come back with it).
    unmount_all();
    let again = mount_as_is().await;
    settle().await;
    assert_eq!(text(&again, "room-badge"), badge);
    set_address("fresh");
}

#[wasm_bindgen_test]
async fn partitions_show_each_one_s_owner_in_the_consumer_group() {
    let root = mount().await;
    click(&root, "center-services").await;
    assert!(
        find(&root, "partitions").is_none(),
        "a lane per aggregate by default"
    );
    choose(&root, "knob-partitions", "4").await;
    choose(&root, "knob-members", "2").await;
    let shipping = card(&root, "Shipping");
    let rows: Vec<String> = all(&shipping, "partition")
        .iter()
        .filter_map(|row| row.text_content())
        .collect();
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows[0].starts_with("P0consumer 1"), "{rows:?}");
    assert!(rows[1].starts_with("P1consumer 2"), "{rows:?}");
    assert!(rows[2].starts_with("P2consumer 1"), "{rows:?}");
    // Fewer partitions than members is no group: the members follow the partitions down.
    choose(&root, "knob-partitions", "1").await;
    assert!(text(&card(&root, "Shipping"), "partitions")
        .contains("1 partition · 1 consumer in the group"));
}

#[wasm_bindgen_test]
async fn chaos_mode_changes_several_services_at_once() {
    let root = mount().await;
    click(&root, "center-services").await;
    click(&root, "chaos").await;
    click(&root, "sim-run").await;
    step_until(&root, 50, |root| {
        all(root, "service-ops")
            .iter()
            .filter(|ops| ops.text_content().unwrap_or_default().contains("debug"))
            .count()
            >= 3
    })
    .await;
    let braced = all(&root, "service-ops")
        .iter()
        .filter(|ops| {
            ops.text_content()
                .unwrap_or_default()
                .contains("retry budget 12")
        })
        .count();
    assert!(braced >= 3, "{braced} services braced for chaos");
}

/// The knobs the panel shows are the services' own, so a shared run brings them: the chaos
/// switch once stayed off in the tab that opened a link made with chaos on.
#[wasm_bindgen_test]
async fn a_shared_run_opens_with_its_chaos_and_its_consumers_as_the_sharer_left_them() {
    let root = mount().await;
    click(&root, "center-services").await;
    click(&root, "idempotent").await;
    click(&root, "chaos").await;
    assert_eq!(text(&root, "chaos"), "Disable chaos mode");
    let link = share(&root).await;
    assert_short_recipe(&link);

    let opened = open_link(&link).await;
    click(&opened, "center-services").await;
    assert_eq!(
        text(&opened, "chaos"),
        "Disable chaos mode",
        "{}",
        text(&opened, "problems")
    );
    let naive = !find(&opened, "idempotent")
        .expect("the consumers switch")
        .unchecked_into::<HtmlInputElement>()
        .checked();
    assert!(naive, "the consumers stay naive");
}

#[wasm_bindgen_test]
async fn a_trace_shows_every_lane_of_a_flow_as_a_waterfall_and_a_causation_graph() {
    let root = mount().await;
    click(&root, "center-services").await;
    type_into(&root, "storefront-count", "1").await;
    click(&root, "storefront-open").await;
    click(&root, "sim-run").await;
    step_until(&root, 600, |root| {
        text(root, "event-log").contains("ShipmentDispatched")
    })
    .await;
    // Select the shipment in the log, then open its trace.
    let shipment = all(&root, "event-row")
        .into_iter()
        .find(|row| {
            row.text_content()
                .unwrap_or_default()
                .contains("ShipmentDispatched")
        })
        .expect("a shipment in the log");
    shipment.unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    click(&root, "center-trace").await;
    let lanes: Vec<String> = all(&root, "lane")
        .iter()
        .filter_map(|l| l.text_content())
        .collect();
    for lane in [
        "Storefront",
        "Order",
        "FraudDetection",
        "Payment",
        "Shipping",
    ] {
        assert!(
            lanes.iter().any(|l| l == lane),
            "{lane} missing from {lanes:?}"
        );
    }
    assert!(all(&root, "span").len() >= 8);
    assert!(all(&root, "cause-node").len() >= 8);
    assert!(text(&root, "trace-summary").contains("fan-out"));

    // The customer's browsing is cut out of the axis, so the backend's flow fills the width
    // and every span stays wide enough to see and click.
    assert!(
        !all(&root, "axis-break").is_empty(),
        "idle time is a marked break"
    );
    let extent = |span: &Element, name: &str| -> f64 {
        span.get_attribute(name)
            .and_then(|value| value.parse().ok())
            .unwrap_or(f64::NAN)
    };
    let (mut left, mut right) = (f64::MAX, f64::MIN);
    for span in all(&root, "span") {
        let (x, width) = (extent(&span, "data-x"), extent(&span, "data-width"));
        assert!(width >= 4.0, "a span {width} wide");
        let lane = span.get_attribute("data-lane").unwrap_or_default();
        if !matches!(lane.as_str(), "Storefront" | "Personalization") {
            left = left.min(x);
            right = right.max(x + width);
        }
    }
    assert!(
        right - left >= 0.5 * 650.0,
        "the backend flow takes {} of the 650 the spans have",
        right - left
    );

    // The trace follows the cursor: before the flow began, nothing of it had happened.
    set_slider(&root, 0).await;
    assert!(all(&root, "span").is_empty());
}

#[wasm_bindgen_test]
async fn the_comparison_runs_both_models_on_the_same_failure() {
    let root = mount().await;
    click(&root, "center-compare").await;
    type_into(&root, "compare-count", "20").await;
    click(&root, "compare-run").await;
    let table = text(&root, "compare-table");
    assert!(
        table.contains("Choreography") && table.contains("Orchestration"),
        "{table}"
    );
    assert!(table.contains("Orders stuck") && table.contains("Through the coordinator"));
    let reading = text(&root, "compare-reading");
    assert!(
        reading.contains("shipping down") && reading.contains("compensates"),
        "{reading}"
    );
}

#[wasm_bindgen_test]
async fn the_comparison_runs_both_models_under_the_delivery_chosen_for_it() {
    let root = mount().await;
    // The comparison starts from the app's own delivery settings.
    click(&root, "center-services").await;
    change_into(&root, "knob-duplicates", "50").await;
    click(&root, "center-compare").await;
    let duplicates: HtmlInputElement = find(&root, "compare-duplicates")
        .expect("a duplicates knob")
        .unchecked_into();
    assert_eq!(duplicates.value(), "50");
    type_into(&root, "compare-count", "20").await;
    choose(&root, "compare-failure", "none").await;
    change_into(&root, "compare-reorder", "50").await;
    change_into(&root, "compare-failures", "20").await;
    click(&root, "compare-run").await;
    let verdict = find(&root, "compare-verdict").expect("a verdict");
    assert_eq!(verdict.get_attribute("data-equal").as_deref(), Some("true"));
    assert!(text(&root, "compare-verdict").contains("Same business outcome"));
    assert!(text(&root, "compare-table").contains("duplicates 50%"));

    // Naive consumers turn duplicates into extra orders: not what exactly once gives.
    click(&root, "compare-idempotent").await;
    click(&root, "compare-run").await;
    let verdict = text(&root, "compare-verdict");
    assert!(
        verdict.contains("processed by naive consumers"),
        "{verdict}"
    );
    assert!(text(&root, "compare-table").contains("differs from exactly once"));

    // A window that forgets at once lets every copy through, counted as past the window.
    click(&root, "compare-idempotent").await;
    choose(&root, "compare-window", "0").await;
    click(&root, "compare-run").await;
    let verdict = text(&root, "compare-verdict");
    assert!(verdict.contains("after the dedup window"), "{verdict}");

    // Back to the app's settings in one click; the app's own knobs never moved.
    click(&root, "compare-use-app").await;
    let window: web_sys::HtmlSelectElement = find(&root, "compare-window")
        .expect("a window knob")
        .unchecked_into();
    assert_eq!(window.value(), "86400000");
    assert!(find(&root, "compare-use-app").is_none());
}

#[wasm_bindgen_test]
async fn a_duplicate_after_the_dedup_window_is_processed_again_and_counted() {
    let root = mount().await;
    click(&root, "center-services").await;
    change_into(&root, "knob-duplicates", "100").await;
    choose(&root, "knob-window", "0").await;
    assert!(text(&root, "delivery-knobs").contains("processed again"));
    click(&root, "storefront-open").await;
    click(&root, "sim-run").await;
    // Copies processed again show up in a service's state beside the exactly-once value.
    step_until(&root, 3000, |root| {
        find(root, "past-window").is_some() && !all(root, "expected-value").is_empty()
    })
    .await;
    assert!(
        !all(&root, "expected-value").is_empty(),
        "a copy processed again leaves a service's state off the exactly-once value"
    );
    let past = text(&root, "past-window");
    assert!(
        past.contains("Duplicates past the window") && past.contains("processed again"),
        "{past}"
    );
}

/// A lost acknowledgement is answered after the ack wait: longer than the dedup window, the
/// copy comes after the consumer has forgotten the original.
#[wasm_bindgen_test]
async fn an_ack_wait_longer_than_the_dedup_window_lets_copies_through() {
    let root = mount().await;
    click(&root, "center-services").await;
    change_into(&root, "knob-duplicates", "100").await;
    choose(&root, "knob-window", "5000").await;
    choose(&root, "knob-ack-wait", "30000").await;
    choose(&root, "knob-max-deliveries", "3").await;
    type_into(&root, "storefront-count", "1").await;
    click(&root, "storefront-open").await;
    click(&root, "sim-run").await;
    step_until(&root, 3000, |root| find(root, "past-window").is_some()).await;
    let past = text(&root, "past-window");
    assert!(past.contains("processed again"), "{past}");
}

#[wasm_bindgen_test]
async fn orchestration_puts_the_saga_in_the_graph_and_runs_the_checkout() {
    let root = mount().await;
    click(&root, "center-services").await;
    click(&root, "mode-orchestration").await;
    let names: Vec<String> = all(&root, "graph-node")
        .iter()
        .filter_map(|n| n.get_attribute("data-name"))
        .collect();
    assert!(names.iter().any(|n| n == "CheckoutSaga"), "{names:?}");
    type_into(&root, "storefront-count", "1").await;
    click(&root, "storefront-open").await;
    click(&root, "sim-run").await;
    step_until(&root, 900, |root| {
        let log = text(root, "event-log");
        log.contains("SagaCompleted") || log.contains("SagaCompensated")
    })
    .await;
    let log = text(&root, "event-log");
    assert!(
        log.contains("SagaStarted") && log.contains("PaymentRequested"),
        "{log}"
    );
    click(&root, "center-read-models").await;
    click(&root, "tab-sagas").await;
    assert_eq!(all(&root, "sagas-row").len(), 1);
}

#[wasm_bindgen_test]
async fn the_catalog_judges_a_proposed_schema_in_every_mode_and_names_who_breaks() {
    let root = mount().await;
    click(&root, "center-catalog").await;
    let detail = text(&root, "catalog-detail");
    assert!(
        detail.contains("OrderPlaced") && detail.contains("Inventory") && detail.contains("Orders"),
        "{detail}"
    );

    // Make `total` go away: an incompatible change for those who read it.
    let draft: web_sys::HtmlTextAreaElement = find(&root, "schema-draft")
        .expect("an editor")
        .unchecked_into();
    let mut schema: serde_json::Value =
        serde_json::from_str(&draft.value()).expect("the draft is JSON");
    schema["properties"]
        .as_object_mut()
        .expect("properties")
        .remove("total");
    schema["required"] = serde_json::json!(["order", "customer", "lines"]);
    schema["additionalProperties"] = serde_json::json!(false);
    draft.set_value(&schema.to_string());
    draft
        .dispatch_event(&web_sys::InputEvent::new("input").expect("an event"))
        .expect("dispatched");
    yew::scheduler::flush().await;
    click(&root, "schema-check").await;
    let verdicts = text(&root, "schema-verdicts");
    assert!(
        verdicts.contains("BACKWARD")
            && verdicts.contains("FULL_TRANSITIVE")
            && verdicts.contains("incompatible"),
        "{verdicts}"
    );
    assert!(text(&root, "schema-changes").contains("#/properties/total"));
    // Only those who read the total break; inventory reads the lines and reads on.
    let breaks = text(&root, "who-breaks");
    assert!(
        breaks.contains("Orders") && breaks.contains("\"total\""),
        "{breaks}"
    );
    assert!(!breaks.contains("Inventory"), "{breaks}");
    assert!(text(&root, "unaffected").contains("Inventory"));

    // Registering it in BACKWARD mode is refused, and says why.
    click(&root, "schema-register").await;
    assert!(text(&root, "problems").contains("OrderPlaced"));
    assert!(!text(&root, "catalog-detail").contains("Schema versions (2)"));
}

#[wasm_bindgen_test]
async fn scrubbing_applies_only_the_newest_slider_value_once_per_frame() {
    let root = mount().await;
    for _ in 0..5 {
        click(&root, "cmd-place-order").await;
    }
    let slider: HtmlInputElement = find(&root, "timeline-slider")
        .expect("a slider")
        .unchecked_into();
    for value in [4, 3, 2, 1] {
        slider.set_value(&value.to_string());
        slider
            .dispatch_event(&web_sys::InputEvent::new("input").expect("an event"))
            .expect("dispatched");
    }
    yew::scheduler::flush().await;
    assert_eq!(
        number(&root, "cursor-position"),
        5,
        "nothing moves before the frame"
    );
    next_frame().await;
    assert_eq!(number(&root, "cursor-position"), 1, "the newest value wins");
}

#[wasm_bindgen_test]
async fn the_time_machine_diffs_two_moments_with_blame_and_answers_when() {
    let root = mount().await;
    ship_the_first_order(&root).await;
    click(&root, "center-time").await;
    type_into(&root, "diff-a", "1").await;
    type_into(&root, "diff-b", "5").await;
    yew::scheduler::flush().await;
    click(&root, "diff-run").await;
    let result = text(&root, "diff-result");
    assert!(result.contains("Status: placed → shipped"), "{result}");
    assert!(result.contains("blame #5"), "{result}");

    click(&root, "when-run").await;
    let answer = text(&root, "when-answer");
    assert!(
        answer.contains("First at position 5") && answer.contains("bisection"),
        "{answer}"
    );
    click(&root, "when-seek").await;
    assert_eq!(number(&root, "cursor-position"), 5);
}

/// The diff lists a page of each model's changes and counts them all: "… and N more" counts
/// what the page leaves out (it once read the listed changes, which are only the page).
#[wasm_bindgen_test]
async fn the_time_machine_counts_every_change_beyond_the_page_it_lists() {
    let root = mount().await;
    generate(&root, 60).await;
    let head = number(&root, "cursor-position");
    click(&root, "center-time").await;
    type_into(&root, "diff-a", "0").await;
    type_into(&root, "diff-b", &head.to_string()).await;
    yew::scheduler::flush().await;
    click(&root, "diff-run").await;
    let result = text(&root, "diff-result");
    assert!(result.contains("Orders · 60 added"), "{result}");
    assert!(result.contains("… and 20 more"), "{result}");
}

#[wasm_bindgen_test]
async fn the_time_machine_refuses_an_at_least_value_that_is_not_a_number() {
    let root = mount().await;
    click(&root, "center-time").await;
    choose(&root, "when-model", "Inventory").await;
    choose(&root, "when-column", "Shipped").await;
    choose(&root, "when-comparison", "at-least").await;
    type_into(&root, "when-value", "three").await;
    click(&root, "when-run").await;
    let problem = text(&root, "when-problem");
    assert!(problem.contains("'three' is not a number"), "{problem}");
    assert!(
        find(&root, "when-answer").is_none(),
        "no answer to a refused question"
    );
}

#[wasm_bindgen_test]
async fn question_mark_opens_the_shortcuts_and_large_text_scales_the_app() {
    let root = mount().await;
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("?");
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
        .expect("an event");
    gloo::utils::window()
        .dispatch_event(&event)
        .expect("dispatched");
    yew::scheduler::flush().await;
    assert!(text(&root, "help-overlay").contains("back to live"));
    click(&root, "help-button").await;
    assert!(find(&root, "help-overlay").is_none());
    click(&root, "large-text").await;
    let app = find(&root, "app").expect("the app");
    assert!(app.class_name().contains("large-text"));
}

/// "What if it had not happened?": the log replayed without one event (or the query's
/// matches) in a branch, every read model compared with the real line, which stays as it was.
#[wasm_bindgen_test]
async fn what_if_an_event_had_not_happened_is_a_branch_without_it() {
    let root = mount().await;
    for _ in 0..3 {
        click(&root, "cmd-place-order").await;
    }
    click(&root, "event-row").await;
    let detail = text(&root, "event-detail");
    assert!(detail.contains("OrderPlaced"), "{detail}");
    click(&root, "detail-what-if").await;
    step_until(&root, 3000, |root| find(root, "branch-bar").is_some()).await;
    let what = text(&root, "branch-what");
    assert!(what.contains("as if #1 had not happened"), "{what}");
    assert!(text(&root, "notices").contains("the log without that event"));
    assert_eq!(log_size(&root), 2, "the branch holds the rest of the log");
    click(&root, "branch-compare").await;
    let diff = text(&root, "branch-diff");
    assert!(
        diff.contains("Orders") && diff.contains("1 only on main"),
        "{diff}"
    );
    // Nothing of the user's is on the branch: discarding asks nothing.
    click(&root, "branch-discard").await;
    assert!(find(&root, "confirm-goes").is_none());
    assert!(find(&root, "branch-bar").is_none());
    assert_eq!(log_size(&root), 3, "the main line is untouched");

    // Without every match of the query.
    filter_by(&root, "data.total > 0").await;
    click(&root, "query-what-if").await;
    step_until(&root, 3000, |root| find(root, "branch-bar").is_some()).await;
    assert!(
        text(&root, "branch-what").contains("as if 3 events (#1, #2, #3) had not happened"),
        "{}",
        text(&root, "branch-what")
    );
    assert_eq!(log_size(&root), 0);
    click(&root, "branch-discard").await;
    assert_eq!(log_size(&root), 3);
    click(&root, "query-clear").await;
}

#[wasm_bindgen_test]
async fn a_what_if_branch_can_be_compared_with_main_then_discarded_or_kept() {
    let root = mount().await;
    for _ in 0..3 {
        click(&root, "cmd-place-order").await;
    }
    set_slider(&root, 1).await;
    click(&root, "fork-here").await;
    assert!(find(&root, "branch-bar").is_some());
    assert_eq!(
        log_size(&root),
        1,
        "the branch holds the log up to the fork"
    );
    click(&root, "cmd-place-order").await;
    click(&root, "cmd-pay").await;
    assert_eq!(log_size(&root), 3);
    click(&root, "branch-compare").await;
    let diff = text(&root, "branch-diff");
    assert!(
        diff.contains("Orders") && diff.contains("different"),
        "{diff}"
    );
    assert!(
        diff.contains("~O-0002 (Status"),
        "the second order is paid only on the branch: {diff}"
    );

    click(&root, "branch-discard").await;
    assert!(
        text(&root, "confirm-goes").contains("2 events"),
        "discarding says what goes"
    );
    click(&root, "confirm-yes").await;
    assert!(find(&root, "branch-bar").is_none());
    assert_eq!(log_size(&root), 3, "the main line is untouched");
    assert!(all(&root, "order-row")
        .iter()
        .all(|row| !row.text_content().unwrap_or_default().contains("paid")));

    set_slider(&root, 2).await;
    click(&root, "fork-here").await;
    click(&root, "cmd-cancel").await;
    click(&root, "branch-keep").await;
    click(&root, "confirm-yes").await;
    assert!(find(&root, "branch-bar").is_none());
    assert_eq!(
        log_size(&root),
        3,
        "two from main, one cancellation from the branch"
    );
    assert!(text(&root, "event-log").contains("OrderCancelled"));
}

#[wasm_bindgen_test]
async fn a_back_dated_order_changes_the_business_past_but_not_the_recorded_past() {
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    change_into(&root, "backdate-input", "2000-01-01 00:00:00").await;
    click(&root, "backdate-apply").await;
    click(&root, "cmd-place-order").await;
    assert!(
        text(&root, "event-detail").contains("recorded"),
        "the late event says so"
    );
    assert!(text(&root, "detail-occurred").contains("2000-01-01"));

    click(&root, "center-time").await;
    type_into(&root, "business-time", "2000-01-02 00:00:00").await;
    click(&root, "business-run").await;
    let orders_row = all(&root, "bitemporal-table")
        .first()
        .and_then(|table| table.query_selector("tbody tr").ok().flatten())
        .and_then(|row| row.text_content())
        .unwrap_or_default();
    assert!(
        orders_row.starts_with("Orders1 rows"),
        "as known now, one order had happened by then: {orders_row}"
    );
    assert!(
        orders_row.ends_with("0 rows"),
        "but nothing had been recorded by then: {orders_row}"
    );
}

#[wasm_bindgen_test]
async fn an_aggregate_as_of_its_version_and_the_events_between_two_times() {
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    click(&root, "cmd-pay").await;
    click(&root, "center-time").await;
    let kind: web_sys::HtmlSelectElement = find(&root, "as-of-kind")
        .expect("a select")
        .unchecked_into();
    kind.set_value("version");
    kind.dispatch_event(&web_sys::Event::new("change").expect("an event"))
        .expect("dispatched");
    type_into(&root, "as-of-value", "1").await;
    yew::scheduler::flush().await;
    click(&root, "as-of-run").await;
    let result = text(&root, "as-of-result");
    assert!(
        result.contains("version 1") && result.contains("\"status\": \"placed\""),
        "{result}"
    );

    type_into(&root, "between-from", "2000-01-01 00:00").await;
    type_into(&root, "between-to", "2999-01-01 00:00").await;
    yew::scheduler::flush().await;
    click(&root, "between-run").await;
    assert!(text(&root, "between-count").starts_with("2 events"));
}

#[wasm_bindgen_test]
async fn a_lesson_loads_its_scenario_notices_each_step_and_reveals_after_a_prediction() {
    let root = mount().await;
    click(&root, "lessons-button").await;
    let starts = all(&root, "lesson-start");
    assert_eq!(
        starts.len(),
        15,
        "a lesson per concept of the seed, and one to write your own"
    );
    starts[0].clone().unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    assert!(text(&root, "lesson").contains("immutable facts"));
    let done = |root: &Element| {
        all(root, "lesson-step")
            .iter()
            .filter(|s| s.class_name().contains("done"))
            .count()
    };
    // The question comes first: no step and no reveal until it is answered.
    assert!(find(&root, "lesson-steps-locked").is_some());
    assert!(all(&root, "lesson-step").is_empty());
    let reveal = find(&root, "lesson-reveal-button").expect("a reveal button");
    assert!(
        reveal.has_attribute("disabled"),
        "nothing to reveal before a prediction"
    );
    let options = all(&root, "lesson-option");
    options[2].clone().unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    assert_eq!(
        all(&root, "lesson-step").len(),
        3,
        "the answer unlocks the steps"
    );
    assert_eq!(done(&root), 0);
    click(&root, "cmd-place-order").await;
    assert_eq!(
        done(&root),
        1,
        "placing it is noticed; the new event is selected, but the learner did not pick it"
    );
    click(&root, "cmd-cancel").await;
    assert_eq!(done(&root), 2, "cancelled");
    let reveal = find(&root, "lesson-reveal-button").expect("a reveal button");
    assert!(
        reveal.has_attribute("disabled"),
        "the reveal follows the steps"
    );
    let placed = all(&root, "event-row")
        .into_iter()
        .find(|row| {
            row.text_content()
                .unwrap_or_default()
                .contains("OrderPlaced")
        })
        .expect("the OrderPlaced row");
    placed.unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    assert_eq!(
        done(&root),
        3,
        "clicking the OrderPlaced event to read its envelope is the last step"
    );

    click(&root, "lesson-reveal-button").await;
    assert!(text(&root, "lesson-reveal").starts_with("Right."));
    assert!(find(&root, "lesson-finished").is_some());
    assert!(
        find(&root, "lesson-next").is_some(),
        "the next lesson is one click away"
    );

    click(&root, "lesson-reset").await;
    assert!(
        find(&root, "confirm-dialog").is_some(),
        "a reset that would lose the learner's events asks first"
    );
    click(&root, "confirm-yes").await;
    assert_eq!(log_size(&root), 0, "reset reloads the scenario");
    assert_eq!(
        gloo::utils::window().location().hash().unwrap_or_default(),
        "#lesson=immutable-facts"
    );
    set_address("");
}

/// Issue #12: the impact-analysis lesson's change to OrderPlaced (no `total`, a required
/// `coupon`) blames exactly those who read the total, with and without the suggested upcaster.
#[wasm_bindgen_test]
async fn it_should_blame_only_the_readers_of_total_in_the_impact_analysis_lesson() {
    let _ = gloo::utils::window()
        .location()
        .set_hash("lesson=impact-analysis");
    let root = mount_as_is().await;
    let _ = gloo::utils::window().location().set_hash("");
    assert!(text(&root, "lesson").contains("impact analysis"));
    click(&root, "cmd-place-order").await;
    click(&root, "center-catalog").await;
    let draft: web_sys::HtmlTextAreaElement = find(&root, "schema-draft")
        .expect("an editor")
        .unchecked_into();
    let mut schema: serde_json::Value =
        serde_json::from_str(&draft.value()).expect("the draft is JSON");
    let properties = schema["properties"].as_object_mut().expect("properties");
    properties.remove("total");
    properties.insert("coupon".into(), serde_json::json!({"type": "string"}));
    schema["required"] = serde_json::json!(["order", "customer", "lines", "coupon"]);
    edit_area(&root, "schema-draft", &schema.to_string()).await;

    let judged = |root: &Element| {
        let breaks = text(root, "who-breaks");
        let unaffected = text(root, "unaffected");
        for reader in ["Orders", "FraudDetection"] {
            assert!(
                breaks.contains(reader),
                "{reader} reads the total: {breaks}"
            );
        }
        assert!(breaks.contains("\"total\", which is removed"), "{breaks}");
        assert!(
            !breaks.contains("coupon"),
            "nobody reads the coupon: {breaks}"
        );
        for reader in ["Inventory", "Notification", "CheckoutSaga", "Activity"] {
            assert!(!breaks.contains(reader), "{reader} is blamed: {breaks}");
            assert!(unaffected.contains(reader), "{reader}: {unaffected}");
        }
    };
    click(&root, "schema-check").await;
    judged(&root);
    // The required coupon is the registry's concern: BACKWARD says no.
    assert!(text(&root, "proposal-verdict").contains("not BACKWARD compatible"));

    click(&root, "upcaster-suggest").await;
    let steps: web_sys::HtmlTextAreaElement = find(&root, "upcaster-draft")
        .expect("an upcaster editor")
        .unchecked_into();
    assert!(steps.value().contains("remove"), "{}", steps.value());
    click(&root, "schema-check").await;
    judged(&root);
    assert!(text(&root, "who-breaks").contains("removed by the upcaster"));
}

#[wasm_bindgen_test]
async fn dragging_the_slider_is_not_stepping_back_and_a_link_is_no_gesture() {
    let _ = gloo::utils::window()
        .location()
        .set_hash("lesson=event-sourcing&at=40");
    let root = mount_as_is().await;
    let _ = gloo::utils::window().location().set_hash("");
    all(&root, "lesson-option")[0]
        .clone()
        .unchecked_into::<HtmlElement>()
        .click();
    yew::scheduler::flush().await;
    let done = |root: &Element| -> Vec<bool> {
        all(root, "lesson-step")
            .iter()
            .map(|s| s.class_name().contains("done"))
            .collect()
    };
    assert_eq!(
        done(&root),
        [false, false],
        "the link put the cursor in the past, the learner did not"
    );
    set_slider(&root, 20).await;
    assert_eq!(number(&root, "cursor-position"), 20);
    assert_eq!(done(&root), [true, false], "a drag is not a step back");
    click(&root, "timeline-step-back").await;
    assert_eq!(done(&root), [true, true]);
}

#[wasm_bindgen_test]
async fn next_lesson_opens_the_following_lesson_at_its_top() {
    let _ = gloo::utils::window()
        .location()
        .set_hash("lesson=immutable-facts");
    let root = mount_as_is().await;
    let _ = gloo::utils::window().location().set_hash("");
    let panel = find(&root, "lessons-panel").expect("the lessons panel");
    // The panel scrolls within a bounded height (the stylesheet's rule, here inline).
    panel
        .set_attribute("style", "height: 120px; overflow-y: auto")
        .expect("styled");
    panel.set_scroll_top(10_000);
    assert!(panel.scroll_top() > 0, "scrolled down to the last step");
    click(&root, "lesson-next").await;
    yew::scheduler::flush().await;
    assert!(text(&root, "lesson").contains("Event sourcing"));
    let panel = find(&root, "lessons-panel").expect("the lessons panel");
    assert_eq!(panel.scroll_top(), 0, "a new lesson starts at its top");
}

#[wasm_bindgen_test]
async fn a_first_visit_is_welcomed_and_a_link_is_not() {
    unmount_all();
    clear_saved();
    let _ = gloo::utils::window().location().set_hash("");
    let root = mount_as_is().await;
    assert!(
        text(&root, "welcome").contains("Start lesson 1"),
        "nothing saved and no link: a newcomer is told where to start"
    );
    click(&root, "welcome-start").await;
    assert!(find(&root, "welcome").is_none());
    assert!(text(&root, "lesson").contains("immutable facts"));

    unmount_all();
    clear_saved();
    let _ = gloo::utils::window().location().set_hash("");
    let root = mount_as_is().await;
    click(&root, "welcome-explore").await;
    assert!(find(&root, "welcome").is_none(), "dismissed with one click");

    unmount_all();
    clear_saved();
    let _ = gloo::utils::window().location().set_hash("lesson=cqrs");
    let root = mount_as_is().await;
    let _ = gloo::utils::window().location().set_hash("");
    assert!(
        find(&root, "welcome").is_none(),
        "a link opens what it names"
    );
    clear_saved();
}

#[wasm_bindgen_test]
async fn every_lesson_has_its_own_address() {
    unmount_all();
    set_address("lesson=idempotency");
    let root = mount_as_is().await;
    set_address("");
    assert!(text(&root, "lesson").contains("Idempotent consumers"));
    assert!(find(&root, "idempotent").is_some());
    let toggle: HtmlInputElement = find(&root, "idempotent")
        .expect("the consumers switch")
        .unchecked_into();
    assert!(!toggle.checked(), "the lesson's consumers start naive");
}

#[wasm_bindgen_test]
async fn a_shared_lesson_link_opens_the_lesson_at_its_position() {
    unmount_all();
    set_address("lesson=event-sourcing&at=40");
    let root = mount_as_is().await;
    set_address("");
    assert!(text(&root, "lesson").contains("Event sourcing"));
    assert_eq!(number(&root, "cursor-position"), 40);
    assert!(find(&root, "past-banner").is_some());
    click(&root, "lesson-share").await;
    assert!(text(&root, "notices").contains("#lesson=event-sourcing&at=40"));
    set_address("");
}

#[wasm_bindgen_test]
async fn the_session_is_saved_as_it_changes_and_restored_on_the_next_visit() {
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    click(&root, "cmd-pay").await;
    // Wait past the debounce for the autosave.
    gloo_timers::future::TimeoutFuture::new(1_800).await;
    let storage = gloo::utils::window()
        .local_storage()
        .ok()
        .flatten()
        .expect("local storage");
    let saved = storage
        .get_item("eventide.scenario")
        .ok()
        .flatten()
        .expect("an autosave");
    assert!(saved.contains("PaymentProcessed"));

    set_address("");
    let again = mount_as_is().await;
    set_address("fresh");
    yew::scheduler::flush().await;
    assert_eq!(log_size(&again), 2, "restored");
    assert!(text(&again, "notices").contains("Restored your saved session"));
    let _ = storage.remove_item("eventide.scenario");
}

#[wasm_bindgen_test]
async fn a_bad_file_is_refused_with_the_event_and_the_field_and_nothing_changes() {
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    // A scenario whose only event has a quantity that is not a number.
    let storage = gloo::utils::window()
        .local_storage()
        .ok()
        .flatten()
        .expect("local storage");
    let _ = storage.remove_item("eventide.scenario");
    let bad = r#"{"format":"eventide-scenario","version":1,"seed":42,"settings":{},"events":[{"event_id":"00000000-0000-4000-8000-000000000001","event_type":"ItemAddedToCart","schema_version":1,"aggregate_type":"Cart","aggregate_id":"C-001","aggregate_version":1,"position":1,"recorded_at":"2026-11-26T09:00:00.000Z","occurred_at":"2026-11-26T09:00:00.000Z","correlation_id":"00000000-0000-4000-8000-000000000001","causation_id":null,"metadata":{},"payload":{"customer":"C-001","sku":"SKU-01","quantity":"two","unit_price":12900}}]}"#;
    let _ = storage.set_item("eventide.scenario", bad);
    set_address("");
    let again = mount_as_is().await;
    set_address("fresh");
    yew::scheduler::flush().await;
    let problems = text(&again, "problems");
    assert!(
        problems.contains("quantity") && problems.contains("nothing changed"),
        "{problems}"
    );
    assert_eq!(log_size(&again), 0, "the bad file changed nothing");
    let _ = storage.remove_item("eventide.scenario");
    assert_eq!(log_size(&root), 1);
}

#[wasm_bindgen_test]
async fn a_scenario_shared_as_a_link_opens_with_its_events() {
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    click(&root, "cmd-pay").await;
    click(&root, "share-link").await;
    let hash = gloo::utils::window().location().hash().unwrap_or_default();
    // The user's commands replay to the very log: the link is their recipe.
    assert!(hash.starts_with("#recipe="), "{hash}");
    let again = mount_as_is().await;
    set_address("fresh");
    yew::scheduler::flush().await;
    assert_eq!(log_size(&again), 2, "{}", text(&again, "problems"));
    assert!(text(&again, "notices").contains("Imported the shared scenario"));
}

#[wasm_bindgen_test]
async fn a_compatible_version_is_registered_and_any_two_versions_can_be_diffed() {
    let root = mount().await;
    click(&root, "center-catalog").await;
    let draft: web_sys::HtmlTextAreaElement = find(&root, "schema-draft")
        .expect("an editor")
        .unchecked_into();
    let mut schema: serde_json::Value =
        serde_json::from_str(&draft.value()).expect("the draft is JSON");
    // Readers of old events survive `total` becoming optional.
    schema["required"] = serde_json::json!(["order", "customer", "lines"]);
    draft.set_value(&schema.to_string());
    draft
        .dispatch_event(&web_sys::InputEvent::new("input").expect("an event"))
        .expect("dispatched");
    yew::scheduler::flush().await;
    click(&root, "schema-register").await;
    assert!(
        text(&root, "notices").contains("OrderPlaced v2 registered"),
        "{}",
        text(&root, "notices")
    );
    assert!(text(&root, "catalog-detail").contains("Schema versions (2)"));
    let diff = text(&root, "version-diff");
    assert!(
        diff.contains("#/required") || diff.contains("REQUIRED"),
        "{diff}"
    );
}

/// Replaces a text area's content as typing would.
async fn edit_area(root: &Element, testid: &str, value: &str) {
    let area: web_sys::HtmlTextAreaElement = find(root, testid)
        .unwrap_or_else(|| panic!("no text area with data-testid={testid}"))
        .unchecked_into();
    area.set_value(value);
    area.dispatch_event(&web_sys::InputEvent::new("input").expect("an input event"))
        .expect("dispatched");
    yew::scheduler::flush().await;
}

async fn generate(root: &Element, orders: u32) {
    type_into(root, "cmd-generate-count", &orders.to_string()).await;
    click(root, "cmd-generate").await;
    for _ in 0..500 {
        if find(root, "cmd-generate").is_some() {
            break;
        }
        settle().await;
    }
}

#[wasm_bindgen_test]
async fn a_new_version_with_an_upcaster_is_checked_against_the_log_and_old_events_read_as_it() {
    let root = mount().await;
    generate(&root, 10).await;
    click(&root, "center-catalog").await;
    let draft: web_sys::HtmlTextAreaElement = find(&root, "schema-draft")
        .expect("an editor")
        .unchecked_into();
    let mut schema: serde_json::Value =
        serde_json::from_str(&draft.value()).expect("the draft is JSON");
    schema["properties"]["channel"] = serde_json::json!({"type": "string", "default": "web"});
    schema["required"]
        .as_array_mut()
        .expect("required")
        .push(serde_json::json!("channel"));
    edit_area(&root, "schema-draft", &schema.to_string()).await;

    // Without an upcaster, every recorded OrderPlaced lacks the new required field.
    click(&root, "schema-check").await;
    let failing = text(&root, "failing-events");
    assert!(failing.contains("10 of 10"), "{failing}");
    assert!(failing.contains("channel"), "{failing}");
    assert!(text(&root, "proposal-verdict").contains("refused"));

    // The suggested upcaster fills the default, and every event passes.
    click(&root, "upcaster-suggest").await;
    let steps: web_sys::HtmlTextAreaElement = find(&root, "upcaster-draft")
        .expect("an upcaster editor")
        .unchecked_into();
    assert!(steps.value().contains("add_default"), "{}", steps.value());
    click(&root, "schema-check").await;
    assert!(
        text(&root, "failing-events").contains("All 10"),
        "{}",
        text(&root, "failing-events")
    );

    // NONE mode lets a new required field in; register it with its upcaster.
    change_into(&root, "schema-mode", "NONE").await;
    click(&root, "schema-register").await;
    assert!(
        text(&root, "notices").contains("OrderPlaced v2 registered"),
        "{} {}",
        text(&root, "notices"),
        text(&root, "problems")
    );
    assert!(text(&root, "upcaster").contains("add \"channel\""));

    // The log keeps v1; the detail shows it beside what consumers read.
    assert!(!all(&root, "upcast-tag").is_empty());
    let placed = all(&root, "event-row")
        .into_iter()
        .find(|row| {
            row.text_content()
                .unwrap_or_default()
                .contains("OrderPlaced")
        })
        .expect("an OrderPlaced row");
    placed.unchecked_into::<web_sys::HtmlElement>().click();
    yew::scheduler::flush().await;
    assert!(!text(&root, "detail-payload").contains("channel"));
    assert!(text(&root, "detail-upcast").contains("\"channel\": \"web\""));
}

#[wasm_bindgen_test]
async fn the_time_machine_blames_each_field_on_the_event_that_last_changed_it() {
    let root = mount().await;
    ship_the_first_order(&root).await;
    click(&root, "center-time").await;
    type_into(&root, "diff-a", "0").await;
    type_into(&root, "diff-b", "5").await;
    click(&root, "diff-run").await;

    // The order was added: its status comes from the dispatch (#5), its customer from the order
    // itself (#1), each field with its own link.
    let order = all(&root, "diff-row")
        .into_iter()
        .find(|row| row.text_content().unwrap_or_default().starts_with("O-0001"))
        .expect("the order's row");
    let field = |name: &str| {
        all(&order, "diff-field")
            .into_iter()
            .find(|field| {
                field
                    .text_content()
                    .unwrap_or_default()
                    .starts_with(&format!("{name}: "))
            })
            .unwrap_or_else(|| panic!("no {name} field in {:?}", order.text_content()))
    };
    let status = field("Status");
    let customer = field("Customer");
    let status_text = status.text_content().unwrap_or_default();
    assert!(
        status_text.contains("shipped") && status_text.ends_with("blame #5"),
        "{status_text}"
    );
    let customer_text = customer.text_content().unwrap_or_default();
    assert!(customer_text.ends_with("blame #1"), "{customer_text}");
    assert_eq!(
        all(&order, "field-blame").len(),
        all(&order, "diff-field").len(),
        "one link per field"
    );

    // Each link selects its own event.
    click(&customer, "field-blame").await;
    assert!(text(&root, "event-detail").contains("OrderPlaced"));
    click(&status, "field-blame").await;
    assert!(text(&root, "event-detail").contains("ShipmentDispatched"));

    // From a later A to an earlier B no event is to blame for a field: rows keep their own link.
    type_into(&root, "diff-a", "5").await;
    type_into(&root, "diff-b", "1").await;
    click(&root, "diff-run").await;
    let result = text(&root, "diff-result");
    assert!(result.contains("Status: shipped → placed"), "{result}");
    assert!(all(&root, "field-blame").is_empty(), "{result}");
    assert!(result.contains("blame #1"), "{result}");
}

async fn wait_for(root: &Element, what: &str, done: impl Fn(&Element) -> bool) {
    for _ in 0..400 {
        if done(root) {
            return;
        }
        settle().await;
    }
    panic!("timed out waiting for {what}");
}

#[wasm_bindgen_test]
async fn a_script_is_dry_run_marked_at_its_error_diffed_deployed_and_follows_the_timeline() {
    eventide::scripting::install_in_process(eventide_script_worker::in_process(|| 0.0));
    let root = mount().await;
    generate(&root, 8).await;
    click(&root, "center-scripts").await;

    // The first example, orders per customer, over the log up to the cursor.
    click(&root, "script-dry-run").await;
    wait_for(&root, "a dry run", |r| find(r, "script-table").is_some()).await;
    assert!(!all(&root, "script-table-row").is_empty());
    assert!(text(&root, "script-result").contains("rows from"));

    // A syntax error is marked at its line, and nothing runs.
    let broken = "fn OrderPlaced(event) {\n    let x = ;\n}\n";
    edit_area(&root, "script-source", broken).await;
    click(&root, "script-dry-run").await;
    wait_for(&root, "the error", |r| find(r, "script-error").is_some()).await;
    assert!(
        text(&root, "script-error").contains("Line 2"),
        "{}",
        text(&root, "script-error")
    );
    assert_eq!(
        root.query_selector(".error-line")
            .ok()
            .flatten()
            .and_then(|line| line.text_content())
            .map(|line| line.trim().to_string()),
        Some("2".to_string())
    );

    // A runaway script is stopped with a clear message.
    edit_area(
        &root,
        "script-source",
        "fn OrderPlaced(event) {\n    loop { }\n}\n",
    )
    .await;
    click(&root, "script-dry-run").await;
    wait_for(&root, "the limit", |r| find(r, "script-error").is_some()).await;
    assert!(
        text(&root, "script-error").contains("operations"),
        "{}",
        text(&root, "script-error")
    );

    // Deploy a projection, then edit it: the dry run shows what would change.
    let counting = "fn OrderPlaced(event) {\n    let c = event.payload.customer;\n    let row = this[c] ?? #{ orders: 0 };\n    row.orders += 1;\n    this[c] = row;\n}\n";
    edit_area(&root, "script-source", counting).await;
    click(&root, "script-deploy").await;
    wait_for(&root, "the deployed table", |r| {
        find(r, "deployed-table").is_some()
    })
    .await;
    assert!(text(&root, "notices").contains("deployed"));
    let everyone = all(&root, "deployed-table-row").len();
    assert!(everyone > 0);
    // It is a read model among the others.
    click(&root, "center-read-models").await;
    click(&root, "tab-script").await;
    wait_for(&root, "the script's tab", |r| {
        find(r, "deployed-table").is_some()
    })
    .await;
    assert_eq!(all(&root, "deployed-table-row").len(), everyone);
    click(&root, "center-scripts").await;
    let bigger = counting.replace(
        "row.orders += 1;",
        "row.orders += 1;\n    row.total = event.payload.total;",
    );
    edit_area(&root, "script-source", &bigger).await;
    click(&root, "script-dry-run").await;
    wait_for(&root, "a diff", |r| find(r, "script-diff").is_some()).await;
    assert!(
        text(&root, "script-diff").contains("changed"),
        "{}",
        text(&root, "script-diff")
    );

    // The deployed projection follows the timeline: at the start, no order was placed yet.
    click(&root, "timeline-start").await;
    wait_for(&root, "the past", |r| {
        text(r, "deployed-at").contains("As of position 0")
    })
    .await;
    assert!(all(&root, "deployed-table-row").is_empty());

    // "When did" asks the worker to scan: the first customer's first order is an answer.
    click(&root, "timeline-live").await;
    wait_for(&root, "the head", |r| {
        !all(r, "deployed-table-row").is_empty()
    })
    .await;
    let first_key = all(&root, "deployed-table-row")[0]
        .query_selector("th")
        .ok()
        .flatten()
        .and_then(|cell| cell.text_content())
        .unwrap_or_default();
    type_into(&root, "script-when-key", &first_key).await;
    type_into(&root, "script-when-value", "1").await;
    click(&root, "script-when-run").await;
    wait_for(&root, "the answer", |r| {
        find(r, "script-when-answer").is_some()
    })
    .await;
    assert!(
        text(&root, "script-when-answer").starts_with("First after event #"),
        "{}",
        text(&root, "script-when-answer")
    );

    // The catalog lists it among OrderPlaced's consumers.
    click(&root, "center-catalog").await;
    assert!(text(&root, "script-consumers").contains("Orders per customer"));

    // And the time machine's diff replays it at A and at B.
    click(&root, "center-time").await;
    let head = log_size(&root);
    type_into(&root, "diff-a", "0").await;
    type_into(&root, "diff-b", &head.to_string()).await;
    click(&root, "diff-run").await;
    wait_for(&root, "the script's diff", |r| {
        text(r, "script-diff-model").contains("added")
            && !text(r, "script-diff-model").contains("0 added")
    })
    .await;
}

#[wasm_bindgen_test]
fn a_branch_of_a_long_log_opens_a_chunk_at_a_time_and_a_cancel_changes_nothing() {
    use eventide::state::Session;
    use eventide_engine::Position;

    let mut session = Session::default();
    session.start_generating(42, 20);
    while session.job().is_some() {
        session.continue_job(u64::MAX).expect("generates");
    }
    let head = session.shop().store().head();
    let fork_at = Position(head.0 - 5);

    session.start_fork(fork_at).expect("starts");
    session.continue_import(50).expect("replays a chunk");
    assert_eq!(session.import_job().map(|job| job.done), Some(50));
    assert!(
        session.branch().is_none(),
        "nothing opens before the prefix is in"
    );
    session.cancel_import();
    assert!(session.branch().is_none());
    assert_eq!(session.shop().store().head(), head);

    session.start_fork(fork_at).expect("starts again");
    let mut chunks = 0;
    while session.import_job().is_some() {
        session.continue_import(50).expect("replays");
        chunks += 1;
    }
    assert!(chunks > 2, "{chunks} chunks");
    let branch = session.branch().expect("the branch is open");
    assert_eq!(branch.fork_at, fork_at);
    assert_eq!(branch.main.shop().store().head(), head);
    assert_eq!(session.shop().store().head(), fork_at);
    assert_eq!(
        session.shop().store().events(),
        branch
            .main
            .shop()
            .store()
            .events()
            .slice(0..fork_at.0 as usize)
    );
}

#[wasm_bindgen_test]
async fn the_script_worker_answers_a_compile_request_through_its_json_protocol() {
    use eventide::scripting::{install_in_process, ScriptWorker};
    use eventide_shop::scripting::{ScriptKind, WorkerReply, WorkerRequest};

    install_in_process(eventide_script_worker::in_process(|| 0.0));
    let worker = ScriptWorker::shared();
    let reply = worker
        .call(WorkerRequest::Compile {
            kind: ScriptKind::Projection,
            source: "fn OrderPlaced(event) { }".into(),
        })
        .await;
    assert_eq!(
        reply,
        Ok(WorkerReply::Compiled {
            handles: vec!["OrderPlaced".into()],
            reads: vec![eventide_shop::scripting::HandlerReads {
                event_type: "OrderPlaced".into(),
                reads: eventide_shop::evolution::FieldReads::Fields(Vec::new()),
            }],
        })
    );
    // A script's mistake is a reply, not a failure of the worker.
    let reply = worker
        .call(WorkerRequest::Compile {
            kind: ScriptKind::Policy,
            source: "fn OrderPlaced(event) {\n    let x = ;\n}".into(),
        })
        .await;
    match reply {
        Ok(WorkerReply::Failed(failure)) => {
            assert_eq!(
                (failure.kind, failure.line),
                (eventide_shop::scripting::FailureKind::Compile, Some(2))
            );
        }
        other => panic!("expected a compile failure, got {other:?}"),
    }
}

/// A worker made from `script`, to stand in for the script worker in tests of the transport.
fn stand_in_worker(script: &str) -> String {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(script));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).expect("a blob");
    web_sys::Url::create_object_url_with_blob(&blob).expect("a blob address")
}

#[wasm_bindgen_test]
async fn the_script_worker_waits_until_ready_and_survives_a_crash_a_missing_module_and_a_stop() {
    use std::cell::RefCell;
    use std::rc::Rc;

    use eventide::scripting::ScriptWorker;
    use eventide_shop::scripting::{
        FailureKind, ScriptFailure, ScriptKind, WorkerReply, WorkerRequest,
    };

    let compile = |source: &str| WorkerRequest::Compile {
        kind: ScriptKind::Projection,
        source: source.into(),
    };
    // The stand-ins answer as a worker from before reads were sent: none, by serde's default.
    let compiled = Ok(WorkerReply::Compiled {
        handles: vec!["OrderPlaced".into()],
        reads: Vec::new(),
    });

    // Like the wasm worker, it listens only a while after it starts: a request sent at once
    // must wait for "ready", or the worker would drop it.
    let late = stand_in_worker(
        r#"setTimeout(() => {
            self.onmessage = (event) => {
                const { id, request } = JSON.parse(event.data);
                if (request.Compile.source === 'crash') throw new Error('boom');
                self.postMessage(JSON.stringify({ id, reply: { Compiled: { handles: ['OrderPlaced'] } } }));
            };
            self.postMessage('{"ready":true}');
        }, 50);"#,
    );
    let worker = ScriptWorker::at(&late);
    assert_eq!(worker.call(compile("fine")).await, compiled);

    // A crash fails its call; the next call gets a new worker.
    let crashed = worker.call(compile("crash")).await;
    assert!(
        matches!(&crashed, Err(problem) if problem.kind == FailureKind::WorkerCrashed && problem.message.starts_with("the script crashed") && problem.message.contains("boom")),
        "{crashed:?}"
    );
    assert_eq!(worker.call(compile("fine")).await, compiled);

    // A module that is not there.
    let missing = ScriptWorker::at("no-such-script-worker_loader.js")
        .call(compile("fine"))
        .await;
    assert!(
        matches!(&missing, Err(problem) if problem.kind == FailureKind::WorkerCrashed && problem.message.starts_with("the script worker could not start")),
        "{missing:?}"
    );

    // A worker that never answers, stopped.
    let silent =
        stand_in_worker(r#"self.onmessage = () => {}; self.postMessage('{"ready":true}');"#);
    let worker = ScriptWorker::at(&silent);
    let answer = Rc::new(RefCell::new(None));
    {
        let (worker, answer) = (worker.clone(), Rc::clone(&answer));
        wasm_bindgen_futures::spawn_local(async move {
            *answer.borrow_mut() = Some(worker.call(compile("fine")).await);
        });
    }
    gloo_timers::future::TimeoutFuture::new(100).await;
    assert!(answer.borrow().is_none(), "no answer yet");
    worker.stop();
    gloo_timers::future::TimeoutFuture::new(0).await;
    assert_eq!(
        answer.borrow_mut().take(),
        Some(Err(ScriptFailure::new(
            FailureKind::WorkerCrashed,
            "the script was stopped"
        )))
    );
}

#[wasm_bindgen_test]
async fn a_deployed_policy_reacts_to_new_events_in_their_flow_and_in_its_name() {
    eventide::scripting::install_in_process(eventide_script_worker::in_process(|| 0.0));
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    click(&root, "center-scripts").await;
    change_into(&root, "script-kind", "policy").await;
    type_into(&root, "script-name", "Welcome mail").await;
    let welcome = "fn OrderPlaced(event) {\n    #{ publish: \"EmailSent\", customer: event.payload.customer, order: event.payload.order, template: \"welcome\" }\n}\n";
    edit_area(&root, "script-source", welcome).await;

    // A dry run lists what it would have done for the order already placed.
    click(&root, "script-dry-run").await;
    wait_for(&root, "the plan", |r| {
        find(r, "script-intentions").is_some()
    })
    .await;
    assert!(text(&root, "script-intentions").contains("EmailSent"));

    // Deployed, it reacts only to what comes next.
    click(&root, "script-deploy").await;
    wait_for(&root, "the deployment", |r| {
        find(r, "deployed-policy").is_some()
    })
    .await;
    assert_eq!(log_size(&root), 1);
    click(&root, "cmd-place-order").await;
    wait_for(&root, "the reaction", |r| log_size(r) == 3).await;
    let log = text(&root, "event-log");
    assert!(
        log.contains("EmailSent") && log.contains("Welcome mail"),
        "{log}"
    );
    assert!(text(&root, "policy-reactions").starts_with("1 event"));
    // Its own email does not set it off again, and nothing else happens.
    for _ in 0..20 {
        settle().await;
    }
    assert_eq!(log_size(&root), 3);

    // An edit is compared with what the deployed version would have done.
    edit_area(&root, "script-source", &welcome.replace("welcome", "hello")).await;
    click(&root, "script-dry-run").await;
    wait_for(&root, "a diff of intentions", |r| {
        find(r, "script-diff").is_some()
    })
    .await;
    let diff = text(&root, "script-diff");
    assert!(
        diff.contains("2 more") && diff.contains("2 fewer"),
        "{diff}"
    );
}

#[wasm_bindgen_test]
async fn scripts_travel_with_a_shared_scenario() {
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    click(&root, "center-scripts").await;
    type_into(&root, "script-name", "My own model").await;
    click(&root, "share-link").await;
    let again = mount_as_is().await;
    set_address("fresh");
    yew::scheduler::flush().await;
    click(&again, "center-scripts").await;
    let name: HtmlInputElement = find(&again, "script-name")
        .expect("the script's name")
        .unchecked_into();
    assert_eq!(name.value(), "My own model");
}

// ------------------------------------------------------------------ nothing is lost

/// Past the autosave's debounce (1.5 s): what a tab writes, it has written by then.
const PAST_AUTOSAVE_MS: u32 = 1_800;

fn storage() -> web_sys::Storage {
    gloo::utils::window()
        .local_storage()
        .ok()
        .flatten()
        .expect("local storage")
}

/// Removes the autosave and every kept session.
fn clear_saved() {
    let storage = storage();
    let keys: Vec<String> = (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with("eventide."))
        .collect();
    for key in keys {
        let _ = storage.remove_item(&key);
    }
}

fn saved() -> Option<String> {
    storage().get_item("eventide.scenario").ok().flatten()
}

/// Chooses a file in the import field, as a user picking it would.
async fn choose_file(root: &Element, name: &str, text: &str) {
    let input = find(root, "import-file").expect("the import field");
    let choose = js_sys::Function::new_with_args(
        "input, name, text",
        "const files = new DataTransfer(); files.items.add(new File([text], name)); input.files = files.files; input.dispatchEvent(new Event('change'));",
    );
    choose
        .call3(
            &wasm_bindgen::JsValue::NULL,
            &input,
            &name.into(),
            &text.into(),
        )
        .expect("the file is chosen");
    yew::scheduler::flush().await;
}

/// Chooses a file of `size` zero bytes (made in the page, not copied through wasm).
async fn choose_sized_file(root: &Element, name: &str, size: f64) {
    let input = find(root, "import-file").expect("the import field");
    let choose = js_sys::Function::new_with_args(
        "input, name, size",
        "const files = new DataTransfer(); files.items.add(new File([new Uint8Array(size)], name)); input.files = files.files; input.dispatchEvent(new Event('change'));",
    );
    choose
        .call3(
            &wasm_bindgen::JsValue::NULL,
            &input,
            &name.into(),
            &size.into(),
        )
        .expect("the file is chosen");
    yew::scheduler::flush().await;
}

/// What a user sees of the session: the counts, the cursor, the log, the selected event.
fn visible_session(root: &Element) -> Vec<String> {
    [
        "event-count",
        "cursor-position",
        "event-log",
        "event-detail",
    ]
    .iter()
    .map(|id| text(root, id))
    .collect()
}

#[wasm_bindgen_test]
async fn it_should_never_overwrite_the_saved_session_when_a_link_opens() {
    clear_saved();
    let root = mount().await;
    for _ in 0..3 {
        click(&root, "cmd-place-order").await;
    }
    gloo_timers::future::TimeoutFuture::new(PAST_AUTOSAVE_MS).await;
    let before = saved().expect("three orders autosaved");
    assert_eq!(before.matches(r#""event_type":"OrderPlaced""#).count(), 3);

    for (hash, says) in [
        ("lesson=does-not-exist", Some("no lesson")),
        ("scenario=garbage", Some("damaged")),
        ("bench=abc", Some("does not know")),
        ("lesson=cqrs", None),
        ("fresh", None),
    ] {
        unmount_all();
        set_address(hash);
        let tab = mount_as_is().await;
        gloo_timers::future::TimeoutFuture::new(PAST_AUTOSAVE_MS).await;
        assert_eq!(
            saved().as_deref(),
            Some(before.as_str()),
            "#{hash} wrote over it"
        );
        if let Some(says) = says {
            let problems = text(&tab, "problems");
            assert!(
                problems.contains(says) && problems.contains("untouched"),
                "#{hash}: {problems}"
            );
        }
    }

    unmount_all();
    set_address("");
    let again = mount_as_is().await;
    set_address("fresh");
    assert_eq!(
        number(&again, "event-count"),
        3,
        "the saved session is all there"
    );
    clear_saved();
}

#[wasm_bindgen_test]
async fn it_should_keep_the_saved_session_aside_when_the_user_works_in_a_linked_tab() {
    clear_saved();
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    gloo_timers::future::TimeoutFuture::new(PAST_AUTOSAVE_MS).await;
    let before = saved().expect("autosaved");

    unmount_all();
    set_address("lesson=immutable-facts");
    let tab = mount_as_is().await;
    set_address("fresh");
    assert!(
        find(&tab, "saved-session").is_some(),
        "the saved session is offered beside the lesson"
    );
    click(&tab, "cmd-place-order").await;
    click(&tab, "cmd-place-order").await;
    gloo_timers::future::TimeoutFuture::new(PAST_AUTOSAVE_MS).await;
    let now = saved().expect("the lesson's work is saved");
    assert_ne!(now, before);
    assert_eq!(now.matches(r#""event_type":"OrderPlaced""#).count(), 2);
    assert!(
        text(&tab, "notices").contains("is kept"),
        "{}",
        text(&tab, "notices")
    );
    let kept = all(&tab, "kept-session");
    assert_eq!(kept.len(), 1, "the earlier session is kept aside");

    // Opening it asks first (the tab holds the lesson's work), then brings it back whole.
    click(&tab, "kept-open").await;
    assert!(find(&tab, "confirm-dialog").is_some());
    click(&tab, "confirm-yes").await;
    assert_eq!(log_size(&tab), 1);
    // Forgetting it takes a second yes.
    click(&tab, "kept-forget").await;
    assert_eq!(all(&tab, "kept-session").len(), 1);
    click(&tab, "kept-forget-yes").await;
    assert!(all(&tab, "kept-session").is_empty());
    clear_saved();
}

#[wasm_bindgen_test]
async fn it_should_ask_before_keeping_a_branch_and_keep_the_main_line_reachable() {
    let root = mount().await;
    for _ in 0..4 {
        click(&root, "cmd-place-order").await;
    }
    set_slider(&root, 1).await;
    click(&root, "fork-here").await;
    click(&root, "cmd-place-order").await;
    assert_eq!(log_size(&root), 2);

    click(&root, "branch-keep").await;
    let goes = text(&root, "confirm-goes");
    assert!(
        goes.contains("3 events after the fork (#2 to #4)"),
        "says exactly what goes: {goes}"
    );
    assert!(
        find(&root, "confirm-export").is_some(),
        "the export is offered first"
    );
    click(&root, "confirm-cancel").await;
    assert!(
        find(&root, "branch-bar").is_some(),
        "cancel changes nothing"
    );
    assert_eq!(log_size(&root), 2);

    click(&root, "branch-keep").await;
    click(&root, "confirm-yes").await;
    assert_eq!(log_size(&root), 2, "the branch is the main line");
    assert!(find(&root, "set-aside-bar").is_some());
    click(&root, "set-aside-switch").await;
    assert_eq!(log_size(&root), 4, "the old main line comes back whole");
    click(&root, "set-aside-switch").await;
    assert_eq!(log_size(&root), 2, "and the kept branch too");
    click(&root, "set-aside-forget").await;
    assert!(
        find(&root, "confirm-dialog").is_some(),
        "letting it go asks"
    );
    click(&root, "confirm-yes").await;
    assert!(find(&root, "set-aside-bar").is_none());
}

#[wasm_bindgen_test]
async fn it_should_ask_before_a_valid_import_replaces_the_session() {
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    click(&root, "cmd-place-order").await;
    let before = visible_session(&root);
    // A scenario of one order, made by another tab.
    let file = {
        let other = mount_as_is().await;
        click(&other, "cmd-place-order").await;
        saved_export(&other).await.expect("an export")
    };
    choose_file(&root, "one-order.json", &file).await;
    wait_for(&root, "a valid import to ask first", |r| {
        find(r, "confirm-dialog").is_some()
    })
    .await;
    assert!(text(&root, "confirm-goes").contains("2 events"));
    assert_eq!(
        visible_session(&root),
        before,
        "nothing changes while it asks"
    );
    click(&root, "confirm-cancel").await;
    assert_eq!(visible_session(&root), before, "cancel changes nothing");

    choose_file(&root, "one-order.json", &file).await;
    wait_for(&root, "the question", |r| {
        find(r, "confirm-dialog").is_some()
    })
    .await;
    click(&root, "confirm-yes").await;
    assert_eq!(log_size(&root), 1);
}

/// The scenario a tab would export, read back through the share link it makes.
async fn saved_export(root: &Element) -> Option<String> {
    click(root, "share-link").await;
    let hash = gloo::utils::window().location().hash().ok()?;
    set_address("fresh");
    let bytes = eventide::share::decode(&hash)?.ok()?;
    String::from_utf8(bytes).ok()
}

#[wasm_bindgen_test]
async fn it_should_change_nothing_when_a_bad_or_oversized_file_is_imported_over_work() {
    clear_saved();
    let root = mount().await;
    for _ in 0..3 {
        click(&root, "cmd-place-order").await;
    }
    set_slider(&root, 2).await;
    let row = all(&root, "event-row")
        .into_iter()
        .next()
        .expect("an event row");
    row.unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    gloo_timers::future::TimeoutFuture::new(PAST_AUTOSAVE_MS).await;
    let (seen, kept) = (visible_session(&root), saved());
    assert!(kept.is_some());

    for (name, body) in [
        ("not-json.json", Some("{ this is not json")),
        (
            "wrong-shape.json",
            Some(r#"{"format":"eventide-scenario","version":1,"events":[{"event_type":"Nope"}]}"#),
        ),
        ("empty.json", Some("")),
        ("huge.json", None),
    ] {
        match body {
            Some(body) => choose_file(&root, name, body).await,
            // One byte past the limit: refused by its size before it is read.
            None => {
                let size = eventide_shop::interchange::MAX_IMPORT_BYTES + 1;
                choose_sized_file(&root, name, size as f64).await
            }
        }
        wait_for(&root, "the refusal", |r| text(r, "problems").contains(name)).await;
        assert!(find(&root, "confirm-dialog").is_none());
        assert_eq!(visible_session(&root), seen, "{name} changed the session");
    }
    gloo_timers::future::TimeoutFuture::new(PAST_AUTOSAVE_MS).await;
    assert_eq!(saved(), kept, "a refused file changed the saved copy");
    clear_saved();
}

#[wasm_bindgen_test]
async fn it_should_keep_each_deployed_script_s_results_and_errors_its_own() {
    eventide::scripting::install_in_process(eventide_script_worker::in_process(|| 0.0));
    let root = mount().await;
    generate(&root, 6).await;
    click(&root, "center-scripts").await;

    // A script that fails on its first event is refused with its failure, not deployed.
    type_into(&root, "script-name", "Loops").await;
    edit_area(
        &root,
        "script-source",
        "fn OrderPlaced(event) {\n    loop { }\n}\n",
    )
    .await;
    click(&root, "script-deploy").await;
    wait_for(&root, "the refusal", |r| {
        text(r, "problems").contains("Loops was not deployed")
    })
    .await;
    assert!(text(&root, "problems").contains("operations"));
    assert!(find(&root, "deployed-scripts").is_none());

    // Two good projections, each with its own table; the old error is gone after a good deploy.
    type_into(&root, "script-name", "Placed").await;
    edit_area(&root, "script-source", "fn OrderPlaced(event) {\n    this[\"placed\"] = #{ n: (this[\"placed\"] ?? #{ n: 0 }).n + 1 };\n}\n").await;
    click(&root, "script-deploy").await;
    wait_for(&root, "the first table", |r| {
        find(r, "deployed-table").is_some()
    })
    .await;
    assert!(
        find(&root, "script-error").is_none(),
        "no stale error after a good deploy"
    );
    type_into(&root, "script-name", "Shipped").await;
    edit_area(&root, "script-source", "fn ShipmentDispatched(event) {\n    this[\"shipped\"] = #{ n: (this[\"shipped\"] ?? #{ n: 0 }).n + 1 };\n}\n").await;
    click(&root, "script-deploy").await;
    wait_for(&root, "both tables", |r| {
        all(r, "deployed-table").len() == 2
    })
    .await;
    let tables = || {
        all(&root, "deployed-projection")
            .iter()
            .map(|p| p.text_content().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let shown = tables();
    assert_eq!(
        shown.len(),
        2,
        "{shown:?} problems: {} notices: {} tables: {} list: {}",
        text(&root, "problems"),
        text(&root, "notices"),
        all(&root, "deployed-table").len(),
        text(&root, "deployed-scripts")
    );
    assert!(
        shown[0].contains("Placed") && shown[0].contains("placed"),
        "{shown:?}"
    );
    assert!(!shown[0].contains("shipped"), "{shown:?}");
    assert!(
        shown[1].contains("Shipped") && shown[1].contains("shipped"),
        "{shown:?}"
    );

    // As read-model tabs, each shows its own table, whichever was shown before.
    click(&root, "center-read-models").await;
    let tabs = all(&root, "tab-script");
    assert_eq!(tabs.len(), 2);
    for (tab, key) in tabs.iter().zip(["placed", "shipped"]) {
        tab.clone().unchecked_into::<HtmlElement>().click();
        yew::scheduler::flush().await;
        wait_for(&root, key, |r| {
            all(r, "deployed-table-row")
                .iter()
                .any(|row| row.text_content().unwrap_or_default().contains(key))
        })
        .await;
        assert_eq!(
            all(&root, "deployed-table-row").len(),
            1,
            "{key} shows only its own row"
        );
    }

    // Undeploying one leaves the other with its own table.
    click(&root, "center-scripts").await;
    click(&root, "script-undeploy").await;
    wait_for(&root, "the one left, with its table", |r| {
        let left = all(r, "deployed-projection");
        left.len() == 1 && left[0].text_content().unwrap_or_default().contains("As of")
    })
    .await;
    let left = tables();
    assert!(
        left[0].contains("Shipped") && left[0].contains("shipped") && !left[0].contains("placed"),
        "{left:?}"
    );
}

#[wasm_bindgen_test]
fn it_should_not_make_a_deployed_policy_react_to_an_imported_history_and_give_each_line_its_progress(
) {
    use eventide::state::{ImportSource, Session};
    use eventide_engine::Position;
    use eventide_shop::scripting::ScriptKind;

    let mut other = Session::default();
    other.start_generating(7, 10);
    while other.job().is_some() {
        other.continue_job(u64::MAX).expect("generates");
    }
    let batch = other.export_cloudevents();

    let mut session = Session::default();
    session.scripts.draft.kind = ScriptKind::Policy;
    session.scripts.deploy(
        eventide::state::scripts::Handlers {
            handles: vec!["OrderPlaced".into()],
            reads: Vec::new(),
        },
        0,
    );
    session
        .start_import("batch.json".into(), batch.as_bytes(), ImportSource::File)
        .expect("a valid batch");
    let job = loop {
        if let Some(job) = session.continue_import(usize::MAX).expect("replays") {
            break job;
        }
    };
    session.adopt_import(job);
    let head = session.shop().store().head();
    assert!(head.0 > 0);
    assert_eq!(
        session.scripts.deployed[0].fed_to, head.0,
        "the imported history is not news to the policy: it joins at the head"
    );

    // A branch at 3 is new to the policy after 3; discarding it gives the main line's back.
    session.start_fork(Position(3)).expect("forks");
    while session.import_job().is_some() {
        session.continue_import(usize::MAX).expect("replays");
    }
    assert_eq!(session.scripts.deployed[0].fed_to, 3);
    session.close_branch(false);
    assert_eq!(session.scripts.deployed[0].fed_to, head.0);
}

#[wasm_bindgen_test]
async fn a_lesson_link_pasted_into_an_open_tab_opens_it_and_asks_before_replacing_work() {
    let root = mount().await;
    // Pasted into the address bar: a real hashchange, not the app's own write.
    let _ = gloo::utils::window()
        .location()
        .set_hash("lesson=event-sourcing&at=3");
    wait_for(&root, "the lesson", |r| {
        text(r, "lesson").contains("Event sourcing")
    })
    .await;
    assert_eq!(number(&root, "cursor-position"), 3, "&at= is honoured");

    click(&root, "timeline-live").await;
    click(&root, "cmd-place-order").await;
    let _ = gloo::utils::window().location().set_hash("fresh");
    wait_for(&root, "the question", |r| {
        find(r, "confirm-dialog").is_some()
    })
    .await;
    click(&root, "confirm-cancel").await;
    assert!(number(&root, "event-count") > 0, "cancel keeps the work");
    set_address("fresh");
}

#[wasm_bindgen_test]
async fn a_services_lesson_link_runs_its_scenario_on_to_the_shared_position() {
    unmount_all();
    set_address("lesson=choreography&at=30");
    let root = mount_as_is().await;
    set_address("");
    assert_eq!(number(&root, "cursor-position"), 30);
    assert!(number(&root, "event-count") >= 30);
}

// ------------------------------------------------------------------ sharing what the sharer saw

/// The link this tab's Share button writes into the address.
async fn share(root: &Element) -> String {
    click(root, "share-link").await;
    gloo::utils::window().location().hash().unwrap_or_default()
}

/// A link that carries the session as its recipe, and stays short.
fn assert_short_recipe(link: &str) {
    assert!(
        link.starts_with("#recipe="),
        "no recipe: {}",
        &link[..40.min(link.len())]
    );
    assert!(
        link.len() < 3_000,
        "a short link: {} characters",
        link.len()
    );
}

/// Opens `link` in a freshly mounted App (the others unmounted), as a recipient would.
async fn open_link(link: &str) -> Element {
    unmount_all();
    set_address(link.trim_start_matches('#'));
    let root = mount_as_is().await;
    settle().await;
    root
}

fn tab_open(root: &Element, testid: &str) -> bool {
    find(root, testid).and_then(|tab| tab.get_attribute("aria-selected")) == Some("true".into())
}

fn large_text_on(root: &Element) -> bool {
    find(root, "app").is_some_and(|app| {
        app.class_name()
            .split_whitespace()
            .any(|c| c == "large-text")
    })
}

fn checked_option(root: &Element) -> Option<usize> {
    all(root, "lesson-option").iter().position(|option| {
        option
            .clone()
            .unchecked_into::<HtmlInputElement>()
            .checked()
    })
}

#[wasm_bindgen_test]
async fn a_shared_link_restores_the_log_cursor_tab_lesson_large_text_and_scripts_as_a_short_recipe()
{
    eventide::scripting::install_in_process(eventide_script_worker::in_process(|| 0.0));
    clear_saved();
    let root = mount().await;
    // A lesson open, its question answered.
    click(&root, "lessons-button").await;
    all(&root, "lesson-start")[0]
        .clone()
        .unchecked_into::<HtmlElement>()
        .click();
    yew::scheduler::flush().await;
    all(&root, "lesson-option")[1]
        .clone()
        .unchecked_into::<HtmlElement>()
        .click();
    yew::scheduler::flush().await;
    // Generated orders, and commands of the user's own.
    generate(&root, 20).await;
    click(&root, "cmd-place-order").await;
    click(&root, "cmd-place-order").await;
    // A deployed projection.
    click(&root, "center-scripts").await;
    let counting = "fn OrderPlaced(event) {\n    let c = event.payload.customer;\n    let row = this[c] ?? #{ orders: 0 };\n    row.orders += 1;\n    this[c] = row;\n}\n";
    edit_area(&root, "script-source", counting).await;
    click(&root, "script-deploy").await;
    wait_for(&root, "the deployed table", |r| {
        find(r, "deployed-table").is_some()
    })
    .await;
    // A tab other than the first, large text, the cursor in the past.
    click(&root, "center-catalog").await;
    click(&root, "large-text").await;
    set_slider(&root, 25).await;
    let lesson = text(&root, "lesson");
    let (head, events, steps_done) = (
        log_size(&root),
        text(&root, "event-log"),
        all(&root, "lesson-step")
            .iter()
            .filter(|s| s.class_name().contains("done"))
            .count(),
    );
    assert_eq!(number(&root, "cursor-position"), 25);

    let link = share(&root).await;
    assert_short_recipe(&link);
    // The presenter's own preference must not be what turns large text on over there.
    clear_saved();

    let again = open_link(&link).await;
    assert_eq!(log_size(&again), head, "{}", text(&again, "problems"));
    assert_eq!(number(&again, "cursor-position"), 25);
    assert_eq!(text(&again, "event-log"), events);
    assert!(tab_open(&again, "center-catalog"));
    assert!(large_text_on(&again));
    assert_eq!(text(&again, "lesson"), lesson);
    assert_eq!(checked_option(&again), Some(1));
    assert_eq!(
        all(&again, "lesson-step")
            .iter()
            .filter(|s| s.class_name().contains("done"))
            .count(),
        steps_done
    );
    click(&again, "center-scripts").await;
    assert!(
        find(&again, "deployed-projection").is_some(),
        "the script is deployed"
    );
    click(&again, "center-catalog").await;
    // The same log, view and scripts: sharing again makes the very same link.
    assert_eq!(share(&again).await, link);
    set_address("fresh");
    clear_saved();
}

#[wasm_bindgen_test]
async fn an_imported_foreign_log_is_shared_as_the_whole_file_and_still_restores() {
    clear_saved();
    // A scenario file made elsewhere: every event, no recipe.
    let file = {
        let other = mount().await;
        generate(&other, 5).await;
        let link = share(&other).await;
        let bytes = eventide::share::decode(&link)
            .expect("a link")
            .expect("intact");
        let recipe = eventide::recipe::Recipe::read(&bytes).expect("a recipe");
        let exported = eventide::state::Session::replay(&recipe)
            .expect("replays")
            .export_scenario(eventide::state::ScenarioSettings::default());
        // Made elsewhere: the steps Eventide keeps beside the log are not in it.
        let mut file: serde_json::Value = serde_json::from_str(&exported).expect("JSON");
        let settings = file
            .get_mut("settings")
            .and_then(|settings| settings.as_object_mut())
            .expect("the scenario has settings");
        assert!(
            settings.remove("recipe").is_some(),
            "Eventide's own files carry their recipe"
        );
        file.to_string()
    };
    let root = mount().await;
    choose_file(&root, "foreign.json", &file).await;
    wait_for(&root, "the import", |r| log_size(r) > 0).await;
    click(&root, "cmd-place-order").await;
    click(&root, "center-trace").await;
    let (head, events) = (log_size(&root), text(&root, "event-log"));

    let link = share(&root).await;
    assert!(
        link.starts_with("#scenario="),
        "no recipe makes an imported log"
    );
    let again = open_link(&link).await;
    assert_eq!(log_size(&again), head, "{}", text(&again, "problems"));
    assert_eq!(text(&again, "event-log"), events);
    assert!(tab_open(&again, "center-trace"));
    assert!(!large_text_on(&again));
    assert_eq!(share(&again).await, link);
    set_address("fresh");
}

#[wasm_bindgen_test]
async fn a_run_of_the_services_shares_as_its_short_recipe_and_replays_to_the_same_log() {
    clear_saved();
    // A services lesson: its scenario is a simulation with a storefront.
    let root = open_link("#lesson=idempotency").await;
    for _ in 0..60 {
        click(&root, "sim-step").await;
    }
    // A knob turned mid-run, a command of the user's own while the services listen, more steps.
    click(&root, "idempotent").await;
    click(&root, "cmd-place-order").await;
    for _ in 0..60 {
        click(&root, "sim-step").await;
    }
    let (head, events) = (log_size(&root), text(&root, "event-log"));
    assert!(head > 20, "the run made events: {head}");

    let link = share(&root).await;
    // Before, a run of the services could only share as its whole file.
    assert_short_recipe(&link);

    // The services come back as they were, not only their log: what the sharer's services do
    // next, the recipient's do too.
    let next = |root: Element| async move {
        for _ in 0..30 {
            click(&root, "sim-step").await;
        }
        (log_size(&root), text(&root, "event-log"))
    };
    let ours = next(root.clone()).await;

    let again = open_link(&link).await;
    assert_eq!(log_size(&again), head, "{}", text(&again, "problems"));
    assert_eq!(text(&again, "event-log"), events);
    assert_eq!(next(again).await, ours);
    set_address("fresh");
    clear_saved();
}

#[wasm_bindgen_test]
async fn a_damaged_or_newer_recipe_link_says_so_and_changes_nothing() {
    let newer = eventide::share::encode_recipe(
        r#"{"format":"eventide-recipe","version":99,"start":0,"steps":[]}"#,
    )
    .expect("small");
    for (link, says) in [
        ("#recipe=AAAA".to_string(), "damaged"),
        (newer, "newer Eventide"),
    ] {
        let root = open_link(&link).await;
        let problems = text(&root, "problems");
        assert!(problems.contains(says), "{link}: {problems}");
        assert_eq!(log_size(&root), 0);
    }
    set_address("fresh");
}

/// A query can look inside an order's lines: some line has it.
#[wasm_bindgen_test]
async fn the_log_filters_by_a_field_of_an_order_s_lines() {
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    filter_by(&root, r#"data.lines.sku == "SKU-01""#).await;
    assert_eq!(text(&root, "log-count"), "1 of 1 events match");
    filter_by(&root, r#"data.lines.sku == "SKU-02""#).await;
    assert_eq!(text(&root, "log-count"), "0 of 1 events match");
    filter_by(&root, "data.lines.colour == red").await;
    assert!(
        text(&root, "query-error").contains("lines.colour"),
        "{}",
        text(&root, "query-error")
    );
}

/// A reload (the autosave opened again) keeps the filter the log was left with.
#[wasm_bindgen_test]
async fn the_log_s_filter_survives_a_reload() {
    clear_saved();
    let root = mount().await;
    for _ in 0..2 {
        click(&root, "cmd-place-order").await;
    }
    filter_by(&root, "type == OrderPlaced").await;
    gloo_timers::future::TimeoutFuture::new(PAST_AUTOSAVE_MS).await;
    unmount_all();
    set_address("");
    let again = mount_as_is().await;
    step_until(&again, 3000, |root| log_size(root) > 0).await;
    let input: HtmlInputElement = find(&again, "query-input")
        .expect("the query bar")
        .unchecked_into();
    assert_eq!(input.value(), "type == OrderPlaced");
    assert!(
        text(&again, "log-count").contains("2 of"),
        "{}",
        text(&again, "log-count")
    );
    // A saved filter that no longer reads is said, and the log is shown whole.
    unmount_all();
    let saved_text = saved().expect("autosaved");
    assert!(
        saved_text.contains(r#""query":"type == OrderPlaced""#),
        "{saved_text}"
    );
    storage()
        .set_item(
            "eventide.scenario",
            &saved_text.replace(
                r#""query":"type == OrderPlaced""#,
                r#""query":"data.nope == 1""#,
            ),
        )
        .expect("written");
    let third = mount_as_is().await;
    step_until(&third, 3000, |root| log_size(root) > 0).await;
    assert!(
        text(&third, "notices").contains("The saved filter no longer reads"),
        "{}",
        text(&third, "notices")
    );
    assert!(text(&third, "log-count").contains("append-only"));
    clear_saved();
    set_address("fresh");
}

#[wasm_bindgen_test]
async fn large_text_is_remembered_across_a_reload() {
    clear_saved();
    let root = mount().await;
    assert!(!large_text_on(&root));
    click(&root, "large-text").await;
    let again = mount().await;
    assert!(large_text_on(&again), "still on after the reload");
    click(&again, "large-text").await;
    let off = mount().await;
    assert!(!large_text_on(&off), "and off once turned off");
    clear_saved();
}

#[wasm_bindgen_test]
async fn copy_link_copies_or_shows_the_link_to_copy_by_hand() {
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    click(&root, "copy-link").await;
    wait_for(&root, "an answer from the clipboard", |r| {
        text(r, "notices").contains("Link copied") || find(r, "manual-link").is_some()
    })
    .await;
    let hash = gloo::utils::window().location().hash().unwrap_or_default();
    assert!(
        hash.starts_with("#recipe="),
        "the address holds the link too"
    );
    if let Some(field) = find(&root, "manual-link") {
        // A headless browser may refuse the clipboard: the link is there to copy by hand.
        let field: HtmlInputElement = field.unchecked_into();
        assert!(field.value().ends_with(&hash));
        assert!(field.read_only());
        assert!(text(&root, "problems").contains("could not be copied"));
    } else {
        assert!(text(&root, "notices").contains(&format!(
            "Link copied: {} characters",
            gloo::utils::window()
                .location()
                .href()
                .unwrap_or_default()
                .len()
        )));
    }
    set_address("fresh");
}

// ------------------------------------------------------------------ searching the log

/// Types a query into the bar and applies it (Enter, as the Filter button does).
async fn filter_by(root: &Element, query: &str) {
    type_into(root, "query-input", query).await;
    click(root, "query-apply").await;
}

fn row_labels(root: &Element) -> Vec<String> {
    all(root, "event-row")
        .iter()
        .filter_map(|row| row.get_attribute("aria-label"))
        .collect()
}

#[wasm_bindgen_test]
async fn a_stale_expected_version_is_refused_as_a_version_conflict_and_changes_nothing() {
    clear_saved();
    let root = mount().await;
    click(&root, "cmd-place-order").await;
    change_into(&root, "order-id", "O-0001").await;
    // A client that read the order before it existed: it expects no stream.
    change_into(&root, "expected-input", "no stream").await;
    click(&root, "expected-apply").await;
    assert!(text(&root, "expected-note").contains("no stream yet"));
    click(&root, "cmd-pay").await;
    assert_eq!(log_size(&root), 1, "nothing appended");
    assert!(
        text(&root, "notices").contains("version"),
        "{}",
        text(&root, "notices")
    );
    // The expectation was for that command only: the next one decides at the order's version.
    assert!(find(&root, "expected-note").is_none());
    click(&root, "cmd-pay").await;
    assert_eq!(log_size(&root), 2, "{}", text(&root, "notices"));
    // An expectation that holds appends.
    change_into(&root, "expected-input", "2").await;
    click(&root, "expected-apply").await;
    click(&root, "cmd-cancel").await;
    assert_eq!(log_size(&root), 3, "{}", text(&root, "notices"));
    // Nonsense is refused with a message and sets nothing.
    change_into(&root, "expected-input", "three").await;
    click(&root, "expected-apply").await;
    assert!(find(&root, "expected-note").is_none());
    set_address("fresh");
}

#[wasm_bindgen_test]
async fn an_event_s_stream_is_one_click_from_its_detail() {
    clear_saved();
    let root = mount().await;
    // Two orders, the first paid: O-0001 has two events, O-0002 one.
    click(&root, "cmd-place-order").await;
    click(&root, "cmd-place-order").await;
    let input: HtmlInputElement = find(&root, "order-id")
        .expect("the order field")
        .unchecked_into();
    input.set_value("O-0001");
    input
        .dispatch_event(&web_sys::Event::new("change").expect("an event"))
        .expect("dispatched");
    yew::scheduler::flush().await;
    click(&root, "cmd-pay").await;
    let head = log_size(&root);
    assert_eq!(head, 3, "{}", text(&root, "problems"));

    let first = find(&root, "event-row").expect("a row");
    first.unchecked_into::<HtmlElement>().click();
    yew::scheduler::flush().await;
    assert!(text(&root, "event-detail").contains("O-0001"));
    click(&root, "detail-show-stream").await;
    assert_eq!(
        text(&root, "log-count"),
        format!("2 of {head} events match")
    );
    assert!(
        row_labels(&root)
            .iter()
            .all(|row| !row.contains("position 2")),
        "O-0002's event is not in O-0001's stream"
    );
    assert_eq!(
        find(&root, "query-input")
            .expect("the bar")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        "aggregate == Order and stream == \"O-0001\""
    );
    set_address("fresh");
}

#[wasm_bindgen_test]
async fn a_query_filters_the_log_counts_its_matches_and_travels_in_the_share_link() {
    clear_saved();
    let root = mount().await;
    generate(&root, 20).await;
    let head = log_size(&root);

    filter_by(&root, "type == OrderPlaced").await;
    assert_eq!(
        text(&root, "log-count"),
        format!("20 of {head} events match")
    );
    let rows = row_labels(&root);
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|row| row.starts_with("OrderPlaced at position")),
        "{rows:?}"
    );
    assert!(find(&root, "match-histogram").is_some());

    // Typing in the bar is text, not the app's shortcuts: Home does not seek to the start.
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Home");
    init.set_bubbles(true);
    let home = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
        .expect("a keyboard event");
    find(&root, "query-input")
        .expect("the query bar")
        .dispatch_event(&home)
        .expect("dispatched");
    yew::scheduler::flush().await;
    assert_eq!(number(&root, "cursor-position"), head);

    // A bad query says where and why, and the filter before stays.
    filter_by(&root, "type == OrderPlaced and data.total >").await;
    assert!(
        text(&root, "query-error").contains("column 37: expected a value"),
        "{}",
        text(&root, "query-error")
    );
    assert_eq!(
        text(&root, "log-count"),
        format!("20 of {head} events match")
    );

    // In the past the count is as of the cursor, and the list follows it.
    filter_by(&root, "type == OrderPlaced and data.total > 0").await;
    assert!(find(&root, "query-error").is_none());
    set_slider(&root, head / 2).await;
    let shown: u64 = text(&root, "log-count")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX);
    assert!(shown > 0 && shown < 20, "{}", text(&root, "log-count"));
    assert!(text(&root, "log-count").contains("more after the cursor"));
    click(&root, "timeline-live").await;

    // The link keeps the query.
    let link = share(&root).await;
    clear_saved();
    let again = open_link(&link).await;
    assert_eq!(log_size(&again), head, "{}", text(&again, "problems"));
    let input: HtmlInputElement = find(&again, "query-input")
        .expect("the query bar")
        .unchecked_into();
    assert_eq!(input.value(), "type == OrderPlaced and data.total > 0");
    assert_eq!(
        text(&again, "log-count"),
        format!("20 of {head} events match")
    );

    // Clearing shows the whole log again.
    click(&again, "query-clear").await;
    assert_eq!(
        text(&again, "log-count"),
        format!("{head} events · append-only")
    );
    assert!(find(&again, "match-histogram").is_none());
    set_address("fresh");
    clear_saved();
}
