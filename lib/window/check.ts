/**
 * Checks many contacts' windows at once: the core of the Check Conversation Window node (and of its
 * benchmark), framework-free. Per input: the contact (WhatsApp: wa_id, phone number in any format, or Meta
 * user_id; Messenger / Instagram: the PSID / IGSID as is),
 * optionally a last-inbound time from a CRM field and a recontact query ID. Output per input: the route
 * (open / closed) with the window details, or an error naming the field.
 *
 * Speed: one getContacts call for all contacts (plus one for contacts found only after normalisation), and no
 * libphonenumber call for inputs that are already a known wa_id (digits, optional "+"): a wa_id the store has
 * seen an inbound from is a real WhatsApp number, and libphonenumber costs ~50 µs per number.
 */
import { normalisePhone } from '../phone';
import type { ContactWindowFacts, ConversationStore, RecontactRecord } from '../store/types';
import { recontactKey } from '../store/types';
import { evaluateFacts, type WindowResult } from './evaluate';
import { resolveRule, type Channel, type WindowLengths } from './channel-rules';
import { parseTimestamp, type TimestampFormat } from './timestamp';

export type WindowSource = 'store' | 'field' | 'latest';

/** One contact to check, with the timestamps the item itself carries. */
export interface CheckInput {
	/** wa_id, phone number (any format; defaultCountry for national ones) or business-scoped user_id */
	contact: unknown;
	/** Last inbound time from the input (source 'field' / 'latest') */
	lastInbound?: unknown;
	/** Query whose one recontact may already be spent (option recontact) */
	queryId?: unknown;
}

/** Where the facts come from (store, item field or the later of both), the channel and the recontact option. */
export interface CheckOptions {
	businessNumberId: string;
	source: WindowSource;
	channel: Channel;
	lengths?: WindowLengths;
	defaultCountry?: string;
	/** Real now, epoch ms (future timestamps are rejected against it) */
	now: number;
	/** Evaluate the window at this instant instead of now (e.g. a scheduled send time) */
	checkAt?: number;
	/** Zone for CRM timestamps without an offset */
	zone?: string;
	maxFutureSkewSeconds?: number;
	/** Source 'field': an empty timestamp means "never wrote" (closed) instead of an error */
	emptyTimestampIsNever?: boolean;
	/** Read the recontact of each input's queryId; a closed contact whose recontact is spent routes to 'spent' */
	recontact?: boolean;
}

/** A contact's window verdict as the node outputs it. */
export interface WindowOutput extends WindowResult {
	recontact?: { queryId: string; spent: boolean; spentAt: string | null };
	contactId: string;
	waId: string | null;
	userId: string | null;
	profileName: string | null;
	/** Where lastInboundAt came from */
	source: 'store' | 'field' | 'none';
	/** How the input timestamp was read (field / latest sources) */
	timestampFormat?: TimestampFormat;
	timestampAssumedZone?: string;
}

export type CheckOutcome =
	| { ok: true; route: 'open' | 'closed' | 'spent'; window: WindowOutput }
	| { ok: false; field: 'contact' | 'lastInbound' | 'queryId'; message: string };

/**
 * Meta's business-scoped user ID: country code, ".", optional "ENT.", up to 128 alphanumerics
 * (US.13491208655302741918).
 */
const USER_ID = /^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$/;
const WA_ID = /^\+?\d{7,15}$/;

/** Normalisation results by country + input, bounded (a campaign checks the same lists again and again). */
const phoneCache = new Map<string, ReturnType<typeof normalisePhone>>();
const PHONE_CACHE_LIMIT = 200_000;

function normaliseCached(
	input: string,
	country: string | undefined,
): ReturnType<typeof normalisePhone> {
	const key = `${country ?? ''}|${input}`;
	let result = phoneCache.get(key);
	if (!result) {
		result = normalisePhone(input, country);
		if (phoneCache.size >= PHONE_CACHE_LIMIT)
			phoneCache.delete(phoneCache.keys().next().value as string);
		phoneCache.set(key, result);
	}
	return result;
}

interface Pending {
	index: number;
	raw: string;
	/** The ID looked up in the store first */
	candidate: string;
	kind: 'wa_id' | 'user_id' | 'phone' | 'id';
	contactId?: string;
	inboundFromField?: { millis: number; format: TimestampFormat; assumedZone?: string };
	queryId?: string;
}

