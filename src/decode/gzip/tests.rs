//! The inflater's unit tests: members, limits, errors and where they are.
use super::*;
use crate::decode::NoProgress;

/// A gzip member around raw deflate of `data`, with the given header flags
/// and extra header bytes.
fn member(data: &[u8], flags: u8, extra_header: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 0xff];
    out.extend_from_slice(extra_header);
    out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend(crc32(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

#[test]
fn crc32_known_values() {
    assert_eq!(crc32(b""), 0);
    assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    let long: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
    let split = crc32_update(crc32(&long[..333]), &long[333..]);
    assert_eq!(split, crc32(&long));
}

#[test]
fn inflates_header_fields_and_multiple_members() {
    let mut file = member(b"hello ", 0x08, b"name.txt\0");
    file.extend(member(b"world", 0x04 | 0x10, b"\x03\x00abcsome comment\0"));
    let mut hcrc = vec![0x1f, 0x8b, 8, 0x02, 0, 0, 0, 0, 0, 0xff];
    let h = (crc32(&hcrc) & 0xffff) as u16;
    hcrc.extend(h.to_le_bytes());
    let body = member(b"!", 0, b"");
    hcrc.extend_from_slice(&body[10..]);
    file.extend(hcrc);
    assert_eq!(
        inflate(&file, 1 << 20, &mut NoProgress).unwrap(),
        b"hello world!"
    );
}

#[test]
fn big_output_fills_the_output_buffer_many_times() {
    let data: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i % 251) as u8 ^ (i >> 12) as u8)
        .collect();
    let file = member(&data, 0, b"");
    assert!(
        inflate(&file, 1 << 30, &mut NoProgress).unwrap() == data,
        "round trip differs"
    );
    let result = inflate(&file, 1_000_000, &mut NoProgress);
    assert!(
        matches!(
            result,
            Err(DecodeError::TooLarge {
                limit: 1_000_000,
                compressed: true,
                ..
            })
        ),
        "limit not enforced"
    );
}

#[test]
fn errors_say_where() {
    let file = member(b"some profile bytes", 0, b"");
    let err = |bytes: &[u8]| match inflate(bytes, 1 << 20, &mut NoProgress) {
        Err(DecodeError::Gzip { offset, message }) => (offset, message),
        Err(other) => panic!("expected a gzip error, got {other:?}"),
        Ok(out) => panic!("expected a gzip error, got {} bytes", out.len()),
    };
    assert!(err(b"\x1f\x8b").1.contains("header is truncated"));
    let mut bad_method = file.clone();
    bad_method[2] = 7;
    assert_eq!(err(&bad_method).0, 2);
    let (off, msg) = err(&file[..file.len() - 12]);
    assert!(msg.contains("truncated"), "{msg}");
    assert_eq!(off as usize, file.len() - 12);
    // The first deflate block's type bits set to 11, which deflate reserves.
    let mut bad_block = file.clone();
    bad_block[10] = 0x07;
    let (off, msg) = err(&bad_block);
    assert_eq!(msg, "the deflate data is corrupt: invalid block type");
    assert!((10..=11).contains(&off), "{off}");
    let mut bad_crc = file.clone();
    let n = bad_crc.len();
    bad_crc[n - 8] ^= 1;
    let (off, msg) = err(&bad_crc);
    assert!(msg.contains("CRC-32 mismatch"), "{msg}");
    assert_eq!(off as usize, n - 8);
    let mut bad_len = file.clone();
    bad_len[n - 1] ^= 1;
    assert!(err(&bad_len).1.contains("length mismatch"));
    let mut trailing = file.clone();
    trailing.extend_from_slice(b"junk");
    assert!(err(&trailing).1.contains("expected a gzip member"));
    let mut padded = file.clone();
    padded.extend_from_slice(&[0; 7]);
    assert!(inflate(&padded, 1 << 20, &mut NoProgress).is_ok());
}

#[test]
fn cancels() {
    let data = vec![7u8; 8 << 20];
    let mut file = member(&data, 0, b"");
    // Incompressible-ish padding so that the compressed stream crosses a
    // progress boundary: several members.
    let mut rng = crate::test_rng::XorShift::new(0x9e37_79b9_7f4a_7c15);
    let noise: Vec<u8> = (0..1_500_000).map(|_| rng.next_u64() as u8).collect();
    file.extend(member(&noise, 0, b""));
    let mut calls = 0;
    let mut cancel = |stage: Stage, _: u64, _: u64| {
        assert_eq!(stage, Stage::Inflating);
        calls += 1;
        false
    };
    let result = inflate(&file, 1 << 30, &mut cancel);
    assert!(
        matches!(result, Err(DecodeError::Cancelled)),
        "not cancelled"
    );
    assert_eq!(calls, 1);
}
