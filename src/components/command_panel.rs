//! The command side: every shop command with its parameters. A command is imperative
//! (PlaceOrder); what it records is past tense (OrderPlaced). Rejections come back as notices.

use eventide_engine::store::ExpectedVersion;
use eventide_engine::StreamVersion;
use eventide_shop::catalog::PRODUCTS;
use eventide_shop::commands::{PaymentOutcome, RequestedLine, ShopCommand};
use eventide_shop::ids::{CustomerId, OrderId, Sku};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::state::{use_app, Action};

const CARRIERS: &[&str] = &["DHL", "UPS", "FedEx", "PostNL"];

#[function_component(CommandPanel)]
pub fn command_panel() -> Html {
    html! {
        <section class="panel commands" aria-labelledby="commands-title">
            <h2 id="commands-title" class="panel-title">{"Commands"}</h2>
            <p class="panel-hint">{"Commands ask; aggregates decide. Each accepted command appends an event at the head of the log."}</p>
            <Backdate />
            <PlaceOrderForm />
            <OrderActionsForm />
            <CartForm />
            <InventoryForm />
            <ExpectedVersionCard />
        </section>
    }
}

/// Text fields hold what the user typed; commands are built from them only when sent.
#[hook]
fn use_field(initial: &str) -> (UseStateHandle<String>, Callback<Event>) {
    let value = use_state(|| initial.to_string());
    let onchange = {
        let value = value.clone();
        Callback::from(move |event: Event| {
            let target = event
                .target_dyn_into::<HtmlInputElement>()
                .map(|input| input.value());
            let selected = event
                .target_dyn_into::<HtmlSelectElement>()
                .map(|select| select.value());
            if let Some(text) = target.or(selected) {
                value.set(text);
            }
        })
    };
    (value, onchange)
}

fn parse<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    text.trim()
        .parse()
        .map_err(|error| format!("{what}: {error}"))
}

fn quantity(text: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .map_err(|_| format!("Quantity: '{}' is not a whole number", text.trim()))
}

/// Sends a command built from the form, or reports why the form is not a valid command.
fn send(
    dispatcher: &UseReducerDispatcher<crate::state::AppState>,
    command: Result<ShopCommand, String>,
) {
    dispatcher.dispatch(match command {
        Ok(command) => Action::Execute(command),
        Err(problem) => Action::InvalidInput(problem),
    });
}

fn sku_options(selected: &str) -> Html {
    html! {
        { for PRODUCTS.iter().map(|product| {
            let value = product.sku.to_string();
            html! {
                <option value={value.clone()} selected={value == selected}>
                    { format!("{} · {} · {}", product.sku, product.name, product.price) }
                </option>
            }
        }) }
    }
}

#[function_component(PlaceOrderForm)]
fn place_order_form() -> Html {
    let state = use_app();
    let (customer, on_customer) = use_field("C-001");
    let (sku, on_sku) = use_field("SKU-01");
    let (qty, on_qty) = use_field("1");
    let onsubmit = {
        let dispatcher = state.dispatcher();
        let (customer, sku, qty) = (customer.clone(), sku.clone(), qty.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let command = (|| {
                Ok(ShopCommand::PlaceOrder {
                    customer: parse::<CustomerId>(&customer, "Customer")?,
                    lines: vec![RequestedLine {
                        sku: parse::<Sku>(&sku, "Product")?,
                        quantity: quantity(&qty)?,
                    }],
                })
            })();
            send(&dispatcher, command);
        })
    };
    html! {
        <form class="command-card" data-testid="place-order" {onsubmit}>
            <h3 class="command-name">{"PlaceOrder"}</h3>
            <div class="field-row">
                <label class="field">{"Customer"}
                    <input value={(*customer).clone()} onchange={on_customer} data-testid="place-order-customer" />
                </label>
                <label class="field narrow">{"Qty"}
                    <input type="number" min="1" value={(*qty).clone()} onchange={on_qty} data-testid="place-order-quantity" />
                </label>
            </div>
            <label class="field">{"Product"}
                <select onchange={on_sku} data-testid="place-order-sku">{ sku_options(&sku) }</select>
            </label>
            <button type="submit" class="button primary" data-testid="cmd-place-order">{"Place order"}</button>
        </form>
    }
}

