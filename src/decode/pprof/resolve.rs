//! The last stage: what the walk kept with the file's own numbers (ids,
//! string-table indices) becomes the model's typed ids, with pprof's checks:
//! id 0 is reserved, ids are unique, every index and reference is in range,
//! every sample has one value per sample type.
//!
//! Nothing here can run while the file is read: Go writes samples before the
//! locations, functions and string table they refer to.

use hashbrown::HashMap;

use super::invalid;
use super::location::FileLocations;
use super::messages as pb;
use super::stack_interner::StackInterner;
use crate::decode::{DecodeError, Result};
use crate::model::{
    FuncId, Function, Label, LabelSetId, LabelSets, Line, LocId, Location, Mapping, MappingId,
    Profile, StackId, StackTable, StrId, ValueType,
};

/// While samples are read, location ids below this are kept as they are (Go
/// numbers locations 1..n); larger ids get provisional numbers from here up.
const BIG_ID: u64 = 1 << 31;

/// The file's string table: file string index -> interned string.
#[derive(Default)]
pub(super) struct FileStrings(Vec<StrId>);

impl FileStrings {
    pub fn push(&mut self, id: StrId) {
        self.0.push(id);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Resolves a file string index; `what` names the field for the message.
    #[inline]
    fn get(&self, index: i64, what: impl FnOnce() -> String) -> Result<StrId> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.0.get(i).copied())
            .ok_or_else(|| {
                invalid(format!(
                    "string index {index} in {} is out of range (the string table has {} strings)",
                    what(),
                    self.0.len()
                ))
            })
    }

    /// A string index where 0 ("") means "not set".
    fn optional(&self, index: i64, what: &str) -> Result<Option<StrId>> {
        if index == 0 {
            return Ok(None);
        }
        self.get(index, || what.to_string()).map(Some)
    }
}

/// Every `Profile` field but the samples, as read: raw messages with the
/// absolute byte offset of each, for messages.
#[derive(Default)]
pub(super) struct FileTables {
    pub strings: FileStrings,
    pub sample_types: Vec<(pb::ValueType, usize)>,
    pub mappings: Vec<(pb::Mapping, usize)>,
    pub locations: FileLocations,
    pub functions: Vec<(pb::Function, usize)>,
    pub period_type: Option<(pb::ValueType, usize)>,
    pub drop_frames: i64,
    pub keep_frames: i64,
    pub default_sample_type: i64,
    pub doc_url: i64,
    pub comments: Vec<i64>,
}

/// What the samples were read with. Their values and stack and label set
/// ids are already in the profile; the stack table's locations are
/// [`LocationNumbers`], the label sets' strings are file string indices
/// (as `StrId`s).
pub(super) struct FileSamples {
    pub stacks: StackInterner,
    pub label_sets: LabelSets,
    pub locations: LocationNumbers,
    pub value_counts: ValueCounts,
}

impl FileSamples {
    pub fn new() -> Self {
        FileSamples {
            stacks: StackInterner::new(),
            label_sets: LabelSets::default(),
            locations: LocationNumbers::default(),
            value_counts: ValueCounts::default(),
        }
    }
}

/// The numbers samples keep the file's location ids under until the
/// locations are known (see [`BIG_ID`]): the stack table holds `u32`s.
#[derive(Default)]
pub(super) struct LocationNumbers {
    /// Provisional number - [`BIG_ID`] -> location id, for ids >= [`BIG_ID`].
    big_ids: Vec<u64>,
    big_index: HashMap<u64, u32>,
}

impl LocationNumbers {
    /// The number for the file's location `id`.
    #[inline(always)]
    pub fn number(&mut self, id: u64) -> Result<LocId> {
        // Id 0 is kept too: it is reported at the end, after the location
        // table's own errors, like any id that is not in the profile.
        if id < BIG_ID {
            return Ok(LocId(id as u32));
        }
        if let Some(&n) = self.big_index.get(&id) {
            return Ok(LocId(n));
        }
        let n = u32::try_from(BIG_ID as usize + self.big_ids.len())
            .ok()
            .filter(|&n| n < u32::MAX)
            .ok_or_else(|| invalid("more than 2 billion distinct large location ids".into()))?;
        self.big_ids.push(id);
        self.big_index.insert(id, n);
        Ok(LocId(n))
    }

