/**
 * The Redis store, for n8n queue mode and several instances: the same behaviour as the SQLite store, with
 * every read-modify-write in a Lua script (redis-scripts.ts), SET NX PX for seen keys, and pipelines for bulk
 * reads. The connection's password never appears in an error this module throws (ioredis attaches the AUTH /
 * HELLO command, password included, to its errors: they are rebuilt from their message, scrubbed).
 */
import { randomUUID } from 'node:crypto';
import Redis, { type RedisOptions } from 'ioredis';

import { redisWindowFacts, rowToContact, rowToRecipient, WINDOW_FIELDS, type Row } from './records';
import { referralSource } from './merge-rules';
import { scriptSource, SCRIPTS, type ScriptName } from './redis-scripts';
import { OneByBatch } from './one-by-batch';
import { summarise } from './summary';
import {
	DEFAULT_SEEN_TTL_SECONDS,
	MARKETING_RETENTION_MS,
	recontactKey,
	type StoredCampaignSummary,
	type ClaimOptions,
	type ClaimResult,
	type ContactState,
	type ContactWindowFacts,
	type ConversationStore,
	type InboundInput,
	type InboundResult,
	type ListOptions,
	type OptInput,
	type RecipientClaimInput,
	type RecipientPage,
	type RecipientRecord,
	type RecontactClaim,
	type RecontactRecord,
	type ResultInput,
	type StatusInput,
	type StatusResult,
	type StoreClock,
} from './types';
import {
	checkClaimOptions,
	checkResult,
	checkStates,
	checkStatus,
	checkTtl,
	requireId,
	requireTime,
} from './validate';

/** Where and as whom to connect, in ioredis terms: shared by the store and the campaign's shared token bucket. */
export function ioredisConnection(
	options: Pick<RedisStoreOptions, 'host' | 'port' | 'user' | 'password' | 'db' | 'tls'>,
): RedisOptions {
	return {
		host: options.host,
		port: options.port,
		username: options.user || undefined,
		password: options.password || undefined,
		db: options.db ?? 0,
		tls: options.tls ? { servername: options.host } : undefined,
		maxRetriesPerRequest: 3,
	};
}

/** Where the Redis store connects, and its key prefix. */
export interface RedisStoreOptions extends StoreClock {
	host: string;
	port: number;
	user?: string;
	password?: string;
	db?: number;
	tls?: boolean;
	/** Prepended to every key, so several n8n instances (or tests) can share one Redis (default "whatsapp-hsm:") */
	keyPrefix?: string;
	connectTimeoutMs?: number;
}

export const DEFAULT_KEY_PREFIX = 'whatsapp-hsm:';
const CHUNK = 500;

type Reply = unknown;

/** Same escaping as the Lua `enc`: key parts cannot run into each other. */
const enc = (part: string): string => part.replace(/%/g, '%25').replace(/:/g, '%3A');

function pairsToRow(flat: Reply): Row {
	const row: Row = {};
	const list = flat as string[];
	for (let i = 0; i < list.length; i += 2) row[list[i]] = list[i + 1];
	return row;
}

function hashToRow(hash: Reply): Row | undefined {
	if (!hash || typeof hash !== 'object' || Object.keys(hash).length === 0) return undefined;
	return hash as Row;
}

function chunks<T>(list: readonly T[], size = CHUNK): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

const str = (value: string | number | undefined | null): string =>
	value === undefined || value === null ? '' : String(value);

type ScriptClient = Redis & Record<ScriptName, (...args: Array<string | number>) => Promise<Reply>>;

/** The conversation store in Redis, for queue mode: every merge rule runs in one Lua script. */
export class RedisStore extends OneByBatch implements ConversationStore {
	readonly backend = 'redis' as const;

	readonly keyPrefix: string;

	private readonly now: () => number;

	private closed = false;

