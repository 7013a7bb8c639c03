//! Building the flame tree from a profile (see the module's "Building").

use std::hash::BuildHasher;

use hashbrown::DefaultHashBuilder;

use super::child_index::{key_hash, ChildIndex};
use super::permute::{permute, permute_in_place, permute_parents};
use super::{
    add_value, add_weight, FlameFilter, FlameOptions, FlameTree, Frame, Points, NO_PARENT, ROOT,
};
use crate::model::{IdIndex, LocId, Profile, Strings};

/// Stack node states while mapping: not reached yet.
const UNMAPPED: u32 = u32::MAX;
/// Reached, but rootward of every `show_from` match: no flame node.
const BEFORE_SHOW_FROM: u32 = u32::MAX - 1;
/// On the path of a used leaf, not mapped yet.
const REACHED: u32 = u32::MAX - 2;

/// Which samples count, step 1 of the build: enough to map the stacks,
/// without their values, which step 3 adds straight into the flame nodes,
/// so no per-stack sums are held beside the mapping (the build's largest
/// transient).
struct KeptSamples {
    /// A bit per stack node: some kept sample with a non-zero value ends
    /// there.
    used: Vec<u64>,
    /// Some kept value is negative: weights (sums of |value|) differ from
    /// values and are kept.
    negative: bool,
}

impl KeptSamples {
    fn scan<F: FlameFilter + ?Sized>(profile: &Profile, si: usize, filter: &F) -> KeptSamples {
        let ns = profile.stacks.len();
        let mut out = KeptSamples {
            used: vec![0; ns.div_ceil(64)],
            negative: false,
        };
        for_each_kept(profile, si, filter, |s, v| {
            out.negative |= v < 0;
            if s < ns {
                out.used[s / 64] |= 1 << (s % 64);
            }
        });
        out
    }

    #[inline]
    fn used(&self, s: usize) -> bool {
        self.used[s / 64] & 1 << (s % 64) != 0
    }
}

/// Calls `f(stack node, value)` for each kept sample whose value for sample
/// type `si` is not 0; a sample without a (valid) stack gets `usize::MAX`.
#[inline]
fn for_each_kept<F: FlameFilter + ?Sized>(
    profile: &Profile,
    si: usize,
    filter: &F,
    mut f: impl FnMut(usize, i64),
) {
    let nt = profile.sample_types.len();
    if si >= nt {
        return;
    }
    let samples = &profile.samples;
    for i in 0..samples.len() {
        let Some(&v) = samples.values.get(i * nt + si) else {
            break;
        };
        if v != 0 && filter.keep_sample(i) {
            f(samples.stack[i].map_or(usize::MAX, |s| s.index()), v);
        }
    }
}

/// The frames of each location as the filter leaves them, outermost first,
/// resolved on first use into points (one per line) over distinct
/// [`Frame`]s.
struct LocationFrames<'a, F: ?Sized> {
    profile: &'a Profile,
    filter: &'a F,
    /// Per location, (point, _) when it has one frame, the common case, so
    /// a visit reads one entry; else ([`LOC_LIST`], index into `lists`),
    /// ([`LOC_NONE`], _) or, until resolved, ([`LOC_UNRESOLVED`], _).
    span: Vec<(u32, u32)>,
    /// (start, len) into `items`.
    lists: Vec<(u32, u32)>,
    /// Points of locations with several.
    items: Vec<u32>,
    points: Points,
    frames: Vec<Frame>,
    /// `frames` by content: ids only, 4 bytes a slot, as the build's
    /// largest step holds it.
    ids: IdIndex,
    hasher: DefaultHashBuilder,
}

/// [`LocationFrames::span`] markers, above any point id.
const LOC_UNRESOLVED: u32 = u32::MAX;
const LOC_NONE: u32 = u32::MAX - 1;
const LOC_LIST: u32 = u32::MAX - 2;

impl<'a, F: FlameFilter + ?Sized> LocationFrames<'a, F> {
    fn new(profile: &'a Profile, filter: &'a F) -> Self {
        let mut t = LocationFrames {
            profile,
            filter,
            span: vec![(LOC_UNRESOLVED, 0); profile.locations.len()],
            lists: Vec::new(),
            items: Vec::new(),
            points: Points::default(),
            frames: Vec::new(),
            ids: IdIndex::default(),
            hasher: DefaultHashBuilder::default(),
        };
        let root = t.intern(Frame::default()); // the root's, frame 0
        t.points.frame.push(root); // point 0
        t.points.line.push(0);
        t
    }

