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
/// `KEYS[1]` the record; `KEYS[ARGV[7]]` the user index (0: none);
/// `KEYS[ARGV[8]]` the replaced record (0: none).
/// `ARGV`: mode (`c`/`u`), TTL in ms, meta, has user (`1`/`0`), user, index
/// member, index key position, replaced key position, number of keys set,
/// then the set pairs (key, value), then the removed keys.
///
/// Returns 1 (stored) or 0 (an update found no record: gone).
const WRITE_BODY: &str = r"
local key = KEYS[1]
local ttl = tonumber(ARGV[2])
local index_at, replaced_at = tonumber(ARGV[7]), tonumber(ARGV[8])
if replaced_at > 0 then redis.call('DEL', KEYS[replaced_at]) end
if ARGV[1] == 'c' then
  redis.call('DEL', key)
else
  local version = redis.call('HGET', key, 'f')
  if not version then return 0 end
  if version ~= '1' then return redis.error_reply('ERR cookie-seal: unknown record version') end
end
local nset = tonumber(ARGV[9])
local first_removed = 10 + 2 * nset
if first_removed <= #ARGV then
  local fields = {}
  for i = first_removed, #ARGV do fields[#fields + 1] = 'v:' .. ARGV[i] end
  for i = 1, #fields, 1000 do
    redis.call('HDEL', key, unpack(fields, i, math.min(i + 999, #fields)))
  end
end
local fields = {'f', '1', 'm', ARGV[3]}
if ARGV[4] == '1' then
  fields[#fields + 1] = 'u'
  fields[#fields + 1] = ARGV[5]
else
  redis.call('HDEL', key, 'u')
end
for i = 0, nset - 1 do
  fields[#fields + 1] = 'v:' .. ARGV[10 + 2 * i]
  fields[#fields + 1] = ARGV[11 + 2 * i]
end
for i = 1, #fields, 1000 do
  redis.call('HSET', key, unpack(fields, i, math.min(i + 999, #fields)))
end
redis.call('PEXPIRE', key, ttl)
if index_at > 0 then index(KEYS[index_at], ARGV[6], ttl) end
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