    /// The file's location id behind a number.
    fn file_id(&self, loc: LocId) -> u64 {
        match (loc.0 as u64).checked_sub(BIG_ID) {
            Some(i) => self.big_ids.get(i as usize).copied().unwrap_or(0),
            None => loc.0 as u64,
        }
    }
}

/// The first sample's value count and offset, and the first sample whose
/// count differs from it: checked against the sample types at the end, as
/// a writer may put them after the samples.
#[derive(Default)]
pub(super) struct ValueCounts {
    first: Option<(usize, usize)>,
    /// (sample index, offset, count).
    odd: Option<(usize, usize, usize)>,
}

impl ValueCounts {
    /// Sample `index`, at byte `at`, has `count` values.
    #[inline]
    pub fn record(&mut self, index: usize, at: usize, count: usize) {
        match self.first {
            None => self.first = Some((count, at)),
            Some((first, _)) if first != count && self.odd.is_none() => {
                self.odd = Some((index, at, count))
            }
            Some(_) => {}
        }
    }

    fn check(&self, n_types: usize) -> Result<()> {
        let bad = match (self.first, self.odd) {
            (Some((count, at)), _) if count != n_types => Some((0, at, count)),
            (_, odd) => odd,
        };
        match bad {
            Some((index, at, got)) => Err(invalid(format!(
                "sample #{index} (at byte {at}) has {got} values but the profile has {n_types} sample types"
            ))),
            None => Ok(()),
        }
    }
}

/// Maps file ids (`Location.id`, ...) to dense model indices. Ids are small
/// and dense in practice (Go numbers them 1..n), so a `Vec` indexed by id is
/// the common case; a hash map covers sparse ids without unbounded memory.
#[derive(Debug)]
enum IdMap {
    Dense(Vec<u32>),
    Sparse(HashMap<u64, u32>),
}

impl IdMap {
    const ABSENT: u32 = u32::MAX;

    /// Builds the map for `ids` (in table order), rejecting id 0 and
    /// duplicates with `what` ("location", ...) and byte `offsets` in the
    /// message.
    fn build(ids: &[u64], offsets: &[usize], what: &str) -> Result<IdMap> {
        let max = ids.iter().copied().max().unwrap_or(0);
        let dense_limit = (ids.len() as u64).saturating_mul(2).saturating_add(1024);
        let mut map = if max <= dense_limit {
            IdMap::Dense(vec![Self::ABSENT; max as usize + 1])
        } else {
            IdMap::Sparse(HashMap::with_capacity(ids.len()))
        };
        for (i, &id) in ids.iter().enumerate() {
            if id == 0 {
                return Err(invalid(format!(
                    "{what} #{i} (at byte {}) has id 0, which is reserved",
                    offsets[i]
                )));
            }
            let index = i as u32;
            let previous = match &mut map {
                IdMap::Dense(v) => std::mem::replace(&mut v[id as usize], index),
                IdMap::Sparse(m) => m.insert(id, index).unwrap_or(Self::ABSENT),
            };
            if previous != Self::ABSENT {
                return Err(invalid(format!(
                    "duplicate {what} id {id}: {what} #{previous} (at byte {}) and {what} #{i} (at byte {})",
                    offsets[previous as usize], offsets[i]
                )));
            }
        }
        Ok(map)
    }

    /// The map for a table of raw messages with their offsets.
    fn of<M>(table: &[(M, usize)], id: impl Fn(&M) -> u64, what: &str) -> Result<IdMap> {
        let ids: Vec<u64> = table.iter().map(|(m, _)| id(m)).collect();
        let offsets: Vec<usize> = table.iter().map(|(_, at)| *at).collect();
        Self::build(&ids, &offsets, what)
    }

    #[inline(always)]
    fn get(&self, id: u64) -> Option<u32> {
        let index = match self {
            IdMap::Dense(v) => *v.get(usize::try_from(id).ok()?)?,
            IdMap::Sparse(m) => *m.get(&id)?,
        };
        (index != Self::ABSENT).then_some(index)
    }
}

