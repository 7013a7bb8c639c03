//! Merging profiles, as google/pprof's `profile.Merge` does (what
//! `go tool pprof a.pb.gz b.pb.gz ...` runs on its inputs).
//!
//! * Samples with the same stack and the same labels add up. "Same stack"
//!   means the same locations by content, not by the ids in each file:
//!   mappings, functions and locations are deduplicated by content first,
//!   with pprof's keys (a mapping by its size rounded to 4 KiB, offset and
//!   build id or else file; a function by name, system name, file and start
//!   line; a location by its address relative to its mapping, its lines and
//!   `is_folded`).
//! * Samples whose values are all zero are dropped, before and after adding
//!   up, and only what the remaining samples use is kept.
//! * Headers: the sample and period types must be equal; the time is the
//!   earliest, durations add up, the period is the largest; comments are
//!   kept once each; the first mapping of the first profile that has one
//!   stays first (pprof's `File:` line names it).
//!
//! Why it is shaped this way: a fleet is dozens of profiles of 10-100 MB.
//! Each input is read once; its strings, functions, mappings, locations,
//! stack nodes and label sets are translated lazily through per-input
//! tables indexed by the input's own ids, so the work is linear in the
//! input and nothing recurses (an input's stack nodes are mapped in their
//! own order, which puts every parent before its children).

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash, Hasher};

use hashbrown::{DefaultHashBuilder, HashMap};

mod compatible;
mod labels;
mod samples;

pub(crate) use compatible::check_compatible;
pub use compatible::MergeError;

use super::chunked::grow_by_half;
use super::{
    FuncId, Function, IdIndex, LabelSetId, LabelSets, Line, LocId, Location, Mapping, MappingId,
    PathStacks, Profile, SourceFormat, StackId, StrId, Strings, ValueType,
};
use samples::SampleIndex;

/// The label pprof puts on the samples of a `-diff_base` profile
/// (`pprof::base=true`); reports take their total from those samples.
pub const BASE_LABEL_KEY: &str = "pprof::base";
pub const BASE_LABEL_VALUE: &str = "true";

/// Merges `profiles` into a new one; see the module docs. One profile is
/// merged too (pprof does it to every input): identical samples combine and
/// unused locations go.
pub fn merge<P: Borrow<Profile>>(profiles: &[P]) -> Result<Profile, MergeError> {
    let inputs: Vec<Input<'_>> = profiles.iter().map(|p| Input::plain(p.borrow())).collect();
    merge_inputs(&inputs)
}

/// The header [`merge`] gives `profiles`, without their samples: what a
/// report's header lines read (its one mapping is the one pprof's `File:`
/// line names), for a comparison whose figures come from each side.
pub fn merged_header(profiles: &[&Profile]) -> Result<Profile, MergeError> {
    let first = profiles.first().ok_or(MergeError::NoProfiles)?;
    for (i, p) in profiles.iter().enumerate().skip(1) {
        check_compatible(first, p, i + 1)?;
    }
    let mut m = Merger::new(first);
    for p in profiles {
        m.combine_header(p);
        if m.out.mappings.is_empty() && !p.mappings.is_empty() {
            m.map_mapping(&mut SourceMaps::new(p), p, MappingId(0));
        }
    }
    Ok(m.out)
}

/// One profile as it enters a merge, with the changes pprof's driver makes
/// to it first.
pub(crate) struct Input<'a> {
    pub profile: &'a Profile,
    /// pprof's `ScaleN` passes, applied in order: each multiplies value `i`
    /// by `ratios[i]`, rounds, and drops the sample unless a scaled value is
    /// non-zero.
    pub scales: Vec<Vec<f64>>,
    /// Set `pprof::base=true` on every sample (`-diff_base`).
    pub base_label: bool,
}

impl<'a> Input<'a> {
    pub fn plain(profile: &'a Profile) -> Self {
        Input {
            profile,
            scales: Vec::new(),
            base_label: false,
        }
    }
}

