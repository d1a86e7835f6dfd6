/**
 * The sandbox's state and behaviour, independent of HTTP: sends checked against Meta's rules, the ledger,
 * contacts and their windows, status and inbound webhooks, subscriptions, faults and settings.
 * server.ts maps HTTP onto it; control.ts exposes it to tests, the CLI and the demo.
 */
import { randomBytes } from 'node:crypto';

import type { MessageTemplate, SendMessageResponse, TemplateStatus } from '../lib/cloud-api/types';
import {
	Catalogue,
	checkTemplates,
	defaultTemplates,
	loadCatalogueFile,
} from './template-catalogue';
import { Contacts, WINDOWS, foldText, type ContactState } from './contacts';
import { SandboxError, type ErrorCode } from './errors';
import {
	messageChange,
	seconds,
	statusChange,
	templateStatusChange,
	userPreferencesChange,
	type BusinessIdentity,
	type Conversation,
	type Pricing,
	type WebhookChange,
} from './events';
import { Ledger, type DeliveryStatus, type LedgerEntry } from './ledger';
import { MediaStore } from './media';
import { checkCreateRequest, review } from './template-review';
import {
	DEFAULTS,
	faultsFromOptions,
	mergeFaults,
	mergeSettings,
	settingsFromOptions,
	type SandboxFaults,
	type SandboxOptions,
	type SandboxSettings,
} from './options';
import { WebhookOutbox, type WebhookTarget } from './outbox';
import { seededRandom, shuffle, type Random } from './random';
import { PairRateLimiter, TokenBucket } from './rate';
import { checkMessage, checkRecipient, type CheckedMessage } from './rules';

export interface Referral {
	source_url: string;
	source_id: string;
	source_type: 'ad' | 'post';
	headline?: string;
	body?: string;
	media_type?: 'image' | 'video';
	image_url?: string;
	/** Meta leaves it out for ads in a WhatsApp Status placement: null leaves it out */
	ctwa_clid?: string | null;
	/** The ad's greeting; Meta leaves it out for ads in a WhatsApp Status placement: null leaves it out */
	welcome_message?: { text: string } | null;
}

/** A message from a user, as control.inbound() takes it */
export interface InboundEvent {
	/** The user's phone number, any format with country code ("+54 9 11 5555 1234") */
	from: string;
	/** Profile name; remembered for later phrases ("Emilia taps Confirm") */
	name?: string;
	text?: string;
	/** When the user wrote: a Date or Unix seconds (default now); a past time puts the 24-hour window in the past */
	timestamp?: Date | number;
	/** The user came from a click-to-WhatsApp ad (free entry point); true fills a realistic referral */
	referral?: Partial<Referral> | true;
	/** A template quick-reply tap: `button` message with this payload */
	buttonPayload?: string;
	buttonText?: string;
	/** An interactive reply-button tap: `interactive.button_reply` with this id */
	interactiveReplyId?: string;
	interactiveReplyTitle?: string;
	/** The business message being answered (context.id); defaults to the last one with that button */
	contextId?: string;
	/** Business-scoped user id (2026), sent as contacts[].user_id */
	userId?: string;
}

export interface InboundResult {
	/** wamid of the user's message */
	id: string;
	waId: string;
	/** Unix seconds, as in the webhook */
	timestamp: string;
	message: Record<string, unknown>;
}

export interface Subscription {
	subscribed: boolean;
	overrideCallbackUri?: string;
}

const STATUS_ORDER: Record<DeliveryStatus, number> = {
	accepted: 0,
	sent: 1,
	delivered: 2,
	read: 3,
	failed: 4,
};

