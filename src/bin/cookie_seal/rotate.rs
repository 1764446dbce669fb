//! `keygen` and the three rotation steps, as pure changes of a [`Keyring`].
//!
//! Key IDs only grow: a staged key gets an ID above every ID in the ring, so
//! "the staged key" is always the highest ID. That keeps `promote` safe to
//! run twice (the second run fails instead of rolling back) and never reuses
//! the ID of a retired key.

use cookie_seal::{Key, Keyring};

use crate::Failure;

/// A new keyring with one fresh 256-bit key.
pub(crate) fn keygen(id: u32) -> Result<Keyring, Failure> {
    Ok(Keyring::new(id, fresh_key()?))
}

/// Adds a fresh verify-only key with `id`, or the next ID after the highest.
pub(crate) fn stage(mut ring: Keyring, id: Option<u32>) -> Result<(Keyring, String), Failure> {
    let primary = ring.primary_id();
    let highest = ring.ids().max().unwrap_or(primary);
    if highest > primary {
        return Err(Failure::usage(format!(
            "key {highest} is already staged (its ID is above the primary {primary}); \
             promote it, or retire it to abandon it, before staging another"
        )));
    }
    let id = match id {
        Some(id) if id <= highest => {
            return Err(Failure::usage(format!(
                "--id {id} must be higher than every ID in the keyring (highest is {highest}); \
                 IDs are never reused"
            )))
        }
        Some(id) => id,
        None => ring.next_free_id().ok_or_else(|| {
            Failure::usage(format!(
                "no free key ID after {highest}; start a new keyring with `keygen`"
            ))
        })?,
    };
    ring.add(id, fresh_key()?)
        .map_err(|e| Failure::usage(format!("cannot stage key {id}: {e}")))?;
    let note = format!(
        "staged key {id} (verify-only; key {primary} still signs). \
         Next: give this keyring to every server, then run `rotate promote`."
    );
    Ok((ring, note))
}

/// Makes `id`, or the staged key (the highest ID), the primary.
pub(crate) fn promote(mut ring: Keyring, id: Option<u32>) -> Result<(Keyring, String), Failure> {
    let old = ring.primary_id();
    let id = match id {
        Some(id) => id,
        None => {
            let highest = ring.ids().max().unwrap_or(old);
            if highest == old {
                return Err(Failure::usage(format!(
                    "no staged key: key {old} (the highest ID) is already primary; \
                     run `rotate stage` first, or name a key with --id"
                )));
            }
            highest
        }
    };
    if id == old {
        return Err(Failure::usage(format!(
            "key {id} is already primary; nothing to do"
        )));
    }
    ring.promote(id)
        .map_err(|e| Failure::usage(format!("cannot promote: {e}")))?;
    let note = format!(
        "key {id} is now primary; key {old} still verifies. Next: give this keyring to every \
         server, wait at least max_age (the longest lifetime of any token key {old} wrote), \
         then run `rotate retire --id {old}`."
    );
    Ok((ring, note))
}

/// Removes the verify-only key `id`.
pub(crate) fn retire(mut ring: Keyring, id: u32) -> Result<(Keyring, String), Failure> {
    let primary = ring.primary_id();
    ring.remove(id)
        .map_err(|e| Failure::usage(format!("cannot retire: {e}")))?;
    let what = if id > primary {
        "the staged key was never primary; the rotation is abandoned"
    } else {
        "tokens it wrote no longer verify"
    };
    Ok((ring, format!("retired key {id}: {what}.")))
}

/// One line describing the ring without key material, for stderr.
pub(crate) fn summary(ring: &Keyring) -> String {
    let primary = ring.primary_id();
    let others: Vec<String> = ring
        .ids()
        .filter(|&id| id != primary)
        .map(|id| id.to_string())
        .collect();
    if others.is_empty() {
        format!("keyring: primary key {primary}, no other keys")
    } else {
        format!(
            "keyring: primary key {primary}, verify-only keys {}",
            others.join(", ")
        )
    }
}

fn fresh_key() -> Result<Key, Failure> {
    Key::try_generate().map_err(|e| Failure {
        code: crate::EXIT_USAGE,
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(ring: &Keyring) -> Vec<u32> {
        ring.ids().collect()
    }

    #[test]
    fn full_cycle_moves_the_primary_and_keeps_old_keys_until_retired() {
        let ring = keygen(1).unwrap();
        let (ring, _) = stage(ring, None).unwrap();
        assert_eq!((ring.primary_id(), ids(&ring)), (1, vec![1, 2]));
        let (ring, _) = promote(ring, None).unwrap();
        assert_eq!((ring.primary_id(), ids(&ring)), (2, vec![1, 2]));
        let (ring, _) = retire(ring, 1).unwrap();
        assert_eq!((ring.primary_id(), ids(&ring)), (2, vec![2]));
    }

    #[test]
    fn stage_refuses_a_second_staged_key_and_reused_ids() {
        let (ring, _) = stage(keygen(5).unwrap(), None).unwrap();
        assert!(stage(ring.clone(), None)
            .unwrap_err()
            .message
            .contains("already staged"));
        let (ring, _) = promote(ring, None).unwrap();
        let (ring, _) = retire(ring, 5).unwrap();
        assert!(stage(ring.clone(), Some(5))
            .unwrap_err()
            .message
            .contains("never reused"));
        let (ring, _) = stage(ring, Some(100)).unwrap();
        assert_eq!(ids(&ring), vec![6, 100]);
    }

    #[test]
    fn stage_without_a_free_id_is_an_error() {
        let failure = stage(keygen(u32::MAX).unwrap(), None).unwrap_err();
        assert!(
            failure.message.contains("no free key ID"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn promote_twice_fails_instead_of_rolling_back() {
        let (ring, _) = stage(keygen(1).unwrap(), None).unwrap();
        let (ring, _) = promote(ring, None).unwrap();
        let failure = promote(ring.clone(), None).unwrap_err();
        assert!(
            failure.message.contains("no staged key"),
            "{}",
            failure.message
        );
        // An explicit ID rolls back on purpose.
        let (ring, _) = promote(ring, Some(1)).unwrap();
        assert_eq!(ring.primary_id(), 1);
        assert!(promote(ring.clone(), Some(1)).is_err(), "already primary");
        assert!(promote(ring, Some(9)).is_err(), "unknown key");
    }

    #[test]
    fn retire_refuses_the_primary_and_unknown_ids() {
        let (ring, _) = stage(keygen(1).unwrap(), None).unwrap();
        let failure = retire(ring.clone(), 1).unwrap_err();
        assert!(failure.message.contains("primary"), "{}", failure.message);
        assert!(retire(ring.clone(), 7).is_err());
        let (ring, note) = retire(ring, 2).unwrap();
        assert!(note.contains("abandoned"), "{note}");
        assert_eq!(ids(&ring), vec![1]);
    }

    #[test]
    fn summary_lists_ids_only() {
        let (ring, _) = stage(keygen(3).unwrap(), None).unwrap();
        assert_eq!(summary(&ring), "keyring: primary key 3, verify-only keys 4");
    }
}