/// Resolves everything read into `profile`, whose strings, samples and
/// label sets by file numbers the walk has filled.
pub(super) fn resolve(file: FileTables, samples: FileSamples, profile: &mut Profile) -> Result<()> {
    let FileTables {
        strings,
        sample_types,
        mappings,
        locations,
        functions,
        period_type,
        drop_frames,
        keep_frames,
        default_sample_type,
        doc_url,
        comments,
    } = file;
    check_string_table(&strings, profile)?;
    // Every sample is read, so the stack table is complete: it drops its
    // lookup's slots (if a pause has not) and its growth slack before the
    // tables below are resolved beside it.
    let FileSamples {
        stacks,
        label_sets,
        locations: numbers,
        value_counts,
    } = samples;
    let table = stacks.finish();

    let mut resolved = Vec::with_capacity(sample_types.len());
    for (i, (vt, at)) in sample_types.iter().enumerate() {
        let kind = strings.get(vt.r#type, || {
            format!("sample_type[{i}].type (at byte {at})")
        })?;
        let unit = strings.get(vt.unit, || format!("sample_type[{i}].unit (at byte {at})"))?;
        resolved.push(ValueType { kind, unit });
    }
    profile.sample_types = resolved;
    if let Some((vt, at)) = period_type {
        let kind = strings.get(vt.r#type, || format!("period_type.type (at byte {at})"))?;
        let unit = strings.get(vt.unit, || format!("period_type.unit (at byte {at})"))?;
        profile.period_type = Some(ValueType { kind, unit });
    }
    profile.drop_frames = strings.optional(drop_frames, "drop_frames")?;
    profile.keep_frames = strings.optional(keep_frames, "keep_frames")?;
    profile.default_sample_type = strings.optional(default_sample_type, "default_sample_type")?;
    profile.doc_url = strings.optional(doc_url, "doc_url")?;
    let mut resolved = Vec::with_capacity(comments.len());
    for (i, &c) in comments.iter().enumerate() {
        resolved.push(strings.get(c, || format!("comment[{i}]"))?);
    }
    profile.comments = resolved;

    let mappings_by_id = resolve_mappings(&mappings, &strings, profile)?;
    let functions_by_id = resolve_functions(&functions, &strings, profile)?;
    let locations_by_id =
        resolve_locations(&locations, &mappings_by_id, &functions_by_id, profile)?;
    // The raw messages are no longer needed; free them before samples.
    drop((mappings, functions, locations));

    value_counts.check(profile.sample_types.len())?;
    resolve_samples(
        table,
        label_sets,
        &numbers,
        &strings,
        &locations_by_id,
        profile,
    )
}

fn check_string_table(strings: &FileStrings, profile: &Profile) -> Result<()> {
    match strings.0.first() {
        None => Err(invalid(
            "the string table is missing (it must start with \"\")".into(),
        )),
        Some(&s) if s != StrId(0) || !profile.strings.get(s).is_empty() => Err(invalid(format!(
            "string_table[0] must be \"\", found {:?}",
            profile.strings.get(s)
        ))),
        Some(_) => Ok(()),
    }
}

fn resolve_mappings(
    mappings: &[(pb::Mapping, usize)],
    strings: &FileStrings,
    profile: &mut Profile,
) -> Result<IdMap> {
    let by_id = IdMap::of(mappings, |m| m.id, "mapping")?;
    let mut resolved = Vec::with_capacity(mappings.len());
    for (m, at) in mappings {
        let what = |f: &str| format!("mapping id {} (at byte {at}) {f}", m.id);
        resolved.push(Mapping {
            source_id: m.id,
            memory_start: m.memory_start,
            memory_limit: m.memory_limit,
            file_offset: m.file_offset,
            file: strings.get(m.filename, || what("filename"))?,
            build_id: strings.get(m.build_id, || what("build_id"))?,
            has_functions: m.has_functions,
            has_filenames: m.has_filenames,
            has_line_numbers: m.has_line_numbers,
            has_inline_frames: m.has_inline_frames,
        });
    }
    profile.mappings = resolved;
    Ok(by_id)
}

fn resolve_functions(
    functions: &[(pb::Function, usize)],
    strings: &FileStrings,
    profile: &mut Profile,
) -> Result<IdMap> {
    let by_id = IdMap::of(functions, |f| f.id, "function")?;
    let mut resolved = Vec::with_capacity(functions.len());
    for (f, at) in functions {
        let what = |field: &str| format!("function id {} (at byte {at}) {field}", f.id);
        resolved.push(Function {
            name: strings.get(f.name, || what("name"))?,
            system_name: strings.get(f.system_name, || what("system_name"))?,
            file: strings.get(f.filename, || what("filename"))?,
            start_line: f.start_line,
        });
    }
    profile.functions = resolved;
    Ok(by_id)
}

