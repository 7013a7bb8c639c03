//! Files fed to the session one at a time, as each is decoded: several
//! opened together ([`Opening`]), or more added to the open profile
//! ([`NamedMerge`], through [`Session::start_add`]).

use super::inputs::merge_error;
use super::{Named, Session};
use crate::model::merge::{MergeError, StreamMerge};
use crate::model::Profile;
use crate::protocol::OpenMode;

/// Profiles merged as they come, with their names: each is merged into
/// the others and can then be dropped, so memory grows with the distinct
/// stacks rather than with the number of files. Merging one at a time is
/// pprof's merge of all (`tests/merge_golden.rs` checks it against every
/// oracle).
#[derive(Default)]
pub struct NamedMerge {
    names: Vec<String>,
    merge: StreamMerge,
}

impl NamedMerge {
    /// A merge that starts from `profile`: a merge takes its types from
    /// its first profile, so it refuses none.
    pub fn starting(name: String, profile: &Profile) -> NamedMerge {
        let mut merge = NamedMerge::default();
        merge
            .push(name, profile)
            .expect("a merge's first profile is never refused");
        merge
    }

    /// Merges the next profile; an error names it and the first, and
    /// leaves the merge as it was.
    pub fn push(&mut self, name: String, profile: &Profile) -> Result<(), String> {
        self.merge.add(profile).map_err(|e| {
            let first = self.names.first().map_or(name.as_str(), |n| n.as_str());
            // Named as a merge of the first file and this one.
            let e = match e {
                MergeError::SampleTypes { first, other, .. } => MergeError::SampleTypes {
                    profile: 2,
                    first,
                    other,
                },
                MergeError::PeriodTypes { first, other, .. } => MergeError::PeriodTypes {
                    profile: 2,
                    first,
                    other,
                },
                e => e,
            };
            merge_error(&[first, &name], e)
        })?;
        self.names.push(name);
        Ok(())
    }

    /// The names pushed, in order, and their merge.
    pub fn finish(self) -> Result<(Vec<String>, Profile), String> {
        let merged = self
            .merge
            .finish()
            .map_err(|_| "no files to merge".to_string())?;
        Ok((self.names, merged))
    }
}

/// Several files opened together, fed one at a time as each is decoded.
///
/// When the result is going to be a merge (chosen, or left to choose with
/// three or more files of which the first is not goroutine data, see
/// [`super::default_mode`]), each file is merged into the others as it
/// comes and then dropped ([`NamedMerge`]). Otherwise the files are held
/// until [`Opening::finish`] routes them.
pub struct Opening {
    mode: Option<OpenMode>,
    count: usize,
    bytes: u64,
    held: Vec<Named>,
    /// The files so far, when merging as they come.
    merging: Option<NamedMerge>,
}

impl Opening {
    /// `count` files of `bytes` in all, to become `mode` (`None`: choose).
    pub fn new(mode: Option<OpenMode>, count: usize, bytes: u64) -> Opening {
        Opening {
            mode,
            count,
            bytes,
            held: Vec::new(),
            merging: None,
        }
    }

    /// The next file, in the order chosen.
    pub fn push(&mut self, input: Named) -> Result<(), String> {
        if self.held.is_empty() && self.merging.is_none() {
            let merge = match self.mode {
                Some(m) => m == OpenMode::Merge,
                None => self.count > 2 && !input.1.is_goroutine_data(),
            };
            if merge {
                self.merging = Some(NamedMerge::default());
            }
        }
        let Some(merging) = self.merging.as_mut() else {
            self.held.push(input);
            return Ok(());
        };
        let (name, profile) = input;
        merging.push(name, &profile)
    }

    /// The session the files make, and the mode used.
    pub fn finish(self) -> Result<(Session, OpenMode), String> {
        match self.merging {
            Some(merging) => {
                let (names, profile) = merging.finish()?;
                let mut s = Session::new(profile);
                s.names = names;
                s.bytes = self.bytes;
                Ok((s, OpenMode::Merge))
            }
            None => Session::open_many(self.held, self.mode, self.bytes),
        }
    }
}