#[function_component(OrderActionsForm)]
fn order_actions_form() -> Html {
    let state = use_app();
    let newest = state.session().shop().aggregates().order_count();
    let (order, on_order) = use_field("");
    let (carrier, on_carrier) = use_field(CARRIERS[0]);
    let (reason, on_reason) = use_field("customer changed their mind");
    // An empty field means the newest order, so the common case needs no typing.
    let order_text = if order.trim().is_empty() && newest > 0 {
        OrderId(newest as u32).to_string()
    } else {
        (*order).clone()
    };
    let action = |build: fn(OrderId, &str, &str) -> ShopCommand| {
        let dispatcher = state.dispatcher();
        let (order_text, carrier, reason) = (order_text.clone(), carrier.clone(), reason.clone());
        Callback::from(move |_: MouseEvent| {
            let command =
                parse::<OrderId>(&order_text, "Order").map(|order| build(order, &carrier, &reason));
            send(&dispatcher, command);
        })
    };
    let pay = action(|order, _, _| ShopCommand::ProcessPayment {
        order,
        outcome: PaymentOutcome::Approved,
    });
    let decline = action(|order, _, _| ShopCommand::ProcessPayment {
        order,
        outcome: PaymentOutcome::Declined {
            reason: "card declined".into(),
        },
    });
    let dispatch = action(|order, carrier, _| ShopCommand::DispatchShipment {
        order,
        carrier: carrier.into(),
    });
    let cancel = action(|order, _, reason| ShopCommand::CancelOrder {
        order,
        reason: reason.into(),
    });
    // A shipment needs its stock: reserve every line of the order, as the inventory service
    // would (one ReserveInventory a line; the stock decides each).
    let reserve = {
        let (state, order_text) = (state.clone(), order_text.clone());
        Callback::from(move |_: MouseEvent| {
            let lines = parse::<OrderId>(&order_text, "Order").and_then(|order| {
                state
                    .session()
                    .shop()
                    .aggregates()
                    .order(order)
                    .map(|found| (order, found.lines.clone()))
                    .ok_or_else(|| format!("There is no order {order}"))
            });
            match lines {
                Ok((order, lines)) => {
                    for line in lines {
                        state.dispatch(Action::Execute(ShopCommand::ReserveInventory {
                            order,
                            sku: line.sku,
                            quantity: line.quantity,
                        }));
                    }
                }
                Err(problem) => state.dispatch(Action::InvalidInput(problem)),
            }
        })
    };
    html! {
        <div class="command-card" data-testid="order-actions">
            <h3 class="command-name">{"ProcessPayment · ReserveInventory · DispatchShipment · CancelOrder"}</h3>
            <div class="field-row">
                <label class="field">{"Order"}
                    <input value={order_text} placeholder="O-0001" onchange={on_order} data-testid="order-id" />
                </label>
                <label class="field">{"Carrier"}
                    <select onchange={on_carrier}>
                        { for CARRIERS.iter().map(|c| html! { <option value={*c} selected={*c == carrier.as_str()}>{*c}</option> }) }
                    </select>
                </label>
            </div>
            <label class="field">{"Cancel reason"}
                <input value={(*reason).clone()} onchange={on_reason} />
            </label>
            <div class="button-row">
                <button type="button" class="button" onclick={pay} data-testid="cmd-pay">{"Pay"}</button>
                <button type="button" class="button" onclick={decline} data-testid="cmd-decline">{"Decline"}</button>
                <button type="button" class="button" onclick={reserve} data-testid="cmd-reserve-order" title="Reserve every line of the order: a shipment needs its stock">{"Reserve stock"}</button>
                <button type="button" class="button" onclick={dispatch} data-testid="cmd-dispatch">{"Dispatch"}</button>
                <button type="button" class="button" onclick={cancel} data-testid="cmd-cancel">{"Cancel"}</button>
            </div>
        </div>
    }
}

