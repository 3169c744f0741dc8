import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * The Redis backend's writes as Lua scripts. Why scripts and not WATCH/MULTI: WATCH belongs to a connection, and
 * one ioredis client multiplexes every concurrent operation of the process over one connection, so one operation's
 * WATCH would guard (or break) another's MULTI. A script runs atomically on the server: each write checks the
 * version it read (optimistic concurrency), the owner's quota, applies, and publishes the change notification in
 * the same step, so notifications leave in exactly the order the writes were made.
 *
 * Per document, under the store's key prefix: `doc:<id>` is a hash (the metadata fields, `version`, `size`, `body`
 * = the encoded document at the last compaction, `logBytes`, `logRecords`), `log:<id>` a list of change records applied on top
 * of `body` (`{"v": version, "events": [...]}`), `owner:<owner>` the set of an owner's ids, `usage:<owner>` the
 * owner's byte count, and `changes:<id>` the pub/sub channel.
 */

/** The metadata fields, in the order every script and `metaFromFields` use. */
export const META_FIELDS = ["owner", "name", "title", "visibility", "sharedWith", "version", "createdAt", "updatedAt", "size", "logBytes", "logRecords"] as const;

const HMGET_META = `redis.call('HMGET', KEYS[1], ${META_FIELDS.map((f) => `'${f}'`).join(", ")})`;

const SOURCES = {
  /** KEYS doc usage owners; ARGV id owner name title visibility sharedWith at size body maxUserBytes */
  create: `
    if redis.call('EXISTS', KEYS[1]) == 1 then return {'exists'} end
    local total = tonumber(redis.call('GET', KEYS[2]) or '0') + tonumber(ARGV[8])
    if total > tonumber(ARGV[10]) then return {'quota', tostring(total)} end
    redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'name', ARGV[3], 'title', ARGV[4], 'visibility', ARGV[5],
      'sharedWith', ARGV[6], 'version', '1', 'createdAt', ARGV[7], 'updatedAt', ARGV[7], 'size', ARGV[8],
      'body', ARGV[9], 'logBytes', '0', 'logRecords', '0')
    redis.call('INCRBY', KEYS[2], ARGV[8])
    redis.call('SADD', KEYS[3], ARGV[1])
    return {'ok'}`,
  /** KEYS doc log; returns {meta fields, body, log records} in one consistent read, or nil. */
  load: `
    local m = ${HMGET_META}
    if not m[6] then return false end
    return {m, redis.call('HGET', KEYS[1], 'body'), redis.call('LRANGE', KEYS[2], 0, -1)}`,
  /**
   * KEYS doc usage log; ARGV expectedVersion updatedAt size maxUserBytes mode payload channel message.
   * mode "log" appends payload (a change record); mode "body" stores payload as the new body and empties the log.
   */
  write: `
    local cur = redis.call('HGET', KEYS[1], 'version')
    if not cur then return {'missing'} end
    if cur ~= ARGV[1] then return {'conflict', cur} end
    local delta = tonumber(ARGV[3]) - tonumber(redis.call('HGET', KEYS[1], 'size'))
    if delta > 0 then
      local total = tonumber(redis.call('GET', KEYS[2]) or '0') + delta
      if total > tonumber(ARGV[4]) then return {'quota', tostring(total)} end
    end
    redis.call('HSET', KEYS[1], 'version', tostring(tonumber(cur) + 1), 'updatedAt', ARGV[2], 'size', ARGV[3])
    if ARGV[5] == 'body' then
      redis.call('HSET', KEYS[1], 'body', ARGV[6], 'logBytes', '0', 'logRecords', '0')
      redis.call('DEL', KEYS[3])
    else
      redis.call('RPUSH', KEYS[3], ARGV[6])
      redis.call('HINCRBY', KEYS[1], 'logBytes', string.len(ARGV[6]))
      redis.call('HINCRBY', KEYS[1], 'logRecords', 1)
    end
    if delta ~= 0 then redis.call('INCRBY', KEYS[2], delta) end
    redis.call('PUBLISH', ARGV[7], ARGV[8])
    return {'ok'}`,
  /** KEYS doc; ARGV id updatedAt channel originJson field value ...; returns the meta fields after, or nil. */
  meta: `
    if redis.call('EXISTS', KEYS[1]) == 0 then return false end
    redis.call('HSET', KEYS[1], 'updatedAt', ARGV[2], unpack(ARGV, 5))
    local m = ${HMGET_META}
    redis.call('PUBLISH', ARGV[3], '{"kind":"meta","id":' .. cjson.encode(ARGV[1]) .. ',"origin":' .. ARGV[4] ..
      ',"fields":' .. cjson.encode(m) .. '}')
    return m`,
  /** KEYS doc usage owners log; ARGV expectedVersion-or-empty id channel originJson */
  delete: `
    local m = redis.call('HMGET', KEYS[1], 'version', 'size')
    if not m[1] then return {'missing'} end
    if ARGV[1] ~= '' and ARGV[1] ~= m[1] then return {'conflict', m[1]} end
    redis.call('DEL', KEYS[1], KEYS[4])
    redis.call('DECRBY', KEYS[2], m[2])
    redis.call('SREM', KEYS[3], ARGV[2])
    redis.call('PUBLISH', ARGV[3], '{"kind":"deleted","id":' .. cjson.encode(ARGV[2]) .. ',"version":' .. m[1] ..
      ',"origin":' .. ARGV[4] .. '}')
    return {'ok'}`,
} as const;

export type ScriptName = keyof typeof SOURCES;

const SHAS = Object.fromEntries(
  Object.entries(SOURCES).map(([name, src]) => [name, createHash("sha1").update(src).digest("hex")]),
) as Record<ScriptName, string>;

/**
 * Runs the scripts by SHA, loading them on NOSCRIPT (a restarted or flushed server). Uses `callBuffer` so binary
 * bodies come back untouched and the caller's client gets no extra methods defined on it.
 */
export async function runScript(
  client: Redis,
  name: ScriptName,
  keys: readonly string[],
  args: ReadonlyArray<string | Buffer | number>,
): Promise<unknown> {
  try {
    return await client.callBuffer("EVALSHA", [SHAS[name], keys.length, ...keys, ...args]);
  } catch (err) {
    if (!String((err as Error).message).startsWith("NOSCRIPT")) throw err;
    return client.callBuffer("EVAL", [SOURCES[name], keys.length, ...keys, ...args]);
  }
}
