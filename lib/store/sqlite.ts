/**
 * The embedded store: one SQLite file through node:sqlite (DatabaseSync), no set-up.
 *
 * - WAL mode (readers never block the writer), synchronous=NORMAL (a crash of n8n loses nothing committed;
 *   only a power cut can lose the last transactions), busy_timeout so concurrent writers wait instead of failing.
 * - Every write is one transaction started with BEGIN IMMEDIATE: it takes the file's write lock before reading,
 *   so read-modify-write sequences (claims, monotonic updates) are atomic across executions of one n8n and
 *   across processes sharing the file. DatabaseSync is synchronous, so nothing interleaves inside a transaction.
 * - Schema versioned with PRAGMA user_version and migrated on open.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';

import {
	CONTACT_COLUMNS,
	contactToParams,
	num,
	orNull,
	recipientParams,
	rowToContact,
	rowToRecipient,
	SQLITE_WINDOW_COLUMNS,
	sqliteWindowFacts,
	type Row,
} from './records';
import {
	applyBusinessReply,
	applyInbound,
	applyOpt,
	applyStatus,
	mergeContact,
} from './merge-rules';
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
	type DeliveryStatus,
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

/** The file of the embedded store. */
export interface SqliteStoreOptions extends StoreClock {
	/** File path, or ':memory:' (tests) */
	path: string;
	/** How long a writer waits for another's lock (default 10 s) */
	busyTimeoutMs?: number;
}

/** Each entry moves the schema one version up; never edit a released entry, append a new one. */
const MIGRATIONS: string[] = [
	`CREATE TABLE contacts (
		business TEXT NOT NULL, contact TEXT NOT NULL,
		wa_id TEXT, user_id TEXT, profile_name TEXT, profile_name_at INTEGER, channel TEXT,
		last_inbound_at INTEGER, last_inbound_id TEXT,
		referral_at INTEGER, referral_source TEXT, fep_reply_at INTEGER,
		opted_out INTEGER, opt_at INTEGER, opt_reason TEXT, opt_scope TEXT, opt_detail TEXT,
		marketing_hold_until INTEGER,
		lc_campaign TEXT, lc_recipient TEXT, lc_sent_at INTEGER,
		updated_at INTEGER NOT NULL,
		PRIMARY KEY (business, contact)
	) WITHOUT ROWID;
	CREATE TABLE contact_aliases (
		business TEXT NOT NULL, user_id TEXT NOT NULL, contact TEXT NOT NULL,
		PRIMARY KEY (business, user_id)
	) WITHOUT ROWID;
	CREATE TABLE recontacts (
		business TEXT NOT NULL, contact TEXT NOT NULL, query_id TEXT NOT NULL,
		spent_at INTEGER NOT NULL, ref TEXT, token TEXT NOT NULL,
		PRIMARY KEY (business, contact, query_id)
	) WITHOUT ROWID;
	CREATE TABLE seen (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
	CREATE INDEX seen_expiry ON seen (expires_at);
	CREATE TABLE recipients (
		campaign TEXT NOT NULL, recipient TEXT NOT NULL, business TEXT, contact TEXT NOT NULL,
		state TEXT NOT NULL, attempts INTEGER NOT NULL, owner TEXT,
		claimed_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
		wamid TEXT, code INTEGER, reason TEXT, sent_at INTEGER,
		status TEXT, st_sent INTEGER, st_delivered INTEGER, st_read INTEGER, st_played INTEGER, st_failed INTEGER,
		status_code INTEGER, replied_at INTEGER,
		PRIMARY KEY (campaign, recipient)
	) WITHOUT ROWID;
	CREATE TABLE recipient_wamids (
		wamid TEXT PRIMARY KEY, campaign TEXT NOT NULL, recipient TEXT NOT NULL
	) WITHOUT ROWID;
	CREATE INDEX recipient_wamids_campaign ON recipient_wamids (campaign);
	CREATE TABLE marketing_sends (
		business TEXT NOT NULL, contact TEXT NOT NULL, ref TEXT NOT NULL, at INTEGER NOT NULL,
		PRIMARY KEY (business, contact, ref)
	) WITHOUT ROWID;
	CREATE INDEX marketing_sends_time ON marketing_sends (business, contact, at);`,
];