export class Sandbox {
	readonly phoneNumberId: string;
	readonly wabaId: string;
	readonly displayPhoneNumber: string;
	readonly verifiedName: string;
	readonly appId: string;
	readonly accessToken: string;
	readonly d360ApiKey: string;
	readonly business: BusinessIdentity;
	readonly catalogue: Catalogue;
	readonly ledger = new Ledger();
	readonly contacts = new Contacts();
	/** Files uploaded with POST /{phone-number-id}/media */
	readonly media = new MediaStore();
	readonly outbox: WebhookOutbox;

	settings: SandboxSettings;
	faults: SandboxFaults;
	webhookUrl: string | null;
	subscription: Subscription;
	/** 360dialog's POST /v1/configs/webhook target */
	d360Webhook: { url: string; headers: Record<string, string> } | null = null;

	readonly random: Random;
	private readonly throughput: TokenBucket;
	private readonly pairRate: PairRateLimiter;
	private readonly initialCatalogue: MessageTemplate[];
	private burst = { remaining: 0, startedAt: 0 };
	private readonly reviews = new Set<NodeJS.Timeout>();
	private templateCounter = 0;
	private readonly idPrefix = randomBytes(4).toString('hex').toUpperCase();
	private idCounter = 0;

	constructor(private readonly options: SandboxOptions) {
		this.phoneNumberId = options.phoneNumberId ?? DEFAULTS.phoneNumberId;
		this.wabaId = options.wabaId ?? DEFAULTS.wabaId;
		this.displayPhoneNumber = options.displayPhoneNumber ?? DEFAULTS.displayPhoneNumber;
		this.verifiedName = options.verifiedName ?? DEFAULTS.verifiedName;
		this.appId = options.appId ?? DEFAULTS.appId;
		this.accessToken = options.accessToken ?? DEFAULTS.accessToken;
		this.d360ApiKey = options.d360ApiKey ?? DEFAULTS.d360ApiKey;
		for (const [field, value] of Object.entries({
			phoneNumberId: this.phoneNumberId,
			wabaId: this.wabaId,
		})) {
			if (!/^\d+$/.test(value))
				throw new Error(
					`${field} must be digits only (Graph object ids are numeric), got "${value}"`,
				);
		}
		if (this.phoneNumberId === this.wabaId)
			throw new Error('phoneNumberId and wabaId must differ: they name different Graph objects');
		this.business = {
			displayDigits: this.displayPhoneNumber.replace(/\D/g, ''),
			phoneNumberId: this.phoneNumberId,
		};

		this.initialCatalogue =
			options.catalogue === undefined
				? defaultTemplates()
				: typeof options.catalogue === 'string'
					? loadCatalogueFile(options.catalogue)
					: checkTemplates(options.catalogue, 'catalogue option');
		this.catalogue = new Catalogue(this.initialCatalogue);

		this.settings = settingsFromOptions(options);
		this.faults = faultsFromOptions(options);
		this.random = options.seed === undefined ? Math.random : seededRandom(options.seed);
		this.webhookUrl = options.webhookUrl ? checkUrl(options.webhookUrl, 'webhookUrl') : null;
		this.subscription = { subscribed: true };
		this.throughput = new TokenBucket(
			this.settings.throughputMps,
			this.settings.throughputMps,
			Date.now(),
		);
		this.pairRate = new PairRateLimiter(this.settings.pairRate);
		this.outbox = new WebhookOutbox({
			targets: () => this.webhookTargets(),
			appSecret: options.appSecret ?? DEFAULTS.appSecret,
			wabaId: this.wabaId,
			settings: () => this.settings,
			faults: () => this.faults,
			random: this.random,
		});
		this.armBurst();
	}

	chance(rate: number): boolean {
		return rate > 0 && this.random() < rate;
	}

	sample(): number {
		return this.random();
	}

	webhookTargets(): WebhookTarget[] {
		const targets: WebhookTarget[] = [];
		const metaUrl = this.subscription.overrideCallbackUri ?? this.webhookUrl;
		if (this.subscription.subscribed && metaUrl) targets.push({ url: metaUrl, sign: true });
		if (this.d360Webhook)
			targets.push({ url: this.d360Webhook.url, sign: false, headers: this.d360Webhook.headers });
		return targets;
	}

