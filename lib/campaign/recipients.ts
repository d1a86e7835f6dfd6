/**
 * Recipients → prepared sends, in chunks: each row is read (the caller's reader; in n8n, parameters resolved
 * for that item), its language picked, its message built and validated (lib/templates), duplicates of a number
 * already seen dropped, and the store's facts about the chunk's contacts (opt-out, 131049 hold, marketing
 * count for the frequency cap) and this campaign's earlier records read in a few round trips per chunk. Only one
 * chunk exists at a time: a 100,000-row
 * campaign never holds 100,000 payloads.
 */
import { contactSkip } from '../contact-policy';
import type { MessageTemplate } from '../cloud-api/types';
import type { ConversationStore, ContactState, RecipientRecord } from '../store/types';
import {
	buildTemplateMessage,
	pickTemplateLanguage,
	type BinaryResolver,
	type PendingMedia,
	type TemplateMessagePayload,
} from '../templates';
import { encodeCallbackData } from '../webhook/callback-data';
import { campaignDefaults, skipReasons, usMarketingRule, type SkipReason } from './sending-rules';
import {
	localIso,
	resolveRecipientZone,
	windowState,
	type RecipientZone,
	type SendWindow,
} from './send-window';

/** One input row as the caller reads it. */
export interface RecipientRow {
	phone: unknown;
	/** Template values keyed by slot id (the resource mapper's value) */
	values?: Record<string, unknown>;
	/** The contact's language or locale (es_AR, pt-BR…) */
	language?: unknown;
	tags?: unknown;
	/** Reads this row's binary properties (header files); without it media slots take links and media IDs only */
	binary?: BinaryResolver;
	/** The recipient's time zone (Send Window), IANA name or offset */
	timeZone?: unknown;
}

/** Reads row `index`; a throw makes that row invalid with the error's message (e.g. a failing expression). */
export type RowReader = (index: number) => RecipientRow;

/** The template a campaign sends, with all its translations (one is picked per recipient). */
export interface TemplateChoice {
	name: string;
	/** Every translation of the template (any status): the best approved one is picked per recipient */
	translations: MessageTemplate[];
	defaultLanguage?: string;
}

/** Whom not to send to: opted-out contacts, and the marketing frequency cap. */
export interface RecipientPolicy {
	/** Send to contacts who opted out (authentication templates are always sent) */
	sendToOptedOut?: boolean;
	/** At most `max` marketing templates per contact in the last `periodMs`, across campaigns (from the store) */
	frequencyCap?: { max: number; periodMs: number };
}

/** A row ready to claim and send: its number, language, payload and the store's facts. */
export interface ReadyRecipient {
	kind: 'ready';
	index: number;
	waId: string;
	e164: string;
	country?: string;
	template: MessageTemplate;
	languageMatch: string;
	payload: TemplateMessagePayload;
	renderedText: string;
	/** Header files to upload before the send (the payload's media objects get their IDs then) */
	media?: PendingMedia[];
	tags?: string[];
	contact?: ContactState;
	/** This campaign's record of the recipient, when an earlier run claimed it */
	record?: RecipientRecord;
	/** With a Send Window: the recipient's zone, where it came from, and their local time when checked */
	zone?: RecipientZone;
	localTime?: string;
}

/** A row that is not sent, with the reason a workflow can route on. */
export interface SkippedRecipient {
	kind: 'skipped';
	index: number;
	reason: SkipReason;
	message: string;
	/** The field at fault (invalid rows) */
	field?: string;
	/** Meta's code behind the skip (131049, 131050) */
	code?: number;
	waId?: string;
	/** The phone as given, for rows whose number could not be read */
	phone?: string;
	language?: string;
	tags?: string[];
	/** ISO time before which the contact must not receive marketing (131049) */
	notBefore?: string;
	zone?: RecipientZone;
	localTime?: string;
	/** outside_send_window: epoch ms when the recipient's window opens */
	sendWindowOpensAt?: number;
}

export type PreparedRow = ReadyRecipient | SkippedRecipient;

/** What preparedChunks reads rows with, and what it checks them against. */
export interface PipelineOptions {
	read: RowReader;
	/** Row indexes to read, in order (default 0..total-1) */
	indexes: Iterable<number>;
	template: TemplateChoice;
	campaignId: string;
	businessNumberId: string;
	store: ConversationStore;
	defaultCountry?: string;
	policy?: RecipientPolicy;
	/** waId → first row index: duplicates of a number already seen are skipped. Pass one map per campaign run. */
	seen?: Map<string, number>;
	chunkSize?: number;
	now?: () => number;
	/** Checked between chunks: true stops reading (a paused or aborted run) */
	stopped?: () => boolean;
	/** Send only inside each recipient's window; zones fall back to `workflowZone` */
	sendWindow?: { window: SendWindow; workflowZone: string };
	/** Recipients whose earlier send failed are claimed again (so the window applies to them) */
	retryFailed?: boolean;
}

