//! The exports: the flame graph as SVG (parsed back as XML, its labels the
//! canvas's, hostile names escaped), the top table as TSV and CSV (the
//! numbers of the table's rows, CSV parsed back as RFC 4180 reads it), and
//! the goroutine view as Markdown (its totals against the raw dump).

mod support;

use std::collections::BTreeMap;

use pprof_lens::analysis::flame::{FlameOptions, FlameTree};
use pprof_lens::analysis::goroutines::{summarize, GoroutineOptions};
use pprof_lens::model::builder::ProfileBuilder;
use pprof_lens::model::Profile;
use pprof_lens::protocol::{Answer, Query, ReportOptions, RowOrder, TopWindow};
use pprof_lens::render::svg::flame_svg;
use pprof_lens::render::{draw_flame, graph_height, RecordingPainter, Theme, Viewport};
use pprof_lens::session::Session;
use pprof_lens::view::export::{top_table, Delimited};
use pprof_lens::view::flame_scene::{flame_scene, FlameScene};
use pprof_lens::view::goroutine_markdown::goroutines_markdown;

const WIDTH: u32 = 1200;

fn scene_of(p: &Profile) -> FlameScene {
    let t = FlameTree::build(
        p,
        &FlameOptions {
            sample_index: p.default_sample_index(),
        },
    );
    flame_scene(&t, p, None, WIDTH, None, false)
}

/// The labels the canvas draws for the whole scene, in drawing order.
fn canvas_labels(scene: &FlameScene) -> Vec<String> {
    let mut p = RecordingPainter::default();
    let vp = Viewport {
        width: f64::from(WIDTH),
        height: graph_height(scene),
        ..Viewport::default()
    };
    draw_flame(&mut p, scene, vp, &Theme::light());
    p.log
        .iter()
        .filter_map(|l| l.strip_prefix("text "))
        .map(|l| {
            let quoted = &l[..l.rfind('"').unwrap() + 1];
            // The log writes labels with Debug quoting.
            unquote(quoted)
        })
        .collect()
}

fn unquote(debug: &str) -> String {
    let inner = &debug[1..debug.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('u') => {
                    let hex: String = chars.by_ref().skip(1).take_while(|&c| c != '}').collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                }
                Some(c) => out.push(c),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn svg_of(scene: &FlameScene, inverted: bool) -> String {
    flame_svg(
        scene,
        f64::from(WIDTH),
        &Theme::light(),
        inverted,
        &mut RecordingPainter::default(),
    )
}

#[test]
fn flame_svg_holds_the_canvas_labels_as_text() {
    let Some(dir) = support::corpus("export::flame_svg_holds_the_canvas_labels_as_text") else {
        return;
    };
    let bytes = std::fs::read(dir.join("cpu_regexp_json.pb.gz")).unwrap();
    let p = pprof_lens::decode::decode(&bytes).unwrap();
    let scene = scene_of(&p);
    let svg = svg_of(&scene, false);
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some("1200"));
    let height: f64 = root.attribute("height").unwrap().parse().unwrap();
    assert_eq!(height, graph_height(&scene));
    let mut texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().to_string())
        .collect();
    let mut want = canvas_labels(&scene);
    assert!(want.len() > 20, "{} labels", want.len());
    texts.sort();
    want.sort();
    assert_eq!(
        texts, want,
        "one <text> per box the canvas labels, the same label"
    );
    // A group per box drawn, each with its title naming the function.
    let groups: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("g")).collect();
    let drawn = scene
        .boxes
        .iter()
        .filter(|b| (b.x1 - b.x0) * f64::from(WIDTH) >= 0.5)
        .count();
    assert_eq!(groups.len(), drawn);
    for (g, b) in groups.iter().zip(scene.boxes.iter()) {
        let title = g.children().find(|n| n.has_tag_name("title")).unwrap();
        let title = title.text().unwrap();
        assert!(title.starts_with(&b.name), "{title:?} names {}", b.name);
        assert!(title.contains("total "), "{title:?}");
    }
    // Nothing outside the document: no href, no external reference.
    assert!(!svg.contains("href"), "self-contained");
    assert!(doc.descendants().all(|n| n.tag_name().namespace()
        == Some("http://www.w3.org/2000/svg")
        || !n.is_element()));
}

