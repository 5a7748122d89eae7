//! A virtualised list: only the rows in view (plus a few) are in the DOM, so a million rows
//! scroll as smoothly as ten.

use web_sys::Element;
use yew::prelude::*;

/// Browsers stop laying out elements somewhere above 33 million pixels; beyond this the list
/// maps its scroll position proportionally onto the rows instead.
const MAX_SCROLL_PX: f64 = 30_000_000.0;
const OVERSCAN: usize = 6;
/// However tall the list is laid out, no more rows than this are ever in the DOM.
const MAX_RENDERED: usize = 150;

#[derive(Properties, PartialEq)]
pub struct VirtualListProps {
    pub count: usize,
    pub row_height: u32,
    /// Renders the row at an index.
    pub render: Callback<usize, Html>,
    /// Keeps this row in view whenever it changes (the cursor's row, say).
    #[prop_or_default]
    pub follow: Option<usize>,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    #[prop_or_default]
    pub label: Option<AttrValue>,
}

#[function_component(VirtualList)]
pub fn virtual_list(props: &VirtualListProps) -> Html {
    let container = use_node_ref();
    let scroll_top = use_state(|| 0.0_f64);
    let viewport = use_state(|| 480.0_f64);
    let row = f64::from(props.row_height.max(1));
    let natural = props.count as f64 * row;
    let total = natural.min(MAX_SCROLL_PX);

    let onscroll = {
        let container = container.clone();
        let scroll_top = scroll_top.setter();
        let viewport = viewport.setter();
        Callback::from(move |_: Event| {
            if let Some(element) = container.cast::<Element>() {
                scroll_top.set(f64::from(element.scroll_top()));
                viewport.set(f64::from(element.client_height()));
            }
        })
    };

    // Keep the followed row in view, and learn the real viewport height once mounted.
    {
        let container = container.clone();
        let viewport = viewport.setter();
        let count = props.count;
        use_effect_with((props.follow, count), move |(follow, count)| {
            if let Some(element) = container.cast::<Element>() {
                let height = f64::from(element.client_height()).max(row);
                viewport.set(height);
                if let Some(index) = *follow {
                    let (top, _) = scroll_for(index, *count, row, height);
                    let current = f64::from(element.scroll_top());
                    if top < current || top + row > current + height {
                        element.set_scroll_top((top - height + 2.0 * row).max(0.0) as i32);
                    }
                }
            }
        });
    }

    let height = (*viewport).max(row);
    let first = first_visible(*scroll_top, props.count, row, height, total, natural);
    let visible = ((height / row).ceil() as usize + 1).min(MAX_RENDERED);
    let start = first.saturating_sub(OVERSCAN);
    let end = (first + visible + OVERSCAN).min(props.count);
    let offset = |index: usize| {
        if natural <= MAX_SCROLL_PX {
            index as f64 * row
        } else {
            // Rows are laid out relative to the first visible one, which sits at the scroll top.
            *scroll_top + (index as f64 - first as f64) * row
        }
    };

    html! {
        <div ref={container} class={classes!("virtual-list", props.class.clone())} {onscroll}
             data-testid={props.testid.clone()} role="list" aria-label={props.label.clone()} tabindex="0">
            <div class="virtual-spacer" style={format!("height:{total}px")}>
                { for (start..end).map(|index| html! {
                    <div key={index} class="virtual-row" role="listitem"
                         style={format!("top:{}px;height:{}px", offset(index), props.row_height)}>
                        { props.render.emit(index) }
                    </div>
                }) }
            </div>
        </div>
    }
}

/// The first row in view at a scroll position, exact below the browser's limit and
/// proportional above it.
fn first_visible(
    scroll_top: f64,
    count: usize,
    row: f64,
    height: f64,
    total: f64,
    natural: f64,
) -> usize {
    if count == 0 {
        return 0;
    }
    let index = if natural <= MAX_SCROLL_PX {
        scroll_top / row
    } else {
        let travel = (total - height).max(1.0);
        let rows_in_view = (height / row).floor();
        (scroll_top / travel) * (count as f64 - rows_in_view).max(0.0)
    };
    (index.floor().max(0.0) as usize).min(count - 1)
}

/// The scroll position that shows `index`, and the total height.
fn scroll_for(index: usize, count: usize, row: f64, height: f64) -> (f64, f64) {
    let natural = count as f64 * row;
    if natural <= MAX_SCROLL_PX {
        (index as f64 * row, natural)
    } else {
        let travel = (MAX_SCROLL_PX - height).max(1.0);
        let rows_in_view = (height / row).floor();
        let fraction = index as f64 / (count as f64 - rows_in_view).max(1.0);
        ((fraction * travel).min(travel), MAX_SCROLL_PX)
    }
}
