//! Printed frame -> location, so a frame seen before costs one hash of its
//! bytes instead of interning its function and file again.
//!
//! The keys are owned copies of the frame's bytes, not slices of the text:
//! a dump streamed in pieces ([`super::DumpStream`]) keeps the cache from
//! one piece to the next, so a frame is interned once per dump, not once
//! per piece. A lookup hashes the borrowed bytes exactly as the owned key
//! hashes, so only a frame seen for the first time is copied.

use hashbrown::{Equivalent, HashMap};

use crate::model::LocId;

/// A printed frame's function, file and line.
#[derive(PartialEq, Eq, Hash)]
struct Owned {
    name: Box<[u8]>,
    file: Box<[u8]>,
    line: i64,
}

/// The same, borrowed from the text; hashes as [`Owned`] does (a boxed
/// slice hashes as its slice).
#[derive(Hash)]
struct Borrowed<'a> {
    name: &'a [u8],
    file: &'a [u8],
    line: i64,
}

impl Equivalent<Owned> for Borrowed<'_> {
    fn equivalent(&self, key: &Owned) -> bool {
        self.line == key.line && *self.name == *key.name && *self.file == *key.file
    }
}

#[derive(Default)]
pub(super) struct FrameCache {
    map: HashMap<Owned, LocId>,
}

impl FrameCache {
    /// The location of a frame, made by `make` the first time it is seen.
    pub(super) fn get_or(
        &mut self,
        name: &[u8],
        file: &[u8],
        line: i64,
        make: impl FnOnce() -> LocId,
    ) -> LocId {
        let key = Borrowed { name, file, line };
        if let Some(&loc) = self.map.get(&key) {
            return loc;
        }
        let loc = make();
        self.map.insert(
            Owned {
                name: name.into(),
                file: file.into(),
                line,
            },
            loc,
        );
        loc
    }
}