    /// The point and frame tables; the per-location lists are dropped.
    fn into_tables(self) -> (Points, Vec<Frame>) {
        (self.points, self.frames)
    }

    fn intern(&mut self, f: Frame) -> u32 {
        let hasher = &self.hasher;
        self.ids.find_or_add(
            hasher.hash_one(f),
            &mut self.frames,
            |frames, id| frames[id as usize] == f,
            |frames| {
                frames.push(f);
                frames.len() as u32 - 1
            },
            |frames, id| hasher.hash_one(frames[id as usize]),
        )
    }

    /// A new point of frame `f`; its id goes to `items`.
    fn add_point(&mut self, f: Frame, line: i64) {
        let frame = self.intern(f);
        self.items.push(self.points.frame.len() as u32);
        self.points.frame.push(frame);
        self.points.line.push(line);
    }

    /// Resolves `loc` unless done already (see [`Self::of`]).
    #[inline]
    fn prepare(&mut self, loc: LocId) {
        if self
            .span
            .get(loc.index())
            .is_some_and(|&(first, _)| first == LOC_UNRESOLVED)
        {
            self.resolve(loc);
        }
    }

    /// The points `loc` adds to a call path, outermost first (pprof's
    /// `makeInitialStacks`: one frame per line, the inlined ones flagged);
    /// once [`Self::prepare`]d.
    #[inline]
    fn of(&self, loc: LocId) -> &[u32] {
        let i = loc.index();
        match self.span.get(i) {
            None | Some((LOC_NONE | LOC_UNRESOLVED, _)) => &[],
            Some(&(LOC_LIST, k)) => {
                let (start, len) = self.lists[k as usize];
                &self.items[start as usize..start as usize + len as usize]
            }
            Some((p, _)) => std::slice::from_ref(p),
        }
    }

    #[cold]
    fn resolve(&mut self, loc: LocId) {
        let start = self.items.len() as u32;
        let profile = self.profile;
        let location = &profile.locations[loc.index()];
        if !self.filter.is_hidden(loc) {
            let nl = profile.lines.len();
            let own = location.line_range();
            let own = own.start.min(nl)..own.end.min(nl);
            if own.is_empty() {
                // Unsymbolised: one frame named by its address.
                self.add_point(
                    Frame {
                        address: location.address,
                        ..Frame::default()
                    },
                    0,
                );
            } else {
                // The outermost line of the location is the non-inlined one;
                // frames that survive a filter keep their inlined flag.
                let outer = own.end - 1;
                let push = |t: &mut Self, l: usize| {
                    let (name, file) = match profile.functions.get(profile.lines[l].func.index()) {
                        Some(f) => (f.name, f.file),
                        None => (Strings::EMPTY, Strings::EMPTY),
                    };
                    let address = if name == Strings::EMPTY {
                        location.address
                    } else {
                        0
                    };
                    t.add_point(
                        Frame {
                            name,
                            file,
                            address,
                            inlined: l != outer,
                        },
                        profile.lines[l].line,
                    );
                };
                match self.filter.location_lines(loc) {
                    Some(kept) => {
                        for &l in kept.iter().rev().filter(|&&l| (l as usize) < nl) {
                            push(self, l as usize);
                        }
                    }
                    None => {
                        for l in own.rev() {
                            push(self, l);
                        }
                    }
                }
            }
        }
        let len = self.items.len() as u32 - start;
        self.span[loc.index()] = match len {
            0 => (LOC_NONE, 0),
            1 if self.items[start as usize] < LOC_LIST => (self.items.pop().unwrap_or_default(), 0),
            _ => {
                self.lists.push((start, len));
                (LOC_LIST, self.lists.len() as u32 - 1)
            }
        };
    }
}

/// The nodes as built (a parent before its children).
struct RawNodes {
    parent: Vec<u32>,
    /// Index into [`LocationFrames::points`].
    point: Vec<u32>,
}

