//! Effect plumbing the views share: asking the worker, following an
//! element's size, and listening on the document.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, ResizeObserver};
use yew::prelude::*;

use super::WorkerHandle;
use crate::protocol::{
    Answer, FlameScene, GoroutineSummary, Query, Sandwich, SeriesSummary, TopWindow,
};

/// The kinds of answer a view asks for, taken out of an [`Answer`].
pub trait FromAnswer: Sized {
    /// `None` for an answer of another kind (which a view never asks for).
    fn from_answer(answer: Answer) -> Option<Self>;
}

impl FromAnswer for TopWindow {
    fn from_answer(answer: Answer) -> Option<Self> {
        match answer {
            Answer::Top(w) => Some(w),
            _ => None,
        }
    }
}

impl FromAnswer for FlameScene {
    fn from_answer(answer: Answer) -> Option<Self> {
        match answer {
            Answer::Flame(s) => Some(s),
            _ => None,
        }
    }
}

impl FromAnswer for GoroutineSummary {
    fn from_answer(answer: Answer) -> Option<Self> {
        match answer {
            Answer::Goroutines(s) => Some(s),
            _ => None,
        }
    }
}

impl FromAnswer for SeriesSummary {
    fn from_answer(answer: Answer) -> Option<Self> {
        match answer {
            Answer::Series(s) => Some(s),
            _ => None,
        }
    }
}

impl FromAnswer for Sandwich {
    fn from_answer(answer: Answer) -> Option<Self> {
        match answer {
            Answer::Sandwich(s) => Some(s),
            _ => None,
        }
    }
}

/// Text, as in [`Answer::Text`].
impl FromAnswer for String {
    fn from_answer(answer: Answer) -> Option<Self> {
        match answer {
            Answer::Text { text } => Some(text),
            _ => None,
        }
    }
}

/// A view's questions to the worker: the value it shows (the last good
/// answer) and the error it shows (the last failure).
pub struct UseQueryHandle<T> {
    worker: WorkerHandle,
    value: UseStateHandle<Option<T>>,
    error: UseStateHandle<Option<String>>,
}

impl<T> Clone for UseQueryHandle<T> {
    fn clone(&self) -> Self {
        UseQueryHandle {
            worker: self.worker.clone(),
            value: self.value.clone(),
            error: self.error.clone(),
        }
    }
}

impl<T: 'static> UseQueryHandle<T> {
    pub fn value(&self) -> Option<&T> {
        (*self.value).as_ref()
    }

    pub fn error(&self) -> Option<&str> {
        (*self.error).as_deref()
    }

    /// Asks for what the view shows: a good answer becomes the value
    /// (through `into`) and clears the error; a failure keeps the old value
    /// beside the error.
    pub fn fetch<A: FromAnswer>(&self, query: Query, into: impl FnOnce(A) -> T + 'static) {
        let (value, error) = (self.value.clone(), self.error.clone());
        self.worker.query(query, move |answer| match answer {
            Answer::Failed { message } => error.set(Some(message)),
            answer => {
                if let Some(a) = A::from_answer(answer) {
                    error.set(None);
                    value.set(Some(into(a)));
                }
            }
        });
    }

    /// Asks for something the view acts on once (copy, download): the value
    /// stays, and only a failure, of the query or of `then`, shows.
    pub fn ask<A: FromAnswer>(
        &self,
        query: Query,
        then: impl FnOnce(A) -> Result<(), String> + 'static,
    ) {
        let error = self.error.clone();
        self.worker.query(query, move |answer| match answer {
            Answer::Failed { message } => error.set(Some(message)),
            answer => {
                if let Some(Err(message)) = A::from_answer(answer).map(then) {
                    error.set(Some(message));
                }
            }
        });
    }
}

#[hook]
pub fn use_query<T: 'static>(worker: &WorkerHandle) -> UseQueryHandle<T> {
    UseQueryHandle {
        worker: worker.clone(),
        value: use_state(|| None),
        error: use_state(|| None),
    }
}