/// Locations and their lines, which refer to mappings and functions.
fn resolve_locations(
    locations: &FileLocations,
    mappings_by_id: &IdMap,
    functions_by_id: &IdMap,
    profile: &mut Profile,
) -> Result<IdMap> {
    let ids: Vec<u64> = locations.rows.iter().map(|l| l.id).collect();
    let offsets: Vec<usize> = locations.rows.iter().map(|l| l.at).collect();
    let by_id = IdMap::build(&ids, &offsets, "location")?;
    drop((ids, offsets));
    let mut lines = Vec::with_capacity(locations.lines.len());
    let mut resolved = Vec::with_capacity(locations.len());
    let too_many = || invalid("more than 4 billion lines in locations".into());
    for l in &locations.rows {
        let at = l.at;
        let mapping = match l.mapping_id {
            0 => None,
            id => Some(MappingId(mappings_by_id.get(id).ok_or_else(|| {
                invalid(format!(
                    "location id {} (at byte {at}) refers to mapping id {id}, which is not in the profile",
                    l.id
                ))
            })?)),
        };
        let lines_start = u32::try_from(lines.len()).map_err(|_| too_many())?;
        for (j, line) in locations.lines_of(l).iter().enumerate() {
            let func = functions_by_id.get(line.function_id).ok_or_else(|| {
                invalid(format!(
                    "location id {} (at byte {at}) line[{j}] refers to function id {}, which is not in the profile",
                    l.id, line.function_id
                ))
            })?;
            lines.push(Line {
                func: FuncId(func),
                line: line.line,
                column: line.column,
            });
        }
        let lines_end = u32::try_from(lines.len()).map_err(|_| too_many())?;
        resolved.push(Location {
            source_id: l.id,
            mapping,
            address: l.address,
            lines_start,
            lines_end,
            is_folded: l.is_folded,
        });
    }
    profile.lines = lines;
    profile.locations = resolved;
    Ok(by_id)
}

/// Translates what samples were read with (location numbers and file string
/// indices) into model ids.
fn resolve_samples(
    mut table: StackTable,
    raw: LabelSets,
    numbers: &LocationNumbers,
    strings: &FileStrings,
    locations_by_id: &IdMap,
    profile: &mut Profile,
) -> Result<()> {
    // Locations: once per distinct stack node.
    let mut bad: Option<Vec<bool>> = None;
    let nodes = table.len();
    for (n, loc) in table.locs_mut().iter_mut().enumerate() {
        let id = numbers.file_id(*loc);
        match locations_by_id.get(id) {
            Some(l) => *loc = LocId(l),
            None => bad.get_or_insert_with(|| vec![false; nodes])[n] = true,
        }
    }
    if let Some(bad) = bad {
        return Err(missing_location(
            &table,
            bad,
            &profile.samples.stack,
            numbers,
        ));
    }
    profile.stacks = table;

    // Label sets: re-interned, as two file indices may name equal strings.
    let mut remap = Vec::with_capacity(raw.len());
    let mut labels = Vec::new();
    for set in 0..raw.len() {
        let set = LabelSetId(set as u32);
        labels.clear();
        for (i, l) in raw.get(set).iter().enumerate() {
            let what = |f: &str| {
                let sample = profile
                    .samples
                    .labels
                    .iter()
                    .position(|&s| s == set)
                    .unwrap_or(0);
                format!("sample #{sample} label[{i}].{f}")
            };
            labels.push(Label {
                key: strings.get(l.key.0 as i64, || what("key"))?,
                str: match l.str {
                    Some(s) => Some(strings.get(s.0 as i64, || what("str"))?),
                    None => None,
                },
                num: l.num,
                num_unit: strings.get(l.num_unit.0 as i64, || what("num_unit"))?,
            });
        }
        remap.push(profile.label_sets.intern(&labels));
    }
    for l in &mut profile.samples.labels {
        *l = remap[l.index()];
    }
    Ok(())
}