#[function_component(CartForm)]
fn cart_form() -> Html {
    let state = use_app();
    let (customer, on_customer) = use_field("C-001");
    let (sku, on_sku) = use_field("SKU-03");
    let (qty, on_qty) = use_field("1");
    let action = |build: fn(CustomerId, Sku, u32) -> ShopCommand| {
        let dispatcher = state.dispatcher();
        let (customer, sku, qty) = (customer.clone(), sku.clone(), qty.clone());
        Callback::from(move |_: MouseEvent| {
            let command = (|| {
                Ok(build(
                    parse(&customer, "Customer")?,
                    parse(&sku, "Product")?,
                    quantity(&qty)?,
                ))
            })();
            send(&dispatcher, command);
        })
    };
    let view = action(|customer, sku, _| ShopCommand::ViewProduct { customer, sku });
    let add = action(|customer, sku, quantity| ShopCommand::AddItemToCart {
        customer,
        sku,
        quantity,
    });
    let remove = action(|customer, sku, quantity| ShopCommand::RemoveItemFromCart {
        customer,
        sku,
        quantity,
    });
    let checkout = action(|customer, _, _| ShopCommand::CheckOutCart { customer });
    html! {
        <div class="command-card" data-testid="cart">
            <h3 class="command-name">{"ViewProduct · AddItemToCart · RemoveItemFromCart · CheckOutCart"}</h3>
            <div class="field-row">
                <label class="field">{"Customer"}<input value={(*customer).clone()} onchange={on_customer} /></label>
                <label class="field narrow">{"Qty"}<input type="number" min="1" value={(*qty).clone()} onchange={on_qty} /></label>
            </div>
            <label class="field">{"Product"}<select onchange={on_sku}>{ sku_options(&sku) }</select></label>
            <div class="button-row">
                <button type="button" class="button" onclick={view} data-testid="cmd-view-product">{"View"}</button>
                <button type="button" class="button" onclick={add} data-testid="cmd-add-to-cart">{"Add"}</button>
                <button type="button" class="button" onclick={remove} data-testid="cmd-remove-from-cart">{"Remove"}</button>
                <button type="button" class="button" onclick={checkout} data-testid="cmd-check-out">{"Check out"}</button>
            </div>
        </div>
    }
}

#[function_component(InventoryForm)]
fn inventory_form() -> Html {
    let state = use_app();
    let (sku, on_sku) = use_field("SKU-01");
    let (qty, on_qty) = use_field("10");
    let (order, on_order) = use_field("");
    let restock = {
        let dispatcher = state.dispatcher();
        let (sku, qty) = (sku.clone(), qty.clone());
        Callback::from(move |_: MouseEvent| {
            let command = (|| {
                Ok(ShopCommand::RestockInventory {
                    sku: parse(&sku, "Product")?,
                    quantity: quantity(&qty)?,
                })
            })();
            send(&dispatcher, command);
        })
    };
    let reservation = |release: bool| {
        let dispatcher = state.dispatcher();
        let (sku, qty, order) = (sku.clone(), qty.clone(), order.clone());
        Callback::from(move |_: MouseEvent| {
            let command = (|| {
                let (order, sku, quantity) = (
                    parse(&order, "Order")?,
                    parse(&sku, "Product")?,
                    quantity(&qty)?,
                );
                Ok(if release {
                    ShopCommand::ReleaseInventory {
                        order,
                        sku,
                        quantity,
                    }
                } else {
                    ShopCommand::ReserveInventory {
                        order,
                        sku,
                        quantity,
                    }
                })
            })();
            send(&dispatcher, command);
        })
    };
    html! {
        <div class="command-card" data-testid="inventory">
            <h3 class="command-name">{"RestockInventory · ReserveInventory · ReleaseInventory"}</h3>
            <label class="field">{"Product"}<select onchange={on_sku}>{ sku_options(&sku) }</select></label>
            <div class="field-row">
                <label class="field narrow">{"Qty"}<input type="number" min="1" value={(*qty).clone()} onchange={on_qty} /></label>
                <label class="field">{"For order"}<input value={(*order).clone()} placeholder="O-0001" onchange={on_order} /></label>
            </div>
            <div class="button-row">
                <button type="button" class="button" onclick={restock} data-testid="cmd-restock">{"Restock"}</button>
                <button type="button" class="button" onclick={reservation(false)} data-testid="cmd-reserve">{"Reserve"}</button>
                <button type="button" class="button" onclick={reservation(true)} data-testid="cmd-release">{"Release"}</button>
            </div>
        </div>
    }
}