/// The element's inner width and height in whole CSS pixels: the area its
/// content can show, without borders or a scrollbar that takes space (as
/// Firefox's and WebKitGTK's do), so a canvas of this width is never
/// clipped on the right; `None` until it has been measured.
#[hook]
pub fn use_element_size(node: NodeRef) -> Option<(f64, f64)> {
    let size = use_state_eq(|| None::<(f64, f64)>);
    {
        let size = size.clone();
        use_effect_with((), move |_| {
            let el = node.cast::<HtmlElement>();
            let measure = {
                let el = el.clone();
                move || {
                    if let Some(el) = &el {
                        size.set(Some((el.client_width() as f64, el.client_height() as f64)));
                    }
                }
            };
            measure();
            let on_resize = Closure::<dyn FnMut()>::new(measure);
            let observer = ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok();
            if let (Some(o), Some(el)) = (&observer, &el) {
                o.observe(el);
            }
            move || {
                if let Some(o) = observer {
                    o.disconnect();
                }
                drop(on_resize);
            }
        });
    }
    *size
}

/// Listens to `event` on the document while the component is mounted. The
/// handler given at the latest render runs, so it sees that render's props
/// and state.
#[hook]
pub fn use_document_event<E, F>(event: &'static str, handler: F)
where
    E: JsCast + 'static,
    F: Fn(E) + 'static,
{
    let latest = use_mut_ref(|| None::<Rc<dyn Fn(E)>>);
    *latest.borrow_mut() = Some(Rc::new(handler));
    use_effect_with(event, move |&event| {
        let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            // Cloned out first: the handler may cause a render, which
            // replaces it.
            let handler = latest.borrow().clone();
            if let Some(h) = handler {
                h(e.unchecked_into());
            }
        });
        let doc = web_sys::window().and_then(|w| w.document());
        if let Some(doc) = &doc {
            let _ = doc.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(doc) = doc {
                let _ = doc
                    .remove_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
            }
        }
    });
}

/// Whether an event comes from a field the user types in, where keys and
/// paste belong to the field, not to the page's shortcuts.
pub fn is_typing_in_field(e: &web_sys::Event) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// Rows shown before "Show all": enough for any real dump's distinct
/// stacks to scan, few enough that a pathological file renders at once.
const ROWS_SHOWN: usize = 200;

/// A long list of group rows that open one at a time (the goroutine groups,
/// a series' groups), cut at [`ROWS_SHOWN`] until the user asks for all.
#[derive(Clone)]
pub struct GroupRows {
    show_all: UseStateHandle<bool>,
    open: UseStateHandle<Option<usize>>,
}

impl GroupRows {
    /// How many of `len` rows to render.
    pub fn shown(&self, len: usize) -> usize {
        if *self.show_all {
            len
        } else {
            len.min(ROWS_SHOWN)
        }
    }

    pub fn is_open(&self, i: usize) -> bool {
        *self.open == Some(i)
    }

    /// Opens row `i`, or closes it when open.
    pub fn toggle(&self, i: usize) -> Callback<MouseEvent> {
        let (open, was) = (self.open.clone(), self.is_open(i));
        Callback::from(move |_| open.set(if was { None } else { Some(i) }))
    }

    /// Opens row `i` (a link to it from a hint).
    pub fn open(&self, i: usize) -> Callback<MouseEvent> {
        let open = self.open.clone();
        Callback::from(move |_| open.set(Some(i)))
    }

    /// The "Show all N groups" button, when rows are cut.
    pub fn show_all_button(&self, len: usize) -> Html {
        if self.shown(len) >= len {
            return Html::default();
        }
        let show_all = self.show_all.clone();
        html! {
            <button class="button" onclick={Callback::from(move |_| show_all.set(true))}>
                { format!("Show all {len} groups") }
            </button>
        }
    }
}

#[hook]
pub fn use_group_rows() -> GroupRows {
    GroupRows {
        show_all: use_state(|| false),
        open: use_state(|| None::<usize>),
    }
}

/// A `<select>` that shows `value`, set as a property after each render.
/// The options' `selected` attributes alone do not move the choice in
/// Firefox ESR once another option has been shown: it keeps the old one
/// (the open-mode select stayed on "auto (series)" where Chromium and
/// WebKit showed "series").
#[hook]
pub fn use_select_value(value: String) -> NodeRef {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect(move || {
            if let Some(sel) = node.cast::<web_sys::HtmlSelectElement>() {
                sel.set_value(&value);
            }
        });
    }
    node
}
