//! The context block that binds a per-call context into the MAC/AAD, and
//! the length prefix it and the key derivation use.

/// `u64` little-endian length of a length-prefixed field.
pub(crate) fn length_prefix(part: &[u8]) -> [u8; 8] {
    (part.len() as u64).to_le_bytes()
}

/// First byte of a context block. Every header starts with the version byte
/// (never 0), so an authenticated input with a context block never equals
/// one without, and the length prefix separates any two contexts.
const CONTEXT_MARK: u8 = 0x00;

/// The length of [`write_context_block`]'s output: 0 for no context.
pub(crate) fn context_block_len(context: &[u8]) -> usize {
    if context.is_empty() {
        0
    } else {
        1 + 8 + context.len()
    }
}

/// Appends the context block, `00 || le64(len) || context`, or nothing for
/// an empty context. It is authenticated ahead of the header, never sent.
pub(crate) fn write_context_block(context: &[u8], out: &mut Vec<u8>) {
    if !context.is_empty() {
        out.push(CONTEXT_MARK);
        out.extend_from_slice(&length_prefix(context));
        out.extend_from_slice(context);
    }
}

/// Writes the context block of [`write_context_block`] to the start of
/// `out` instead of appending it (the decoder's stack buffer); returns its
/// length, or `None` if `out` is too short.
pub(crate) fn write_context_block_to(context: &[u8], out: &mut [u8]) -> Option<usize> {
    let len = context_block_len(context);
    if len > 0 {
        let (mark, rest) = out.get_mut(..len)?.split_at_mut(1);
        mark[0] = CONTEXT_MARK;
        let (prefix, body) = rest.split_at_mut(8);
        prefix.copy_from_slice(&length_prefix(context));
        body.copy_from_slice(context);
    }
    Some(len)
}
