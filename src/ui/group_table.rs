//! The goroutine views' tables of groups: one `<tbody>` per group, whose
//! first row summarises the group and shows or hides the rows below it
//! with the group's stack. A `<tbody>` per group keeps a group's rows
//! together, for screen readers and for its `#group-N` anchor, while every
//! group shares the table's columns and headers.

use yew::prelude::*;

/// The header row: one `<th scope="col">` per column; a column named with
/// a leading `#` holds numbers and is aligned right.
pub fn head(columns: &[&'static str]) -> Html {
    html! {
        <thead>
            <tr>
                { for columns.iter().map(|c| match c.strip_prefix('#') {
                    Some(c) => html! { <th scope="col" class="num">{ c }</th> },
                    None => html! { <th scope="col">{ *c }</th> },
                }) }
            </tr>
        </thead>
    }
}

/// The group's summary row. Its first cell holds the button that shows or
/// hides the details, so a keyboard reaches it; a click anywhere on the row
/// does the same, as the button's click reaches the row.
pub fn summary_row(
    is_open: bool,
    toggle: Callback<MouseEvent>,
    first_class: &'static str,
    first: Html,
    rest: Html,
) -> Html {
    let title = if is_open {
        "Hide the stack"
    } else {
        "Show the stack"
    };
    html! {
        <tr class="group-summary" onclick={toggle}>
            <td class={first_class}>
                <button class="group-toggle" aria-expanded={is_open.to_string()} {title}>
                    <span class="disclosure" aria-hidden="true">{ if is_open { "▾" } else { "▸" } }</span>
                    { first }
                </button>
            </td>
            { rest }
        </tr>
    }
}

/// A row under the summary spanning every column.
pub fn detail_row(class: &'static str, columns: usize, content: Html) -> Html {
    html! {
        <tr class={class}><td colspan={columns.to_string()}>{ content }</td></tr>
    }
}
