//! The Lua scripts: each runs atomically on the server and is sent by SHA
//! (`EVALSHA`, falling back to `EVAL` when the server has not cached it).
//!
//! A record is one hash per session (see [`crate::record`]). Every script
//! touches only the keys it is given, so that in a Cluster each script runs
//! on the one node that owns its key.

use redis::Script;

/// The user index of a session: a sorted set of session IDs, each scored by
/// the time (Redis's clock, milliseconds) its record expires. Expired members
/// are pruned on every index write, and the set expires with its last member,
/// so it never outlives the sessions it lists.
///
/// `index(index_key, member, ttl_ms)`
const INDEX_FN: &str = r"
local function index(ikey, member, ttl)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZREMRANGEBYSCORE', ikey, '-inf', now)
  redis.call('ZADD', ikey, now + ttl, member)
  local last = redis.call('ZRANGE', ikey, -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', ikey, math.floor(tonumber(last[2])))
end
";

/// One [`cookie_seal::store::Write`], atomically.
///
/// `KEYS[1]` the record; `KEYS[ARGV[4]]` the user index (0: none);
/// `KEYS[ARGV[5]]` the replaced record (0: none).
/// `ARGV`: mode (`c`/`u`), TTL in ms, index member, index key position,
/// replaced key position, `n` the number of `HSET` arguments, has user
/// (`1`/`0`); then the `n` `HSET` arguments (field, value pairs, field names
/// as stored: `m`, `u`, `v:<key>`, and `f` on create); then the fields to
/// remove (`v:<key>`).
///
/// The client lays the arguments out as the hash commands take them, so the
/// script builds no table and no string: it passes ranges of `ARGV` through
/// `unpack` (in chunks, under Lua's stack limit). An update checks the
/// record exists (its version field) before it writes, so it never brings
/// back a record deleted meanwhile, and reads the user field in the same
/// `HMGET` so that it deletes it only when it is there.
///
/// Returns 1 (stored) or 0 (an update found no record: gone).
const WRITE_BODY: &str = r"
local key, a = KEYS[1], ARGV
local last_set = 7 + tonumber(a[6])
if a[5] ~= '0' then redis.call('DEL', KEYS[tonumber(a[5])]) end
if a[1] == 'c' then
  redis.call('DEL', key)
else
  local found = redis.call('HMGET', key, 'f', 'u')
  if not found[1] then return 0 end
  if found[1] ~= '1' then return redis.error_reply('ERR cookie-seal: unknown record version') end
  if found[2] and a[7] == '0' then redis.call('HDEL', key, 'u') end
end
for i = last_set + 1, #a, 1000 do
  redis.call('HDEL', key, unpack(a, i, math.min(i + 999, #a)))
end
for i = 8, last_set, 1000 do
  redis.call('HSET', key, unpack(a, i, math.min(i + 999, last_set)))
end
redis.call('PEXPIRE', key, a[2])
if a[4] ~= '0' then index(KEYS[tonumber(a[4])], a[3], tonumber(a[2])) end
return 1
";

/// Adds a session to its user's index: `KEYS[1]` the index, `ARGV` the
/// member and the TTL in ms (Cluster: the index lives on another node).
const INDEX_BODY: &str = r"
index(KEYS[1], ARGV[1], tonumber(ARGV[2]))
return 1
";

/// Deletes the record `KEYS[1]` if it is still bound to the user `ARGV[1]`
/// (the index may list a session since rebound or deleted). Returns 1 if it
/// deleted a record.
const REVOKE_BODY: &str = r"
if redis.call('TYPE', KEYS[1])['ok'] ~= 'hash' then return 0 end
if redis.call('HGET', KEYS[1], 'u') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

/// The scripts, hashed once per store.
pub(crate) struct Scripts {
    pub(crate) write: Script,
    pub(crate) index: Script,
    pub(crate) revoke: Script,
}

impl Scripts {
    pub(crate) fn new() -> Scripts {
        Scripts {
            write: Script::new(&format!("{INDEX_FN}{WRITE_BODY}")),
            index: Script::new(&format!("{INDEX_FN}{INDEX_BODY}")),
            revoke: Script::new(REVOKE_BODY),
        }
    }
}
