//! A flow put back together: every event sharing a correlation id, as a waterfall with a lane
//! per producer (as Jaeger draws spans) and as a causation graph that shows fan-out and fan-in.
//! Both follow the timeline cursor; a cause missing from the store is flagged. The waterfall's
//! axis cuts out idle stretches (a customer browsing) as marked breaks, so the flow fills it.

use eventide_engine::trace::axis::{AxisStyle, TimeAxis};
use eventide_engine::trace::{find_correlations, Trace};
use eventide_engine::{CorrelationId, Named, Position};
use eventide_shop::services::graph::Node;
use eventide_shop::services::ServiceName;
use eventide_shop::simulation::{PLATFORM, STOREFRONT};
use eventide_shop::ShopEvent;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::service_graph::node_colour;
use crate::format::{fmt_clock, fmt_count, fmt_duration};
use crate::state::{use_app, Action};

const WIDTH: f64 = 820.0;
const LANE_LABEL: f64 = 150.0;
const LANE_H: f64 = 34.0;
const COLUMN_W: f64 = 170.0;
const ROW_H: f64 = 46.0;

fn lane_colour(lane: &str) -> &'static str {
    let node = match lane {
        STOREFRONT => Some(Node::Storefront),
        PLATFORM => Some(Node::ChaosPlatform),
        name => ServiceName::from_name(name).map(Node::Service),
    };
    node.map_or("#64748b", node_colour)
}

#[function_component(TraceView)]
pub fn trace_view() -> Html {
    let state = use_app();
    let search = use_state(String::new);
    let picked = use_state(|| None::<CorrelationId>);
    let session = state.session();
    let store = session.shop().store();
    let cursor = session.shop().cursor();
    let from_selection = state
        .timeline
        .selected
        .and_then(|p| store.get(p))
        .map(|e| e.correlation_id);
    let correlation = picked.or(from_selection);

    let on_search = {
        let search = search.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                search.set(input.value());
            }
        })
    };
    let matches = if search.trim().len() >= 4 {
        find_correlations(store, &search, 8)
    } else {
        Vec::new()
    };

    html! {
        <section class="panel trace-view" data-testid="trace-view">
            <div class="panel-head">
                <h2 class="panel-title">{"Trace"}</h2>
                <label class="trace-search">{"Correlation id"}
                    <input value={(*search).clone()} oninput={on_search} placeholder="first 4+ hex digits" data-testid="trace-search" />
                </label>
            </div>
            if !matches.is_empty() {
                <ul class="links trace-matches">
                    { for matches.iter().map(|id| {
                        let picked = picked.clone();
                        let id = *id;
                        html! { <li><button type="button" class="link mono" onclick={Callback::from(move |_| picked.set(Some(id)))} data-testid="trace-match">{ id.to_string() }</button></li> }
                    }) }
                </ul>
            }
            { match correlation {
                None => html! { <p class="empty">{"Select any event (in the log, a table or the graph), or search a correlation id, to see its whole flow."}</p> },
                Some(correlation) => {
                    let trace = Trace::of(store, correlation, cursor);
                    html! { <TraceBody trace_id={correlation} revision={state.revision} selected={state.timeline.selected} empty={trace.is_empty()} /> }
                }
            } }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct TraceBodyProps {
    trace_id: CorrelationId,
    revision: u64,
    selected: Option<Position>,
    empty: bool,
}

#[function_component(TraceBody)]
fn trace_body(props: &TraceBodyProps) -> Html {
    let state = use_app();
    let session = state.session();
    let store = session.shop().store();
    let cursor = session.shop().cursor();
    let trace: Trace<'_, ShopEvent> = Trace::of(store, props.trace_id, cursor);
    if props.empty {
        return html! { <p class="empty">{"Nothing of this flow had happened yet at this point in time."}</p> };
    }
    let select = |position: Position| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::Select(Some(position))))
    };
    let (fan_in, fan_out) = trace.fan();
    let dangling: Vec<_> = trace.dangling().collect();
    html! {
        <>
            <p class="muted" data-testid="trace-summary">
                { format!("{} · {} events · {} lanes · fan-out at {} events · fan-in at {}",
                    props.trace_id.short(), fmt_count(trace.spans.len() as u64), trace.lanes().len(), fan_out, fan_in) }
            </p>
            if !dangling.is_empty() {
                <p class="warning" data-testid="dangling">
                    { format!("{} event(s) name a cause that is not in the store: {}", dangling.len(),
                        dangling.iter().map(|s| format!("#{}", s.event.position.0)).collect::<Vec<_>>().join(", ")) }
                </p>
            }
            <h3 class="subhead">{"Waterfall"}</h3>
            { waterfall(&trace, props.selected, &select) }
            <h3 class="subhead">{"Causation graph"}</h3>
            { causation_graph(&trace, props.selected, &select) }
        </>
    }
}

