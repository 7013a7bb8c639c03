//! The base side of a compared flame graph: for every node of the new
//! profile's tree, the total of the same call path in the base profile's
//! tree. The graph is drawn from the new profile (boxes sized by it) and
//! coloured by the change, so each new node needs its base figure.
//!
//! The trees are walked together from the root, matching a node's children
//! with its match's, so memory grows with the widest node, not with the
//! size of the base tree, which for a profile of a million deep samples is
//! millions of nodes.
//!
//! Paths are matched by frame content (function name, file, line, and the
//! address of an unsymbolised frame), because the two trees come from
//! profiles with their own string tables. Each of the base's strings is
//! looked up in the new profile's table once, so the millions of nodes of
//! two large trees are matched by integer keys rather than by hashing
//! their names again and again.

use hashbrown::HashMap;

use super::{FlameTree, NodeId, ROOT};
use crate::model::{Profile, StrId};

/// What makes two frames the same across profiles, in the new profile's
/// string ids: name, file, line and the address of an unsymbolised frame.
type FrameKey = (StrId, StrId, i64, u64);

/// The frame of `n`, in `profile`'s own string ids.
fn frame_key(tree: &FlameTree, profile: &Profile, n: NodeId) -> FrameKey {
    let name = tree.name(n);
    let address = if profile.str(name).is_empty() {
        tree.address(n)
    } else {
        0
    };
    (name, tree.file(n), tree.line(n), address)
}

/// `from`'s string ids translated into `to`'s, each looked up once.
struct Translate<'a> {
    from: &'a Profile,
    to: &'a Profile,
    /// Per id of `from`: not looked up yet, absent from `to`, or its id there.
    cache: Vec<Option<Option<StrId>>>,
}

impl Translate<'_> {
    fn get(&mut self, id: StrId) -> Option<StrId> {
        let (from, to) = (self.from, self.to);
        *self
            .cache
            .get_mut(id.index())?
            .get_or_insert_with(|| to.strings.find(from.str(id)))
    }
}

/// Per node of `new` (by preorder index), the total of the same path in
/// `base`; 0 where the base has no such path.
pub fn base_totals(
    new: &FlameTree,
    new_profile: &Profile,
    base: &FlameTree,
    base_profile: &Profile,
) -> Vec<i64> {
    let mut tr = Translate {
        from: base_profile,
        to: new_profile,
        cache: vec![None; base_profile.strings.len()],
    };
    let mut mapped: Vec<Option<NodeId>> = vec![None; new.len()];
    let mut out = vec![0i64; new.len()];
    if new.is_empty() || base.is_empty() {
        return out;
    }
    mapped[ROOT.index()] = Some(ROOT);
    out[ROOT.index()] = base.total(ROOT);
    // The children of one matched base node by frame: only one node's
    // children are held at a time, not the whole base tree's.
    let mut kids: HashMap<FrameKey, NodeId> = HashMap::new();
    // Preorder: a node is matched before its children are reached.
    for n in new.nodes() {
        let Some(b) = mapped[n.index()] else { continue };
        let mut children = new.children(n).peekable();
        if children.peek().is_none() {
            continue;
        }
        kids.clear();
        for bc in base.children(b) {
            let (name, file, line, address) = frame_key(base, base_profile, bc);
            // A frame whose strings the new profile lacks has no match there.
            if let (Some(name), Some(file)) = (tr.get(name), tr.get(file)) {
                kids.insert((name, file, line, address), bc);
            }
        }
        for c in children {
            if let Some(&m) = kids.get(&frame_key(new, new_profile, c)) {
                mapped[c.index()] = Some(m);
                out[c.index()] = base.total(m);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::flame::FlameOptions;
    use crate::model::builder::ProfileBuilder;

    #[test]
    fn paths_match_by_name_across_profiles() {
        let build = |s: &[&str]| {
            ProfileBuilder::new(&[("samples", "count")])
                .samples(s)
                .build()
        };
        // "e" is in no string of the new profile: it matches nothing.
        let base = build(&["main;a;b 4", "main;c 6", "main;e 2"]);
        let new = build(&["main;c 1", "main;a;b 5", "main;a;d 2", "x 3"]);
        let opts = FlameOptions::default();
        let (bt, nt) = (
            FlameTree::build(&base, &opts),
            FlameTree::build(&new, &opts),
        );
        let totals = base_totals(&nt, &new, &bt, &base);
        let named: Vec<(String, i64, i64)> = nt
            .nodes()
            .map(|n| {
                let name = if n == ROOT {
                    "root"
                } else {
                    new.str(nt.name(n))
                };
                (name.to_string(), nt.total(n), totals[n.index()])
            })
            .collect();
        let get = |name: &str| named.iter().find(|(n, ..)| n == name).cloned().unwrap();
        assert_eq!(get("root"), ("root".into(), 11, 12));
        assert_eq!(get("main"), ("main".into(), 8, 12));
        assert_eq!(get("b"), ("b".into(), 5, 4));
        assert_eq!(get("c"), ("c".into(), 1, 6));
        assert_eq!(get("d"), ("d".into(), 2, 0));
        assert_eq!(get("x"), ("x".into(), 3, 0));
    }

    /// Every node's base total against the base tree's node of the same
    /// path of names, found by walking the whole base tree.
    #[test]
    fn totals_equal_the_same_paths_in_the_base() {
        let build = |s: &[&str]| {
            ProfileBuilder::new(&[("samples", "count")])
                .samples(s)
                .build()
        };
        let base = build(&[
            "main;a;b;c 4",
            "main;a;b;d 1",
            "main;a;e 6",
            "main;f;a;b 2",
            "g;a 3",
            "main;a;b;c;c 5",
        ]);
        let new = build(&[
            "main;a;b;c 1",
            "main;a;e;b 2",
            "main;f;a 7",
            "g;a;b 3",
            "main;a;b;c;c;c 1",
            "h 1",
        ]);
        let opts = FlameOptions::default();
        let (bt, nt) = (
            FlameTree::build(&base, &opts),
            FlameTree::build(&new, &opts),
        );
        let path = |t: &FlameTree, p: &Profile, n: NodeId| -> Vec<String> {
            t.path(n)
                .iter()
                .skip(1)
                .map(|&m| p.str(t.name(m)).to_string())
                .collect()
        };
        let totals = base_totals(&nt, &new, &bt, &base);
        for n in nt.nodes() {
            let want = bt
                .nodes()
                .find(|&m| path(&bt, &base, m) == path(&nt, &new, n))
                .map_or(0, |m| bt.total(m));
            assert_eq!(totals[n.index()], want, "{:?}", path(&nt, &new, n));
        }
    }
}