/** Tags as given (a list, or a comma-separated string) → trimmed, non-empty tags, or undefined. */
export function normaliseTags(value: unknown): string[] | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const list = Array.isArray(value) ? value : String(value).split(',');
	const tags = list.map((tag) => String(tag).trim()).filter((tag) => tag !== '');
	return tags.length > 0 ? tags : undefined;
}

function phoneText(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	return typeof value === 'string'
		? value
		: typeof value === 'number'
			? String(value)
			: JSON.stringify(value);
}

/** Reads and builds one row (no store access): a ready send, or a skip naming the field and the fix. */
export function prepareRow(
	index: number,
	read: RowReader,
	options: Pick<PipelineOptions, 'template' | 'campaignId' | 'defaultCountry' | 'sendWindow'>,
): PreparedRow {
	let row: RecipientRow;
	try {
		row = read(index);
	} catch (error) {
		return {
			kind: 'skipped',
			index,
			reason: skipReasons.invalid,
			field: 'parameters',
			message: `Item ${index}: ${(error as Error).message}`,
		};
	}
	const tags = normaliseTags(row.tags);
	const { template } = options;
	const picked = pickTemplateLanguage(
		template.translations,
		row.language,
		template.defaultLanguage,
	);
	if (!picked.ok) {
		return {
			kind: 'skipped',
			index,
			reason: skipReasons.invalid,
			field: 'language',
			message: `Item ${index}: language — ${picked.error}`,
			phone: phoneText(row.phone),
			tags,
		};
	}
	const built = buildTemplateMessage({
		template: picked.template,
		to: row.phone,
		values: row.values ?? {},
		defaultCountry: options.defaultCountry,
		binary: row.binary,
	});
	if (!built.ok) {
		const first = built.errors[0];
		const field = first.field === 'to' ? 'phone' : first.field;
		// Each message already starts with its field ("body.2 is missing: …"; the phone's says "to …").
		const all = built.errors.map((error) => error.message).join('; ');
		return {
			kind: 'skipped',
			index,
			reason: skipReasons.invalid,
			field,
			message: `Item ${index}: ${all}`,
			phone: phoneText(row.phone),
			language: picked.language,
			tags,
		};
	}
	const waId = built.recipient.waId;
	let zone: RecipientZone | undefined;
	if (options.sendWindow) {
		const resolved = resolveRecipientZone(
			row.timeZone,
			built.recipient.country,
			options.sendWindow.workflowZone,
		);
		if (!resolved.ok)
			return {
				kind: 'skipped',
				index,
				reason: skipReasons.invalid,
				field: 'timeZone',
				message: `Item ${index}: ${resolved.message}`,
				waId,
				language: picked.language,
				tags,
			};
		zone = resolved.zone;
	}
	try {
		// Set after building: the status webhooks of this message then find its campaign recipient.
		built.payload.biz_opaque_callback_data = encodeCallbackData({
			campaignId: options.campaignId,
			recipient: waId,
		});
	} catch (error) {
		return {
			kind: 'skipped',
			index,
			reason: skipReasons.invalid,
			field: 'campaignId',
			message: `Item ${index}: ${(error as Error).message}`,
			waId,
			tags,
		};
	}
	return {
		kind: 'ready',
		index,
		waId,
		e164: built.recipient.e164,
		country: built.recipient.country,
		template: picked.template,
		languageMatch: picked.match,
		payload: built.payload,
		renderedText: built.renderedText,
		...(built.media ? { media: built.media } : {}),
		tags,
		zone,
	};
}

/** States of this campaign's record that the claim reports (already sent, in progress…): no window check for them. */
function claimDecides(record: RecipientRecord | undefined, retryFailed: boolean): boolean {
	if (!record) return false;
	if (record.state === 'paused') return false;
	if (record.state === 'failed' || record.state === 'skipped') return !retryFailed;
	return true;
}

/**
 * The Send Window check of a recipient that passed every other rule: sets its local time, and returns the
 * `outside_send_window` skip when its window is closed. Exempt categories and recipients the claim will report
 * on (already sent…) are not checked.
 */
