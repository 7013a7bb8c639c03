//! Builds small profiles from text, for focused tests.
//!
//! Each sample is `root;caller;leaf v1 v2 ...`, frames root first (the way
//! flame graphs are written). A frame may be `name@file:line`, and frames
//! joined by `+` share one location as inlined frames, innermost last in the
//! text (`outer+inner` means `inner` was inlined into `outer`). Labels follow
//! the values as `key=value` (string) or `key=#123unit` (numeric).
//!
//! ```
//! use pprof_lens::model::builder::ProfileBuilder;
//! let p = ProfileBuilder::new(&[("samples", "count"), ("cpu", "nanoseconds")])
//!     .samples(&["main.main;main.work 1 10000000", "main.main 2 20000000"])
//!     .build();
//! assert_eq!(p.samples.len(), 2);
//! ```

use hashbrown::HashMap;

use super::{
    FuncId, Function, Label, Line, LocId, Location, Profile, SourceFormat, StackBuilder, StrId,
    ValueType,
};

pub struct ProfileBuilder {
    profile: Profile,
    stacks: StackBuilder,
    funcs: HashMap<(StrId, StrId), FuncId>,
    locs: HashMap<Vec<(FuncId, i64)>, LocId>,
}

impl ProfileBuilder {
    /// A pprof-format profile with the given (type, unit) sample types.
    pub fn new(sample_types: &[(&str, &str)]) -> Self {
        let mut profile = Profile::new(SourceFormat::Pprof { gzipped: false });
        for (t, u) in sample_types {
            let kind = profile.strings.intern(t);
            let unit = profile.strings.intern(u);
            profile.sample_types.push(ValueType { kind, unit });
        }
        ProfileBuilder {
            profile,
            stacks: StackBuilder::new(),
            funcs: HashMap::new(),
            locs: HashMap::new(),
        }
    }

    pub fn format(mut self, format: SourceFormat) -> Self {
        self.profile.format = format;
        self
    }

    pub fn period(mut self, period_type: (&str, &str), period: i64) -> Self {
        let kind = self.profile.strings.intern(period_type.0);
        let unit = self.profile.strings.intern(period_type.1);
        self.profile.period_type = Some(ValueType { kind, unit });
        self.profile.period = period;
        self
    }

    pub fn duration_nanos(mut self, d: i64) -> Self {
        self.profile.duration_nanos = d;
        self
    }

    fn func(&mut self, name: &str, file: &str) -> FuncId {
        let name = self.profile.strings.intern(name);
        let file = self.profile.strings.intern(file);
        let functions = &mut self.profile.functions;
        *self.funcs.entry((name, file)).or_insert_with(|| {
            functions.push(Function {
                name,
                system_name: name,
                file,
                start_line: 0,
            });
            FuncId(functions.len() as u32 - 1)
        })
    }

    /// The location for one `;`-separated frame of the text form.
    fn location(&mut self, frame: &str) -> LocId {
        // `outer+inner`: inner was inlined into outer; pprof lists innermost first.
        let mut lines = Vec::new();
        for part in frame.split('+').rev() {
            let (name, file, line) = match part.split_once('@') {
                Some((name, at)) => match at.rsplit_once(':') {
                    Some((file, line)) => (name, file, line.parse().expect("line number")),
                    None => (name, at, 0),
                },
                None => (part, "", 0),
            };
            lines.push((self.func(name, file), line));
        }
        if let Some(&id) = self.locs.get(&lines) {
            return id;
        }
        let start = self.profile.lines.len() as u32;
        for &(func, line) in &lines {
            self.profile.lines.push(Line {
                func,
                line,
                column: 0,
            });
        }
        let id = LocId(self.profile.locations.len() as u32);
        self.profile.locations.push(Location {
            source_id: id.0 as u64 + 1,
            mapping: None,
            address: 0x1000 + id.0 as u64 * 0x10,
            lines_start: start,
            lines_end: self.profile.lines.len() as u32,
            is_folded: false,
        });
        self.locs.insert(lines, id);
        id
    }

    /// Adds one sample in the text form described in the module docs.
    pub fn sample(mut self, text: &str) -> Self {
        let mut parts = text.split_whitespace();
        let frames = parts.next().expect("a stack");
        let n = self.profile.sample_types.len();
        let mut values = Vec::with_capacity(n);
        let mut labels = Vec::new();
        for part in parts {
            if let Some((k, v)) = part.split_once('=') {
                let key = self.profile.strings.intern(k);
                let label = if let Some(num) = v.strip_prefix('#') {
                    let digits = num
                        .trim_start_matches('-')
                        .find(|c: char| !c.is_ascii_digit());
                    let split = digits.map_or(num.len(), |d| d + usize::from(num.starts_with('-')));
                    let unit = self.profile.strings.intern(&num[split..]);
                    Label {
                        key,
                        str: None,
                        num: num[..split].parse().expect("number"),
                        num_unit: unit,
                    }
                } else {
                    Label {
                        key,
                        str: Some(self.profile.strings.intern(v)),
                        num: 0,
                        num_unit: StrId(0),
                    }
                };
                labels.push(label);
            } else {
                values.push(part.parse::<i64>().expect("sample value"));
            }
        }
        assert_eq!(values.len(), n, "sample {text:?} needs {n} values");
        let locs: Vec<LocId> = if frames == "-" {
            Vec::new()
        } else {
            frames.split(';').rev().map(|f| self.location(f)).collect()
        };
        let stack = self.stacks.push_leaf_first(&locs);
        let set = self.profile.label_sets.intern(&labels);
        self.profile.samples.stack.push(stack);
        self.profile.samples.values.extend_from_slice(&values);
        self.profile.samples.labels.push(set);
        self
    }

    pub fn samples(mut self, texts: &[&str]) -> Self {
        for t in texts {
            self = self.sample(t);
        }
        self
    }

    /// Gives access to the profile under construction (strings, metadata).
    /// The location of one frame as [`sample`](Self::sample) writes it,
    /// for what points at a location besides a stack (a goroutine's
    /// `created by`).
    pub fn frame_location(&mut self, frame: &str) -> LocId {
        self.location(frame)
    }

    pub fn profile_mut(&mut self) -> &mut Profile {
        &mut self.profile
    }

    pub fn build(mut self) -> Profile {
        self.profile.stacks = self.stacks.finish();
        self.profile
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_stacks_inlines_and_labels() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&[
                "main;a+b@x.go:3;c 5 k=v",
                "main;a+b@x.go:3 2 n=#64bytes",
                "- 1",
            ])
            .build();
        assert_eq!(p.samples.len(), 3);
        let leaf = p.samples.stack[1].unwrap();
        let frames: Vec<LocId> = p.stacks.frames(leaf).collect();
        assert_eq!(frames.len(), 2);
        let inl = p.location_lines(frames[0]);
        assert_eq!(inl.len(), 2);
        assert_eq!(
            p.str(p.functions[inl[0].func.index()].name),
            "b",
            "innermost first"
        );
        assert_eq!(inl[0].line, 3);
        assert_eq!(p.str(p.functions[inl[1].func.index()].name), "a");
        let l = p.label_sets.get(p.samples.labels[1])[0];
        assert_eq!((l.num, p.str(l.num_unit)), (64, "bytes"));
        assert_eq!(p.samples.stack[2], None);
    }
}
