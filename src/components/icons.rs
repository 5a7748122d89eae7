//! The timeline's icons as inline SVG: bundled with the app, the same in every font.

use yew::prelude::*;

/// The icons the timeline uses, drawn on a 24×24 grid.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    Start,
    StepBack,
    Play,
    Pause,
    StepForward,
    End,
}

impl Icon {
    fn path(self) -> &'static str {
        match self {
            Icon::Start => "M5 5h2.5v14H5zM20 5v14L9 12z",
            Icon::StepBack => "M6 5h2.5v14H6zM19 5v14L10 12z",
            Icon::Play => "M7 4.5v15L20 12z",
            Icon::Pause => "M6 5h4.5v14H6zM13.5 5H18v14h-4.5z",
            Icon::StepForward => "M15.5 5H18v14h-2.5zM5 5v14l9-7z",
            Icon::End => "M16.5 5H19v14h-2.5zM4 5v14l11-7z",
        }
    }
}

pub fn icon(icon: Icon) -> Html {
    html! {
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d={icon.path()} /></svg>
    }
}
