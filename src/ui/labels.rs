//! The labels panel: the samples' label keys and values with their share
//! of the total (pprof's `-tags`), a click to focus or ignore one value,
//! and pprof's tag options as text inputs (`tagfocus`, `tagignore`,
//! `tagshow`, `taghide`, `tagroot`, `tagleaf`), applied on Enter.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::hooks::{use_query, FromAnswer};
use super::WorkerHandle;
use crate::protocol::{Answer, LabelsView, Query, ReportOptions};

impl FromAnswer for LabelsView {
    fn from_answer(answer: Answer) -> Option<Self> {
        match answer {
            Answer::Labels(v) => Some(v),
            _ => None,
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct LabelsPanelProps {
    pub worker: WorkerHandle,
    pub generation: u32,
    pub opts: ReportOptions,
    pub on_options: Callback<ReportOptions>,
}

type Setter = fn(&mut ReportOptions, String);

/// The tag options: label, test id, help, and how each is set.
const TAG_OPTIONS: [(&str, &str, &str, Setter); 6] = [
    (
        "tagfocus",
        "tagfocus",
        "keep samples with a matching label: [key=]regex[,regex] or [key=]range such as bytes=1kb:64kb, :1kb, 64kb:",
        |o, v| o.tagfocus = v,
    ),
    (
        "tagignore",
        "tagignore",
        "drop samples with a matching label, same syntax as tagfocus",
        |o, v| o.tagignore = v,
    ),
    (
        "tagshow",
        "tagshow",
        "list only the label keys matching this regex",
        |o, v| o.tagshow = v,
    ),
    (
        "taghide",
        "taghide",
        "hide the label keys matching this regex",
        |o, v| o.taghide = v,
    ),
    (
        "tagroot",
        "tagroot",
        "label keys (comma-separated) whose values become frames at the root of every stack",
        |o, v| o.tagroot = v,
    ),
    (
        "tagleaf",
        "tagleaf",
        "label keys (comma-separated) whose values become frames at the leaf of every stack",
        |o, v| o.tagleaf = v,
    ),
];

fn current(o: &ReportOptions, id: &str) -> String {
    match id {
        "tagfocus" => o.tagfocus.clone(),
        "tagignore" => o.tagignore.clone(),
        "tagshow" => o.tagshow.clone(),
        "taghide" => o.taghide.clone(),
        "tagroot" => o.tagroot.clone(),
        _ => o.tagleaf.clone(),
    }
}

#[component]
pub fn LabelsPanel(props: &LabelsPanelProps) -> Html {
    let labels = use_query::<((u32, ReportOptions), LabelsView)>(&props.worker);
    let key = (props.generation, props.opts.clone());
    {
        let labels = labels.clone();
        let fresh = labels.value().is_some_and(|(k, _)| *k == key);
        use_effect_with((key, fresh), move |(key, fresh)| {
            if !fresh {
                let key = key.clone();
                labels.fetch(
                    Query::Labels {
                        opts: key.1.clone(),
                    },
                    move |v: LabelsView| (key, v),
                );
            }
            || ()
        });
    }

    let inputs = TAG_OPTIONS.iter().map(|&(label, id, help, set)| {
        let on_options = props.on_options.clone();
        let opts = props.opts.clone();
        // Applied on Enter, read from the key press itself: Firefox does
        // not always send `change` for Enter in an input outside a form.
        let onkeydown = Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Enter" {
                return;
            }
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut o = opts.clone();
            set(&mut o, input.value().trim().to_string());
            if o != opts {
                on_options.emit(o);
            }
        });
        html! {
            <label class="field small" title={format!("pprof -{label}: {help} (press Enter)")}>
                { label }
                <input type="text" data-testid={id} value={current(&props.opts, id)} {onkeydown} spellcheck="false" />
            </label>
        }
    });

    let pick = |filter: Option<String>, ignore: bool| {
        let on_options = props.on_options.clone();
        let opts = props.opts.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            if let Some(f) = filter.clone() {
                let mut o = opts.clone();
                if ignore {
                    o.tagignore = f;
                } else {
                    o.tagfocus = f;
                }
                on_options.emit(o);
            }
        })
    };

    let body = match labels.value() {
        Some((_, v)) if v.keys.is_empty() => html! {
            <p class="muted" data-testid="labels-empty">{ "No sample carries a label here." }</p>
        },
        Some((_, v)) => html! {
            { for v.keys.iter().map(|k| html! {
                <div class="label-key" key={k.key.clone()} data-testid="label-key" data-key={k.key.clone()}>
                    <div class="label-key-head">
                        <b>{ &k.key }</b>
                        if k.numeric { <span class="muted">{ " (number)" }</span> }
                        <span class="muted">{ format!(" · {}", k.total) }</span>
                    </div>
                    { for k.values.iter().map(|val| {
                        let bar = format!("width:{:.2}%", (val.share * 100.0).min(100.0));
                        let title = match &val.filter {
                            Some(f) => format!("Focus on {}={} (tagfocus={f})", k.key, val.value),
                            None => "pprof's syntax cannot pick this value alone".to_string(),
                        };
                        html! {
                            <div class="label-value" key={val.value.clone()} role="button" tabindex="0"
                                data-testid="label-value" data-key={k.key.clone()} data-value={val.value.clone()}
                                data-filter={val.filter.clone().unwrap_or_default()}
                                onclick={pick(val.filter.clone(), false)} {title}>
                                <span class="label-bar" style={bar} />
                                <span class="label-name">{ &val.value }</span>
                                <span class="num">{ &val.amount }</span>
                                <span class="num">{ val.percent.trim() }</span>
                                <button class="button small" data-testid="label-ignore"
                                    title={format!("Ignore samples with {}={}", k.key, val.value)}
                                    disabled={val.filter.is_none()}
                                    onclick={pick(val.filter.clone(), true)}>{ "ignore" }</button>
                            </div>
                        }
                    }) }
                </div>
            }) }
        },
        None => html! {},
    };

    html! {
        <section class="labels-panel" data-testid="labels-panel">
            <div class="toolbar">{ for inputs }</div>
            if let Some(e) = labels.error() {
                <div class="banner error inline" data-testid="labels-error">{ e.to_string() }</div>
            }
            <div class="label-keys">{ body }</div>
        </section>
    }
}