function contactText(value: unknown): string | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value !== 'string' || value === '') return undefined;
	// Cheap checks first: most inputs are bare wa_ids straight from the trigger.
	let text =
		value.charCodeAt(0) <= 32 || value.charCodeAt(value.length - 1) <= 32 ? value.trim() : value;
	if (text.length > 9 && (text.charCodeAt(0) | 32) === 119 /* w */ && /^whatsapp:/i.test(text))
		text = text.slice(9).trim();
	return text === '' ? undefined : text;
}

/**
 * The window verdict for each contact, reading the store in a few round trips.
 *
 * @throws Error when the source or recontact option needs a store and none is given.
 */
export async function checkContacts(
	store: ConversationStore | undefined,
	inputs: readonly CheckInput[],
	options: CheckOptions,
): Promise<CheckOutcome[]> {
	const rule = resolveRule(options.channel, options.lengths);
	const at = options.checkAt ?? options.now;
	const useStore = options.source !== 'field';
	const useField = options.source !== 'store';
	if ((useStore || options.recontact) && !store)
		throw new Error(
			'checkContacts needs a store for the store / later-of-both sources and the recontact option',
		);
	const country = options.defaultCountry ? options.defaultCountry.trim().toUpperCase() : undefined;
	const outcomes: CheckOutcome[] = new Array(inputs.length);
	const pending: Pending[] = [];

	// 1. Read each input: contact, timestamp, query ID.
	for (let index = 0; index < inputs.length; index++) {
		const input = inputs[index];
		const raw = contactText(input.contact);
		if (raw === undefined) {
			outcomes[index] = {
				ok: false,
				field: 'contact',
				message:
					input.contact === undefined || input.contact === null || input.contact === ''
						? 'the contact is empty: map a wa_id or phone number'
						: `the contact is a ${typeof input.contact}, not a wa_id or phone number`,
			};
			continue;
		}
		// Every field present from the start: one object shape for all entries.
		const entry: Pending = {
			index,
			raw,
			candidate: raw,
			kind: 'phone',
			contactId: undefined,
			inboundFromField: undefined,
			queryId: undefined,
		};
		if (options.channel !== 'whatsapp') {
			// Messenger PSIDs and Instagram IGSIDs are opaque page-scoped IDs, not phone numbers.
			entry.kind = 'id';
			entry.contactId = raw;
		} else if (WA_ID.test(raw)) {
			entry.kind = 'wa_id';
			entry.candidate = raw.charCodeAt(0) === 43 /* + */ ? raw.slice(1) : raw;
		} else if (USER_ID.test(raw)) {
			entry.kind = 'user_id';
			entry.contactId = raw;
		} else {
			const phone = normaliseCached(raw, country);
			if (!phone.ok) {
				outcomes[index] = { ok: false, field: 'contact', message: `the contact ${phone.reason}` };
				continue;
			}
			entry.candidate = phone.waId;
			entry.contactId = phone.waId;
		}
		if (useField) {
			const parsed = parseTimestamp(input.lastInbound, {
				now: options.now,
				zone: options.zone,
				maxFutureSkewSeconds: options.maxFutureSkewSeconds,
			});
			if (parsed.ok) {
				entry.inboundFromField = {
					millis: parsed.millis,
					format: parsed.format,
					assumedZone: parsed.assumedZone,
				};
			} else if (
				!(parsed.empty && (options.source === 'latest' || options.emptyTimestampIsNever))
			) {
				outcomes[index] = {
					ok: false,
					field: 'lastInbound',
					message: parsed.empty
						? 'the last inbound time is empty: map a timestamp, or turn on "Empty Timestamp Means Never Wrote"'
						: `the last inbound time ${parsed.reason}`,
				};
				continue;
			}
		}
		if (options.recontact) {
			const queryId =
				typeof input.queryId === 'number'
					? String(input.queryId)
					: typeof input.queryId === 'string'
						? input.queryId.trim()
						: '';
			if (queryId === '') {
				outcomes[index] = {
					ok: false,
					field: 'queryId',
					message:
						'the recontact query ID is empty: map the ID of the customer query (ticket, case, conversation)',
				};
				continue;
			}
			entry.queryId = queryId;
		}
		pending.push(entry);
	}

	// 2. One bulk read (window facts only); digit strings the store does not know are normalised and, when that
	// changes them, read again.
	const contacts: Array<ContactWindowFacts | undefined> = new Array(inputs.length);
	if (useStore && store && pending.length > 0) {
		const found = await store.getWindowFacts(
			options.businessNumberId,
			pending.map((entry) => entry.candidate),
		);
		const retry: Pending[] = [];
		for (const entry of pending) {
			const contact = found.get(entry.candidate);
			if (contact) {
				contacts[entry.index] = contact;
				entry.contactId = contact.contactId;
			} else if (entry.kind === 'wa_id') {
				retry.push(entry);
			}
		}
		if (retry.length > 0) {
			const second: Pending[] = [];
			for (const entry of retry) {
				const phone = normaliseCached(entry.raw, country);
				if (!phone.ok) {
					outcomes[entry.index] = {
						ok: false,
						field: 'contact',
						message: `the contact ${phone.reason}`,
					};
					continue;
				}
				entry.contactId = phone.waId;
				if (phone.waId !== entry.candidate) {
					entry.candidate = phone.waId;
					second.push(entry);
				}
			}
			if (second.length > 0) {
				const more = await store.getWindowFacts(
					options.businessNumberId,
					second.map((entry) => entry.candidate),
				);
				for (const entry of second) {
					const contact = more.get(entry.candidate);
					if (contact) {
						contacts[entry.index] = contact;
						entry.contactId = contact.contactId;
					}
				}
			}
		}
	} else {
		// No store read: digit strings still have to be valid numbers.
		for (const entry of pending) {
			if (entry.kind !== 'wa_id') continue;
			const phone = normaliseCached(entry.raw, country);
			if (!phone.ok)
				outcomes[entry.index] = {
					ok: false,
					field: 'contact',
					message: `the contact ${phone.reason}`,
				};
			else entry.contactId = phone.waId;
		}
	}
	const live = pending.filter((entry) => outcomes[entry.index] === undefined);

	// 3. Recontacts of the queries, in one read.
	let recontacts = new Map<string, RecontactRecord>();
	if (options.recontact && store && live.length > 0) {
		recontacts = await store.getRecontacts(
			options.businessNumberId,
			live.map((entry) => ({
				contactId: entry.contactId as string,
				queryId: entry.queryId as string,
			})),
		);
	}

	// 4. Evaluate.
	for (const entry of live) {
		const contact = contacts[entry.index];
		const storeAt = contact?.lastInboundAt;
		const fieldAt = entry.inboundFromField?.millis;
		let lastInboundAt: number | undefined;
		let source: WindowOutput['source'] = 'none';
		if (storeAt !== undefined && (fieldAt === undefined || storeAt >= fieldAt)) {
			lastInboundAt = storeAt;
			source = 'store';
		} else if (fieldAt !== undefined) {
			lastInboundAt = fieldAt;
			source = 'field';
		}
		const result = evaluateFacts(
			lastInboundAt,
			contact?.referralAt,
			contact?.firstReplyAfterReferralAt,
			at,
			rule,
		);
		// Fields added to the result object itself: no copy per contact (100,000 of them).
		const window = result as WindowOutput;
		window.contactId = entry.contactId as string;
		window.waId =
			entry.kind === 'id'
				? null
				: (contact?.waId ?? (entry.kind === 'user_id' ? null : (entry.contactId as string)));
		window.userId = contact?.userId ?? (entry.kind === 'user_id' ? entry.raw : null);
		window.profileName = contact?.profileName ?? null;
		window.source = source;
		if (entry.inboundFromField) {
			window.timestampFormat = entry.inboundFromField.format;
			if (entry.inboundFromField.assumedZone)
				window.timestampAssumedZone = entry.inboundFromField.assumedZone;
		}
		let route: 'open' | 'closed' | 'spent' = result.state;
		if (options.recontact) {
			const spent = recontacts.get(
				recontactKey(entry.contactId as string, entry.queryId as string),
			);
			window.recontact = {
				queryId: entry.queryId as string,
				spent: spent !== undefined,
				spentAt: spent ? new Date(spent.spentAt).toISOString() : null,
			};
			// An open window is not a recontact (free-form answers are allowed); a closed one with the recontact
			// spent leaves no way to reach the contact for this query: only the user can reopen it.
			if (spent && result.state === 'closed') {
				route = 'spent';
				window.needsTemplate = false;
				if (window.action === 'send_template') window.action = 'wait_for_user';
			}
		}
		outcomes[entry.index] = { ok: true, route, window };
	}
	return outcomes;
}