fn waterfall(
    trace: &Trace<'_, ShopEvent>,
    selected: Option<Position>,
    select: &dyn Fn(Position) -> Callback<MouseEvent>,
) -> Html {
    let lanes = trace.lanes();
    let Some((start, end)) = trace.time_range() else {
        return html! {};
    };
    // Idle stretches (a customer browsing) are cut out of the axis, so the backend's flow gets
    // the width instead of a few pixels at the end.
    let plot = WIDTH - LANE_LABEL - 20.0;
    let moments = trace
        .spans
        .iter()
        .flat_map(|span| [span.start.0, span.event.recorded_at.0]);
    let axis = TimeAxis::fit(moments, AxisStyle::new(plot));
    let lanes_h = lanes.len() as f64 * LANE_H;
    let height = lanes_h + 44.0;
    let skipped: i64 = axis.breaks().iter().map(|b| b.skipped_ms).sum();
    html! {
        <svg class="waterfall" viewBox={format!("0 0 {WIDTH} {height}")} data-testid="waterfall" role="img" aria-label="Waterfall: a lane per producer">
            { for lanes.iter().enumerate().map(|(i, lane)| html! {
                <g class="lane">
                    <rect class="lane-bg" x="0" y={(i as f64 * LANE_H).to_string()} width={WIDTH.to_string()} height={LANE_H.to_string()} />
                    <text class="lane-name" x="8" y={format!("{:.1}", i as f64 * LANE_H + 22.0)} fill={lane_colour(lane)} data-testid="lane">{ lane.to_string() }</text>
                </g>
            }) }
            { for axis.breaks().iter().map(|cut| {
                let (x, middle) = (LANE_LABEL + cut.x, LANE_LABEL + cut.x + cut.width / 2.0);
                let skipped = fmt_duration(cut.skipped_ms);
                html! {
                    <g class="axis-break" data-testid="axis-break">
                        <title>{ format!("{skipped} with nothing happening, cut out of the axis") }</title>
                        <rect x={format!("{x:.1}")} y="0" width={format!("{:.1}", cut.width)} height={format!("{lanes_h:.1}")} />
                        <text class="axis-break-mark" x={format!("{middle:.1}")} y={format!("{:.1}", lanes_h + 14.0)} text-anchor="middle">{"⫽"}</text>
                        if cut.width >= 30.0 {
                            <text class="axis" x={format!("{middle:.1}")} y={format!("{:.1}", lanes_h + 28.0)} text-anchor="middle">{ skipped }</text>
                        }
                    </g>
                }
            }) }
            { for trace.spans.iter().map(|span| {
                let row = lanes.iter().position(|l| *l == span.lane).unwrap_or(0) as f64;
                let (left, width) = axis.span(span.start.0, span.event.recorded_at.0);
                let (x0, x1) = (LANE_LABEL + left, LANE_LABEL + left + width);
                let y = row * LANE_H + 9.0;
                let colour = lane_colour(&span.lane);
                let is_selected = selected == Some(span.event.position);
                html! {
                    <g class={classes!("span", is_selected.then_some("selected"))} onclick={select(span.event.position)} data-testid="span" data-lane={span.lane.clone()}
                       data-x={format!("{x0:.1}")} data-width={format!("{width:.1}")}>
                        <title>{ format!("{} #{} · {} UTC", span.event.kind().name(), span.event.position.0, fmt_clock(span.event.recorded_at)) }</title>
                        <rect x={format!("{:.1}", x0)} y={format!("{:.1}", y)} width={format!("{:.1}", width)} height="16" rx="3" fill={colour} opacity="0.85" />
                        <circle cx={format!("{:.1}", x1)} cy={format!("{:.1}", y + 8.0)} r="4" fill={colour} />
                    </g>
                }
            }) }
            <text class="axis" x={LANE_LABEL.to_string()} y={format!("{:.1}", height - 4.0)}>{ format!("{} UTC", fmt_clock(start)) }</text>
            <text class="axis" x={format!("{:.1}", WIDTH - 20.0)} y={format!("{:.1}", height - 4.0)} text-anchor="end" data-testid="waterfall-extent">
                { if skipped > 0 {
                    format!("+{} in all · {} idle cut out (⫽)", fmt_duration(end.0 - start.0), fmt_duration(skipped))
                } else {
                    format!("+{}", fmt_duration(end.0 - start.0))
                } }
            </text>
        </svg>
    }
}