#[test]
fn flame_svg_escapes_hostile_names() {
    let hostile = [
        "main.f[T<nil>]",
        "a&b",
        "q\"uote's",
        "x\u{1}y",
        "]]><script>alert(1)</script>",
    ];
    let samples: Vec<String> = hostile
        .iter()
        .map(|h| format!("main.main;{h} 10"))
        .collect();
    let samples: Vec<&str> = samples.iter().map(String::as_str).collect();
    let p = ProfileBuilder::new(&[("samples", "count")])
        .samples(&samples)
        .build();
    let scene = scene_of(&p);
    let svg = svg_of(&scene, false);
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert!(!doc.descendants().any(|n| n.has_tag_name("script")));
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text())
        .collect();
    for h in hostile {
        // XML 1.0 cannot hold U+0001: it is written as U+FFFD.
        let want = h.replace('\u{1}', "\u{fffd}");
        assert!(
            titles.iter().any(|t| t.starts_with(&want)),
            "{want:?} in {titles:?}"
        );
        assert!(texts.contains(&want.as_str()), "{want:?} in {texts:?}");
    }
}

#[test]
fn inverted_svg_puts_the_root_row_at_the_bottom() {
    let p = ProfileBuilder::new(&[("samples", "count")])
        .samples(&["main.main;main.a;main.b 10", "main.main;main.c 5"])
        .build();
    let scene = scene_of(&p);
    let y_of = |svg: &str, name: &str| -> f64 {
        let doc = roxmltree::Document::parse(svg).unwrap();
        let g = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("g")
                    && n.children()
                        .any(|c| c.has_tag_name("title") && c.text().unwrap().starts_with(name))
            })
            .unwrap();
        let rect = g.children().find(|n| n.has_tag_name("rect")).unwrap();
        rect.attribute("y").unwrap().parse().unwrap()
    };
    let (down, up) = (svg_of(&scene, false), svg_of(&scene, true));
    let h = graph_height(&scene);
    assert_eq!(scene.depth, 3);
    // Root, main.main, main.a, main.b: 4 rows of 18px.
    assert_eq!((y_of(&down, "root"), y_of(&down, "main.b")), (0.0, 54.0));
    assert_eq!((y_of(&up, "root"), y_of(&up, "main.b")), (h - 18.0, 0.0));
    assert_eq!(y_of(&up, "main.main"), 36.0);
}

#[test]
fn inverted_viewport_hit_tests_rows_from_the_bottom() {
    let vp = Viewport {
        width: 100.0,
        height: 100.0,
        scroll_y: 0.0,
        inverted: Some(2),
    };
    // Three rows of 18px on the bottom edge of a 100px canvas: 46px empty.
    assert_eq!(vp.row_top(0), 82.0);
    assert_eq!(vp.row_top(2), 46.0);
    assert_eq!(vp.locate(10.0, 90.0), Some((0.1, 0)));
    assert_eq!(vp.locate(10.0, 70.0), Some((0.1, 1)));
    assert_eq!(vp.locate(10.0, 50.0), Some((0.1, 2)));
    assert_eq!(vp.locate(10.0, 40.0), None, "above the graph");
    // Taller than the canvas and scrolled to its end: the root row last.
    let tall = Viewport {
        inverted: Some(9),
        scroll_y: 80.0,
        ..vp
    };
    assert_eq!(tall.row_top(0), 82.0);
    assert_eq!(tall.locate(10.0, 90.0), Some((0.1, 0)));
    assert_eq!(tall.locate(10.0, 0.0), Some((0.1, 5)));
}

fn session_of(bytes: &[u8]) -> Session {
    Session::new(pprof_lens::decode::decode(bytes).unwrap())
}

fn export(s: &mut Session, filter: &str, order: RowOrder, how: Delimited) -> String {
    export_with(s, &ReportOptions::default(), filter, order, how)
}

fn export_with(
    s: &mut Session,
    opts: &ReportOptions,
    filter: &str,
    order: RowOrder,
    how: Delimited,
) -> String {
    match s.answer(Query::TopExport {
        opts: opts.clone(),
        filter: filter.into(),
        order,
        how,
    }) {
        Answer::Text { text } => text,
        other => panic!("{other:?}"),
    }
}

/// Every row of the table as the page pages through it.
fn shown_rows(s: &mut Session, filter: &str, order: RowOrder) -> Vec<Vec<String>> {
    shown_rows_with(s, &ReportOptions::default(), filter, order)
}

