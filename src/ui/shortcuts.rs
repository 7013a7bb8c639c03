//! The page's keys: digits switch tabs ([`use_tab_keys`]), `?` shows the
//! panel listing every key ([`ShortcutsButton`]). The flame graph's own
//! keys live with it (`flame/keys.rs`); the panel lists them too.

use web_sys::KeyboardEvent;
use yew::prelude::*;

use super::hooks::{is_typing_in_field, use_document_event};
use super::state::Tab;

/// Every key the page answers, as the panel lists them.
const SHORTCUTS: &[(&str, &str)] = &[
    ("?", "show or hide these shortcuts"),
    ("1 2 3 …", "switch to the first, second, third … tab"),
    ("Tab, Shift+Tab", "move between controls"),
    ("/", "search the flame graph"),
    ("↑", "flame graph: the caller of the focused box"),
    ("↓", "flame graph: its heaviest callee"),
    ("← →", "flame graph: the boxes beside it on its row"),
    ("Enter", "flame graph: zoom to the focused box"),
    ("Backspace, Esc", "flame graph: up one zoom level"),
    ("n, N", "flame graph: next, previous search match"),
    ("s", "flame graph: the focused function's sandwich"),
];

/// Whether a key press is the page's to take: not typed in a field, not a
/// browser or system shortcut.
fn is_page_key(e: &KeyboardEvent) -> bool {
    !is_typing_in_field(e) && !e.ctrl_key() && !e.meta_key() && !e.alt_key()
}

/// Digit `k` switches to the k-th of `tabs` (the tabs shown, in order).
#[hook]
pub fn use_tab_keys(tabs: Vec<Tab>, on_tab: Callback<Tab>) {
    use_document_event("keydown", move |e: KeyboardEvent| {
        if !is_page_key(&e) {
            return;
        }
        let k = e.key();
        let Some(d) = k.parse::<usize>().ok().filter(|_| k.len() == 1) else {
            return;
        };
        if let Some(&t) = d.checked_sub(1).and_then(|i| tabs.get(i)) {
            e.prevent_default();
            on_tab.emit(t);
        }
    });
}

/// The "?" button and the shortcuts panel it and the `?` key toggle.
#[component]
pub fn ShortcutsButton() -> Html {
    let open = use_state(|| false);
    {
        let open = open.clone();
        use_document_event("keydown", move |e: KeyboardEvent| {
            if !is_page_key(&e) {
                return;
            }
            if e.key() == "?" {
                e.prevent_default();
                open.set(!*open);
            } else if e.key() == "Escape" && *open {
                open.set(false);
            }
        });
    }
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let close = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(false))
    };
    html! {
        <>
            <button class="button small" data-testid="shortcuts-toggle" aria-expanded={open.to_string()}
                title="Keyboard shortcuts (?)" onclick={toggle}>{ "Keys ?" }</button>
            if *open {
                <section class="shortcuts" data-testid="shortcuts" role="dialog" aria-label="Keyboard shortcuts">
                    <table>
                        <caption>{ "Keyboard shortcuts" }</caption>
                        <thead><tr><th scope="col">{ "Key" }</th><th scope="col">{ "Does" }</th></tr></thead>
                        <tbody>
                            { for SHORTCUTS.iter().map(|(k, what)| html! {
                                <tr><td><kbd>{ *k }</kbd></td><td>{ *what }</td></tr>
                            }) }
                        </tbody>
                    </table>
                    <button class="button small" onclick={close}>{ "Close" }</button>
                </section>
            }
        </>
    }
}