/// [`RawNodes`] being built, with what finds a node's child by frame.
///
/// Most nodes are the only child of their parent (a call path continues
/// with one callee far more often than it forks), so a node records its
/// only child itself, and only the children of nodes with several go into
/// the index: a small table that stays in cache, and most lookups answered
/// by the parent's own entry (which, for a chain of new nodes, was written
/// just before).
///
/// The parent links are not kept while building (nothing reads them
/// then): [`Self::into_nodes`] reads them from the only-child links and
/// the index once the count of nodes is known, so the only node arrays
/// reserved for the worst case are the two the lookups need.
struct RawTree {
    /// Index into [`LocationFrames::points`].
    point: Vec<u32>,
    /// Per node: its only child, [`NO_CHILD`], or [`MANY_CHILDREN`] (then
    /// its children are in `index`).
    first: Vec<u32>,
    index: ChildIndex,
}

/// In [`RawTree::first`]: no child yet (the root, 0, is nobody's child).
const NO_CHILD: u32 = 0;
/// In [`RawTree::first`]: the children are in the index.
const MANY_CHILDREN: u32 = u32::MAX;

impl RawTree {
    /// Room for `n` nodes, of which a fraction in the index.
    fn with_capacity(n: usize) -> RawTree {
        let mut t = RawTree {
            point: Vec::with_capacity(n),
            first: Vec::with_capacity(n),
            index: ChildIndex::with_capacity(n / 4),
        };
        t.push(ROOT.get());
        t
    }

    #[inline]
    fn push(&mut self, point: u32) -> u32 {
        let n = self.point.len() as u32;
        if self.point.len() == self.point.capacity() {
            self.grow();
        }
        self.point.push(point);
        self.first.push(NO_CHILD);
        n
    }

    /// Room for a quarter more nodes: doubling both arrays at once would
    /// make the tree's growth the build's peak.
    #[cold]
    fn grow(&mut self) {
        let more = (self.first.len() / 4).max(1024);
        self.point.reserve_exact(more);
        self.first.reserve_exact(more);
    }

    /// The child of `parent` for `point`'s frame, made with `point` (its
    /// line) if new: the first stack node to reach a flame node gives it
    /// its line (see [`map_stacks`]).
    #[inline]
    fn child(&mut self, parent: u32, point: u32, point_frame: &[u32]) -> u32 {
        let p = parent as usize;
        let frame = point_frame[point as usize];
        match self.first[p] {
            NO_CHILD => {
                let n = self.push(point);
                self.first[p] = n;
                n
            }
            MANY_CHILDREN => {
                let hash = key_hash(parent, frame);
                if let Some(n) = self.index.find(hash) {
                    return n;
                }
                let n = self.push(point);
                self.index.insert_new(hash, n);
                n
            }
            only => {
                let only_frame = point_frame[self.point[only as usize] as usize];
                if only_frame == frame {
                    return only;
                }
                // A second child: both go to the index.
                self.first[p] = MANY_CHILDREN;
                self.index.insert_new(key_hash(parent, only_frame), only);
                let n = self.push(point);
                self.index.insert_new(key_hash(parent, frame), n);
                n
            }
        }
    }

    /// The nodes with their parents: every node but the root is either
    /// its parent's only child or in the index under its parent's key.
    fn into_nodes(self) -> RawNodes {
        let mut parent = vec![NO_PARENT; self.point.len()];
        for (p, &only) in self.first.iter().enumerate() {
            if only != NO_CHILD && only != MANY_CHILDREN {
                parent[only as usize] = p as u32;
            }
        }
        for (p, n) in self.index.parents() {
            parent[n as usize] = p;
        }
        RawNodes {
            parent,
            point: self.point,
        }
    }
}

/// Compares two frames for the order of siblings of equal weight: name,
/// file, inlined flag, address.
fn frame_order(frames: &[Frame], strings: &Strings, a: u32, b: u32) -> std::cmp::Ordering {
    if a == b {
        return std::cmp::Ordering::Equal;
    }
    let (a, b) = (&frames[a as usize], &frames[b as usize]);
    strings
        .get(a.name)
        .cmp(strings.get(b.name))
        .then_with(|| strings.get(a.file).cmp(strings.get(b.file)))
        .then_with(|| a.inlined.cmp(&b.inlined))
        .then_with(|| a.address.cmp(&b.address))
}

impl FlameTree {
    /// Builds the tree of the whole profile for `opts.sample_index`.
    pub fn build(profile: &Profile, opts: &FlameOptions) -> FlameTree {
        Self::build_filtered(profile, opts, &())
    }