	// ---- sending ------------------------------------------------------------------------------------------

	/** POST /messages: Meta's answer, or a SandboxError with its code (recorded in the ledger's rejections). */
	send(body: unknown, provider: 'meta' | '360dialog', now = Date.now()): SendMessageResponse {
		const request = (
			typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}
		) as Record<string, unknown>;
		try {
			if (request !== body)
				throw new SandboxError(
					100,
					'the request body must be a JSON object with messaging_product, to and type',
				);
			return this.accept(request, provider, now);
		} catch (error) {
			if (error instanceof SandboxError) {
				this.ledger.reject({
					at: new Date(now),
					code: error.code,
					http: error.http,
					provider,
					to: typeof request.to === 'string' ? request.to : undefined,
					template: (request.template as { name?: string } | undefined)?.name,
					details: error.details,
				});
			}
			throw error;
		}
	}

	private accept(
		body: Record<string, unknown>,
		provider: 'meta' | '360dialog',
		now: number,
	): SendMessageResponse {
		const waId = checkRecipient(body.to, this.business.displayDigits);
		this.takeThroughput(now);
		const checked = checkMessage(
			body,
			this.catalogue,
			(id) => this.media.get(id, this.phoneNumberId, now) !== undefined,
		);
		const contact = this.contacts.get(waId);
		const category = checked.template?.compiled.template.category;

		let failure: ErrorCode | undefined;
		if (contact?.notOnWhatsApp) failure = 131026;
		else if (category === 'MARKETING' && contact?.optedOut) failure = 131050;
		else if (!checked.template && !this.windowOpen(contact, now)) failure = 131047;
		if (failure !== undefined && this.settings.undeliverableAs === 'error')
			throw new SandboxError(failure);
		if (!this.pairRate.take(waId, now)) throw new SandboxError(131056);
		// Meta stopped delivering marketing templates to US numbers (2025-04-01): accepted, then failed.
		if (failure === undefined && category === 'MARKETING' && waId.startsWith('1')) failure = 131049;

		const id = this.nextWamid();
		const entry = this.record(id, body, waId, checked, provider, now);
		this.scheduleStatuses(entry, contact, checked, now, failure);
		const message: SendMessageResponse['messages'][number] = { id };
		if (checked.template) message.message_status = 'accepted';
		return {
			messaging_product: 'whatsapp',
			contacts: [{ input: String(body.to), wa_id: waId }],
			messages: [message],
		};
	}

	private takeThroughput(now: number): void {
		const burst = this.faults.burst130429;
		if (burst) {
			if (this.burst.remaining > 0) {
				this.burst.remaining--;
				throw new SandboxError(130429);
			}
			if (burst.durationMs !== undefined) {
				const elapsed = now - this.burst.startedAt;
				const phase = burst.everyMs === undefined ? elapsed : elapsed % burst.everyMs;
				if (phase >= 0 && phase < burst.durationMs) throw new SandboxError(130429);
			}
		}
		if (!this.throughput.take(now)) throw new SandboxError(130429);
	}

	private windowOpen(contact: ContactState | undefined, now: number): boolean {
		return (
			contact?.lastInboundAt !== undefined &&
			now - contact.lastInboundAt <= WINDOWS.customerServiceMs
		);
	}

	private record(
		id: string,
		body: Record<string, unknown>,
		waId: string,
		checked: CheckedMessage,
		provider: 'meta' | '360dialog',
		now: number,
	): LedgerEntry {
		const entry: LedgerEntry = {
			id,
			to: String(body.to),
			waId,
			type: checked.type,
			provider,
			at: new Date(now),
			payload: body,
			status: 'accepted',
		};
		if (typeof body.biz_opaque_callback_data === 'string')
			entry.bizOpaqueCallbackData = body.biz_opaque_callback_data;
		if (checked.template) {
			const { compiled, rendered, quickReplyPayloads } = checked.template;
			entry.template = {
				name: compiled.template.name,
				language: compiled.template.language,
				category: compiled.template.category,
			};
			entry.rendered = rendered;
			const replies: NonNullable<LedgerEntry['replies']> = [];
			compiled.buttons.forEach((button, index) => {
				if (button.subType === 'quick_reply') {
					replies.push({
						kind: 'button',
						title: button.text,
						payload: quickReplyPayloads[index] ?? button.text,
					});
				}
			});
			if (replies.length > 0) entry.replies = replies;
		} else if (checked.text !== undefined) {
			entry.rendered = { body: checked.text };
		}
		if (checked.interactiveButtons) {
			entry.replies = checked.interactiveButtons.map((button) => ({
				kind: 'interactive',
				title: button.title,
				payload: button.id,
			}));
		}
		this.ledger.record(entry);
		return entry;
	}

	private pricing(
		contact: ContactState | undefined,
		checked: CheckedMessage,
		now: number,
	): { pricing: Pricing; conversation?: Conversation } {
		const inFreeEntryPoint =
			contact?.referralAt !== undefined && now - contact.referralAt <= WINDOWS.freeEntryPointMs;
		const conversation: Conversation | undefined = inFreeEntryPoint
			? {
					id: `fep-${contact!.waId}-${contact!.referralAt}`,
					expiration_timestamp: seconds(contact!.referralAt! + WINDOWS.freeEntryPointMs),
					origin: { type: 'referral_conversion' },
				}
			: undefined;
		const template = checked.template?.compiled.template;
		if (!template) {
			return {
				pricing: {
					billable: false,
					pricing_model: 'PMP',
					type: inFreeEntryPoint ? 'free_entry_point' : 'free_customer_service',
					category: 'service',
				},
				conversation,
			};
		}
		const category = template.category.toLowerCase();
		if (inFreeEntryPoint)
			return {
				pricing: { billable: false, pricing_model: 'PMP', type: 'free_entry_point', category },
				conversation,
			};
		if (template.category === 'UTILITY' && this.windowOpen(contact, now)) {
			return {
				pricing: { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category },
			};
		}
		return { pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category } };
	}

	private scheduleStatuses(
		entry: LedgerEntry,
		contact: ContactState | undefined,
		checked: CheckedMessage,
		now: number,
		failure: ErrorCode | undefined,
	): void {
		const step = this.settings.statusDelayMs;
		const start = now + this.faults.webhookDelayMs;
		if (failure !== undefined) {
			this.outbox.schedule(start + step, (deliver) => {
				entry.status = 'failed';
				entry.errorCode = failure;
				if (!deliver) return null;
				return statusChange(this.business, {
					id: entry.id,
					status: 'failed',
					at: Date.now(),
					recipientId: entry.waId,
					bizOpaqueCallbackData: entry.bizOpaqueCallbackData,
					error: { code: failure },
				});
			});
			return;
		}
		const { pricing, conversation } = this.pricing(contact, checked, now);
		const steps: Array<'sent' | 'delivered' | 'read'> = this.chance(this.settings.readRate)
			? ['sent', 'delivered', 'read']
			: ['sent', 'delivered'];
		const times = steps.map((_, index) => start + step * (index + 1));
		// Reordering gives the statuses shuffled due times: "read" may then arrive before "sent".
		if (this.faults.reorderWebhooks) shuffle(times, this.random);
		const order = steps.map((_, index) => index).sort((a, b) => times[a] - times[b]);
		// One pending event per message at a time: each status schedules the next, which keeps the heap small.
		let next = 0;
		const emit = (deliver: boolean): WebhookChange | null => {
			const status = steps[order[next]];
			next++;
			if (next < order.length) this.outbox.schedule(times[order[next]], emit);
			if (STATUS_ORDER[status] > STATUS_ORDER[entry.status]) entry.status = status;
			if (!deliver) return null;
			return statusChange(this.business, {
				id: entry.id,
				status,
				at: Date.now(),
				recipientId: entry.waId,
				bizOpaqueCallbackData: entry.bizOpaqueCallbackData,
				pricing,
				conversation,
			});
		};
		this.outbox.schedule(times[order[0]], emit);
	}

	/** wamid.<base64>: unique per sandbox run, opaque like Meta's */
	nextWamid(): string {
		this.idCounter++;
		return `wamid.${Buffer.from(`SBX${this.idPrefix}${this.idCounter.toString(16).padStart(10, '0')}`).toString('base64')}`;
	}

	// ---- users ----------------------------------------------------------------------------------------------

	/** The wa_id for a number the user gives (any format, country code first); throws naming the field. */
	waIdOf(phone: string, field = 'from'): string {
		const digits = String(phone).replace(/[\s\-().+]/g, '');
		if (!/^\d{7,15}$/.test(digits)) {
			throw new Error(
				`${field}: "${phone}" is not a phone number with country code (7 to 15 digits, e.g. +54 9 11 5555 1234)`,
			);
		}
		return digits;
	}

	/** A user writes to the business: records the window and posts a signed `messages` webhook. */
	inbound(event: InboundEvent, now = Date.now()): InboundResult {
		if (!event || typeof event.from !== 'string')
			throw new Error('inbound: "from" (the user\'s phone number) is required');
		const waId = this.waIdOf(event.from);
		const at =
			event.timestamp === undefined
				? now
				: event.timestamp instanceof Date
					? event.timestamp.getTime()
					: Number(event.timestamp) * 1000;
		if (!Number.isFinite(at))
			throw new Error('inbound: "timestamp" must be a Date or Unix seconds');
		const contact = this.contacts.ensure(waId);
		if (event.name) contact.name = event.name;
		contact.lastInboundAt = Math.max(contact.lastInboundAt ?? -Infinity, at);

		const id = this.nextWamid();
		const message: Record<string, unknown> = { from: waId, id, timestamp: seconds(at) };
		if (event.buttonPayload !== undefined || event.buttonText !== undefined) {
			message.type = 'button';
			message.button = {
				payload: event.buttonPayload ?? event.buttonText,
				text: event.buttonText ?? event.buttonPayload,
			};
		} else if (event.interactiveReplyId !== undefined) {
			message.type = 'interactive';
			message.interactive = {
				type: 'button_reply',
				button_reply: {
					id: event.interactiveReplyId,
					title: event.interactiveReplyTitle ?? event.interactiveReplyId,
				},
			};
		} else {
			if (typeof event.text !== 'string' || event.text === '') {
				throw new Error(
					'inbound: give "text", "buttonPayload"/"buttonText" or "interactiveReplyId"',
				);
			}
			message.type = 'text';
			message.text = { body: event.text };
		}
		if (event.contextId)
			message.context = { from: this.business.displayDigits, id: event.contextId };
		if (event.referral) {
			contact.referralAt = Math.max(contact.referralAt ?? -Infinity, at);
			const referral: Record<string, unknown> = {
				source_url: 'https://fb.me/sandbox-ad',
				source_id: '120200000000000001',
				source_type: 'ad',
				headline: 'SaludCenter: turnos online',
				body: 'Escribinos por WhatsApp y reservá tu turno',
				media_type: 'image',
				image_url: 'https://scontent.xx.fbcdn.net/sandbox-ad.jpg',
				ctwa_clid: `ARA${id.slice(6, 26)}`,
				welcome_message: { text: '¡Hola! Contanos qué turno necesitás y te respondemos por acá.' },
				...(event.referral === true ? {} : event.referral),
			};
			// A key given as null is left out (a Status ad has neither ctwa_clid nor welcome_message).
			for (const key of Object.keys(referral)) if (referral[key] === null) delete referral[key];
			message.referral = referral;
		}
		const name = contact.name;
		this.outbox.schedule(now + this.faults.webhookDelayMs, (deliver) =>
			deliver ? messageChange(this.business, { waId, name, userId: event.userId }, message) : null,
		);
		return { id, waId, timestamp: seconds(at), message };
	}

	/**
	 * The user taps a button of the last message that offered it (a template quick reply or an interactive
	 * reply button). `button` matches the button's text, ignoring case and accents; a prefix is enough
	 * ("Confirm" taps "Confirmar").
	 */
	tap(from: string, button: string, timestamp?: Date | number): InboundResult {
		const waId = this.waIdOf(from);
		const entries = this.ledger.forRecipient(waId).reverse();
		const offered = entries.find((entry) => entry.replies && entry.replies.length > 0);
		if (!offered) {
			throw new Error(
				`tap: ${from} has received no message with reply buttons yet; send a template with quick replies first`,
			);
		}
		const wanted = foldText(button);
		const replies = offered.replies!;
		const reply =
			replies.find((candidate) => foldText(candidate.title) === wanted) ??
			replies.find(
				(candidate) =>
					foldText(candidate.title).startsWith(wanted) ||
					wanted.startsWith(foldText(candidate.title)),
			);
		if (!reply) {
			const what = offered.template
				? `template ${offered.template.name}`
				: 'the last interactive message';
			throw new Error(
				`tap: "${button}" is not a button of ${what} (buttons: ${replies.map((r) => r.title).join(', ')})`,
			);
		}
		const contact = this.contacts.get(waId);
		const base = { from: waId, name: contact?.name, timestamp, contextId: offered.id };
		return reply.kind === 'button'
			? this.inbound({ ...base, buttonPayload: reply.payload, buttonText: reply.title })
			: this.inbound({
					...base,
					interactiveReplyId: reply.payload,
					interactiveReplyTitle: reply.title,
				});
	}

	/** The user stops marketing messages: later marketing templates fail with 131050; posts user_preferences. */
	optOut(phone: string, notify = true): ContactState {
		return this.setPreference(phone, 'stop', notify);
	}

	optIn(phone: string, notify = true): ContactState {
		return this.setPreference(phone, 'resume', notify);
	}

	private setPreference(phone: string, value: 'stop' | 'resume', notify: boolean): ContactState {
		const contact = this.contacts.ensure(this.waIdOf(phone, 'waId'));
		contact.optedOut = value === 'stop';
		if (notify) {
			const at = Date.now();
			const { waId, name } = contact;
			this.outbox.schedule(at + this.faults.webhookDelayMs, (deliver) =>
				deliver ? userPreferencesChange(this.business, { waId, name }, value, at) : null,
			);
		}
		return { ...contact };
	}

	/** Sends to this number fail with 131026 (not on WhatsApp) while `value` is true. */
	notOnWhatsApp(phone: string, value = true): ContactState {
		const contact = this.contacts.ensure(this.waIdOf(phone, 'waId'));
		contact.notOnWhatsApp = value;
		return { ...contact };
	}

	/** Changes a template's status (e.g. APPROVED → PAUSED) and posts message_template_status_update. */
	setTemplateStatus(
		name: string,
		language: string,
		status: TemplateStatus,
		reason?: string,
	): MessageTemplate {
		const template = this.catalogue.setStatus(name, language, status);
		const snapshot = structuredClone(template);
		this.outbox.schedule(Date.now() + this.faults.webhookDelayMs, (deliver) =>
			deliver ? templateStatusChange(snapshot, reason) : null,
		);
		return snapshot;
	}

	/**
	 * POST /{waba-id}/message_templates: checks the request (throws TemplateRequestError with Meta's answer), adds the
	 * template PENDING and reviews it after `templateReviewMs` (APPROVED or REJECTED, with its status webhook).
	 */
	createTemplate(input: Record<string, unknown>): {
		id: string;
		status: TemplateStatus;
		category: string;
	} {
		this.templateCounter++;
		const id = String(1_300_000_000_000_000 + this.templateCounter);
		const template = checkCreateRequest(
			input,
			(name, language) => this.catalogue.find(name, language) !== undefined,
			id,
		);
		this.catalogue.add({
			...template,
			rejected_reason: 'NONE',
			quality_score: { score: 'UNKNOWN' },
		});
		const timer = setTimeout(() => {
			this.reviews.delete(timer);
			const current = this.catalogue.byId(id);
			if (!current || current.status !== 'PENDING') return;
			const decision = review(current);
			current.rejected_reason = decision.reason;
			this.setTemplateStatus(current.name, current.language, decision.status, decision.reason);
		}, this.settings.templateReviewMs);
		this.reviews.add(timer);
		return { id, status: 'PENDING', category: template.category };
	}

	/** DELETE /{waba-id}/message_templates?name=…[&hsm_id=…]: every language of the name, or the one with that id. */
	deleteTemplate(name: string, hsmId?: string): MessageTemplate[] {
		return this.catalogue.remove(name, hsmId);
	}

	/** Posts any change in Meta's shape (e.g. account_update) through the same signed, batched delivery. */
	emit(change: WebhookChange): void {
		this.outbox.schedule(Date.now() + this.faults.webhookDelayMs, (deliver) =>
			deliver ? change : null,
		);
	}

	// ---- run-time configuration -----------------------------------------------------------------------------

	setFaults(patch: Partial<SandboxFaults>): SandboxFaults {
		const had = this.faults.burst130429;
		this.faults = mergeFaults(this.faults, patch);
		if ('burst130429' in patch || had !== this.faults.burst130429) this.armBurst();
		return this.faults;
	}

	configure(patch: Partial<SandboxSettings>): SandboxSettings {
		this.settings = mergeSettings(this.settings, patch);
		this.throughput.reconfigure(this.settings.throughputMps, this.settings.throughputMps);
		this.pairRate.reconfigure(this.settings.pairRate);
		return this.settings;
	}

	setWebhookUrl(url: string | null): void {
		this.webhookUrl = url === null || url === '' ? null : checkUrl(url, 'webhookUrl');
	}

	/** Back to the state at start: empty ledger and contacts, start options' faults, settings, webhook and catalogue. */
	reset(): void {
		this.ledger.clear();
		this.contacts.clear();
		this.media.clear();
		this.outbox.clear();
		this.settings = settingsFromOptions(this.options);
		this.faults = faultsFromOptions(this.options);
		this.webhookUrl = this.options.webhookUrl
			? checkUrl(this.options.webhookUrl, 'webhookUrl')
			: null;
		this.subscription = { subscribed: true };
		this.d360Webhook = null;
		this.catalogue.replace(this.initialCatalogue);
		for (const timer of this.reviews) clearTimeout(timer);
		this.reviews.clear();
		this.throughput.reconfigure(this.settings.throughputMps, this.settings.throughputMps);
		this.throughput.refill(Date.now());
		this.pairRate.reconfigure(this.settings.pairRate);
		this.pairRate.clear();
		this.armBurst();
	}

	private armBurst(): void {
		this.burst = { remaining: this.faults.burst130429?.count ?? 0, startedAt: Date.now() };
	}

	close(): void {
		for (const timer of this.reviews) clearTimeout(timer);
		this.reviews.clear();
		this.outbox.close();
	}
}

export function checkUrl(url: string, field: string): string {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new Error(
			`${field}: "${url}" is not a URL; give an absolute http(s) URL such as http://127.0.0.1:5678/webhook/whatsapp`,
		);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
		throw new Error(`${field}: must be an http or https URL`);
	return url;
}