	private constructor(
		private readonly client: ScriptClient,
		private readonly secrets: string[],
		options: RedisStoreOptions,
	) {
		super();
		this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
		this.now = options.now ?? Date.now;
	}

	/** Connects (and authenticates) before returning, so a wrong host or password fails here with a clear message. */
	static async connect(options: RedisStoreOptions): Promise<RedisStore> {
		requireId(options.host, 'Redis host');
		if (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65535)
			throw new TypeError(`Redis port must be 1-65535 (got ${String(options.port)})`);
		const secrets = [options.password ?? ''].filter((secret) => secret.length > 0);
		let lastError: Error | undefined;
		const redisOptions: RedisOptions = {
			...ioredisConnection(options),
			lazyConnect: true,
			connectTimeout: options.connectTimeoutMs ?? 10_000,
			// ioredis waits this long for a dead socket to close after disconnect(): keep n8n's shutdown quick.
			disconnectTimeout: 300,
			// Reconnect after a drop, but not to a server that refused our credentials.
			retryStrategy: (times) =>
				lastError && /WRONGPASS|NOAUTH|NOPERM|invalid password/i.test(lastError.message)
					? null
					: Math.min(times * 200, 2000),
		};
		const client = new Redis(redisOptions) as ScriptClient;
		client.on('error', (error: Error) => {
			lastError = error; // keeps ioredis from printing "Unhandled error event" (with the host) to stderr
		});
		for (const name of Object.keys(SCRIPTS) as ScriptName[])
			client.defineCommand(name, { numberOfKeys: 0, lua: scriptSource(name) });
		try {
			await client.connect();
			await client.ping();
		} catch (error) {
			client.disconnect();
			throw connectionError(lastError ?? (error as Error), options, secrets);
		}
		return new RedisStore(client, secrets, options);
	}

	// ---------------------------------------------------------------- plumbing

	private key(kind: string, ...parts: string[]): string {
		return `${this.keyPrefix}${kind}:${parts.map(enc).join(':')}`;
	}