    /// Builds the tree of the samples and frames `filter` keeps.
    pub fn build_filtered<F: FlameFilter + ?Sized>(
        profile: &Profile,
        opts: &FlameOptions,
        filter: &F,
    ) -> FlameTree {
        // 1. Which stack nodes are leaves of kept samples.
        let kept = KeptSamples::scan(profile, opts.sample_index, filter);

        // 2. Map stack nodes to flame nodes, top-down, each once.
        let mut locs = LocationFrames::new(profile, filter);
        let (raw, map) = map_stacks(profile, filter, &kept, &mut locs);
        let (points, frames) = locs.into_tables();
        let RawNodes { parent, mut point } = raw;
        let n = parent.len();
        // Reserved for the worst case; kept for good.
        point.shrink_to_fit();

        // 3. Totals (and weights): each value into its node, then, nodes
        // being made after their parents, one reverse pass. Sums wrap (see
        // `add_value`), so the order of the terms does not matter.
        let with_weight = kept.negative;
        let mut total = vec![0i64; n];
        let mut weight = if with_weight {
            vec![0u64; n]
        } else {
            Vec::new()
        };
        for_each_kept(profile, opts.sample_index, filter, |s, v| {
            let f = match map.get(s) {
                Some(&f) if f < REACHED => f as usize,
                Some(_) => return,
                None => 0,
            };
            total[f] = add_value(total[f], v);
            if with_weight {
                weight[f] = add_weight(weight[f], v.unsigned_abs());
            }
        });
        drop((map, kept));
        for i in (1..n).rev() {
            let p = parent[i] as usize;
            total[p] = add_value(total[p], total[i]);
            if with_weight {
                weight[p] = add_weight(weight[p], weight[i]);
            }
        }

        // 4. Children lists, sorted for display: grouped by parent, parents
        // in build order. The group offsets (`next[p]` ends p's children
        // and starts p + 1's once filled) go once the groups are sorted:
        // later steps find a group's end where its parent changes.
        let mut children = vec![0u32; n.saturating_sub(1)];
        {
            let mut next = vec![0u32; n + 1];
            for &p in &parent[1..] {
                next[p as usize + 1] += 1;
            }
            for i in 0..n {
                next[i + 1] += next[i];
            }
            for (i, &p) in parent.iter().enumerate().skip(1) {
                let slot = &mut next[p as usize];
                children[*slot as usize] = i as u32;
                *slot += 1;
            }
            let strings = &profile.strings;
            let wkey = |c: u32| {
                if with_weight {
                    weight[c as usize]
                } else {
                    total[c as usize] as u64
                }
            };
            let mut start = 0;
            for &end in &next[..n] {
                let list = &mut children[start..end as usize];
                start = end as usize;
                if list.len() > 1 {
                    list.sort_unstable_by(|&a, &b| {
                        wkey(b)
                            .cmp(&wkey(a))
                            .then_with(|| {
                                let frame_of = |c: u32| points.frame[point[c as usize] as usize];
                                frame_order(&frames, strings, frame_of(a), frame_of(b))
                            })
                            .then(a.cmp(&b))
                    });
                }
            }
        }

        // 5. Preorder ids without a traversal: a node's first child comes
        // right after it, each next sibling after the previous one's
        // subtree. Parents come first, so one pass over the groups numbers
        // everything (a group's parent is numbered in an earlier group);
        // the subtree sizes turn into the new ids in place.
        let mut new_id = vec![1u32; n];
        for i in (1..n).rev() {
            new_id[parent[i] as usize] += new_id[i];
        }
        new_id[0] = ROOT.get();
        let mut group = (NO_PARENT, 0);
        for &c in &children {
            let c = c as usize;
            let p = parent[c];
            if p != group.0 {
                group = (p, new_id[p as usize] + 1);
            }
            let size = new_id[c];
            new_id[c] = group.1;
            group.1 += size;
        }
        drop(children);

        // 6. Everything moves to its new place: the 4-byte arrays one at a
        // time, each old one freed before the next new one is made, and the
        // 8-byte ones in place, so the build's arrays never outgrow its
        // steps 4 and 5, nor the tree it returns.
        let parent = permute_parents(parent, &new_id);
        let point = permute(point, &new_id);
        permute_in_place(&mut total, &new_id);
        permute_in_place(&mut weight, &new_id);
        drop(new_id);

        // 7. Subtree ends and depths, from the preorder parents.
        let mut end = vec![1u32; n];
        for i in (1..n).rev() {
            end[parent[i] as usize] += end[i];
        }
        for (i, e) in end.iter_mut().enumerate() {
            *e += i as u32;
        }
        let mut depth = vec![0u32; n];
        let mut height = 0;
        for i in 1..n {
            let d = depth[parent[i] as usize] + 1;
            depth[i] = d;
            height = height.max(d);
        }
        FlameTree {
            sample_index: opts.sample_index,
            parent,
            end,
            depth,
            point,
            total,
            weight,
            points,
            frames,
            height,
        }
    }
}