const CHUNK = 500;

/** The column holding the first time each delivery status was seen. */
const STATUS_TIME_COLUMNS: Record<DeliveryStatus, string> = {
	sent: 'st_sent',
	delivered: 'st_delivered',
	read: 'st_read',
	played: 'st_played',
	failed: 'st_failed',
};

const CONTACT_UPSERT = (() => {
	const columns = CONTACT_COLUMNS.split(', ');
	const updates = columns
		.slice(2)
		.map((column) => `${column} = excluded.${column}`)
		.join(', ');
	return `INSERT INTO contacts (${CONTACT_COLUMNS}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (business, contact) DO UPDATE SET ${updates}`;
})();

/** Placeholder lists per size, built once (bulk reads use a handful of sizes). */
const IN_LISTS = new Map<number, string>();
const VALUES_LISTS = new Map<string, string>();
const SEEN_PURGE_INTERVAL_MS = 10 * 60 * 1000;

/**
 * The list in parts of 256, 64, 16, 4 and 1 (largest first): statements built per part size stay five, however the
 * sizes of the batches vary (one prepared statement per size would grow without bound in a long-running n8n).
 */
function sizedParts<T>(list: readonly T[]): T[][] {
	const parts: T[][] = [];
	let at = 0;
	for (const size of [256, 64, 16, 4, 1])
		for (; list.length - at >= size; at += size) parts.push(list.slice(at, at + size));
	return parts;
}

function chunks<T>(list: readonly T[], size = CHUNK): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

/** The conversation store in an embedded SQLite file (WAL, so readers never block the writer). */
export class SqliteStore extends OneByBatch implements ConversationStore {
	readonly backend = 'sqlite' as const;

	readonly path: string;

	private readonly db: DatabaseSync;

	private readonly now: () => number;

	private readonly statements = new Map<string, StatementSync>();

	private lastSeenPurge = 0;

	private closed = false;