fn causation_graph(
    trace: &Trace<'_, ShopEvent>,
    selected: Option<Position>,
    select: &dyn Fn(Position) -> Callback<MouseEvent>,
) -> Html {
    let depth = trace.spans.iter().map(|s| s.depth).max().unwrap_or(0);
    let mut rows = vec![0usize; depth + 1];
    let mut placed: Vec<(Position, f64, f64)> = Vec::new();
    for span in &trace.spans {
        let row = rows[span.depth];
        rows[span.depth] += 1;
        placed.push((
            span.event.position,
            12.0 + span.depth as f64 * COLUMN_W,
            10.0 + row as f64 * ROW_H,
        ));
    }
    let width = (depth as f64 + 1.0) * COLUMN_W + 20.0;
    let height = rows.iter().copied().max().unwrap_or(1) as f64 * ROW_H + 20.0;
    let at = |position: Position| {
        placed
            .iter()
            .find(|(p, _, _)| *p == position)
            .map(|(_, x, y)| (*x, *y))
    };
    let box_w = COLUMN_W - 30.0;
    html! {
        <div class="causation-frame">
            <svg class="causation-graph" viewBox={format!("0 0 {width} {height}")} width={format!("{width}")} height={format!("{height}")} data-testid="causation-graph"
                 role="img" aria-label="Causation graph: what caused what">
                <defs>
                    <marker id="cause-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" fill="#64748b" />
                    </marker>
                </defs>
                { for trace.spans.iter().flat_map(|span| {
                    let to = at(span.event.position);
                    span.causes.iter().filter_map(move |cause| {
                        let ((x0, y0), (x1, y1)) = (at(*cause)?, to?);
                        let (sx, sy, ex, ey) = (x0 + box_w, y0 + 16.0, x1, y1 + 16.0);
                        let mid = (ex - sx) / 2.0;
                        Some(html! { <path class="cause-edge" d={format!("M {sx:.1} {sy:.1} C {:.1} {sy:.1}, {:.1} {ey:.1}, {ex:.1} {ey:.1}", sx + mid, ex - mid)} marker-end="url(#cause-arrow)" /> })
                    }).collect::<Vec<_>>()
                }) }
                { for trace.spans.iter().filter_map(|span| {
                    let (x, y) = at(span.event.position)?;
                    let colour = lane_colour(&span.lane);
                    let is_selected = selected == Some(span.event.position);
                    let joins = span.causes.len() > 1;
                    Some(html! {
                        <g class={classes!("cause-node", is_selected.then_some("selected"), joins.then_some("join"), span.dangling_cause.is_some().then_some("dangling"))}
                           onclick={select(span.event.position)} data-testid="cause-node">
                            <rect x={format!("{x:.1}")} y={format!("{y:.1}")} width={format!("{box_w:.1}")} height="32" rx="6" />
                            <rect x={format!("{x:.1}")} y={format!("{y:.1}")} width="5" height="32" rx="2" fill={colour} />
                            <text x={format!("{:.1}", x + 10.0)} y={format!("{:.1}", y + 14.0)} class="cause-type">{ span.event.kind().name() }</text>
                            <text x={format!("{:.1}", x + 10.0)} y={format!("{:.1}", y + 27.0)} class="cause-meta">{ format!("#{} · {}", span.event.position.0, span.lane) }</text>
                        </g>
                    })
                }) }
            </svg>
        </div>
    }
}
