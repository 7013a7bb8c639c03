//! The tooltip over the box under the pointer.

use yew::prelude::*;

use crate::protocol::FlameBox;
use crate::view::measurement;

/// The box under the pointer, and where the pointer is on the canvas.
#[derive(Clone, PartialEq)]
pub struct Hover {
    pub b: FlameBox,
    pub x: f64,
    pub y: f64,
}

#[derive(Properties, PartialEq)]
pub struct FlameTooltipProps {
    pub hover: Hover,
    pub unit: String,
    /// The scene's total, for the shares.
    pub total: i64,
    /// The canvas width, which the tooltip stays inside.
    pub width: f64,
    /// The base's total when the boxes are sized by the base: the box's
    /// size and self are then the base's, and their shares are of this.
    #[prop_or_default]
    pub base_total: Option<i64>,
}

#[component]
pub fn FlameTooltip(props: &FlameTooltipProps) -> Html {
    let (h, unit) = (&props.hover, &props.unit);
    let share = |v: i64, of: i64| measurement::percentage(v, of).trim().to_string();
    let pct = |v: i64| share(v, props.total);
    let left = (h.x + 14.0).min((props.width - 320.0).max(0.0));
    let style = format!("left:{left}px;top:{}px", h.y + 16.0);
    html! {
        <div class="tooltip" data-testid="tooltip" {style}>
            <div class="tt-name">{ h.b.name.clone() }</div>
            if !h.b.file.is_empty() { <div class="tt-file">{ h.b.file.clone() }</div> }
            if let (Some(base_total), Some(base)) = (props.base_total, h.b.base) {
                <div>{ format!("base total {} ({})", measurement::label(base, unit), share(base, base_total)) }</div>
                <div>{ format!("base self {} ({})", measurement::label(h.b.self_value, unit), share(h.b.self_value, base_total)) }</div>
            } else {
                <div>{ format!("total {} ({})", measurement::label(h.b.total, unit), pct(h.b.total)) }</div>
                <div>{ format!("self {} ({})", measurement::label(h.b.self_value, unit), pct(h.b.self_value)) }</div>
            }
            if let Some(base) = h.b.base {
                <div class="tt-diff" data-testid="tooltip-diff">
                    <div>{ format!("base {}", measurement::label(base, unit)) }</div>
                    <div>{ format!("new {}", measurement::label(h.b.total, unit)) }</div>
                    <div>{ format!("delta {}{}", if h.b.total >= base { "+" } else { "" }, measurement::label(h.b.total - base, unit)) }</div>
                    <div>{ format!("delta% {}", delta_pct(base, h.b.total)) }</div>
                </div>
            }
        </div>
    }
}

/// The change as a share of the base; a path the base lacks is "new".
fn delta_pct(base: i64, new: i64) -> String {
    if base == 0 {
        return if new == 0 { "0%".into() } else { "new".into() };
    }
    format!("{:+.2}%", (new - base) as f64 * 100.0 / base.abs() as f64)
}
