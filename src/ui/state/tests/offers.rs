//! The open file offered to a series, and a pasted top's missing flame
//! graph.

use super::*;

#[test]
fn the_open_file_is_offered_for_a_series_only_when_held() {
    let mut s = State::default();
    run(&mut s, [start("dump", Some(7)), loaded("dump", true)]);
    assert_eq!(
        s.current_file().map(|f| (f.name.as_str(), f.file)),
        Some(("dump", 7))
    );
    // Pasted text has no file: the last file opened is not it.
    run(
        &mut s,
        [start("pasted text", None), loaded("pasted text", true)],
    );
    assert!(s.current_file().is_none());
    run(
        &mut s,
        [
            start("dump", Some(7)),
            loaded("dump", true),
            start("other", Some(8)),
        ],
    );
    assert!(s.current_file().is_none(), "not while another loads");
}

#[test]
fn a_pasted_top_has_no_flame_graph_to_show() {
    let mut s = State::default();
    run(&mut s, [start("cpu", Some(1)), loaded("cpu", false)]);
    s.apply(Action::SetTab(Tab::Flame));
    let mut pasted = summary("pasted text", false);
    pasted.fetch = Some("curl -o heap.pb.gz 'http://HOST/debug/pprof/heap'".into());
    run(
        &mut s,
        [
            start("pasted text", None),
            Action::Worker(Response::Loaded { summary: pasted }),
        ],
    );
    assert_eq!(s.tab, Tab::Top);
    s.apply(Action::ShowInFlame("main.f".into()));
    assert_eq!((s.tab, s.flame_target.as_deref()), (Tab::Top, None));
}
