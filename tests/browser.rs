//! Component tests in headless Chromium (wasm-bindgen-test).
//! Run with `cargo test --target wasm32-unknown-unknown --test browser`.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use pprof_lens::analysis::options::ReportOptions;
use pprof_lens::decode::Stage;
use pprof_lens::model::builder::ProfileBuilder;
use pprof_lens::protocol::{Answer, Query};
use pprof_lens::protocol::{CompareMode, Inputs, SampleTypeInfo, Summary};
use pprof_lens::session::Session;
use pprof_lens::ui::{
    Change, FlameView, FlameViewProps, GoroutinesView, GoroutinesViewProps, ProfileHeader,
    ProfileHeaderProps, SeriesSummaryView, SeriesSummaryViewProps, SeriesView, SeriesViewProps,
    Status, StatusLine, StatusLineProps, Tab, TopView, TopViewProps, WorkerHandle,
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
    root.query_selector(&format!("[data-testid=\"{id}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no {id}"))
}

#[wasm_bindgen_test]
async fn status_line_reports_state_and_progress() {
    let root = mount::<StatusLine>(StatusLineProps {
        status: Status::Loading,
        name: Some("big.pb.gz".into()),
        progress: Some(pprof_lens::ui::LoadProgress {
            stage: Stage::Decoding,
            done: 512 * 1024,
            total: 1024 * 1024,
            files: None,
        }),
        on_cancel: None,
        worker_ready: true,
    })
    .await;
    let status = by_testid(&root, "status");
    assert_eq!(
        status.get_attribute("data-state").as_deref(),
        Some("loading")
    );
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
            SampleTypeInfo {
                name: "samples".into(),
                unit: "count".into(),
            },
            SampleTypeInfo {
                name: "cpu".into(),
                unit: "nanoseconds".into(),
            },
        ],
        default_index: 1,
        totals: vec![576, 5_780_000_000],
        samples: 576,
        duration_nanos: 3_140_000_000,
        time_nanos: 0,
        period: 10_000_000,
        period_type: Some(SampleTypeInfo {
            name: "cpu".into(),
            unit: "nanoseconds".into(),
        }),
        has_goroutines: false,
        warnings: vec!["line 7: not a frame".into()],
        warning_count: 3,
        inputs: Default::default(),
        fetch: None,
    }
}

