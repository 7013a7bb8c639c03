//! Big goroutine dumps made from real ones: a debug=2 dump's goroutine
//! blocks repeated, each under a fresh id, as a `Read` that writes the text
//! as it is read, so a dump of any size costs one block of memory. Shared
//! by the benchmarks (examples/bench_series.rs, examples/bench_dump.rs) and
//! tests/dump_stream.rs.

#![allow(dead_code)]

use std::io::Read;

/// A debug=2 dump's goroutine blocks, repeated under fresh ids (1, 2, ...)
/// in whole rounds until at least `bytes` bytes are written.
pub struct RepeatedDump {
    /// Each block without its `goroutine N` head: ` [state...]:\n...`.
    blocks: Vec<Vec<u8>>,
    bytes: u64,
    /// Bytes put in `buf` so far, and bytes read out.
    generated: u64,
    written: u64,
    next_id: u64,
    next_block: usize,
    rounds: u64,
    buf: Vec<u8>,
    pos: usize,
}

impl RepeatedDump {
    /// Panics if `text` holds no goroutine block.
    pub fn new(text: &str, bytes: u64) -> Self {
        let blocks: Vec<Vec<u8>> = text
            .split("\n\n")
            .filter(|b| b.starts_with("goroutine "))
            .filter_map(|b| b.split_once(" [").map(|(_, rest)| rest))
            .map(|rest| format!(" [{rest}\n\n").into_bytes())
            .collect();
        assert!(!blocks.is_empty(), "no goroutine blocks to repeat");
        RepeatedDump {
            blocks,
            bytes,
            generated: 0,
            written: 0,
            next_id: 1,
            next_block: 0,
            rounds: 0,
            buf: Vec::new(),
            pos: 0,
        }
    }

    /// Goroutine blocks in one round.
    pub fn blocks(&self) -> usize {
        self.blocks.len()
    }

    /// Whole rounds written so far (all of them once the reader is done).
    pub fn rounds(&self) -> u64 {
        self.rounds
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The whole text, for the whole-text path (it must fit in memory).
    pub fn into_string(mut self) -> String {
        let mut s = String::with_capacity(self.bytes as usize + 4096);
        self.read_to_string(&mut s)
            .expect("generated text is UTF-8");
        s
    }

    /// Fills `buf` with the next block; false once the dump is complete.
    fn refill(&mut self) -> bool {
        if self.next_block == 0 && self.generated >= self.bytes {
            return false;
        }
        self.buf.clear();
        self.pos = 0;
        self.buf.extend_from_slice(b"goroutine ");
        self.buf
            .extend_from_slice(self.next_id.to_string().as_bytes());
        self.buf.extend_from_slice(&self.blocks[self.next_block]);
        self.generated += self.buf.len() as u64;
        self.next_id += 1;
        self.next_block += 1;
        if self.next_block == self.blocks.len() {
            self.next_block = 0;
            self.rounds += 1;
        }
        true
    }
}

impl Read for RepeatedDump {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < out.len() {
            if self.pos == self.buf.len() && !self.refill() {
                break;
            }
            let take = (self.buf.len() - self.pos).min(out.len() - n);
            out[n..n + take].copy_from_slice(&self.buf[self.pos..self.pos + take]);
            self.pos += take;
            n += take;
        }
        self.written += n as u64;
        Ok(n)
    }
}
