//! The end of a dump that was cut off (a log or size limit): its last
//! line has no newline, or its last frame no file:line. What was read
//! before the cut is kept and counted, and one warning says where the dump
//! was cut and in which goroutine.

use super::{
    is_elided, is_space, parse_call, parse_created_by, parse_file_line, parse_header, trim_end,
    Decoder, Pending,
};

impl<'a> Decoder<'a> {
    /// Reads the last line of a dump whose text ends without a newline.
    /// Go ends every line of a dump with one, so the line may have been
    /// cut off (a log or size limit), or the text pasted without it. A
    /// line that reads whole is read as usual: a goroutine header, a
    /// frame's function line up to its `)`, a file:line that still ends in
    /// its `+0x` offset, `created by`, or anything outside a goroutine's
    /// block. Any other line is left out, with one warning that says where
    /// the dump was cut and which goroutine it was cut in: that goroutine
    /// is counted, with the frames read before the cut (a function whose
    /// file:line was cut off keeps its name).
    pub(super) fn cut_line(&mut self, n: u32, line: &'a [u8]) {
        let t = trim_end(line);
        let offset = t
            .rsplit(|&b| b == b' ')
            .next()
            .and_then(|tok| tok.strip_prefix(b"+0x"))
            .is_some_and(|hex| !hex.is_empty() && hex.iter().all(u8::is_ascii_hexdigit));
        // A header, or what is left of one cut short.
        let header = line.starts_with(b"goroutine ") || b"goroutine ".starts_with(t);
        let whole = if header {
            parse_header(line).is_some()
        } else if self.cur.is_none() {
            true
        } else if line.first().is_some_and(|&b| is_space(b)) {
            offset && parse_file_line(line).is_some()
        } else {
            (t.ends_with(b")") && parse_call(line).is_some())
                || parse_created_by(line).is_some()
                || is_elided(line)
        };
        if whole {
            return self.line(n, line);
        }
        let text = match self.cur.as_ref().map(|c| (c.id, c.pending)) {
            Some((id, pending)) => {
                self.complete_pending(pending, b"", 0);
                format!(
                    "the dump was cut off in the middle of this line (a log or size limit?): \
                     goroutine {id} is counted with the frames read before the cut"
                )
            }
            None => "the dump was cut off in the middle of this line (a log or size limit?); \
                     the line is left out"
                .to_string(),
        };
        self.sink.p.warn(Some(n), None, text);
    }

    /// At the end of the input: a goroutine whose last frame has its
    /// function line but not its file:line was cut off after that line.
    /// The frame keeps its function, as when the cut falls inside the
    /// file:line line.
    pub(super) fn end_of_input(&mut self, last: u32) {
        let Some(c) = &self.cur else { return };
        let (id, pending) = (c.id, c.pending);
        if let Pending::Call { line, .. } = pending {
            self.complete_pending(pending, b"", 0);
            self.sink.p.warn(
                Some(line.max(last)),
                None,
                format!(
                    "the dump ends after a function line with no file:line (cut off by a \
                     log or size limit?): goroutine {id} is counted with the frames read"
                ),
            );
        }
    }
}