	constructor(options: SqliteStoreOptions) {
		super();
		this.path = options.path;
		this.now = options.now ?? Date.now;
		if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
		const busy = options.busyTimeoutMs ?? 10_000;
		try {
			this.db = new DatabaseSync(options.path, { timeout: busy });
		} catch (error) {
			throw new Error(
				`Cannot open the conversation store file ${options.path}: ${(error as Error).message}. Check the folder's permissions or set another Store File.`,
			);
		}
		this.db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busy))}`);
		if (options.path !== ':memory:') this.db.exec('PRAGMA journal_mode = WAL');
		this.db.exec('PRAGMA synchronous = NORMAL');
		this.migrate();
	}

	// ---------------------------------------------------------------- plumbing

	private migrate(): void {
		this.write(() => {
			const version = Number((this.db.prepare('PRAGMA user_version').get() as Row).user_version);
			if (version > MIGRATIONS.length) {
				throw new Error(
					`The conversation store ${this.path} has schema version ${version}, newer than this package knows (${MIGRATIONS.length}): update n8n-nodes-whatsapp-hsm or use another Store File`,
				);
			}
			for (let v = version; v < MIGRATIONS.length; v++) this.db.exec(MIGRATIONS[v]);
			if (version < MIGRATIONS.length) this.db.exec(`PRAGMA user_version = ${MIGRATIONS.length}`);
		});
	}

	private stmt(sql: string): StatementSync {
		let statement = this.statements.get(sql);
		if (!statement) {
			statement = this.db.prepare(sql);
			this.statements.set(sql, statement);
		}
		return statement;
	}

	private arrayStmt(sql: string): StatementSync {
		let statement = this.statements.get(`arrays:${sql}`);
		if (!statement) {
			statement = this.db.prepare(sql);
			statement.setReturnArrays(true);
			this.statements.set(`arrays:${sql}`, statement);
		}
		return statement;
	}

	private assertOpen(): void {
		if (this.closed) throw new Error('The conversation store is closed');
	}

	/** BEGIN IMMEDIATE … COMMIT: the write lock is taken before anything is read. */
	private write<T>(fn: () => T): T {
		this.assertOpen();
		this.db.exec('BEGIN IMMEDIATE');
		try {
			const result = fn();
			this.db.exec('COMMIT');
			return result;
		} catch (error) {
			if (this.db.isTransaction) this.db.exec('ROLLBACK');
			throw error;
		}
	}

	/** A read transaction: one consistent snapshot for multi-statement reads. */
	private read<T>(fn: () => T): T {
		this.assertOpen();
		this.db.exec('BEGIN');
		try {
			return fn();
		} finally {
			if (this.db.isTransaction) this.db.exec('COMMIT');
		}
	}

	private inList(size: number): string {
		let list = IN_LISTS.get(size);
		if (list === undefined) {
			list = new Array(size).fill('?').join(',');
			IN_LISTS.set(size, list);
		}
		return list;
	}

	/** `(?, ?), (?, ?)…`: `rows` tuples of `width` parameters. */
	private valuesList(rows: number, width: number): string {
		const key = `${rows}x${width}`;
		let list = VALUES_LISTS.get(key);
		if (list === undefined) {
			const tuple = `(${new Array(width).fill('?').join(', ')})`;
			list = new Array(rows).fill(tuple).join(', ');
			VALUES_LISTS.set(key, list);
		}
		return list;
	}

	// ---------------------------------------------------------------- contacts (inside transactions)

	private resolveKey(business: string, id: string): string {
		const alias = this.stmt(
			'SELECT contact FROM contact_aliases WHERE business = ? AND user_id = ?',
		).get(business, id) as Row | undefined;
		return alias ? String(alias.contact) : id;
	}

	private loadContact(
		business: string,
		key: string,
	): { contact: ContactState; nameAt?: number; exists: boolean } {
		const row = this.stmt(
			`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE business = ? AND contact = ?`,
		).get(business, key) as Row | undefined;
		if (!row)
			return {
				contact: { businessNumberId: business, contactId: key, updatedAt: this.now() },
				exists: false,
			};
		return { contact: rowToContact(row), nameAt: num(row.profile_name_at), exists: true };
	}

	private saveContact(contact: ContactState, nameAt: number | undefined): void {
		contact.updatedAt = this.now();
		this.stmt(CONTACT_UPSERT).run(...contactToParams(contact, nameAt));
	}

	/** wa_id + user_id: the user_id becomes an alias, and a record kept under the user_id alone is folded in. */
	private linkUserId(business: string, waId: string, userId: string): void {
		const alias = this.stmt(
			'SELECT contact FROM contact_aliases WHERE business = ? AND user_id = ?',
		).get(business, userId) as Row | undefined;
		if (alias && String(alias.contact) === waId) return;
		this.stmt(
			'INSERT INTO contact_aliases (business, user_id, contact) VALUES (?, ?, ?) ON CONFLICT (business, user_id) DO UPDATE SET contact = excluded.contact',
		).run(business, userId, waId);
		if (userId === waId) return;
		const old = this.loadContact(business, userId);
		if (!old.exists) return;
		const target = this.loadContact(business, waId);
		const nameAt = mergeContact(target.contact, old.contact, target.nameAt, old.nameAt);
		target.contact.waId = waId;
		this.saveContact(target.contact, nameAt);
		this.stmt('DELETE FROM contacts WHERE business = ? AND contact = ?').run(business, userId);
	}

	private inboundOne(input: InboundInput): InboundResult {
		const business = requireId(input.businessNumberId, 'businessNumberId');
		requireTime(input.at, 'at');
		if (!input.waId && !input.userId) throw new TypeError('recordInbound needs waId or userId');
		let key: string;
		if (input.waId) {
			key = input.waId;
			if (input.userId) this.linkUserId(business, input.waId, input.userId);
		} else {
			key = this.resolveKey(business, input.userId as string);
		}
		const { contact, nameAt } = this.loadContact(business, key);
		const { advanced, profileNameAt } = applyInbound(contact, input, nameAt);
		this.saveContact(contact, profileNameAt);
		const last = contact.lastCampaign;
		if (last && input.at > last.sentAt) {
			this.stmt(
				'UPDATE recipients SET replied_at = ? WHERE campaign = ? AND recipient = ? AND (replied_at IS NULL OR replied_at > ?)',
			).run(input.at, last.campaignId, last.recipientId, input.at);
		}
		return { advanced, contact };
	}

	private updateContact(
		business: string,
		contactId: string,
		change: (contact: ContactState) => boolean,
	): { applied: boolean; contact: ContactState } {
		const key = this.resolveKey(business, contactId);
		const { contact, nameAt, exists } = this.loadContact(business, key);
		const applied = change(contact);
		if (applied || !exists) this.saveContact(contact, nameAt);
		return { applied, contact };
	}

	/**
	 * The contact's last campaign moves to this sent recipient unless a later send holds it: one upsert (under the
	 * wa_id a user_id alias names), since every sent result of a campaign passes here.
	 */
	private pointLastCampaign(record: RecipientRecord): void {
		if (!record.businessNumberId || record.state !== 'sent' || record.sentAt === undefined) return;
		this.stmt(
			`INSERT INTO contacts (business, contact, lc_campaign, lc_recipient, lc_sent_at, updated_at)
			VALUES (?1, coalesce((SELECT contact FROM contact_aliases WHERE business = ?1 AND user_id = ?2), ?2), ?3, ?4, ?5, ?6)
			ON CONFLICT (business, contact) DO UPDATE SET lc_campaign = excluded.lc_campaign, lc_recipient = excluded.lc_recipient,
				lc_sent_at = excluded.lc_sent_at, updated_at = excluded.updated_at
			WHERE contacts.lc_sent_at IS NULL OR contacts.lc_sent_at <= excluded.lc_sent_at`,
		).run(
			record.businessNumberId,
			record.contactId,
			record.campaignId,
			record.recipientId,
			record.sentAt,
			this.now(),
		);
	}

	// ---------------------------------------------------------------- contacts (public)

	async recordInbound(input: InboundInput): Promise<InboundResult> {
		return this.write(() => this.inboundOne(input));
	}

	async recordInbounds(inputs: InboundInput[]): Promise<InboundResult[]> {
		return this.write(() => inputs.map((input) => this.inboundOne(input)));
	}

	async recordBusinessReply(
		businessNumberId: string,
		contactId: string,
		at?: number,
	): Promise<void> {
		requireId(businessNumberId, 'businessNumberId');
		requireId(contactId, 'contactId');
		const when = at ?? this.now();
		this.write(() => {
			const key = this.resolveKey(businessNumberId, contactId);
			const { contact, nameAt, exists } = this.loadContact(businessNumberId, key);
			if (exists && applyBusinessReply(contact, when)) this.saveContact(contact, nameAt);
		});
	}

	async getContacts(
		businessNumberId: string,
		contactIds: readonly string[],
	): Promise<Map<string, ContactState>> {
		return this.readContacts(businessNumberId, contactIds, CONTACT_COLUMNS, false, (row) =>
			rowToContact(row as Row),
		);
	}

	async getWindowFacts(
		businessNumberId: string,
		contactIds: readonly string[],
	): Promise<Map<string, ContactWindowFacts>> {
		// Rows as arrays: no per-row property objects for 100,000 contacts.
		return this.readContacts(businessNumberId, contactIds, SQLITE_WINDOW_COLUMNS, true, (row) =>
			sqliteWindowFacts(businessNumberId, row as SQLInputValue[]),
		);
	}

	/** Chunked IN queries in one read transaction; IDs without a row are retried as user_id aliases. */
	private async readContacts<T extends { contactId: string }>(
		businessNumberId: string,
		contactIds: readonly string[],
		columns: string,
		arrays: boolean,
		map: (row: Row | SQLInputValue[]) => T,
	): Promise<Map<string, T>> {
		requireId(businessNumberId, 'businessNumberId');
		const found = new Map<string, T>();
		if (contactIds.length === 0) return found;
		const unique = [...new Set(contactIds)].filter((id) => typeof id === 'string' && id !== '');
		const select = (ids: string[]): T[] => {
			const sql = `SELECT ${columns} FROM contacts WHERE business = ? AND contact IN (${this.inList(ids.length)})`;
			const statement = arrays ? this.arrayStmt(sql) : this.stmt(sql);
			return (statement.all(businessNumberId, ...ids) as Array<Row | SQLInputValue[]>).map(map);
		};
		return this.read(() => {
			for (const part of chunks(unique))
				for (const contact of select(part)) found.set(contact.contactId, contact);
			const missing = unique.filter((id) => !found.has(id));
			const aliases = new Map<string, string>();
			for (const part of chunks(missing)) {
				const rows = this.stmt(
					`SELECT user_id, contact FROM contact_aliases WHERE business = ? AND user_id IN (${this.inList(part.length)})`,
				).all(businessNumberId, ...part) as Row[];
				for (const row of rows) aliases.set(String(row.user_id), String(row.contact));
			}
			if (aliases.size === 0) return found;
			const byKey = new Map<string, T>();
			for (const part of chunks([...new Set(aliases.values())]))
				for (const contact of select(part)) byKey.set(contact.contactId, contact);
			for (const [userId, key] of aliases) {
				const contact = byKey.get(key);
				if (contact) found.set(userId, contact);
			}
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
		return this.write(() =>
			this.updateContact(businessNumberId, contactId, (contact) => applyOpt(contact, input)),
		);
	}

	async markMarketingHold(
		businessNumberId: string,
		contactId: string,
		until: number,
	): Promise<void> {
		requireId(businessNumberId, 'businessNumberId');
		requireId(contactId, 'contactId');
		requireTime(until, 'until');
		this.write(() =>
			this.updateContact(businessNumberId, contactId, (contact) => {
				if (contact.marketingHoldUntil !== undefined && contact.marketingHoldUntil >= until)
					return false;
				contact.marketingHoldUntil = until;
				return true;
			}),
		);
	}

	// ---------------------------------------------------------------- recontacts

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
		return this.write(() => {
			const inserted = this.stmt(
				'INSERT INTO recontacts (business, contact, query_id, spent_at, ref, token) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *',
			).get(businessNumberId, contactId, queryId, at, orNull(options.ref), randomUUID()) as
				| Row
				| undefined;
			if (inserted) return { won: true, record: this.toRecontact(inserted) };
			const existing = this.stmt(
				'SELECT * FROM recontacts WHERE business = ? AND contact = ? AND query_id = ?',
			).get(businessNumberId, contactId, queryId) as Row;
			return { won: false, record: this.toRecontact(existing) };
		});
	}

	private toRecontact(row: Row): RecontactRecord {
		const record: RecontactRecord = {
			businessNumberId: String(row.business),
			contactId: String(row.contact),
			queryId: String(row.query_id),
			spentAt: Number(row.spent_at),
			token: String(row.token),
		};
		if (row.ref !== null) record.ref = String(row.ref);
		return record;
	}

	async getRecontacts(
		businessNumberId: string,
		pairs: ReadonlyArray<{ contactId: string; queryId: string }>,
	): Promise<Map<string, RecontactRecord>> {
		requireId(businessNumberId, 'businessNumberId');
		const found = new Map<string, RecontactRecord>();
		if (pairs.length === 0) return found;
		const wanted = new Set(pairs.map((pair) => recontactKey(pair.contactId, pair.queryId)));
		const contacts = [...new Set(pairs.map((pair) => pair.contactId))];
		return this.read(() => {
			// By contact, then filtered by query: one indexed range per contact, no composite IN needed.
			for (const part of chunks(contacts)) {
				const rows = this.stmt(
					`SELECT * FROM recontacts WHERE business = ? AND contact IN (${this.inList(part.length)})`,
				).all(businessNumberId, ...part) as Row[];
				for (const row of rows) {
					const key = recontactKey(String(row.contact), String(row.query_id));
					if (wanted.has(key)) found.set(key, this.toRecontact(row));
				}
			}
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
		this.assertOpen();
		const result = this.stmt(
			'DELETE FROM recontacts WHERE business = ? AND contact = ? AND query_id = ? AND token = ?',
		).run(businessNumberId, contactId, queryId, token);
		return Number(result.changes) > 0;
	}

	// ---------------------------------------------------------------- seen keys

	async markSeen(
		keys: readonly string[],
		ttlSeconds: number = DEFAULT_SEEN_TTL_SECONDS,
	): Promise<boolean[]> {
		checkTtl(ttlSeconds);
		for (const key of keys) requireId(key, 'seen key');
		const now = this.now();
		const expires = now + Math.round(ttlSeconds * 1000);
		return this.write(() => {
			if (now - this.lastSeenPurge > SEEN_PURGE_INTERVAL_MS) {
				this.lastSeenPurge = now;
				this.stmt(
					'DELETE FROM seen WHERE key IN (SELECT key FROM seen WHERE expires_at <= ? LIMIT 10000)',
				).run(now);
			}
			// A few statements per POST (a 1,000-status POST: ten, not a thousand). RETURNING gives the keys inserted or
			// whose mark had expired, i.e. the new ones.
			const fresh = new Set<string>();
			for (const part of sizedParts([...new Set(keys)])) {
				const rows = this.stmt(
					`INSERT INTO seen (key, expires_at) VALUES ${this.valuesList(part.length, 2)} ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE seen.expires_at <= ? RETURNING key`,
				).all(...part.flatMap((key) => [key, expires]), now) as Row[];
				for (const row of rows) fresh.add(String(row.key));
			}
			// A key repeated in one call is new once: at its first place.
			return keys.map((key) => fresh.delete(key));
		});
	}

	async forgetSeen(keys: readonly string[]): Promise<void> {
		for (const key of keys) requireId(key, 'seen key');
		if (keys.length === 0) return;
		this.write(() => {
			for (const part of chunks([...keys]))
				this.stmt(`DELETE FROM seen WHERE key IN (${this.inList(part.length)})`).run(...part);
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
		const states = JSON.stringify(options.reclaim?.states ?? []);
		const before = options.reclaim?.claimedBefore ?? Number.NEGATIVE_INFINITY;
		return this.write(() => {
			const claim = this.stmt(
				`INSERT INTO recipients (campaign, recipient, business, contact, state, attempts, owner, claimed_at, updated_at)
				VALUES (?, ?, ?, ?, 'claimed', 1, ?, ?, ?)
				ON CONFLICT (campaign, recipient) DO UPDATE SET state = 'claimed', attempts = recipients.attempts + 1, owner = excluded.owner,
					claimed_at = excluded.claimed_at, updated_at = excluded.updated_at, business = coalesce(excluded.business, recipients.business)
				WHERE recipients.state IN (SELECT value FROM json_each(?)) OR (recipients.state = 'claimed' AND recipients.claimed_at < ?)
				RETURNING *`,
			);
			const select = this.stmt('SELECT * FROM recipients WHERE campaign = ? AND recipient = ?');
			const inBatch = new Set<string>();
			return recipients.map(({ recipientId, contactId }) => {
				if (!inBatch.has(recipientId)) {
					inBatch.add(recipientId);
					const row = claim.get(
						campaignId,
						recipientId,
						orNull(options.businessNumberId),
						contactId || recipientId,
						orNull(options.owner),
						at,
						at,
						states,
						Number.isFinite(before) ? before : -1,
					) as Row | undefined;
					if (row) return { recipientId, won: true, record: rowToRecipient(row) };
				}
				return {
					recipientId,
					won: false,
					record: rowToRecipient(select.get(campaignId, recipientId) as Row),
				};
			});
		});
	}

	private saveRecipient(record: RecipientRecord): void {
		this.stmt(
			`UPDATE recipients SET business = ?, contact = ?, state = ?, attempts = ?, owner = ?, claimed_at = ?, updated_at = ?, wamid = ?, code = ?, reason = ?,
			sent_at = ?, status = ?, st_sent = ?, st_delivered = ?, st_read = ?, st_played = ?, st_failed = ?, status_code = ?, replied_at = ?
			WHERE campaign = ? AND recipient = ?`,
		).run(...recipientParams(record));
	}

	/** What applyStatus changes when it does not settle the recipient: the status, its time, its code. */
	private saveStatusColumns(record: RecipientRecord, status: DeliveryStatus): void {
		this.stmt(
			`UPDATE recipients SET status = ?, ${STATUS_TIME_COLUMNS[status]} = ?, status_code = ?, updated_at = ? WHERE campaign = ? AND recipient = ?`,
		).run(
			orNull(record.status),
			orNull(record.statusTimes[status]),
			orNull(record.statusCode),
			record.updatedAt,
			record.campaignId,
			record.recipientId,
		);
	}

	/** Every wamid a recipient was sent under finds it (an at-least-once resend has two). */
	private indexWamid(wamid: string, record: RecipientRecord): void {
		this.stmt(
			'INSERT INTO recipient_wamids (wamid, campaign, recipient) VALUES (?, ?, ?) ON CONFLICT (wamid) DO UPDATE SET campaign = excluded.campaign, recipient = excluded.recipient',
		).run(wamid, record.campaignId, record.recipientId);
	}

	private byWamid(wamid: string): Row | undefined {
		return this.stmt(
			'SELECT r.* FROM recipient_wamids w JOIN recipients r ON r.campaign = w.campaign AND r.recipient = w.recipient WHERE w.wamid = ?',
		).get(wamid) as Row | undefined;
	}

	/** One result: one UPDATE … RETURNING (owner-checked in its WHERE), then the wamid index and the contact. */
	private resultOne(campaignId: string, result: ResultInput): RecipientRecord | undefined {
		const at = result.at ?? this.now();
		// A result changes only these columns (the status columns are the webhooks').
		const row = this.stmt(
			`UPDATE recipients SET state = ?1, updated_at = ?2, wamid = coalesce(?3, wamid), code = coalesce(?4, code),
				reason = coalesce(?5, reason), sent_at = CASE WHEN ?1 = 'sent' THEN coalesce(sent_at, ?2) ELSE sent_at END
			WHERE campaign = ?6 AND recipient = ?7 AND (?8 IS NULL OR owner IS ?8)
			RETURNING *`,
		).get(
			result.state,
			at,
			orNull(result.wamid),
			orNull(result.code),
			orNull(result.reason),
			campaignId,
			result.recipientId,
			orNull(result.owner),
		) as Row | undefined;
		if (!row) return undefined;
		const record = rowToRecipient(row);
		if (result.wamid !== undefined) this.indexWamid(result.wamid, record);
		this.pointLastCampaign(record);
		return record;
	}

	async recordResults(
		campaignId: string,
		results: readonly ResultInput[],
	): Promise<Array<RecipientRecord | undefined>> {
		requireId(campaignId, 'campaignId');
		results.forEach(checkResult);
		return this.write(() => results.map((result) => this.resultOne(campaignId, result)));
	}

	async recordStatuses(inputs: readonly StatusInput[]): Promise<StatusResult[]> {
		inputs.forEach(checkStatus);
		if (inputs.length === 0) return [];
		return this.write(() => {
			const batch = this.recipientsOf(inputs);
			return inputs.map((input) => this.statusOne(input, batch));
		});
	}

	/** The recipients the statuses name by callback data, read in a few queries (by campaign\nrecipient). */
	private recipientsOf(inputs: readonly StatusInput[]): Map<string, RecipientRecord> {
		const byCampaign = new Map<string, Set<string>>();
		for (const input of inputs) {
			if (!input.campaignId || !input.recipientId) continue;
			let ids = byCampaign.get(input.campaignId);
			if (!ids) byCampaign.set(input.campaignId, (ids = new Set()));
			ids.add(input.recipientId);
		}
		const records = new Map<string, RecipientRecord>();
		for (const [campaignId, ids] of byCampaign)
			for (const part of sizedParts([...ids])) {
				const rows = this.stmt(
					`SELECT * FROM recipients WHERE campaign = ? AND recipient IN (${this.inList(part.length)})`,
				).all(campaignId, ...part) as Row[];
				for (const row of rows) {
					const record = rowToRecipient(row);
					records.set(`${record.campaignId}\n${record.recipientId}`, record);
				}
			}
		return records;
	}

	/**
	 * One status against its recipient. `batch` holds the batch's recipients as this transaction left them, so a
	 * `sent` and a `delivered` of one message in one POST build on each other.
	 */
	private statusOne(input: StatusInput, batch: Map<string, RecipientRecord>): StatusResult {
		let record =
			input.campaignId && input.recipientId
				? batch.get(`${input.campaignId}\n${input.recipientId}`)
				: undefined;
		if (!record) {
			const row = this.byWamid(input.wamid);
			if (!row) return { matched: false, advanced: false, settled: false };
			const key = `${String(row.campaign)}\n${String(row.recipient)}`;
			record = batch.get(key) ?? rowToRecipient(row);
			batch.set(key, record);
		}
		// Found under the wamid its send (or an earlier status) recorded and indexed: no index write per status.
		const indexed = record.wamid === input.wamid;
		const { advanced, settled } = applyStatus(record, input);
		record.updatedAt = Math.max(record.updatedAt, this.now());
		// The usual status (sent → delivered → read of a sent message) changes four columns: write only those.
		if (!settled && indexed) this.saveStatusColumns(record, input.status);
		else this.saveRecipient(record);
		if (!indexed) this.indexWamid(input.wamid, record);
		if (settled) this.pointLastCampaign(record);
		return {
			matched: true,
			advanced,
			settled,
			record: { ...record, statusTimes: { ...record.statusTimes } },
		};
	}

	async getRecipients(
		campaignId: string,
		recipientIds: readonly string[],
	): Promise<Map<string, RecipientRecord>> {
		requireId(campaignId, 'campaignId');
		const found = new Map<string, RecipientRecord>();
		const unique = [...new Set(recipientIds)];
		return this.read(() => {
			for (const part of chunks(unique)) {
				const rows = this.stmt(
					`SELECT * FROM recipients WHERE campaign = ? AND recipient IN (${this.inList(part.length)})`,
				).all(campaignId, ...part) as Row[];
				for (const row of rows) found.set(String(row.recipient), rowToRecipient(row));
			}
			return found;
		});
	}

	async findRecipientByWamid(wamid: string): Promise<RecipientRecord | undefined> {
		requireId(wamid, 'wamid');
		this.assertOpen();
		const row = this.byWamid(wamid);
		return row ? rowToRecipient(row) : undefined;
	}

	async listRecipients(campaignId: string, options: ListOptions = {}): Promise<RecipientPage> {
		requireId(campaignId, 'campaignId');
		checkStates(options.states, 'states');
		this.assertOpen();
		const limit = Math.max(1, Math.floor(options.limit ?? 1000));
		const stateFilter =
			options.states && options.states.length > 0
				? 'AND state IN (SELECT value FROM json_each(?))'
				: '';
		const params: SQLInputValue[] = [campaignId, options.after ?? ''];
		if (stateFilter) params.push(JSON.stringify(options.states));
		params.push(limit + 1);
		const rows = this.stmt(
			`SELECT * FROM recipients WHERE campaign = ? AND recipient > ? ${stateFilter} ORDER BY recipient LIMIT ?`,
		).all(...params) as Row[];
		const recipients = rows.slice(0, limit).map(rowToRecipient);
		return rows.length > limit
			? { recipients, next: recipients[recipients.length - 1].recipientId }
			: { recipients };
	}

	async summariseCampaign(
		campaignId: string,
		options: { bucketMs?: number } = {},
	): Promise<StoredCampaignSummary> {
		requireId(campaignId, 'campaignId');
		this.assertOpen();
		const rows = this.stmt('SELECT * FROM recipients WHERE campaign = ?').all(campaignId) as Row[];
		return summarise(campaignId, rows.map(rowToRecipient), options.bucketMs);
	}

	async deleteCampaign(campaignId: string): Promise<number> {
		requireId(campaignId, 'campaignId');
		return this.write(() => {
			this.stmt('DELETE FROM recipient_wamids WHERE campaign = ?').run(campaignId);
			return Number(this.stmt('DELETE FROM recipients WHERE campaign = ?').run(campaignId).changes);
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
		this.write(() => {
			this.stmt(
				'INSERT INTO marketing_sends (business, contact, ref, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
			).run(businessNumberId, contactId, ref, when);
			this.stmt('DELETE FROM marketing_sends WHERE business = ? AND contact = ? AND at < ?').run(
				businessNumberId,
				contactId,
				this.now() - MARKETING_RETENTION_MS,
			);
		});
	}

	async countMarketingSince(
		businessNumberId: string,
		contactIds: readonly string[],
		since: number,
	): Promise<Map<string, number>> {
		requireId(businessNumberId, 'businessNumberId');
		requireTime(since, 'since');
		const counts = new Map<string, number>();
		const unique = [...new Set(contactIds)];
		return this.read(() => {
			for (const part of chunks(unique)) {
				const rows = this.stmt(
					`SELECT contact, count(*) AS n FROM marketing_sends WHERE business = ? AND at >= ? AND contact IN (${this.inList(part.length)}) GROUP BY contact`,
				).all(businessNumberId, since, ...part) as Row[];
				for (const row of rows) counts.set(String(row.contact), Number(row.n));
			}
			return counts;
		});
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		this.statements.clear();
		this.db.close();
	}
}