	private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
		if (this.closed) throw new Error('The conversation store is closed');
		try {
			return await fn();
		} catch (error) {
			if (error instanceof TypeError || error instanceof RangeError) throw error;
			// Where and what to fix, as the shared rate limit says it: when Redis goes away mid-campaign, either may
			// be the one that notices first.
			const { host, port } =
				(this.client as unknown as { options?: { host?: string; port?: number } }).options ?? {};
			const where = host ? ` at ${host}:${port ?? 6379}` : '';
			throw new Error(
				scrub(
					`Redis${where} did not answer the conversation store (${what}: ${(error as Error).message}): check that Redis is running and reachable (Redis (WhatsApp HSM Store) credential)`,
					this.secrets,
				),
			);
		}
	}

	private script(name: ScriptName, ...args: Array<string | number>): Promise<Reply> {
		return this.client[name](this.keyPrefix, this.now(), ...args);
	}

	private async pipelineExec(
		build: (pipeline: ReturnType<Redis['pipeline']>) => void,
	): Promise<Reply[]> {
		const pipeline = this.client.pipeline();
		build(pipeline);
		const results = (await pipeline.exec()) ?? [];
		return results.map(([error, value]) => {
			if (error) throw error;
			return value;
		});
	}

	// ---------------------------------------------------------------- contacts

	private inboundArgs(input: InboundInput): Array<string | number> {
		requireId(input.businessNumberId, 'businessNumberId');
		requireTime(input.at, 'at');
		if (!input.waId && !input.userId) throw new TypeError('recordInbound needs waId or userId');
		return [
			input.businessNumberId,
			str(input.waId),
			str(input.userId),
			input.at,
			str(input.messageId),
			str(input.channel),
			str(input.profileName),
			input.referral ? '1' : '',
			str(referralSource(input.referral)),
		];
	}

	private static inboundReply(reply: Reply): InboundResult {
		const [advanced, flat] = reply as [number, string[]];
		return { advanced: advanced === 1, contact: rowToContact(pairsToRow(flat)) };
	}

	async recordInbound(input: InboundInput): Promise<InboundResult> {
		const args = this.inboundArgs(input);
		return this.run('recordInbound', async () =>
			RedisStore.inboundReply(await this.script('waInbound', ...args)),
		);
	}

	async recordInbounds(inputs: InboundInput[]): Promise<InboundResult[]> {
		const argsList = inputs.map((input) => this.inboundArgs(input));
		return this.run('recordInbounds', async () => {
			const now = this.now();
			const replies = await this.pipelineExec((pipeline) => {
				for (const args of argsList)
					(pipeline as unknown as Record<string, (...a: unknown[]) => void>).waInbound(
						this.keyPrefix,
						now,
						...args,
					);
			});
			return replies.map((reply) => RedisStore.inboundReply(reply));
		});
	}

	async recordBusinessReply(
		businessNumberId: string,
		contactId: string,
		at?: number,
	): Promise<void> {
		requireId(businessNumberId, 'businessNumberId');
		requireId(contactId, 'contactId');
		const when = at ?? this.now();
		await this.run('recordBusinessReply', () =>
			this.script('waBusinessReply', businessNumberId, contactId, when),
		);
	}

	async getContacts(
		businessNumberId: string,
		contactIds: readonly string[],
	): Promise<Map<string, ContactState>> {
		return this.readContacts(
			businessNumberId,
			contactIds,
			'getContacts',
			(pipeline, key) => pipeline.hgetall(key),
			(reply) => {
				const row = hashToRow(reply);
				return row ? rowToContact(row) : undefined;
			},
		);
	}

	async getWindowFacts(
		businessNumberId: string,
		contactIds: readonly string[],
	): Promise<Map<string, ContactWindowFacts>> {
		return this.readContacts(
			businessNumberId,
			contactIds,
			'getWindowFacts',
			(pipeline, key) => pipeline.hmget(key, ...WINDOW_FIELDS),
			(reply) => {
				const values = reply as Array<string | null>;
				return values[0] === null ? undefined : redisWindowFacts(businessNumberId, values);
			},
		);
	}

	/** Pipelined reads of the IDs' hashes; IDs without one are retried through their user_id alias. */
	private async readContacts<T>(
		businessNumberId: string,
		contactIds: readonly string[],
		what: string,
		read: (pipeline: ReturnType<Redis['pipeline']>, key: string) => void,
		map: (reply: Reply) => T | undefined,
	): Promise<Map<string, T>> {
		requireId(businessNumberId, 'businessNumberId');
		const found = new Map<string, T>();
		const unique = [...new Set(contactIds)].filter((id) => typeof id === 'string' && id !== '');
		if (unique.length === 0) return found;
		return this.run(what, async () => {
			const replies = await this.pipelineExec((pipeline) => {
				for (const id of unique) read(pipeline, this.key('c', businessNumberId, id));
			});
			const missing: string[] = [];
			unique.forEach((id, i) => {
				const contact = map(replies[i]);
				if (contact) found.set(id, contact);
				else missing.push(id);
			});
			if (missing.length === 0) return found;
			const aliases = await this.pipelineExec((pipeline) => {
				for (const id of missing) pipeline.get(this.key('u', businessNumberId, id));
			});
			const linked = missing
				.map((id, i) => [id, aliases[i]] as const)
				.filter((pair): pair is readonly [string, string] => typeof pair[1] === 'string');
			if (linked.length === 0) return found;
			const targets = await this.pipelineExec((pipeline) => {
				for (const [, key] of linked) read(pipeline, this.key('c', businessNumberId, key));
			});
			linked.forEach(([id], i) => {
				const contact = map(targets[i]);
				if (contact) found.set(id, contact);
			});
			return found;
		});
	}

	async setOptState(
		businessNumberId: string,
		contactId: string,
		input: OptInput,
	): Promise<{ applied: boolean; contact: ContactState }> {
		requireId(businessNumberId, 'businessNumberId');
		requireId(contactId, 'contactId');
		requireTime(input.at, 'at');
		return this.run('setOptState', async () => {
			const [applied, flat] = (await this.script(
				'waOpt',
				businessNumberId,
				contactId,
				input.optedOut ? '1' : '0',
				input.at,
				input.reason,
				input.scope ?? 'all',
				str(input.detail),
			)) as [number, string[]];
			return { applied: applied === 1, contact: rowToContact(pairsToRow(flat)) };
		});
	}

	async markMarketingHold(
		businessNumberId: string,
		contactId: string,
		until: number,
	): Promise<void> {
		requireId(businessNumberId, 'businessNumberId');
		requireId(contactId, 'contactId');
		requireTime(until, 'until');
		await this.run('markMarketingHold', () =>
			this.script('waHold', businessNumberId, contactId, until),
		);
	}

	// ---------------------------------------------------------------- recontacts

	private static toRecontact(row: Row): RecontactRecord {
		const record: RecontactRecord = {
			businessNumberId: String(row.business),
			contactId: String(row.contact),
			queryId: String(row.query_id),
			spentAt: Number(row.spent_at),
			token: String(row.token),
		};
		if (row.ref !== undefined && row.ref !== null) record.ref = String(row.ref);
		return record;
	}

	async claimRecontact(
		businessNumberId: string,
		contactId: string,
		queryId: string,
		options: { at?: number; ref?: string } = {},
	): Promise<RecontactClaim> {
		requireId(businessNumberId, 'businessNumberId');
		requireId(contactId, 'contactId');
		requireId(queryId, 'queryId');
		const at = options.at ?? this.now();
		return this.run('claimRecontact', async () => {
			const [won, flat] = (await this.script(
				'waClaimRecontact',
				businessNumberId,
				contactId,
				queryId,
				at,
				str(options.ref),
				randomUUID(),
			)) as [number, string[]];
			return { won: won === 1, record: RedisStore.toRecontact(pairsToRow(flat)) };
		});
	}

	async getRecontacts(
		businessNumberId: string,
		pairs: ReadonlyArray<{ contactId: string; queryId: string }>,
	): Promise<Map<string, RecontactRecord>> {
		requireId(businessNumberId, 'businessNumberId');
		const found = new Map<string, RecontactRecord>();
		if (pairs.length === 0) return found;
		return this.run('getRecontacts', async () => {
			const hashes = await this.pipelineExec((pipeline) => {
				for (const { contactId, queryId } of pairs)
					pipeline.hgetall(this.key('r', businessNumberId, contactId, queryId));
			});
			pairs.forEach(({ contactId, queryId }, i) => {
				const row = hashToRow(hashes[i]);
				if (row) found.set(recontactKey(contactId, queryId), RedisStore.toRecontact(row));
			});
			return found;
		});
	}

	async releaseRecontact(
		businessNumberId: string,
		contactId: string,
		queryId: string,
		token: string,
	): Promise<boolean> {
		requireId(token, 'token');
		return this.run(
			'releaseRecontact',
			async () =>
				(await this.script('waReleaseRecontact', businessNumberId, contactId, queryId, token)) ===
				1,
		);
	}

	// ---------------------------------------------------------------- seen keys

	async markSeen(
		keys: readonly string[],
		ttlSeconds: number = DEFAULT_SEEN_TTL_SECONDS,
	): Promise<boolean[]> {
		checkTtl(ttlSeconds);
		for (const key of keys) requireId(key, 'seen key');
		if (keys.length === 0) return [];
		const ttlMs = Math.max(1, Math.round(ttlSeconds * 1000));
		return this.run('markSeen', async () => {
			const replies = await this.pipelineExec((pipeline) => {
				for (const key of keys) pipeline.set(`${this.keyPrefix}s:${key}`, '1', 'PX', ttlMs, 'NX');
			});
			return replies.map((reply) => reply === 'OK');
		});
	}

	async forgetSeen(keys: readonly string[]): Promise<void> {
		for (const key of keys) requireId(key, 'seen key');
		if (keys.length === 0) return;
		await this.run('forgetSeen', async () => {
			await this.client.del(...keys.map((key) => `${this.keyPrefix}s:${key}`));
		});
	}

	// ---------------------------------------------------------------- campaigns

	async claimRecipients(
		campaignId: string,
		recipients: readonly RecipientClaimInput[],
		options: ClaimOptions = {},
	): Promise<ClaimResult[]> {
		requireId(campaignId, 'campaignId');
		checkClaimOptions(options);
		for (const recipient of recipients) requireId(recipient.recipientId, 'recipientId');
		const at = options.at ?? this.now();
		const states = `,${(options.reclaim?.states ?? []).join(',')},`;
		const before =
			options.reclaim?.claimedBefore === undefined ? '' : options.reclaim.claimedBefore;
		// A recipient repeated in one call is claimed once; repeats read the record afterwards.
		const firsts: RecipientClaimInput[] = [];
		const seen = new Set<string>();
		for (const recipient of recipients) {
			if (seen.has(recipient.recipientId)) continue;
			seen.add(recipient.recipientId);
			firsts.push(recipient);
		}
		return this.run('claimRecipients', async () => {
			const now = this.now();
			const replies = await this.pipelineExec((pipeline) => {
				for (const part of chunks(firsts)) {
					const args = part.flatMap((recipient) => [
						recipient.recipientId,
						recipient.contactId || recipient.recipientId,
					]);
					(pipeline as unknown as Record<string, (...a: unknown[]) => void>).waClaimRecipients(
						this.keyPrefix,
						now,
						campaignId,
						str(options.businessNumberId),
						str(options.owner),
						at,
						states,
						before,
						...args,
					);
				}
			});
			const results = new Map<string, ClaimResult>();
			for (const reply of replies) {
				const list = reply as Array<number | string[]>;
				for (let i = 0; i < list.length; i += 2) {
					const record = rowToRecipient(pairsToRow(list[i + 1]));
					results.set(record.recipientId, {
						recipientId: record.recipientId,
						won: list[i] === 1,
						record,
					});
				}
			}
			const handed = new Set<string>();
			return recipients.map(({ recipientId }) => {
				const result = results.get(recipientId) as ClaimResult;
				if (handed.has(recipientId)) return { ...result, won: false };
				handed.add(recipientId);
				return result;
			});
		});
	}

	private resultArgs(result: ResultInput): Array<string | number> {
		checkResult(result);
		return [
			result.recipientId,
			result.state,
			result.at ?? this.now(),
			str(result.wamid),
			str(result.code),
			str(result.reason),
			str(result.owner),
		];
	}

	async recordResults(
		campaignId: string,
		results: readonly ResultInput[],
	): Promise<Array<RecipientRecord | undefined>> {
		requireId(campaignId, 'campaignId');
		const argsList = results.map((result) => this.resultArgs(result));
		return this.run('recordResults', async () => {
			const now = this.now();
			const replies = await this.pipelineExec((pipeline) => {
				for (const args of argsList)
					(pipeline as unknown as Record<string, (...a: unknown[]) => void>).waRecordResult(
						this.keyPrefix,
						now,
						campaignId,
						...args,
					);
			});
			return replies.map((reply) => {
				const [ok, flat] = reply as [number, string[]?];
				return ok === 1 && flat ? rowToRecipient(pairsToRow(flat)) : undefined;
			});
		});
	}

	async recordStatuses(inputs: readonly StatusInput[]): Promise<StatusResult[]> {
		inputs.forEach(checkStatus);
		if (inputs.length === 0) return [];
		return this.run('recordStatuses', async () => {
			const now = this.now();
			const replies = await this.pipelineExec((pipeline) => {
				for (const input of inputs)
					(pipeline as unknown as Record<string, (...a: unknown[]) => void>).waRecordStatus(
						this.keyPrefix,
						now,
						input.wamid,
						input.status,
						input.at,
						str(input.campaignId),
						str(input.recipientId),
						str(input.errorCode),
						str(input.errorTitle),
					);
			});
			return replies.map((reply): StatusResult => {
				const [matched, advanced, settled, flat] = reply as [number, number, number, string[]?];
				if (matched !== 1 || !flat) return { matched: false, advanced: false, settled: false };
				return {
					matched: true,
					advanced: advanced === 1,
					settled: settled === 1,
					record: rowToRecipient(pairsToRow(flat)),
				};
			});
		});
	}

	async getRecipients(
		campaignId: string,
		recipientIds: readonly string[],
	): Promise<Map<string, RecipientRecord>> {
		requireId(campaignId, 'campaignId');
		const unique = [...new Set(recipientIds)];
		const found = new Map<string, RecipientRecord>();
		if (unique.length === 0) return found;
		return this.run('getRecipients', async () => {
			const hashes = await this.pipelineExec((pipeline) => {
				for (const id of unique) pipeline.hgetall(this.key('k', campaignId, id));
			});
			unique.forEach((id, i) => {
				const row = hashToRow(hashes[i]);
				if (row) found.set(id, rowToRecipient(row));
			});
			return found;
		});
	}

	async findRecipientByWamid(wamid: string): Promise<RecipientRecord | undefined> {
		requireId(wamid, 'wamid');
		return this.run('findRecipientByWamid', async () => {
			const ref = await this.client.get(`${this.keyPrefix}w:${wamid}`);
			if (!ref) return undefined;
			const newline = ref.indexOf('\n');
			const row = hashToRow(
				await this.client.hgetall(this.key('k', ref.slice(0, newline), ref.slice(newline + 1))),
			);
			return row ? rowToRecipient(row) : undefined;
		});
	}

	/** Recipient IDs of a campaign in byte order (like SQLite's BINARY collation), after `after`. */
	private async recipientIds(
		campaignId: string,
		after: string | undefined,
		count: number,
	): Promise<string[]> {
		return this.client.zrangebylex(
			this.key('ki', campaignId),
			after ? `(${after}` : '-',
			'+',
			'LIMIT',
			0,
			count,
		);
	}

	async listRecipients(campaignId: string, options: ListOptions = {}): Promise<RecipientPage> {
		requireId(campaignId, 'campaignId');
		checkStates(options.states, 'states');
		const limit = Math.max(1, Math.floor(options.limit ?? 1000));
		const states =
			options.states && options.states.length > 0 ? new Set(options.states) : undefined;
		return this.run('listRecipients', async () => {
			const collected: RecipientRecord[] = [];
			let after = options.after;
			// Reads index pages until limit + 1 matching records are found (the extra one says "there is more").
			for (;;) {
				const ids = await this.recipientIds(campaignId, after, Math.max(limit + 1, 200));
				if (ids.length === 0) break;
				const records = await this.getRecipients(campaignId, ids);
				for (const id of ids) {
					const record = records.get(id);
					if (record && (!states || states.has(record.state))) collected.push(record);
					if (collected.length > limit) break;
				}
				if (collected.length > limit) break;
				after = ids[ids.length - 1];
			}
			const recipients = collected.slice(0, limit);
			return collected.length > limit
				? { recipients, next: recipients[recipients.length - 1].recipientId }
				: { recipients };
		});
	}

	async summariseCampaign(
		campaignId: string,
		options: { bucketMs?: number } = {},
	): Promise<StoredCampaignSummary> {
		requireId(campaignId, 'campaignId');
		return this.run('summariseCampaign', async () => {
			const records: RecipientRecord[] = [];
			let after: string | undefined;
			for (;;) {
				const ids = await this.recipientIds(campaignId, after, 1000);
				if (ids.length === 0) break;
				const found = await this.getRecipients(campaignId, ids);
				records.push(...found.values());
				after = ids[ids.length - 1];
			}
			return summarise(campaignId, records, options.bucketMs);
		});
	}

	async deleteCampaign(campaignId: string): Promise<number> {
		requireId(campaignId, 'campaignId');
		return this.run('deleteCampaign', async () => {
			let removed = 0;
			for (;;) {
				const ids = await this.recipientIds(campaignId, undefined, CHUNK);
				if (ids.length === 0) break;
				removed += Number(await this.script('waDeleteRecipients', campaignId, ...ids));
			}
			return removed;
		});
	}

	// ---------------------------------------------------------------- frequency cap

	async recordMarketingSend(
		businessNumberId: string,
		contactId: string,
		ref: string,
		at?: number,
	): Promise<void> {
		requireId(businessNumberId, 'businessNumberId');
		requireId(contactId, 'contactId');
		requireId(ref, 'ref');
		const when = at ?? this.now();
		const key = this.key('m', businessNumberId, contactId);
		await this.run('recordMarketingSend', () =>
			this.client
				.multi()
				.zadd(key, 'NX', when, ref)
				.zremrangebyscore(key, '-inf', `(${this.now() - MARKETING_RETENTION_MS}`)
				.pexpire(key, MARKETING_RETENTION_MS)
				.exec(),
		);
	}

	async countMarketingSince(
		businessNumberId: string,
		contactIds: readonly string[],
		since: number,
	): Promise<Map<string, number>> {
		requireId(businessNumberId, 'businessNumberId');
		requireTime(since, 'since');
		const unique = [...new Set(contactIds)];
		const counts = new Map<string, number>();
		if (unique.length === 0) return counts;
		return this.run('countMarketingSince', async () => {
			const replies = await this.pipelineExec((pipeline) => {
				for (const id of unique)
					pipeline.zcount(this.key('m', businessNumberId, id), since, '+inf');
			});
			unique.forEach((id, i) => {
				const count = Number(replies[i]);
				if (count > 0) counts.set(id, count);
			});
			return counts;
		});
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		try {
			await this.client.quit();
		} catch {
			this.client.disconnect();
		}
	}
}