#[wasm_bindgen_test]
async fn header_offers_every_sample_type_and_shows_text_only() {
    let props = ProfileHeaderProps {
        summary: Rc::new(summary("<img src=x onerror=alert(1)>.pb.gz")),
        opts: ReportOptions::default(),
        tab: Tab::Top,
        on_sample_index: Callback::noop(),
        on_tab: Callback::noop(),
        on_change: Callback::noop(),
    };
    let root = mount::<ProfileHeader>(props).await;
    let select: HtmlSelectElement = by_testid(&root, "sample-type").dyn_into().unwrap();
    let values: Vec<String> = (0..select.length())
        .map(|i| {
            select
                .item(i)
                .unwrap()
                .dyn_into::<web_sys::HtmlOptionElement>()
                .unwrap()
                .value()
        })
        .collect();
    assert_eq!(values, vec!["samples", "cpu"]);
    assert_eq!(select.value(), "cpu", "pprof's default: the last type");
    assert_eq!(
        by_testid(&root, "total").text_content().unwrap(),
        "total 5.78s"
    );
    let facts = by_testid(&root, "kind").text_content().unwrap();
    assert!(
        facts.contains("duration 3.14s") && facts.contains("576 samples"),
        "{facts}"
    );
    assert!(by_testid(&root, "warning")
        .text_content()
        .unwrap()
        .contains("line 7: not a frame"));
    assert!(root
        .query_selector("[data-testid=tab-goroutines]")
        .unwrap()
        .is_none());
    // File names are shown as text, never parsed as HTML.
    let name = by_testid(&root, "file-name");
    assert_eq!(
        name.text_content().unwrap(),
        "<img src=x onerror=alert(1)>.pb.gz"
    );
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
    let worker = local(profile);
    let props = TopViewProps {
        worker,
        generation: 1,
        opts: ReportOptions {
            sample_index: Some(1),
            ..ReportOptions::default()
        },
        file_name: "cpu.pb.gz".into(),
        on_options: Callback::noop(),
        on_show_in_flame: Callback::noop(),
        on_show_in_sandwich: Callback::noop(),
        order: None,
        on_order: Callback::noop(),
    };
    let root = mount::<TopView>(props).await;
    until(|| {
        root.query_selector_all("[data-testid=top-row]")
            .unwrap()
            .length()
            == 4
    })
    .await;
    let first = root
        .query_selector("[data-testid=top-row]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    // The row's cells, then its sandwich action (⇅).
    assert_eq!(first, "50ms50.00%50.00%80ms80.00%main.work\u{21c5}");
    assert_eq!(
        root.query_selector_all("[data-testid=row-sandwich]")
            .unwrap()
            .length(),
        4
    );
    let header = by_testid(&root, "top-header").text_content().unwrap();
    assert!(
        header.contains("Showing nodes accounting for 100ms, 100% of 100ms total"),
        "{header}"
    );

    // The name filter keeps matching rows only.
    let input: HtmlInputElement = by_testid(&root, "top-filter").dyn_into().unwrap();
    input.set_value("^runtime\\.");
    input
        .dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    until(|| {
        root.query_selector_all("[data-testid=top-row]")
            .unwrap()
            .length()
            == 1
    })
    .await;
    let only = root
        .query_selector("[data-testid=top-row]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(only.ends_with("runtime.mallocgc\u{21c5}"), "{only}");
}

/// A worker handle answering from a session in the page.
fn local(profile: pprof_lens::model::Profile) -> WorkerHandle {
    let session = std::cell::RefCell::new(Session::new(profile));
    WorkerHandle::local(move |q| session.borrow_mut().answer(q))
}

/// Gives the test document the sizes the stylesheet would give.
fn add_style(css: &str) {
    let doc = gloo_document();
    let style = doc.create_element("style").unwrap();
    style.set_text_content(Some(css));
    doc.head().unwrap().append_child(&style).unwrap();
}

#[wasm_bindgen_test]
async fn flame_view_paints_zooms_and_searches() {
    add_style(".flame-scroll{height:300px;width:800px;overflow-y:auto;position:relative} .flame-sticky{position:sticky;top:0}");
    let profile = ProfileBuilder::new(&[("samples", "count")])
        .samples(&[
            "main.main;net/http.(*conn).serve;main.handler;runtime.mallocgc 30",
            "main.main;net/http.(*conn).serve;main.handler 50",
            "main.main;main.idle 20",
        ])
        .build();
    let props = FlameViewProps {
        worker: local(profile),
        generation: 1,
        opts: ReportOptions::default(),
        target: None,
        how: None,
        class: yew::Classes::new(),
        file_name: "profile.pb.gz".into(),
        on_sandwich: None,
        zoom_path: None,
        on_zoom_path: Callback::noop(),
        on_zoom_missing: Callback::noop(),
    };
    let root = mount::<FlameView>(props).await;
    let canvas: web_sys::HtmlCanvasElement = by_testid(&root, "flame-canvas").dyn_into().unwrap();
    until(|| canvas.get_attribute("data-drawn").as_deref() == Some("true")).await;
    assert!(
        canvas.width() >= 800,
        "backing store sized to the container: {}",
        canvas.width()
    );
    // Something other than the background was painted on row 1 (main.main spans the width).
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let dpr = web_sys::window().unwrap().device_pixel_ratio();
    let px = ctx
        .get_image_data(10.0 * dpr, 27.0 * dpr, 1.0, 1.0)
        .unwrap()
        .data();
    assert_ne!(
        (px[0], px[1], px[2]),
        (255, 255, 255),
        "main.main's box is drawn"
    );

    // Hovering shows a tooltip with the function, its total and share.
    let hover = |x: f64, y: f64, kind: &str| {
        let init = web_sys::MouseEventInit::new();
        let r = canvas.get_bounding_client_rect();
        init.set_client_x((r.left() + x) as i32);
        init.set_client_y((r.top() + y) as i32);
        init.set_bubbles(true);
        canvas
            .dispatch_event(
                &web_sys::MouseEvent::new_with_mouse_event_init_dict(kind, &init).unwrap(),
            )
            .unwrap();
    };
    hover(10.0, 45.0, "mousemove");
    until(|| {
        root.query_selector("[data-testid=tooltip]")
            .unwrap()
            .is_some()
    })
    .await;
    let tip = by_testid(&root, "tooltip").text_content().unwrap();
    assert!(
        tip.contains("net/http.(*conn).serve") && tip.contains("total 80 (80.00%)"),
        "{tip}"
    );

    // Clicking zooms: the breadcrumb gains the node.
    hover(10.0, 63.0, "click");
    until(|| {
        by_testid(&root, "flame-breadcrumb")
            .text_content()
            .unwrap()
            .contains("main.handler")
    })
    .await;

    // Search reports its share of the total.
    let search: HtmlInputElement = by_testid(&root, "flame-search").dyn_into().unwrap();
    search.set_value("mallocgc");
    search
        .dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    until(|| {
        root.query_selector("[data-testid=flame-search-info]")
            .unwrap()
            .is_some_and(|e| {
                e.text_content()
                    .unwrap()
                    .contains("1 match · 30.00% of total")
            })
    })
    .await;
}

/// The flame view goes to the zoom a URL asks for, as child indices, and
/// says when the path leads past the tree.
#[wasm_bindgen_test]
async fn flame_view_zooms_to_a_url_path_or_says_it_is_missing() {
    add_style(".flame-scroll{height:300px;width:800px;overflow-y:auto;position:relative} .flame-sticky{position:sticky;top:0}");
    let profile = || {
        ProfileBuilder::new(&[("samples", "count")])
            .samples(&[
                "main.main;main.serve;main.handler 50",
                "main.main;main.idle 20",
            ])
            .build()
    };
    let missing = Rc::new(std::cell::Cell::new(0));
    for (path, crumbs, missed) in [(vec![0, 0], 3, 0), (vec![0, 9], 1, 1)] {
        let m = missing.clone();
        let props = FlameViewProps {
            worker: local(profile()),
            generation: 1,
            opts: ReportOptions::default(),
            target: None,
            how: None,
            class: yew::Classes::new(),
            file_name: "profile.pb.gz".into(),
            on_sandwich: None,
            zoom_path: Some(path.clone()),
            on_zoom_path: Callback::noop(),
            on_zoom_missing: Callback::from(move |()| m.set(m.get() + 1)),
        };
        let root = mount::<FlameView>(props).await;
        let count = || {
            by_testid(&root, "flame-breadcrumb")
                .query_selector_all(".crumb")
                .unwrap()
                .length()
        };
        until(|| count() == crumbs && missing.get() == missed).await;
        assert_eq!((count(), missing.get()), (crumbs, missed), "{path:?}");
    }
}

#[wasm_bindgen_test]
async fn goroutine_view_counts_states_groups_and_explains() {
    let dump = "fatal error: all goroutines are asleep - deadlock!\n\n\
        goroutine 1 [semacquire]:\nsync.runtime_Semacquire(0xc000012345?)\n\t/usr/lib/go/src/runtime/sema.go:62 +0x25\n\
        sync.(*WaitGroup).Wait(0x0?)\n\t/usr/lib/go/src/sync/waitgroup.go:116 +0x48\nmain.main()\n\t/app/main.go:20 +0x95\n\n\
        goroutine 6 [chan receive, 3 minutes]:\nmain.worker(0xc000020060)\n\t/app/main.go:9 +0x65\ncreated by main.main in goroutine 1\n\t/app/main.go:16 +0x4f\n\n\
        goroutine 7 [chan receive, 5 minutes]:\nmain.worker(0xc000020060)\n\t/app/main.go:9 +0x65\ncreated by main.main in goroutine 1\n\t/app/main.go:16 +0x4f\n";
    let profile = pprof_lens::decode::decode(dump.as_bytes()).expect("a traceback");
    let props = GoroutinesViewProps {
        worker: local(profile),
        generation: 1,
        series: None,
        file_name: "dump.txt".into(),
    };
    let root = mount::<GoroutinesView>(props).await;
    until(|| {
        root.query_selector("[data-testid=goroutine-total]")
            .unwrap()
            .is_some()
    })
    .await;
    assert_eq!(
        by_testid(&root, "goroutine-total").text_content().unwrap(),
        "3"
    );
    let rows = root.query_selector_all("[data-testid=state-row]").unwrap();
    let states: Vec<(String, String)> = (0..rows.length())
        .map(|i| {
            let e: Element = rows.item(i).unwrap().dyn_into().unwrap();
            (
                e.get_attribute("data-state").unwrap(),
                e.get_attribute("data-count").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        vec![
            ("chan receive".to_string(), "2".to_string()),
            ("semacquire".to_string(), "1".to_string())
        ]
    );
    let groups = root
        .query_selector_all("[data-testid=goroutine-group]")
        .unwrap();
    let counts: Vec<String> = (0..groups.length())
        .map(|i| {
            groups
                .item(i)
                .unwrap()
                .dyn_into::<Element>()
                .unwrap()
                .get_attribute("data-count")
                .unwrap()
        })
        .collect();
    assert_eq!(
        counts
            .iter()
            .map(|c| c.parse::<u32>().unwrap())
            .sum::<u32>(),
        3,
        "{counts:?}"
    );
    let hints = root.query_selector_all("[data-testid=hint]").unwrap();
    let text: String = (0..hints.length())
        .map(|i| hints.item(i).unwrap().text_content().unwrap())
        .collect();
    assert!(text.to_lowercase().contains("deadlock"), "{text}");
    // The chan receive group waits 3 to 5 minutes; opening it shows its stack.
    let group: Element = (0..groups.length())
        .map(|i| groups.item(i).unwrap().dyn_into::<Element>().unwrap())
        .find(|g| g.get_attribute("data-count").as_deref() == Some("2"))
        .unwrap();
    assert!(
        group.text_content().unwrap().contains("3–5 min"),
        "{}",
        group.text_content().unwrap()
    );
    group
        .query_selector("button")
        .unwrap()
        .unwrap()
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .click();
    until(|| {
        group
            .text_content()
            .unwrap()
            .contains("main.worker(0xc000020060)")
    })
    .await;
    assert!(group.text_content().unwrap().contains("/app/main.go:9"));
}

/// `data-*` attribute `attr` of every element with test id `id`.
fn attrs(root: &Element, id: &str, attr: &str) -> Vec<String> {
    let list = root
        .query_selector_all(&format!("[data-testid={id}]"))
        .unwrap();
    (0..list.length())
        .map(|i| {
            list.item(i)
                .unwrap()
                .dyn_into::<Element>()
                .unwrap()
                .get_attribute(attr)
                .unwrap_or_default()
        })
        .collect()
}

/// A debug=2 dump: `sends` goroutines blocked sending, started by a
/// function no goroutine runs any more, beside a pool of 2 and main.
fn leaking_snapshot(sends: usize, minutes: u32) -> pprof_lens::model::Profile {
    let wait = if minutes > 0 {
        format!(", {minutes} minutes")
    } else {
        String::new()
    };
    let mut t = String::from("goroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1\n\n");
    for id in [2, 3] {
        t.push_str(&format!(
            "goroutine {id} [chan receive{wait}]:\nmain.pool()\n\t/app/main.go:30 +0x1\n\
             created by main.main in goroutine 1\n\t/app/main.go:6 +0x2\n\n"
        ));
    }
    for k in 0..sends {
        t.push_str(&format!(
            "goroutine {} [chan send{}]:\nmain.slowBackend(0x{k:x})\n\t/app/main.go:34 +0x4e\n\
             created by main.handle in goroutine 9\n\t/app/main.go:43 +0xd8\n\n",
            100 + k,
            if k < 3 { wait.as_str() } else { "" }
        ));
    }
    pprof_lens::decode::decode(t.as_bytes()).expect("a dump")
}

fn attr(e: &Element, name: &str) -> String {
    e.get_attribute(name).unwrap_or_default()
}

fn all(root: &Element, testid: &str) -> Vec<Element> {
    let l = root
        .query_selector_all(&format!("[data-testid={testid}]"))
        .unwrap();
    (0..l.length())
        .map(|i| l.item(i).unwrap().dyn_into().unwrap())
        .collect()
}

#[wasm_bindgen_test]
async fn goroutine_view_shows_labels_and_leaks_and_merges_labels_on_request() {
    // Go 1.27 headers: labels after the bracket, `(leaked)` after the reason.
    let dump = "goroutine 1 [running] {role: main}:\nmain.main()\n\t/app/main.go:20 +0x95\n\n\
        goroutine 6 [chan send (leaked)] {tenant: acme}:\nmain.backend(0xc000020060)\n\t/app/main.go:9 +0x65\ncreated by main.search in goroutine 1\n\t/app/main.go:16 +0x4f\n\n\
        goroutine 7 [chan send (leaked)] {tenant: \"zeta co\"}:\nmain.backend(0xc000020070)\n\t/app/main.go:9 +0x65\ncreated by main.search in goroutine 1\n\t/app/main.go:16 +0x4f\n\n\
        goroutine 8 [chan send (leaked)] {tenant: acme}:\nmain.backend(0xc000020080)\n\t/app/main.go:9 +0x65\ncreated by main.search in goroutine 1\n\t/app/main.go:16 +0x4f\n";
    let profile = pprof_lens::decode::decode(dump.as_bytes()).expect("a dump");
    let props = GoroutinesViewProps {
        worker: local(profile),
        generation: 1,
        series: None,
        file_name: "dump.txt".into(),
    };
    let root = mount::<GoroutinesView>(props).await;
    until(|| attrs(&root, "goroutine-group", "data-count").len() == 3).await;
    assert_eq!(
        attrs(&root, "goroutine-group", "data-labels"),
        vec!["tenant=acme", "role=main", "tenant=zeta co"]
    );
    assert_eq!(
        attrs(&root, "goroutine-group", "data-leaked"),
        vec!["2", "0", "1"]
    );
    // `(leaked)` is a flag, never a state of its own.
    assert_eq!(
        attrs(&root, "state-row", "data-state"),
        vec!["chan send", "running"]
    );
    assert_eq!(attrs(&root, "state-row", "data-count"), vec!["3", "1"]);
    assert_eq!(attrs(&root, "leaked-badge", "class").len(), 2);
    assert_eq!(
        attrs(&root, "goroutine-facts", "data-leaked"),
        vec!["3".to_string()]
    );
    assert!(root
        .query_selector("[data-testid=traceback-partial]")
        .unwrap()
        .is_none());

    let toggle: web_sys::HtmlInputElement =
        by_testid(&root, "group-ignore-labels").dyn_into().unwrap();
    toggle.click();
    until(|| attrs(&root, "goroutine-group", "data-count").len() == 2).await;
    assert_eq!(
        attrs(&root, "goroutine-group", "data-count"),
        vec!["3", "1"]
    );
    assert_eq!(
        attrs(&root, "goroutine-group", "data-labels"),
        vec!["", "role=main"]
    );
    assert!(root.text_content().unwrap().contains("labels vary"));
}

#[wasm_bindgen_test]
async fn goroutine_view_says_when_a_traceback_shows_only_some_goroutines() {
    let trace = "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x25\nexit status 2\n";
    let profile = pprof_lens::decode::decode(trace.as_bytes()).expect("a traceback");
    let root = mount::<GoroutinesView>(GoroutinesViewProps {
        worker: local(profile),
        generation: 1,
        series: None,
        file_name: "dump.txt".into(),
    })
    .await;
    until(|| {
        root.query_selector("[data-testid=traceback-partial]")
            .unwrap()
            .is_some()
    })
    .await;
    let text = by_testid(&root, "traceback-partial")
        .text_content()
        .unwrap();
    assert!(text.contains("only the running goroutine"), "{text}");
}

#[wasm_bindgen_test]
async fn series_view_ranks_the_growing_send_first_and_reorders() {
    let session = Session::open_series(vec![
        ("snap0".into(), leaking_snapshot(3, 0)),
        ("snap1".into(), leaking_snapshot(7, 1)),
        ("snap2".into(), leaking_snapshot(12, 2)),
    ])
    .expect("a series");
    let session = std::cell::RefCell::new(session);
    let worker = WorkerHandle::local(move |q| session.borrow_mut().answer(q));
    let root = mount::<SeriesView>(SeriesViewProps {
        worker,
        generation: 1,
    })
    .await;
    until(|| !all(&root, "series-row").is_empty()).await;

    let snaps = all(&root, "series-snapshot");
    assert_eq!(
        snaps
            .iter()
            .map(|e| attr(e, "data-total"))
            .collect::<Vec<_>>(),
        ["6", "10", "15"]
    );
    let rows = all(&root, "series-row");
    let seen: Vec<(String, String, String)> = rows
        .iter()
        .map(|e| {
            (
                attr(e, "data-counts"),
                attr(e, "data-growth"),
                attr(e, "data-suspect"),
            )
        })
        .collect();
    assert_eq!(seen[0], ("3,7,12".into(), "9".into(), "yes".into()));
    assert!(
        seen.contains(&("2,2,2".into(), "0".into(), "no".into())),
        "{seen:?}"
    );
    assert_eq!(attr(&rows[1], "data-verdict"), "stable");
    let first = rows[0].text_content().unwrap();
    assert!(first.contains("Grew at every step: 3 → 7 → 12"), "{first}");
    assert!(
        first.contains("chan send") && first.contains("0 / 0–1 / 0–2 min"),
        "{first}"
    );
    assert!(rows[0]
        .query_selector("svg.sparkline rect")
        .unwrap()
        .is_some());
    let chart = by_testid(&root, "series-states");
    assert_eq!(
        chart.query_selector_all("rect").unwrap().length(),
        9,
        "3 states x 3 snapshots"
    );
    assert!(all(&root, "series-warning").is_empty());

    // Moving the last snapshot earlier asks again: the order is now 0, 2, 1,
    // the send no longer grew at every step, and the wait times say so.
    let up: web_sys::HtmlElement = snaps[2]
        .query_selector("button[title='Move earlier']")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    up.click();
    until(|| {
        all(&root, "series-snapshot")
            .iter()
            .map(|e| attr(e, "data-total"))
            .collect::<Vec<_>>()
            == ["6", "15", "10"]
    })
    .await;
    until(|| !all(&root, "series-warning").is_empty()).await;
    assert!(by_testid(&root, "series-warning")
        .text_content()
        .unwrap()
        .starts_with("snap1 looks older than snap2"));
    let send = all(&root, "series-row")
        .into_iter()
        .find(|e| attr(e, "data-counts") == "3,12,7")
        .expect("the send, reordered");
    assert_eq!(attr(&send, "data-growth"), "4");
}

/// A goroutineleak snapshot marks its goroutines leaked in the series.
#[wasm_bindgen_test]
async fn series_view_marks_leaked_goroutines() {
    let mut leaked = leaking_snapshot(2, 0);
    for g in leaked.goroutines.rows.iter_mut().skip(3) {
        g.leaked = true;
    }
    leaked.goroutines.leak_profile = true;
    let mut session = Session::open_series(vec![
        ("before".into(), leaking_snapshot(2, 0)),
        ("after".into(), leaked),
    ])
    .expect("a series");
    let Answer::Series(summary) = session.answer(Query::Series { order: vec![] }) else {
        panic!("a series answer")
    };
    let root = mount::<SeriesSummaryView>(SeriesSummaryViewProps {
        summary: Rc::new(summary),
        on_move: None,
    })
    .await;
    let rows = all(&root, "series-row");
    assert_eq!(attr(&rows[0], "data-verdict"), "leaked");
    assert_eq!(attr(&rows[0], "data-suspect"), "yes");
    assert!(rows[0].text_content().unwrap().contains("2 leaked"));
    assert!(root
        .query_selector("[data-testid=series-snapshot] .tag.leaked")
        .unwrap()
        .is_some());
    assert!(root
        .query_selector("button[title='Move earlier']")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
fn label_widths_from_character_widths_equal_measure_text() {
    use pprof_lens::render::canvas::{CanvasPainter, CharWidths};
    use pprof_lens::render::Painter;
    let canvas: web_sys::HtmlCanvasElement = gloo_document()
        .create_element("canvas")
        .unwrap()
        .dyn_into()
        .unwrap();
    let mut painter = CanvasPainter::new(&canvas, 300.0, 100.0, CharWidths::default()).unwrap();
    // The painter's own context, as it set it up (font, kerning, rendering).
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    for s in [
        "net/http.(*conn).serve",
        "AVAWAfiffl To Ty",
        "runtime.gcBgMarkWorker",
        "github.com/acme/Widget[...].Fill.func1",
        "Straße ü é…",
    ] {
        let measured = ctx.measure_text(s).unwrap().width();
        let summed = painter.text_width(s);
        assert!(
            (measured - summed).abs() < 0.01,
            "{s}: measureText {measured}, by characters {summed}"
        );
    }
}

#[wasm_bindgen_test]
async fn header_names_merged_and_compared_inputs() {
    let header = |inputs: Inputs, on_change: Callback<Change>| {
        let mut s = summary("a.pb.gz");
        s.inputs = inputs;
        ProfileHeaderProps {
            summary: Rc::new(s),
            opts: ReportOptions::default(),
            tab: Tab::Top,
            on_sample_index: Callback::noop(),
            on_tab: Callback::noop(),
            on_change,
        }
    };
    let merged = Inputs::Merged {
        names: vec!["a".into(), "b".into(), "c".into()],
    };
    let root = mount::<ProfileHeader>(header(merged, Callback::noop())).await;
    let inputs = by_testid(&root, "merged-inputs");
    assert_eq!(inputs.get_attribute("data-count").as_deref(), Some("3"));
    assert_eq!(inputs.get_attribute("title").as_deref(), Some("a\nb\nc"));
    assert!(root.query_selector("[data-testid=swap]").unwrap().is_none());

    let changes = Rc::new(std::cell::RefCell::new(Vec::new()));
    let seen = changes.clone();
    let compared = Inputs::Compared {
        base: "old".into(),
        new: "new".into(),
        mode: CompareMode::Base,
        normalize: false,
        base_totals: vec![10, 4_000_000_000],
        new_totals: vec![12, 5_000_000_000],
    };
    let on_change = Callback::from(move |c| seen.borrow_mut().push(c));
    let root = mount::<ProfileHeader>(header(compared, on_change)).await;
    assert_eq!(by_testid(&root, "base-name").text_content().unwrap(), "old");
    assert_eq!(by_testid(&root, "new-name").text_content().unwrap(), "new");
    assert_eq!(
        by_testid(&root, "total").text_content().unwrap(),
        "change +1s"
    );
    let mode: HtmlSelectElement = by_testid(&root, "compare-mode").dyn_into().unwrap();
    assert_eq!(mode.value(), "base");
    by_testid(&root, "swap")
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .click();
    assert_eq!(*changes.borrow(), vec![Change::Swap]);
    // The base input appears once "Compare with…" is clicked.
    assert!(root
        .query_selector("[data-testid=base-input]")
        .unwrap()
        .is_none());
    by_testid(&root, "compare")
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .click();
    yew::scheduler::flush().await;
    by_testid(&root, "base-input");
}
