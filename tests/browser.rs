//! Component tests in headless Chromium (wasm-bindgen-test).
//! Run with `cargo test --target wasm32-unknown-unknown --test browser`.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use pprof_lens::analysis::filter::Options;
use pprof_lens::decode::Stage;
use pprof_lens::model::builder::ProfileBuilder;
use pprof_lens::protocol::{SampleTypeInfo, Summary};
use pprof_lens::session::Session;
use pprof_lens::ui::{
    ProfileHeader, ProfileHeaderProps, Status, StatusLine, StatusLineProps, Tab, TopView, TopViewProps, WorkerHandle,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts a component with props into a fresh element and lets yew render.
async fn mount<C>(props: C::Properties) -> Element
where
    C: BaseComponent,
{
    let doc = gloo_document();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    root
}

fn gloo_document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn by_testid(root: &Element, id: &str) -> Element {
    root.query_selector(&format!("[data-testid=\"{id}\"]")).unwrap().unwrap_or_else(|| panic!("no {id}"))
}

#[wasm_bindgen_test]
async fn status_line_reports_state_and_progress() {
    let root = mount::<StatusLine>(StatusLineProps {
        status: Status::Loading,
        name: Some("big.pb.gz".into()),
        progress: Some((Stage::Decoding, 512 * 1024, 1024 * 1024)),
        on_cancel: None,
    })
    .await;
    let status = by_testid(&root, "status");
    assert_eq!(status.get_attribute("data-state").as_deref(), Some("loading"));
    let text = status.text_content().unwrap();
    assert!(text.contains("decoding big.pb.gz"), "{text}");
    assert!(text.contains("512.0 KB of 1.0 MB"), "{text}");
    let progress = by_testid(&root, "progress");
    assert_eq!(progress.get_attribute("value").as_deref(), Some("50"));
}

fn summary(name: &str) -> Summary {
    Summary {
        name: name.into(),
        bytes: 10,
        kind: "pprof protobuf (gzipped)".into(),
        sample_types: vec![
            SampleTypeInfo { name: "samples".into(), unit: "count".into() },
            SampleTypeInfo { name: "cpu".into(), unit: "nanoseconds".into() },
        ],
        default_index: 1,
        totals: vec![576, 5_780_000_000],
        samples: 576,
        duration_nanos: 3_140_000_000,
        time_nanos: 0,
        period: 10_000_000,
        period_type: Some(SampleTypeInfo { name: "cpu".into(), unit: "nanoseconds".into() }),
        has_goroutines: false,
        warnings: vec!["line 7: not a frame".into()],
        warning_count: 3,
    }
}

#[wasm_bindgen_test]
async fn header_offers_every_sample_type_and_shows_text_only() {
    let props = ProfileHeaderProps {
        summary: Rc::new(summary("<img src=x onerror=alert(1)>.pb.gz")),
        opts: Options::default(),
        tab: Tab::Top,
        dispatch: Callback::noop(),
    };
    let root = mount::<ProfileHeader>(props).await;
    let select: HtmlSelectElement = by_testid(&root, "sample-type").dyn_into().unwrap();
    let values: Vec<String> = (0..select.length())
        .map(|i| select.item(i).unwrap().dyn_into::<web_sys::HtmlOptionElement>().unwrap().value())
        .collect();
    assert_eq!(values, vec!["samples", "cpu"]);
    assert_eq!(select.value(), "cpu", "pprof's default: the last type");
    assert_eq!(by_testid(&root, "total").text_content().unwrap(), "total 5.78s");
    let facts = by_testid(&root, "kind").text_content().unwrap();
    assert!(facts.contains("duration 3.14s") && facts.contains("576 samples"), "{facts}");
    assert!(by_testid(&root, "warning").text_content().unwrap().contains("line 7: not a frame"));
    assert!(root.query_selector("[data-testid=tab-goroutines]").unwrap().is_none());
    // File names are shown as text, never parsed as HTML.
    let name = by_testid(&root, "file-name");
    assert_eq!(name.text_content().unwrap(), "<img src=x onerror=alert(1)>.pb.gz");
    assert!(root.query_selector("img").unwrap().is_none());
}

/// Waits until `f` holds, letting the scheduler and spawned futures run.
async fn until(mut f: impl FnMut() -> bool) {
    for _ in 0..200 {
        if f() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(5).await;
        yew::scheduler::flush().await;
    }
    panic!("condition not met in time");
}

#[wasm_bindgen_test]
async fn top_table_shows_pprof_rows_and_filters_them() {
    let profile = ProfileBuilder::new(&[("samples", "count"), ("cpu", "nanoseconds")])
        .samples(&[
            "main.main;main.work;runtime.mallocgc 3 30000000",
            "main.main;main.work 5 50000000",
            "main.main;main.idle 2 20000000",
        ])
        .build();
    let worker = WorkerHandle::local(Session::new(profile));
    let props = TopViewProps {
        worker,
        generation: 1,
        opts: Options { sample_index: Some(1), ..Options::default() },
        file_name: "cpu.pb.gz".into(),
        dispatch: Callback::noop(),
    };
    let root = mount::<TopView>(props).await;
    until(|| root.query_selector_all("[data-testid=top-row]").unwrap().length() == 4).await;
    let first = root.query_selector("[data-testid=top-row]").unwrap().unwrap().text_content().unwrap();
    assert_eq!(first, "50ms50.00%50.00%80ms80.00%main.work");
    let header = by_testid(&root, "top-header").text_content().unwrap();
    assert!(header.contains("Showing nodes accounting for 100ms, 100% of 100ms total"), "{header}");

    // The name filter keeps matching rows only.
    let input: HtmlInputElement = by_testid(&root, "top-filter").dyn_into().unwrap();
    input.set_value("^runtime\\.");
    input.dispatch_event(&web_sys::InputEvent::new("input").unwrap()).unwrap();
    until(|| root.query_selector_all("[data-testid=top-row]").unwrap().length() == 1).await;
    let only = root.query_selector("[data-testid=top-row]").unwrap().unwrap().text_content().unwrap();
    assert!(only.ends_with("runtime.mallocgc"), "{only}");
}
