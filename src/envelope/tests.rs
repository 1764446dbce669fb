//! Unit tests of the header, metadata, context block, time and varint codecs.

use std::time::{Duration, UNIX_EPOCH};

use super::header::header_len;
use super::varint::{read_varint, varint_len, write_varint};
use super::*;
use crate::error::Error;

fn metadata() -> Metadata {
    Metadata {
        compressed: true,
        issued_at: 1_700_000_000,
        created_at: 1_699_990_000,
        generation: 7,
        expiry: None,
    }
}

fn written(mode: Mode, key_id: u32, m: &Metadata) -> Vec<u8> {
    let mut out = Vec::new();
    write_header(mode, key_id, m, &mut out);
    assert_eq!(out.len(), header_len(mode, key_id, m));
    out
}

#[test]
fn header_and_metadata_round_trip_with_their_lengths() {
    for (key_id, m) in [
        (300, metadata()),
        (
            1,
            Metadata {
                created_at: 1_700_000_000,
                generation: 0,
                ..metadata()
            },
        ),
        (
            u32::MAX,
            Metadata {
                issued_at: u64::MAX,
                created_at: 0,
                generation: u32::MAX,
                expiry: Some(u64::MAX),
                ..metadata()
            },
        ),
        (
            0,
            Metadata {
                compressed: false,
                issued_at: 0,
                created_at: 0,
                generation: 0,
                expiry: None,
            },
        ),
        (
            127,
            Metadata {
                expiry: Some(0),
                ..metadata()
            },
        ),
        (
            128,
            Metadata {
                expiry: Some(3600),
                generation: 0,
                ..metadata()
            },
        ),
    ] {
        for mode in [Mode::Signed, Mode::Sealed] {
            let mut out = written(mode, key_id, &m);
            let len = out.len();
            let mut inner = Vec::new();
            m.write_sealed(&mut inner);
            assert_eq!(inner.len(), m.sealed_len());
            let framing = len + if mode == Mode::Sealed { inner.len() } else { 0 };
            assert!(framing <= max_framing_len(mode));
            if key_id == u32::MAX {
                // Every field at its longest: the bound is exact, not loose.
                assert_eq!(framing, max_framing_len(mode), "{mode:?}");
            }
            out.extend_from_slice(b"body");
            let expected = UntrustedHeader {
                mode,
                key_id,
                metadata: (mode == Mode::Signed).then_some(m),
            };
            assert_eq!(UntrustedHeader::parse(&out), Ok((expected, len)));
            inner.extend_from_slice(b"payload");
            assert_eq!(Metadata::parse_sealed(&inner), Ok((m, m.sealed_len())));
        }
    }
}

#[test]
fn header_bytes_are_as_specified() {
    // version, flags (signed|compressed|created|generation), key 300, time, delta 10000, gen 7
    assert_eq!(
        written(Mode::Signed, 300, &metadata()),
        [0x01, 0x1D, 0xAC, 0x02, 0x80, 0xE2, 0xCF, 0xAA, 0x06, 0x90, 0x4E, 0x07]
    );
    // Sealed: version, flags (sealed only), key 300; the rest is encrypted.
    assert_eq!(
        written(Mode::Sealed, 300, &metadata()),
        [0x01, 0x02, 0xAC, 0x02]
    );
    let mut inner = Vec::new();
    metadata().write_sealed(&mut inner);
    assert_eq!(
        inner,
        [0x1C, 0x80, 0xE2, 0xCF, 0xAA, 0x06, 0x90, 0x4E, 0x07]
    );
}

#[test]
fn padding_fields_of_every_length_read_back() {
    for len in (1..300).chain([16_383, 16_384, 16_385]) {
        let field = Metadata::padding(len);
        assert_eq!(field.len(), len);
        let mut plaintext = vec![FLAG_PADDED, 5];
        plaintext.extend_from_slice(&field);
        plaintext.extend_from_slice(b"payload");
        let (_, read) = Metadata::parse_sealed(&plaintext).unwrap();
        assert_eq!(&plaintext[read..], b"payload", "{len}");
    }
}

#[test]
fn padding_must_be_zero_and_count_itself() {
    let parse = |b: &[u8]| Metadata::parse_sealed(b).map(|(_, len)| len);
    assert_eq!(parse(&[FLAG_PADDED, 5, 3, 0, 0]), Ok(5));
    assert_eq!(
        parse(&[FLAG_PADDED, 5, 3, 0, 1]),
        Err(Error::Malformed),
        "non-zero"
    );
    assert_eq!(
        parse(&[FLAG_PADDED, 5, 3, 0]),
        Err(Error::Malformed),
        "short"
    );
    assert_eq!(
        parse(&[FLAG_PADDED, 5, 0]),
        Err(Error::Malformed),
        "zero length"
    );
    assert_eq!(parse(&[FLAG_PADDED, 5]), Err(Error::Malformed), "no field");
}

#[test]
fn sealed_metadata_refuses_what_a_faulty_writer_could_put_there() {
    let parse = |b: &[u8]| Metadata::parse_sealed(b).map(|_| ());
    assert_eq!(parse(&[]), Err(Error::Malformed));
    assert_eq!(parse(&[0x01, 5]), Err(Error::Malformed), "mode bit");
    assert_eq!(parse(&[0x80, 5]), Err(Error::Malformed), "reserved bit");
    assert_eq!(parse(&[FLAG_CREATED, 5, 0]), Err(Error::Malformed));
    assert_eq!(parse(&[FLAG_GENERATION, 5, 0]), Err(Error::Malformed));
    assert_eq!(parse(&[0, 0x80]), Err(Error::Malformed), "truncated");
}

