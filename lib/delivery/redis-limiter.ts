/**
 * The global token bucket: one per phone number in Redis, shared by every process that sends for that number
 * (n8n queue mode), so two workers sending one campaign never exceed the number's rate together.
 *
 * Why our own Lua script rather than a library (checked with `npm view`, 2026):
 * - rate-limiter-flexible 11.x (RateLimiterRedis) counts points in fixed windows (INCRBY + EXPIRE) with whole-second
 *   durations and a `points` fixed per instance: requests bunch up at window starts (up to 2× the cap across a
 *   window edge, which is what trips 130429), and changing the rate means a new instance whose window state
 *   disagrees with the other workers'. Its RateLimiterQueue keeps one promise per waiting request.
 * - bottleneck 2.19.5 can share a limiter through Redis and change settings at run time, but it queues one
 *   promise + closure per scheduled job (our memory budget for 100,000 recipients forbids it), paces with
 *   `minTime` spacing rather than a bucket, and has had no release since 2.19.5.
 * - limiter 4.x is an in-process token bucket only.
 * None of them moves the rate down on 130429 for all workers at once. Here refill + take + AIMD state live in
 * one hash and one script, executed atomically by Redis, with Redis' own TIME as the clock (worker clocks may
 * disagree). The AIMD rules mirror aimd.ts.
 */
import type Redis from 'ioredis';
import { aimdOptions, type AimdOptions, type AimdSettings } from './aimd';
import { defaultBurst } from './token-bucket';
import type { Clock, RateLimiter, TokenGrant } from './types';

// KEYS[1] hash {tokens, ts, base, dAt}
// ARGV: op ('take' | 'throttle'), want, now ('' = Redis TIME), cap, burst, adaptive (1/0), floor, factor,
//       cooldownMs, quietMs, step, intervalMs, idleTtlMs
// Returns {granted, waitMs, rate (string: Lua numbers become integers in replies), now (string)}
const script = `
local now = tonumber(ARGV[3])
if not now then
	local t = redis.call('TIME')
	now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local want = tonumber(ARGV[2])
local cap = tonumber(ARGV[4])
local burst = tonumber(ARGV[5])
local adaptive = ARGV[6] == '1'
local floor_ = tonumber(ARGV[7])
local factor = tonumber(ARGV[8])
local cooldown = tonumber(ARGV[9])
local quiet = tonumber(ARGV[10])
local step = tonumber(ARGV[11])
local interval = tonumber(ARGV[12])
local h = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'base', 'dAt')
local tokens = tonumber(h[1])
local ts = tonumber(h[2])
local base = tonumber(h[3])
local dAt = tonumber(h[4])

-- tostring keeps 14 digits: 0.1 ms of an epoch timestamp, whose rounding would add up over thousands of takes.
local function exact(x) return string.format('%.17g', x) end

local function rateAt(at)
	if base == nil or dAt == nil then return cap end
	local since = at - dAt
	if since < quiet then return math.min(cap, base) end
	return math.min(cap, base + (1 + math.floor((since - quiet) / interval)) * step)
end

local rate = rateAt(now)
if tokens == nil or ts == nil then
	tokens = burst
	ts = now
end
if now > ts then
	tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
	ts = now
end
if ARGV[1] == 'throttle' then
	want = 0
	if adaptive and (dAt == nil or now - dAt >= cooldown) then
		base = math.max(floor_, rate * factor)
		dAt = now
		rate = rateAt(now)
		redis.call('HSET', KEYS[1], 'base', exact(base), 'dAt', exact(dAt))
	end
end
local granted = math.max(0, math.min(want, math.floor(tokens + 1e-9)))
tokens = tokens - granted
local wait = 0
if granted < want then wait = math.max(1, math.ceil((1 - tokens) * 1000 / rate)) end
redis.call('HSET', KEYS[1], 'tokens', exact(tokens), 'ts', exact(ts))
redis.call('PEXPIRE', KEYS[1], ARGV[13])
return {granted, wait, exact(rate), exact(now)}
`;

const commandName = 'waDeliveryTokenBucket';

type ScriptReply = [number, number, string, string];
type WithScript = Redis & {
	[commandName]: (key: string, ...args: Array<string | number>) => Promise<ScriptReply>;
};

