//! Every type that holds key material wipes it on drop, checked at compile
//! time.

/// Compiles only if `T` wipes itself when dropped (`ZeroizeOnDrop` is the
/// `zeroize` crate's marker for a `Drop` that calls `zeroize`).
fn assert_zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}

/// Every type that holds key material wipes it on drop: the master `Key`
/// (derive(ZeroizeOnDrop), so it can never be `Copy`); inside `SignKey`, the
/// keyed HMAC state, which is two SHA-256 block cores (inner and outer pad;
/// `Hmac` itself carries no marker in hmac 0.13, but both cores wipe their
/// state with `sha2`'s `zeroize` feature); `SealKey`'s key and each
/// message's `HChaCha20` subkey, and HKDF outputs, all `Zeroizing`. `key.rs` shows that `zeroize` really clears the bytes.
#[test]
fn key_material_types_zeroize_on_drop() {
    assert_zeroize_on_drop::<crate::Key>();
    assert_zeroize_on_drop::<<sha2::Sha256 as hmac::EagerHash>::Core>();
    assert_zeroize_on_drop::<zeroize::Zeroizing<[u8; 32]>>();
    let subkey: zeroize::Zeroizing<[u8; 32]> = crate::Key::from_bytes(&[1; 32])
        .unwrap()
        .derive_subkey(b"x");
    assert_ne!(*subkey, [0; 32]);
}