/// The error for stack nodes (flagged in `own`) whose location is not in the
/// profile: names the first of the `sample_stacks` that has one, and the
/// leaf-most such location in it, as a decoder resolving in file order
/// would.
fn missing_location(
    table: &StackTable,
    own: Vec<bool>,
    sample_stacks: &[Option<StackId>],
    numbers: &LocationNumbers,
) -> DecodeError {
    // Parents come before children: flag every node below a bad one.
    let mut bad = own.clone();
    for n in 0..bad.len() {
        if let Some(p) = table.parents()[n] {
            bad[n] |= bad[p.index()];
        }
    }
    let first = sample_stacks
        .iter()
        .position(|s| s.is_some_and(|s| bad[s.index()]));
    let (index, id) = match first {
        Some(i) => {
            // The leaf-most node whose own location is missing.
            let mut node = sample_stacks[i];
            let mut id = 0;
            while let Some(n) = node {
                if own[n.index()] {
                    id = numbers.file_id(table.loc(n));
                    break;
                }
                node = table.parent(n);
            }
            (i, id)
        }
        None => (0, 0),
    };
    let reserved = if id == 0 { " (0 is reserved)" } else { "" };
    invalid(format!(
        "sample #{index} refers to location id {id}, which is not in the profile{reserved}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_maps_dense_and_sparse() {
        let dense = IdMap::build(&[3, 1, 2], &[0, 1, 2], "location").unwrap();
        assert!(matches!(dense, IdMap::Dense(_)));
        assert_eq!(dense.get(3), Some(0));
        assert_eq!(dense.get(4), None);
        assert_eq!(dense.get(u64::MAX), None);
        let sparse = IdMap::build(&[1 << 40, 7], &[0, 1], "location").unwrap();
        assert!(matches!(sparse, IdMap::Sparse(_)));
        assert_eq!(sparse.get(1 << 40), Some(0));
        let dup = IdMap::build(&[5, 5], &[10, 20], "function")
            .unwrap_err()
            .to_string();
        assert!(
            dup.contains("duplicate function id 5") && dup.contains("byte 20"),
            "{dup}"
        );
        let zero = IdMap::build(&[0], &[10], "mapping")
            .unwrap_err()
            .to_string();
        assert!(zero.contains("id 0"), "{zero}");
    }

    #[test]
    fn large_location_ids_get_provisional_numbers() {
        let mut n = LocationNumbers::default();
        assert_eq!(n.number(7).unwrap(), LocId(7));
        let big = n.number(1 << 40).unwrap();
        assert_eq!(big, LocId(BIG_ID as u32));
        assert_eq!(
            n.number(1 << 40).unwrap(),
            big,
            "the same id, the same number"
        );
        assert_eq!(n.number(u64::MAX).unwrap(), LocId(BIG_ID as u32 + 1));
        assert_eq!(n.file_id(LocId(7)), 7);
        assert_eq!(n.file_id(big), 1 << 40);
        assert_eq!(n.file_id(LocId(BIG_ID as u32 + 1)), u64::MAX);
    }

    #[test]
    fn value_counts_report_the_first_odd_sample() {
        let mut v = ValueCounts::default();
        v.record(0, 10, 2);
        v.record(1, 20, 2);
        v.record(2, 30, 3);
        v.record(3, 40, 1);
        let m = v.check(2).unwrap_err().to_string();
        assert!(m.contains("sample #2 (at byte 30) has 3 values"), "{m}");
        let m = v.check(3).unwrap_err().to_string();
        assert!(m.contains("sample #0 (at byte 10) has 2 values"), "{m}");
        assert!(ValueCounts::default().check(5).is_ok(), "no samples");
    }

    #[test]
    fn a_missing_location_names_its_first_sample_and_leaf_most_id() {
        // Stacks 1 <- 2 <- 3 (leaf 3) and 1 <- 4; locations 2 and 4 are missing.
        let mut t = StackTable::default();
        let n1 = t.push(None, LocId(1));
        let n2 = t.push(Some(n1), LocId(2));
        let n3 = t.push(Some(n2), LocId(3));
        let n4 = t.push(Some(n1), LocId(4));
        let own = vec![false, true, false, true];
        let stacks = [None, Some(n1), Some(n3), Some(n4)];
        let m = missing_location(&t, own, &stacks, &LocationNumbers::default()).to_string();
        assert!(
            m.contains("sample #2 refers to location id 2, which is not in the profile"),
            "{m}"
        );
    }
}