/** Removes every secret from a message (also its URL-encoded form). */
export function scrub(message: string, secrets: readonly string[]): string {
	let out = message;
	for (const secret of secrets) {
		if (!secret) continue;
		for (const form of new Set([secret, encodeURIComponent(secret)]))
			out = out.split(form).join('***');
	}
	return out;
}

function connectionError(error: Error, options: RedisStoreOptions, secrets: string[]): Error {
	const where = `${options.host}:${options.port}${options.db ? ` (database ${options.db})` : ''}`;
	const message = error?.message ?? String(error);
	let hint: string;
	if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) {
		hint =
			'Redis refused the user name / password: check Password (and User) in the Redis (WhatsApp HSM Store) credential';
	} else if (/NOAUTH/i.test(message)) {
		hint = 'Redis requires a password: set Password in the Redis (WhatsApp HSM Store) credential';
	} else if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|timeout|EHOSTUNREACH/i.test(message)) {
		hint =
			'Redis is not reachable: check Host and Port in the Redis (WhatsApp HSM Store) credential, and that Redis is running';
	} else if (/DB index is out of range|invalid DB index/i.test(message)) {
		hint =
			'the Database number does not exist on this Redis: use 0 or a number below its `databases` setting';
	} else if (/SSL|TLS|certificate|EPROTO/i.test(message)) {
		hint = 'the TLS handshake failed: turn TLS on only when the Redis server expects TLS';
	} else {
		hint = 'check the Redis (WhatsApp HSM Store) credential';
	}
	return new Error(
		scrub(`Cannot connect to the Redis store at ${where}: ${hint} (${message})`, secrets),
	);
}