export function sendWindowSkip(
	ready: ReadyRecipient,
	options: Pick<PipelineOptions, 'sendWindow' | 'retryFailed'>,
	now: number,
): SkippedRecipient | undefined {
	const setting = options.sendWindow;
	if (!setting || !ready.zone) return undefined;
	const zone = ready.zone.zone;
	const state = windowState(setting.window, zone, now);
	ready.localTime = state.localTime;
	if (
		setting.window.exemptCategories.has(ready.template.category) ||
		claimDecides(ready.record, !!options.retryFailed) ||
		state.open
	)
		return undefined;
	const opensAt = state.opensAt as number;
	return {
		kind: 'skipped',
		index: ready.index,
		reason: skipReasons.outsideSendWindow,
		message: `Outside the send window (${setting.window.label}, ${zone}): it is ${state.localTime.slice(11, 16)} there; the window opens at ${localIso(opensAt, zone)}. Not claimed: the next run sends it`,
		waId: ready.waId,
		language: ready.template.language,
		tags: ready.tags,
		zone: ready.zone,
		localTime: state.localTime,
		sendWindowOpensAt: opensAt,
	};
}

/** The store-based skips of one ready recipient, in the order a user would look for them. */
export function policySkip(
	ready: ReadyRecipient,
	marketingCount: number,
	policy: RecipientPolicy,
	now: number,
): SkippedRecipient | undefined {
	const category = ready.template.category;
	const base = {
		kind: 'skipped' as const,
		index: ready.index,
		waId: ready.waId,
		language: ready.template.language,
		tags: ready.tags,
	};
	// One-time codes are never held back: the user asked for them. Already sent in this campaign: the claim
	// reports that (its own send would otherwise count towards the frequency cap).
	if (category === 'AUTHENTICATION' || ready.record?.state === 'sent') return undefined;
	const marketing = category === 'MARKETING';
	// +1 is shared with Canada and the Caribbean: the area code (libphonenumber's country) decides.
	if (marketing && ready.country === usMarketingRule.country) {
		return {
			...base,
			reason: skipReasons.usMarketing,
			message: `Marketing templates to US numbers (+1) are not delivered by Meta since ${usMarketingRule.since}: use a utility template or another channel`,
		};
	}
	const held = contactSkip(ready.contact, category, { sendToOptedOut: policy.sendToOptedOut, now });
	if (held) return { ...base, ...held };
	const cap = policy.frequencyCap;
	if (marketing && cap && cap.max > 0 && marketingCount >= cap.max) {
		const days = Math.round((cap.periodMs / 86_400_000) * 10) / 10;
		return {
			...base,
			reason: skipReasons.frequencyCap,
			message: `Frequency cap: the contact already received ${marketingCount} marketing template(s) in the last ${days} day(s) (cap ${cap.max})`,
		};
	}
	return undefined;
}

/**
 * The prepared rows, one chunk at a time. Each chunk costs at most two store reads (contacts; marketing
 * counts when a frequency cap applies to a marketing template).
 */
export async function* preparedChunks(options: PipelineOptions): AsyncGenerator<PreparedRow[]> {
	const size = options.chunkSize ?? campaignDefaults.chunkSize;
	const seen = options.seen ?? new Map<string, number>();
	const now = options.now ?? Date.now;
	const policy = options.policy ?? {};
	const iterator = options.indexes[Symbol.iterator]();
	for (;;) {
		if (options.stopped?.()) return;
		const chunk: PreparedRow[] = [];
		while (chunk.length < size) {
			const step = iterator.next();
			if (step.done) break;
			const row = prepareRow(step.value, options.read, options);
			if (row.kind === 'ready') {
				const first = seen.get(row.waId);
				if (first !== undefined && first !== row.index) {
					chunk.push({
						kind: 'skipped',
						index: row.index,
						waId: row.waId,
						reason: skipReasons.duplicate,
						message: `Same number as item ${first}: sent once per campaign`,
						language: row.template.language,
						tags: row.tags,
					});
					continue;
				}
				seen.set(row.waId, row.index);
			}
			chunk.push(row);
		}
		if (chunk.length === 0) return;
		const ready = chunk.filter((row): row is ReadyRecipient => row.kind === 'ready');
		if (ready.length > 0) {
			const ids = ready.map((row) => row.waId);
			const contacts = await options.store.getContacts(options.businessNumberId, ids);
			const records = await options.store.getRecipients(options.campaignId, ids);
			const cap = policy.frequencyCap;
			const marketing = ready.some((row) => row.template.category === 'MARKETING');
			const counts =
				cap && cap.max > 0 && marketing
					? await options.store.countMarketingSince(
							options.businessNumberId,
							ids,
							now() - cap.periodMs,
						)
					: new Map<string, number>();
			const at = now();
			for (let i = 0; i < chunk.length; i++) {
				const row = chunk[i];
				if (row.kind !== 'ready') continue;
				row.contact = contacts.get(row.waId);
				row.record = records.get(row.waId);
				const skip =
					policySkip(row, counts.get(row.waId) ?? 0, policy, at) ??
					sendWindowSkip(row, options, at);
				if (skip) chunk[i] = skip;
			}
		}
		yield chunk;
	}
}