/// Business time for the next commands: a late report of something that happened earlier.
#[function_component(Backdate)]
fn backdate() -> Html {
    let state = use_app();
    let (text, on_text) = use_field("");
    let apply = {
        let dispatcher = state.dispatcher();
        let text = text.clone();
        Callback::from(move |_: MouseEvent| {
            let trimmed = text.trim();
            dispatcher.dispatch(if trimmed.is_empty() {
                Action::SetBackdate(None)
            } else {
                match eventide_engine::Timestamp::parse(trimmed) {
                    Some(at) => Action::SetBackdate(Some(at)),
                    None => Action::InvalidInput(format!(
                        "Occurred at: '{trimmed}' is not a date and time"
                    )),
                }
            });
        })
    };
    let clear = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::SetBackdate(None)))
    };
    html! {
        <div class={classes!("command-card", "next-setting", state.next_command.backdate.is_some().then_some("active"))} data-testid="backdate">
            <div class="field-row">
                <label class="field">{"Occurred at (business time, UTC)"}
                    <input value={(*text).clone()} onchange={on_text} placeholder="now" data-testid="backdate-input" />
                </label>
                <button type="button" class="button align-end" onclick={apply} data-testid="backdate-apply">{"Set"}</button>
            </div>
            if let Some(at) = state.next_command.backdate {
                <p class="next-setting-note">
                    { format!("Back-dating: the next commands happened at {} UTC, recorded now. ", crate::format::fmt_time(at)) }
                    <button type="button" class="link" onclick={clear}>{"stop"}</button>
                </p>
            }
        </div>
    }
}

/// What a user types for the next command's expected stream version: empty for the
/// aggregate's own, `any`, `no stream`, or a version number.
fn parse_expected(text: &str) -> Result<Option<ExpectedVersion>, String> {
    let text = text.trim().to_ascii_lowercase();
    match text.as_str() {
        "" => Ok(None),
        "any" => Ok(Some(ExpectedVersion::Any)),
        "no stream" | "none" | "nostream" => Ok(Some(ExpectedVersion::NoStream)),
        number => number
            .parse::<u32>()
            .map(|n| Some(ExpectedVersion::Exact(StreamVersion(n))))
            .map_err(|_| {
                format!("Expected version: '{number}' is not a version (a number, 'any' or 'no stream')")
            }),
    }
}

fn describe_expected(expected: ExpectedVersion) -> String {
    match expected {
        ExpectedVersion::Any => "any version".into(),
        ExpectedVersion::NoStream => "no stream yet".into(),
        ExpectedVersion::Exact(version) => format!("version {}", version.0),
    }
}

/// Optimistic concurrency from outside: the next command appends only if its stream is where
/// the user says, so a stale expectation shows the store's typed version conflict.
#[function_component(ExpectedVersionCard)]
fn expected_version_card() -> Html {
    let state = use_app();
    let (text, on_text) = use_field("");
    let apply = {
        let dispatcher = state.dispatcher();
        let text = text.clone();
        Callback::from(move |_: MouseEvent| {
            dispatcher.dispatch(match parse_expected(&text) {
                Ok(expected) => Action::SetExpectedVersion(expected),
                Err(problem) => Action::InvalidInput(problem),
            })
        })
    };
    html! {
        <div class={classes!("command-card", "next-setting", state.next_command.expected.is_some().then_some("active"))} data-testid="expected-version">
            <div class="field-row">
                <label class="field">{"Expected stream version (next command)"}
                    <input value={(*text).clone()} onchange={on_text} placeholder="the aggregate's" data-testid="expected-input" />
                </label>
                <button type="button" class="button align-end" onclick={apply} data-testid="expected-apply">{"Set"}</button>
            </div>
            if let Some(expected) = state.next_command.expected {
                <p class="next-setting-note" data-testid="expected-note">
                    { format!("The next command appends only if its stream is at {}.", describe_expected(expected)) }
                </p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expected_version_reads_as_typed_or_says_why_not() {
        assert_eq!(parse_expected("  "), Ok(None));
        assert_eq!(parse_expected("Any"), Ok(Some(ExpectedVersion::Any)));
        assert_eq!(
            parse_expected("no stream"),
            Ok(Some(ExpectedVersion::NoStream))
        );
        assert_eq!(
            parse_expected("3"),
            Ok(Some(ExpectedVersion::Exact(StreamVersion(3))))
        );
        assert!(parse_expected("three").is_err_and(|why| why.contains("'three' is not a version")));
    }
}