fn shown_rows_with(
    s: &mut Session,
    opts: &ReportOptions,
    filter: &str,
    order: RowOrder,
) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    loop {
        let Answer::Top(w) = s.answer(Query::Top {
            opts: opts.clone(),
            filter: filter.into(),
            order,
            start: rows.len() as u32,
            count: 500,
        }) else {
            panic!()
        };
        let TopWindow {
            rows: got,
            row_count,
            ..
        } = w;
        rows.extend(
            got.into_iter()
                .map(|r| vec![r.flat, r.flat_pct, r.sum_pct, r.cum, r.cum_pct, r.name]),
        );
        if rows.len() as u32 >= row_count {
            return rows;
        }
    }
}

/// RFC 4180's grammar: fields separated by commas, records by CRLF, a
/// quoted field holding anything with its quotes doubled.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CRLF line ends");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\n') => panic!("a bare LF ends a CSV record"),
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record ends in CRLF"
    );
    records
}

#[test]
fn top_exports_hold_every_row_as_shown() {
    let Some(dir) = support::corpus("export::top_exports_hold_every_row_as_shown") else {
        return;
    };
    let bytes = std::fs::read(dir.join("bigheap_callgraph.heap.pb.gz")).unwrap();
    let mut s = session_of(&bytes);
    for (filter, order) in [
        ("", RowOrder::Flat),
        ("", RowOrder::Cum),
        ("runtime", RowOrder::Name),
    ] {
        let shown = shown_rows(&mut s, filter, order);
        assert!(!shown.is_empty());
        let tsv = export(&mut s, filter, order, Delimited::Tsv);
        let lines: Vec<&str> = tsv.lines().collect();
        assert_eq!(lines[0], "flat\tflat%\tsum%\tcum\tcum%\tname");
        assert_eq!(
            lines.len(),
            shown.len() + 1,
            "a header, then one line per row"
        );
        let tsv_rows: Vec<Vec<String>> = lines[1..]
            .iter()
            .map(|l| l.split('\t').map(String::from).collect())
            .collect();
        assert_eq!(tsv_rows, shown, "{filter:?} {order:?}");
        let csv = parse_csv(&export(&mut s, filter, order, Delimited::Csv));
        assert_eq!(csv[0], ["flat", "flat%", "sum%", "cum", "cum%", "name"]);
        assert_eq!(csv[1..], shown[..]);
    }
}

#[test]
fn top_exports_go_past_one_window_of_rows() {
    // 2,500 functions: more than the 2,000 rows one window of the
    // scrolling table holds.
    let samples: Vec<String> = (0..2500)
        .map(|i| format!("main.main;f{i} {}", i + 1))
        .collect();
    let samples: Vec<&str> = samples.iter().map(String::as_str).collect();
    let p = ProfileBuilder::new(&[("samples", "count")])
        .samples(&samples)
        .build();
    let mut s = Session::new(p);
    // Every node: by default pprof drops those under 0.5% of the total.
    let opts = ReportOptions {
        nodefraction: 0.0,
        ..ReportOptions::default()
    };
    let all = export_with(&mut s, &opts, "", RowOrder::Flat, Delimited::Tsv);
    assert_eq!(
        all.lines().count(),
        2501 + 1,
        "2,500 functions, main.main, the header"
    );
    let shown = shown_rows_with(&mut s, &opts, "", RowOrder::Flat);
    assert_eq!(shown.len(), 2501);
    assert_eq!(
        all.lines()
            .last()
            .map(|l| l.split('\t').collect::<Vec<_>>()),
        shown.last().map(|r| r.iter().map(String::as_str).collect())
    );
}

#[test]
fn csv_quotes_names_with_commas_and_quotes() {
    let p = ProfileBuilder::new(&[("samples", "count")])
        .samples(&[
            "main.main;main.F[go.shape.int,go.shape.string] 30",
            "main.main;main.\"quoted\" 20",
            "main.main;plain 10",
        ])
        .build();
    let mut s = Session::new(p);
    let csv_text = export(&mut s, "", RowOrder::Flat, Delimited::Csv);
    assert!(
        csv_text.contains("\"main.F[go.shape.int,go.shape.string]\""),
        "{csv_text}"
    );
    assert!(csv_text.contains("\"main.\"\"quoted\"\"\""), "{csv_text}");
    let csv = parse_csv(&csv_text);
    let tsv = export(&mut s, "", RowOrder::Flat, Delimited::Tsv);
    let tsv: Vec<Vec<String>> = tsv
        .lines()
        .map(|l| l.split('\t').map(String::from).collect())
        .collect();
    assert_eq!(csv, tsv);
    let names: Vec<&str> = csv[1..].iter().map(|r| r[5].as_str()).collect();
    assert_eq!(
        names,
        [
            "main.F[go.shape.int,go.shape.string]",
            "main.\"quoted\"",
            "plain",
            "main.main"
        ]
    );
    assert_eq!(csv[1][..5], ["30", "50.00%", "50.00%", "30", "50.00%"]);
}