pub(crate) fn merge_inputs(inputs: &[Input<'_>]) -> Result<Profile, MergeError> {
    let first = inputs.first().ok_or(MergeError::NoProfiles)?.profile;
    for (i, input) in inputs.iter().enumerate().skip(1) {
        check_compatible(first, input.profile, i + 1)?;
    }
    let mut m = StreamMerge::new();
    for input in inputs {
        m.add_input(input)?;
    }
    m.finish()
}

/// A merge fed one profile at a time, as files are read, so that only the
/// merged result and the file being added are held: memory grows with the
/// distinct stacks, not with the number of files, and each profile is
/// mapped once (merging the running result again with each new file would
/// copy it once per file). The result is [`merge`]'s of all of them.
#[derive(Default)]
pub struct StreamMerge {
    merger: Option<Merger>,
    count: usize,
}

impl StreamMerge {
    pub fn new() -> Self {
        StreamMerge::default()
    }

    /// Adds the next profile. When its types differ from the first's, it
    /// is refused and the merge stays as it was.
    pub fn add(&mut self, profile: &Profile) -> Result<(), MergeError> {
        self.add_input(&Input::plain(profile))
    }

    pub(crate) fn add_input(&mut self, input: &Input<'_>) -> Result<(), MergeError> {
        let m = match &mut self.merger {
            Some(m) => {
                check_compatible(&m.out, input.profile, self.count + 1)?;
                m
            }
            None => self.merger.insert(Merger::new(input.profile)),
        };
        m.combine_header(input.profile);
        m.add(input);
        self.count += 1;
        Ok(())
    }

    /// The merged profile.
    pub fn finish(self) -> Result<Profile, MergeError> {
        let out = self.merger.ok_or(MergeError::NoProfiles)?.finish();
        let nt = out.sample_types.len();
        let has_zero = nt > 0
            && out
                .samples
                .values
                .chunks(nt)
                .any(|v| v.iter().all(|&x| x == 0));
        if has_zero {
            // Samples that cancelled out: merge the result once more, as pprof
            // does, to drop them and what only they used. That pass adds no two
            // samples together, so it leaves no zero sample behind.
            return Ok(Merger::merge_one(&out));
        }
        Ok(out)
    }
}

/// What one input's ids became in the merged profile; `u32::MAX` is "not
/// yet seen".
struct SourceMaps {
    strs: Vec<u32>,
    funcs: Vec<u32>,
    mappings: Vec<Option<(MappingId, i64)>>,
    locs: Vec<u32>,
    stacks: Vec<u32>,
    /// (stored set, canonical set) per input label set.
    label_sets: Vec<Option<(LabelSetId, LabelSetId)>>,
}

impl SourceMaps {
    fn new(p: &Profile) -> Self {
        SourceMaps {
            strs: vec![u32::MAX; p.strings.len()],
            funcs: vec![u32::MAX; p.functions.len()],
            mappings: vec![None; p.mappings.len()],
            locs: vec![u32::MAX; p.locations.len()],
            stacks: vec![u32::MAX; p.stacks.len()],
            label_sets: vec![None; p.label_sets.len()],
        }
    }
}

struct Merger {
    out: Profile,
    stacks: PathStacks,
    /// Folds [`Merger::map_stacks`]'s up-front slot reads so they are kept.
    touched: u32,
    /// Functions, locations and samples are found by their content in
    /// `out` ([`IdIndex`]): a fleet's merge holds millions of each, and
    /// maps keeping every key a second time were most of its peak memory.
    functions: IdIndex,
    mappings: HashMap<(u64, u64, StrId), MappingId>,
    /// Locations by pprof's `locationKey`: the address relative to the
    /// mapping, the lines' functions and line numbers, `is_folded`, and
    /// the last line's column only (pprof writes each line's column into
    /// the slot the next line's function id then overwrites).
    locations: IdIndex,
    samples: SampleIndex,
    hasher: DefaultHashBuilder,
    /// The mapped lines of the location being added.
    lines: Vec<Line>,
    /// Label sets in pprof's key order (string labels by key, then numeric
    /// ones by key; values of one key in file order), for equality only.
    canonical: LabelSets,
    values: Vec<i64>,
    seen_comments: hashbrown::HashSet<StrId>,
}

impl Merger {
    /// The types of `first`, no samples yet; each input's header is then
    /// combined in turn (`combine_header`).
    fn new(first: &Profile) -> Self {
        let mut out = Profile::new(merged_format(first.format));
        let mut strings = Strings::new();
        let mut s = |p: &Profile, id: StrId| strings.intern(p.str(id));
        for t in &first.sample_types {
            let t = ValueType {
                kind: s(first, t.kind),
                unit: s(first, t.unit),
            };
            out.sample_types.push(t);
        }
        out.period_type = first.period_type.map(|t| ValueType {
            kind: s(first, t.kind),
            unit: s(first, t.unit),
        });
        out.drop_frames = first.drop_frames.map(|d| s(first, d));
        out.keep_frames = first.keep_frames.map(|k| s(first, k));
        out.strings = strings;
        let nt = out.sample_types.len();
        Merger {
            out,
            stacks: PathStacks::new(),
            touched: 0,
            functions: IdIndex::default(),
            mappings: HashMap::new(),
            locations: IdIndex::default(),
            samples: SampleIndex::new(nt),
            hasher: DefaultHashBuilder::default(),
            lines: Vec::new(),
            canonical: LabelSets::default(),
            values: vec![0; nt],
            seen_comments: hashbrown::HashSet::new(),
        }
    }

    /// Adds `p`'s header (pprof's `combineHeaders`): the earliest time,
    /// durations added up, the largest period, comments once each in
    /// order, the first non-empty default sample type and doc URL.
    fn combine_header(&mut self, p: &Profile) {
        let out = &mut self.out;
        if out.time_nanos == 0 || p.time_nanos < out.time_nanos {
            out.time_nanos = p.time_nanos;
        }
        out.duration_nanos = out.duration_nanos.wrapping_add(p.duration_nanos);
        if out.period == 0 || out.period < p.period {
            out.period = p.period;
        }
        for &c in &p.comments {
            let c = out.strings.intern(p.str(c));
            if self.seen_comments.insert(c) {
                out.comments.push(c);
            }
        }
        let non_empty = |x: Option<StrId>| x.filter(|&x| !p.str(x).is_empty());
        if out.default_sample_type.is_none() {
            out.default_sample_type =
                non_empty(p.default_sample_type).map(|x| out.strings.intern(p.str(x)));
        }
        if out.doc_url.is_none() {
            out.doc_url = non_empty(p.doc_url).map(|x| out.strings.intern(p.str(x)));
        }
        out.warning_count += p.warning_count;
        for w in &p.warnings {
            if out.warnings.len() < 100 {
                out.warnings.push(w.clone());
            }
        }
        out.panics.extend(p.panics.iter().cloned());
    }

    /// A second pass over an already merged profile (see `merge_inputs`).
    fn merge_one(p: &Profile) -> Profile {
        let input = Input::plain(p);
        let mut m = Merger::new(p);
        m.combine_header(p);
        m.add(&input);
        m.finish()
    }

    /// The merged profile. The lookup indexes go first (the stack slots
    /// with the nodes), so that the exact blocks the nodes and the sample
    /// values are copied into take about the room they gave back.
    fn finish(self) -> Profile {
        let Merger {
            mut out,
            stacks,
            samples,
            functions,
            mappings,
            locations,
            canonical,
            seen_comments,
            ..
        } = self;
        drop((functions, mappings, locations, canonical, seen_comments));
        out.stacks = stacks.finish();
        out.samples = samples.finish();
        // A merge of many programs holds millions of functions, locations
        // and lines; the slack of their growth would stay as long as the
        // profile. (The string text keeps its slack: shrinking it too cost
        // the worker's wasm more than the single-file budget leaves.)
        out.functions.shrink_to_fit();
        out.locations.shrink_to_fit();
        out.lines.shrink_to_fit();
        out
    }

    fn str(&mut self, maps: &mut SourceMaps, src: &Profile, id: StrId) -> StrId {
        let slot = &mut maps.strs[id.index()];
        if *slot == u32::MAX {
            *slot = self.out.strings.intern(src.str(id)).0;
        }
        StrId(*slot)
    }

    fn map_function(&mut self, maps: &mut SourceMaps, src: &Profile, f: FuncId) -> FuncId {
        if maps.funcs[f.index()] != u32::MAX {
            return FuncId(maps.funcs[f.index()]);
        }
        let sf = src.functions[f.index()];
        let func = Function {
            name: self.str(maps, src, sf.name),
            system_name: self.str(maps, src, sf.system_name),
            file: self.str(maps, src, sf.file),
            start_line: sf.start_line,
        };
        let hasher = &self.hasher;
        let key = |f: &Function| hasher.hash_one((f.start_line, f.name, f.system_name, f.file));
        let id = FuncId(self.functions.find_or_add(
            key(&func),
            &mut self.out.functions,
            |fs, id| fs[id as usize] == func,
            |fs| {
                grow_by_half(fs);
                fs.push(func);
                fs.len() as u32 - 1
            },
            |fs, id| key(&fs[id as usize]),
        ));
        maps.funcs[f.index()] = id.0;
        id
    }

    /// The merged mapping and how far the input's addresses move to it.
    fn map_mapping(
        &mut self,
        maps: &mut SourceMaps,
        src: &Profile,
        m: MappingId,
    ) -> (MappingId, i64) {
        if let Some(done) = maps.mappings[m.index()] {
            return done;
        }
        let sm = src.mappings[m.index()];
        // pprof rounds the size up to 4 KiB to absorb small differences.
        let size = sm
            .memory_limit
            .wrapping_sub(sm.memory_start)
            .wrapping_add(0xfff);
        let size = size - size % 0x1000;
        let file = self.str(maps, src, sm.file);
        let build_id = self.str(maps, src, sm.build_id);
        let name = if build_id != Strings::EMPTY {
            build_id
        } else {
            file
        };
        let key = (size, sm.file_offset, name);
        let done = match self.mappings.get(&key) {
            Some(&id) => {
                let start = self.out.mappings[id.index()].memory_start;
                (id, (start as i64).wrapping_sub(sm.memory_start as i64))
            }
            None => {
                let id = MappingId(self.out.mappings.len() as u32);
                self.out.mappings.push(Mapping {
                    source_id: u64::from(id.0) + 1,
                    file,
                    build_id,
                    ..sm
                });
                self.mappings.insert(key, id);
                (id, 0)
            }
        };
        maps.mappings[m.index()] = Some(done);
        done
    }

    fn map_location(&mut self, maps: &mut SourceMaps, src: &Profile, loc: LocId) -> LocId {
        if maps.locs[loc.index()] != u32::MAX {
            return LocId(maps.locs[loc.index()]);
        }
        let sl = src.locations[loc.index()];
        let (mapping, offset) = match sl.mapping {
            Some(m) if m.index() < src.mappings.len() => {
                let (id, offset) = self.map_mapping(maps, src, m);
                (Some(id), offset)
            }
            _ => (None, 0),
        };
        let address = (sl.address as i64).wrapping_add(offset) as u64;
        let src_lines = src.location_lines(loc);
        let mut lines = std::mem::take(&mut self.lines);
        lines.clear();
        for l in src_lines {
            lines.push(Line {
                func: self.map_function(maps, src, l.func),
                ..*l
            });
        }
        let mapping_key = mapping.map_or(u32::MAX, |m| m.0);
        let folded = sl.is_folded;
        // Within one merged mapping, equal absolute addresses are equal
        // addresses relative to it.
        let hasher = &self.hasher;
        let hash = location_hash(hasher, (address, mapping_key, folded), &lines);
        let id = self.locations.find_or_add(
            hash,
            &mut self.out,
            |out, id| {
                let l = &out.locations[id as usize];
                l.address == address
                    && l.mapping.map_or(u32::MAX, |m| m.0) == mapping_key
                    && l.is_folded == folded
                    && same_lines(&out.lines[l.line_range()], &lines)
            },
            |out| {
                let lines_start = out.lines.len() as u32;
                for &line in &lines {
                    grow_by_half(&mut out.lines);
                    out.lines.push(line);
                }
                let id = out.locations.len() as u32;
                grow_by_half(&mut out.locations);
                out.locations.push(Location {
                    source_id: u64::from(id) + 1,
                    mapping,
                    address,
                    lines_start,
                    lines_end: out.lines.len() as u32,
                    is_folded: folded,
                });
                id
            },
            |out, id| {
                let l = &out.locations[id as usize];
                let key = (l.address, l.mapping.map_or(u32::MAX, |m| m.0), l.is_folded);
                location_hash(hasher, key, &out.lines[l.line_range()])
            },
        );
        self.lines = lines;
        let id = LocId(id);
        maps.locs[loc.index()] = id.0;
        id
    }

    /// Maps the input's stack nodes that `used` marks (the leaves of the
    /// samples kept) and every caller of them into the merged table, by
    /// the input's node order: parents come first (see [`StackTable`]),
    /// so one forward pass finds each parent mapped, and the nodes come in
    /// the order a walk of the samples would first reach them. Each node's
    /// path hash is known before any lookup, so a batch of lookups is
    /// touched up front and their cache misses overlap (see
    /// [`PathStacks`]).
    fn map_stacks(&mut self, maps: &mut SourceMaps, src: &Profile, mut used: Vec<bool>) {
        let t = &src.stacks;
        for n in (0..t.len()).rev() {
            if used[n] {
                if let Some(p) = t.parents()[n] {
                    used[p.index()] = true;
                }
            }
        }
        // Each used node's merged location and path hash, parents first.
        let mut order: Vec<u32> = Vec::new();
        let mut paths = vec![0u32; t.len()];
        let mut locs = vec![0u32; t.len()];
        for n in (0..t.len()).filter(|&n| used[n]) {
            let loc = self.map_location(maps, src, t.locs()[n]).0;
            let above = t.parents()[n].map_or(PathStacks::PATH_SEED, |p| paths[p.index()]);
            paths[n] = PathStacks::path_step(above, loc);
            locs[n] = loc;
            order.push(n as u32);
        }
        drop(used);
        // Every lookup compares, even below a node this input has just
        // created: two of the input's locations may be one merged location,
        // so its children may meet again. A slot's compare reads the table
        // only when the path hash bits it keeps match (see [`PathStacks`]),
        // at most about one probed slot in a thousand, so it costs a new node
        // little.
        const BATCH: usize = 16;
        for batch in order.chunks(BATCH) {
            let mut touched = 0;
            for &n in batch {
                touched ^= self.stacks.touch(paths[n as usize]);
            }
            self.touched ^= touched;
            for &n in batch {
                let n = n as usize;
                let parent1 = t.parents()[n].map_or(0, |p| maps.stacks[p.index()] + 1);
                let node = self
                    .stacks
                    .node(paths[n], parent1, locs[n], &mut false)
                    .expect("a merge holds fewer than 4 billion stack nodes");
                maps.stacks[n] = node;
            }
        }
    }

    fn add(&mut self, input: &Input<'_>) {
        let src = input.profile;
        let mut maps = SourceMaps::new(src);
        if self.out.mappings.is_empty() && !src.mappings.is_empty() {
            // pprof keeps the main binary (the first mapping) first.
            self.map_mapping(&mut maps, src, MappingId(0));
        }
        let mut values = std::mem::take(&mut self.values);
        // Which samples stay, and the stack nodes they use.
        let mut kept = vec![false; src.samples.len()];
        let mut used = vec![false; src.stacks.len()];
        for (i, keep) in kept.iter_mut().enumerate() {
            if !self.scaled(src, input, i, &mut values) {
                continue;
            }
            *keep = true;
            if let Some(leaf) = src.samples.stack[i] {
                used[leaf.index()] = true;
            }
        }
        self.map_stacks(&mut maps, src, used);
        for (i, _) in kept.iter().enumerate().filter(|(_, &k)| k) {
            self.scaled(src, input, i, &mut values);
            let stack = src.samples.stack[i].map(|leaf| StackId::new(maps.stacks[leaf.index()]));
            let set = src
                .samples
                .labels
                .get(i)
                .copied()
                .unwrap_or(LabelSets::EMPTY);
            let (stored, canonical) = self.map_labels(&mut maps, src, set, input.base_label);
            self.samples.add(stack, stored, canonical, &values);
        }
        self.values = values;
    }

    /// Sample `i`'s values into `values`, scaled as `input` asks; whether
    /// the sample stays (not dropped by a scale, not all zero).
    fn scaled(&self, src: &Profile, input: &Input<'_>, i: usize, values: &mut [i64]) -> bool {
        let nt = values.len();
        let Some(row) = src.samples.values.get(i * nt..(i + 1) * nt) else {
            return false;
        };
        values.copy_from_slice(row);
        input.scales.iter().all(|r| scale_n(values, r)) && values.iter().any(|&v| v != 0)
    }
}

/// The hash of a merged location's key: its address, mapping and
/// `is_folded` (`head`), and of its lines what [`same_lines`] compares.
fn location_hash(hasher: &DefaultHashBuilder, head: (u64, u32, bool), lines: &[Line]) -> u64 {
    let mut h = hasher.build_hasher();
    head.hash(&mut h);
    for l in lines {
        (l.func, l.line).hash(&mut h);
    }
    lines.last().map_or(0, |l| l.column).hash(&mut h);
    h.finish()
}

/// Whether two locations' lines are one key: the same functions and line
/// numbers, and the same last column (see [`Merger::locations`]).
fn same_lines(a: &[Line], b: &[Line]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.func == y.func && x.line == y.line)
        && a.last().map(|l| l.column) == b.last().map(|l| l.column)
}

/// pprof's `ScaleN` on one sample: multiplies, rounds, and says whether the
/// sample stays (a value scaled by a ratio other than 1 is non-zero).
pub(crate) fn scale_n(values: &mut [i64], ratios: &[f64]) -> bool {
    if ratios.iter().all(|&r| r == 1.0) {
        return true;
    }
    let mut keep = false;
    for (v, &r) in values.iter_mut().zip(ratios) {
        if r != 1.0 {
            *v = (*v as f64 * r).round() as i64;
            keep |= *v != 0;
        }
    }
    keep
}

/// A merged dump holds groups of goroutines, not one sample per goroutine,
/// so its per-goroutine details cannot follow it.
fn merged_format(f: SourceFormat) -> SourceFormat {
    match f {
        SourceFormat::GoroutineDump | SourceFormat::Traceback => SourceFormat::GoroutineGrouped,
        f => f,
    }
}