/// Step 2 of the build: the flame node of every stack node that leads to a
/// used leaf ([`UNMAPPED`] for the others, [`BEFORE_SHOW_FROM`] for those
/// rootward of a `show_from` match), and the flame nodes themselves.
///
/// A flame node's representative line is that of the first stack node to
/// reach it when the used leaves are taken by id, each with its path from
/// the root. So the leaves are visited in that order, each climbing to the
/// first node already mapped and mapping the path below it top-down: every
/// stack node is mapped once, by the lowest used leaf below it, and the
/// first to reach a flame node is the one whose line it keeps, with no
/// per-node record of who came first. Parents come first in the stack
/// table (see [`crate::model::StackTable`]), and a decoder adds a new call
/// path's nodes one after another, so a climb mostly reads entries next to
/// each other, just below the leaf.
fn map_stacks<F: FlameFilter + ?Sized>(
    profile: &Profile,
    filter: &F,
    kept: &KeptSamples,
    locs: &mut LocationFrames<'_, F>,
) -> (RawNodes, Vec<u32>) {
    let stacks = &profile.stacks;
    let ns = stacks.len();
    let parents = stacks.parents();
    let with_show_from = filter.has_show_from();

    // state[c]: UNMAPPED, REACHED once on a used leaf's path, then the
    // mapping.
    let mut state = vec![UNMAPPED; ns];
    // Room for the nodes: each stack node adds at most one per line of its
    // location (or one if it has none); a byte per location keeps the count
    // in cache. Siblings merge by function, so that bound is loose: the
    // room reserved is at most one node per reached stack node, more made
    // as needed.
    let lines_of: Vec<u8> = profile
        .locations
        .iter()
        .map(|l| l.line_range().len().clamp(1, u8::MAX.into()) as u8)
        .collect();
    let mut frames_bound = 1usize;
    let mut reached = 1usize;
    for (c, st) in state.iter_mut().enumerate() {
        if kept.used(c) {
            *st = REACHED;
        }
    }
    for c in (0..ns).rev() {
        if state[c] != REACHED {
            continue;
        }
        frames_bound += lines_of
            .get(stacks.locs()[c].index())
            .map_or(0, |&l| usize::from(l));
        reached += 1;
        if let Some(p) = parents[c] {
            state[p.index()] = REACHED;
        }
    }
    drop(lines_of);
    let mut raw = RawTree::with_capacity(frames_bound.min(reached));
    // The unmapped part of a leaf's path, leaf first.
    let mut path: Vec<usize> = Vec::new();
    for leaf in (0..ns).filter(|&c| kept.used(c)) {
        let mut c = leaf;
        while state[c] == REACHED {
            path.push(c);
            match parents[c] {
                Some(p) => c = p.index(),
                None => break,
            }
        }
        while let Some(c) = path.pop() {
            let (mut node, mut on) = match parents[c].map(|p| state[p.index()]) {
                Some(BEFORE_SHOW_FROM) => (ROOT.get(), false),
                Some(m) => (m, true),
                None => (ROOT.get(), !with_show_from),
            };
            let loc = stacks.locs()[c];
            if !on && filter.shows_from(loc) {
                on = true;
                node = ROOT.get();
            }
            state[c] = if on {
                locs.prepare(loc);
                for &point in locs.of(loc) {
                    node = raw.child(node, point, &locs.points.frame);
                }
                node
            } else {
                BEFORE_SHOW_FROM
            };
        }
    }
    (raw.into_nodes(), state)
}