#[test]
fn malformed_headers_are_refused() {
    let parse = |b: &[u8]| UntrustedHeader::parse(b).map(|_| ());
    assert_eq!(parse(&[]), Err(Error::Malformed));
    assert_eq!(parse(&[2, 1, 0, 0]), Err(Error::UnsupportedVersion(2)));
    assert_eq!(parse(&[0, 1, 0, 0]), Err(Error::UnsupportedVersion(0)));
    assert_eq!(parse(&[1]), Err(Error::Malformed));
    assert_eq!(parse(&[1, 0b00, 0, 0]), Err(Error::Malformed), "no mode");
    assert_eq!(parse(&[1, 0b11, 0, 0]), Err(Error::Malformed), "both modes");
    assert_eq!(
        parse(&[1, 0x21, 0, 0]),
        Err(Error::Malformed),
        "reserved bit"
    );
    assert_eq!(
        parse(&[1, 0x02 | FLAG_COMPRESSED, 0]),
        Err(Error::Malformed),
        "a sealed header with a readable flag"
    );
    assert_eq!(
        parse(&[1, 1, 0x80, 0x00, 0]),
        Err(Error::Malformed),
        "padded varint"
    );
    assert_eq!(
        parse(&[1, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0]),
        Err(Error::Malformed),
        "key id > u32"
    );
    assert_eq!(
        parse(&[1, 1, 0, 0x80]),
        Err(Error::Malformed),
        "truncated varint"
    );
    let mut too_long = vec![1, 1, 0];
    too_long.extend([0xFF; 9]);
    too_long.push(0x02);
    assert_eq!(parse(&too_long), Err(Error::Malformed), "issued_at > u64");
    assert_eq!(
        parse(&[1, 1 | FLAG_CREATED, 0, 5, 0]),
        Err(Error::Malformed),
        "zero delta"
    );
    assert_eq!(
        parse(&[1, 1 | FLAG_CREATED, 0, 5, 6]),
        Err(Error::Malformed),
        "created before epoch"
    );
    assert_eq!(
        parse(&[1, 1 | FLAG_GENERATION, 0, 5, 0]),
        Err(Error::Malformed),
        "zero generation"
    );
}

#[test]
fn varint_len_matches_writer() {
    for v in [
        0,
        1,
        127,
        128,
        16_383,
        16_384,
        u64::from(u32::MAX),
        u64::MAX,
    ] {
        let mut out = Vec::new();
        write_varint(&mut out, v);
        assert_eq!(out.len(), varint_len(v), "{v}");
        assert_eq!(read_varint(&mut out.as_slice(), 10), Ok(v));
    }
}

#[test]
fn context_blocks_are_distinct_from_headers_and_each_other() {
    let block = |c: &[u8]| {
        let mut out = Vec::new();
        write_context_block(c, &mut out);
        assert_eq!(out.len(), context_block_len(c));
        // The slice writer writes the same bytes, and refuses a short slice.
        let mut slice = [0xFF; 16];
        assert_eq!(write_context_block_to(c, &mut slice), Some(out.len()));
        assert_eq!(slice[..out.len()], out[..]);
        if !out.is_empty() {
            assert_eq!(write_context_block_to(c, &mut slice[..out.len() - 1]), None);
        }
        out
    };
    assert!(block(b"").is_empty());
    assert_eq!(block(b"ua"), b"\0\x02\0\0\0\0\0\0\0ua");
    assert_ne!(block(b"ab")[..], block(b"a")[..]);
    assert_ne!(block(b"x")[0], FORMAT_VERSION);
}

#[test]
fn extreme_times_convert_without_panic() {
    // Out of range saturates far in the future (an expiry check stays
    // "expired"), never at the epoch.
    let far = to_system_time(u64::MAX);
    assert!(far >= UNIX_EPOCH + Duration::from_secs(i64::MAX as u64 / 2));
    assert_eq!(unix_seconds(to_system_time(5)), Ok(5));
    assert_eq!(
        unix_seconds(UNIX_EPOCH - Duration::from_secs(1)),
        Err(Error::TimeOutOfRange)
    );
}

#[test]
fn header_getters_show_what_the_token_claims() {
    let signed = written(Mode::Signed, 300, &metadata());
    let (header, _) = UntrustedHeader::parse(&signed).unwrap();
    assert_eq!(
        (header.version(), header.mode(), header.key_id()),
        (FORMAT_VERSION, Mode::Signed, 300)
    );
    assert_eq!(header.compressed(), Some(true));
    assert_eq!(header.generation(), Some(7));
    assert_eq!(
        header.issued_at(),
        Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
    );
    assert_eq!(
        header.created_at(),
        Some(UNIX_EPOCH + Duration::from_secs(1_699_990_000))
    );
    let uncompressed = Metadata {
        compressed: false,
        ..metadata()
    };
    let (header, _) = UntrustedHeader::parse(&written(Mode::Signed, 2, &uncompressed)).unwrap();
    assert_eq!((header.key_id(), header.compressed()), (2, Some(false)));
    // A sealed header shows only version, mode and key ID.
    let (header, _) = UntrustedHeader::parse(&written(Mode::Sealed, 300, &metadata())).unwrap();
    assert_eq!(
        (header.version(), header.mode(), header.key_id()),
        (FORMAT_VERSION, Mode::Sealed, 300)
    );
    assert_eq!(
        (
            header.compressed(),
            header.issued_at(),
            header.created_at(),
            header.generation()
        ),
        (None, None, None, None)
    );
}