#[test]
fn pasted_tops_export_their_printed_rows() {
    let text = "\
Showing nodes accounting for 30ms, 100% of 30ms total
      flat  flat%   sum%        cum   cum%
      20ms 66.67% 66.67%       20ms 66.67%  main.a
      10ms 33.33%   100%       30ms   100%  main.b, c
";
    let mut s = session_of(text.as_bytes());
    let tsv = export(&mut s, "", RowOrder::Flat, Delimited::Tsv);
    assert_eq!(
        tsv,
        "flat\tflat%\tsum%\tcum\tcum%\tname\n\
         20ms\t66.67%\t66.67%\t20ms\t66.67%\tmain.a\n\
         10ms\t33.33%\t100%\t30ms\t100%\tmain.b, c\n"
    );
    let csv = export(&mut s, "", RowOrder::Flat, Delimited::Csv);
    assert!(
        csv.ends_with("10ms,33.33%,100%,30ms,100%,\"main.b, c\"\r\n"),
        "{csv}"
    );
    let whole = top_table(
        &TopWindow {
            header: vec![],
            sample_type: String::new(),
            unit: String::new(),
            row_count: 0,
            start: 0,
            rows: vec![],
            no_stacks: true,
        },
        Delimited::Tsv,
    );
    assert_eq!(whole, "flat\tflat%\tsum%\tcum\tcum%\tname\n");
}

#[test]
fn goroutine_markdown_totals_match_the_dump() {
    let Some(dir) = support::corpus("export::goroutine_markdown_totals_match_the_dump") else {
        return;
    };
    let rel = "goroutine_states.debug2.txt";
    let raw = std::fs::read_to_string(dir.join(rel)).unwrap();
    let p = pprof_lens::decode::decode(raw.as_bytes()).unwrap();
    let s = summarize(&p, &GoroutineOptions::default());
    let md = goroutines_markdown(&s, rel);
    // Headers counted from the text, independently of the decoder.
    let header =
        regex_lite::Regex::new(r"(?m)^goroutine \d+ (?:gp=\S+ m=\S+ (?:mp=\S+ )?)?\[([^\],]*)")
            .unwrap();
    let mut states: BTreeMap<String, u64> = BTreeMap::new();
    for c in header.captures_iter(&raw) {
        *states.entry(c[1].to_string()).or_default() += 1;
    }
    let total: u64 = states.values().sum();
    assert!(total > 5);
    assert!(
        md.starts_with("# Goroutines of goroutine\\_states.debug2.txt\n"),
        "{md}"
    );
    let digits = |n: u64| pprof_lens::view::numbers::group_digits(n);
    assert!(
        md.contains(&format!("**{} goroutines**", digits(total))),
        "{md}"
    );
    let table: BTreeMap<String, u64> = md
        .lines()
        .skip_while(|l| *l != "| state | goroutines |")
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            (
                cells[0].to_string(),
                cells[1].replace(',', "").parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(table, states);
    // One row per group, whose counts add up to the total.
    let groups: Vec<u64> = md
        .lines()
        .skip_while(|l| !l.starts_with("| # | goroutines |"))
        .skip(2)
        .map(|l| {
            l.split(" | ")
                .nth(1)
                .unwrap()
                .replace(',', "")
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(groups.len(), s.groups.len());
    assert_eq!(groups.iter().sum::<u64>(), total);
    assert!(md.contains(&format!(
        "## {} groups of identical stacks",
        digits(s.groups.len() as u64)
    )));
}

#[test]
fn goroutine_markdown_escapes_pipes_in_names() {
    let dump = "\
goroutine 1 [running]:
main.(*pipe|line).run(...)
\t/src/main.go:10 +0x1
main.main()
\t/src/main.go:5 +0x2
";
    let p = pprof_lens::decode::decode(dump.as_bytes()).unwrap();
    let s = summarize(&p, &GoroutineOptions::default());
    let md = goroutines_markdown(&s, "a|b.txt");
    assert!(
        md.contains("`main.(*pipe\\|line).run`<br>`main.main`"),
        "{md}"
    );
    assert!(md.starts_with("# Goroutines of a\\|b.txt"), "{md}");
    // Every table row has the header's six cells once `\|` is read as text.
    for l in md.lines().filter(|l| l.starts_with("| 1 |")) {
        assert_eq!(l.replace("\\|", "").matches('|').count(), 7, "{l}");
    }
}