/** The Redis connection, bucket key and cap of a limiter shared by every worker. */
export interface RedisRateLimiterOptions {
	/** An ioredis client (the Redis store's connection can be reused). */
	redis: Redis;
	/** The bucket's identity, normally the phone number ID: every worker sending for it must use the same. */
	key: string;
	/** Key prefix, e.g. the store's prefix. Default "wa:". */
	prefix?: string;
	/** The cap, messages/s. Every worker of one number should pass the same cap. */
	ratePerSecond: number;
	burst?: number;
	aimd?: AimdSettings | false;
	/** The bucket (and its AIMD state) is forgotten after this long unused. Default 10 minutes. */
	idleTtlMs?: number;
	/** Tests only: take time from this clock instead of Redis TIME. */
	clock?: Clock;
}

/**
 * A token bucket per phone number in Redis (refill, take and AIMD in one Lua script, Redis TIME), so every
 * worker shares the number's rate.
 */
export class RedisRateLimiter implements RateLimiter {
	readonly redisKey: string;
	private readonly redis: WithScript;
	private readonly settings: AimdSettings;
	private readonly adaptive: boolean;
	private readonly burst: number;
	private readonly idleTtlMs: number;
	private readonly clock?: Clock;
	private options: AimdOptions;
	private lastRate: number;

	constructor(options: RedisRateLimiterOptions) {
		if (!options.key)
			throw new Error(
				'RedisRateLimiter needs `key` (the phone number ID) so all workers share one bucket',
			);
		this.redisKey = `${options.prefix ?? 'wa:'}rate:${options.key}`;
		this.settings = options.aimd || {};
		this.adaptive = options.aimd !== false;
		this.options = aimdOptions(options.ratePerSecond, this.settings);
		this.burst = options.burst ?? defaultBurst(options.ratePerSecond);
		this.idleTtlMs = options.idleTtlMs ?? 600_000;
		this.clock = options.clock;
		this.lastRate = options.ratePerSecond;
		const redis = options.redis as WithScript;
		// defineCommand sends EVALSHA and falls back to EVAL once per connection; define it once per client.
		if (typeof redis[commandName] !== 'function')
			redis.defineCommand(commandName, { numberOfKeys: 1, lua: script });
		this.redis = redis;
	}

	get cap(): number {
		return this.options.cap;
	}

	/** The rate the bucket reported last (messages/s). */
	get rate(): number {
		return this.lastRate;
	}

	take(want: number): Promise<TokenGrant> {
		return this.call('take', want);
	}

	async throttled(): Promise<number> {
		return (await this.call('throttle', 0)).rate;
	}

	setCap(messagesPerSecond: number): void {
		this.options = aimdOptions(messagesPerSecond, this.settings);
	}

	private async call(op: 'take' | 'throttle', want: number): Promise<TokenGrant> {
		try {
			return await this.callScript(op, want);
		} catch (error) {
			// ioredis says "Reached the max retries per request limit" or "Connection is closed": name Redis and where,
			// so the campaign's stop reason tells the user what to fix (ioredis messages carry no password).
			const { host, port } =
				(this.redis as unknown as { options?: { host?: string; port?: number } }).options ?? {};
			const where = host ? ` at ${host}:${port ?? 6379}` : '';
			throw new Error(
				`Redis${where} did not answer the shared rate limit (${(error as Error).message}): check that Redis is running and reachable (Redis (WhatsApp HSM Store) credential), then run the campaign again`,
				{ cause: error },
			);
		}
	}

	private async callScript(op: 'take' | 'throttle', want: number): Promise<TokenGrant> {
		const o = this.options;
		const [granted, waitMs, rate, at] = await this.redis[commandName](
			this.redisKey,
			op,
			want,
			this.clock ? String(this.clock.now()) : '',
			o.cap,
			this.burst,
			this.adaptive ? '1' : '0',
			o.floor,
			o.decreaseFactor,
			o.cooldownMs,
			o.quietMs,
			o.increaseStep,
			o.increaseIntervalMs,
			this.idleTtlMs,
		);
		this.lastRate = Number(rate);
		return {
			granted: Number(granted),
			waitMs: Number(waitMs),
			rate: this.lastRate,
			at: Number(at),
		};
	}
}
