/**
 * SandboxControl: what tests, the CLI and the demo use to look into and steer a running sandbox.
 * The same operations are served over HTTP under /_sandbox/ (server.ts), so a separate process
 * (the CLI, a real n8n's workflow, the demo script) can use them too.
 */
import type { MessageTemplate, TemplateStatus } from '../lib/cloud-api/types';
import type { ContactState } from './contacts';
import type { WebhookChange } from './events';
import type { Ledger } from './ledger';
import type { SandboxFaults, SandboxSettings } from './options';
import type { DeliveryRecord } from './outbox';
import { parsePhrase } from './phrases';
import type { InboundEvent, InboundResult, Sandbox, Subscription } from './sandbox';

/** Read-only view of what reached the sandbox */
export type LedgerView = Pick<
	Ledger,
	| 'all'
	| 'count'
	| 'get'
	| 'forRecipient'
	| 'countsByRecipient'
	| 'duplicates'
	| 'rejections'
	| 'stats'
>;

export interface PhraseResult {
	/** What happened, in words */
	said: string;
	waId: string;
	name?: string;
	/** The user's message when the phrase sent one (says / taps) */
	inbound?: InboundResult;
	contact: ContactState;
}

export interface SandboxControl {
	readonly ledger: LedgerView;
	/** Back to the start state: empty ledger, contacts and webhook queue; start options' faults, settings, webhook URL, catalogue */
	reset(): void;
	faults(): SandboxFaults;
	/** Changes some faults, keeps the others; unknown names are refused */
	setFaults(patch: Partial<SandboxFaults>): SandboxFaults;
	settings(): SandboxSettings;
	configure(patch: Partial<SandboxSettings>): SandboxSettings;
	/** The app's callback URL (null: webhooks are simulated, not posted) */
	setWebhookUrl(url: string | null): void;
	subscription(): Subscription & { webhookUrl: string | null };
	/** The user stops marketing messages (131050 on marketing templates); posts a user_preferences webhook unless notify is false */
	optOut(waId: string, options?: { notify?: boolean }): ContactState;
	optIn(waId: string, options?: { notify?: boolean }): ContactState;
	/** Sends to this number fail with 131026 (value false puts it back on WhatsApp) */
	notOnWhatsApp(waId: string, value?: boolean): ContactState;
	/** A contact by phone number or name */
	contact(phoneOrName: string): ContactState | undefined;
	contacts(): ContactState[];
	/** Files uploaded with POST /{phone-number-id}/media (without their bytes) */
	media(): ReturnType<Sandbox['media']['list']>;
	/** A user's message: records the 24-hour window and posts a signed `messages` webhook */
	inbound(event: InboundEvent): InboundResult;
	/** The user taps a reply button of the last message that offered one */
	tap(from: string, button: string, timestamp?: Date | number): InboundResult;
	/** Runs one phrase, e.g. "contact +54 9 11 5555 1234 named Emilia says hola", "Emilia taps Confirm" */
	say(phrase: string): PhraseResult;
	templates(): MessageTemplate[];
	/** Changes a template's status and posts message_template_status_update */
	setTemplateStatus(
		name: string,
		language: string,
		status: TemplateStatus,
		reason?: string,
	): MessageTemplate;
	/** Posts any change (Meta's shape) through the signed, batched delivery */
	emit(change: WebhookChange): void;
	webhookDeliveries(): DeliveryRecord[];
	pendingWebhooks(): { scheduled: number; ready: number; inFlight: number; retrying: number };
	/** Delivers every scheduled webhook and pending retry now; resolves when all are delivered or given up */
	flushWebhooks(): Promise<void>;
	/** Resolves when no webhook is scheduled, queued, in flight or waiting for a retry; rejects after timeoutMs */
	waitForWebhooksIdle(timeoutMs?: number): Promise<void>;
}

export function createControl(sandbox: Sandbox): SandboxControl {
	const findContact = (phoneOrName: string): ContactState | undefined => {
		const byName = sandbox.contacts.byName(phoneOrName);
		if (byName) return { ...byName };
		const digits = phoneOrName.replace(/\D/g, '');
		const byPhone = digits ? sandbox.contacts.get(digits) : undefined;
		return byPhone ? { ...byPhone } : undefined;
	};

	const say = (phrase: string): PhraseResult => {
		const parsed = parsePhrase(phrase, sandbox.contacts.names());
		let waId: string;
		if (parsed.phone !== undefined) {
			waId = sandbox.waIdOf(parsed.phone, 'phone');
			const contact = sandbox.contacts.ensure(waId);
			if (parsed.name) contact.name = parsed.name;
		} else {
			waId = sandbox.contacts.byName(parsed.name!)!.waId;
		}
		const name = sandbox.contacts.get(waId)?.name;
		const who = name ? `${name} (+${waId})` : `+${waId}`;
		const timestamp = parsed.agoMs > 0 ? new Date(Date.now() - parsed.agoMs) : undefined;
		const when = timestamp ? ` at ${timestamp.toISOString()}` : '';
		let inbound: InboundResult | undefined;
		let said: string;
		switch (parsed.action.kind) {
			case 'register':
				said = `${who} is a contact`;
				break;
			case 'says':
				inbound = sandbox.inbound({
					from: waId,
					name,
					text: parsed.action.text,
					timestamp,
					referral: parsed.fromAd || undefined,
				});
				said = `${who} says "${parsed.action.text}"${parsed.fromAd ? ' (from an ad)' : ''}${when}`;
				break;
			case 'taps': {
				inbound = sandbox.tap(waId, parsed.action.button, timestamp);
				const message = inbound.message as {
					button?: { text: string; payload: string };
					interactive?: { button_reply: { title: string; id: string } };
				};
				const title = message.button?.text ?? message.interactive?.button_reply.title;
				const payload = message.button?.payload ?? message.interactive?.button_reply.id;
				said = `${who} taps "${title}" (payload ${JSON.stringify(payload)})${when}`;
				break;
			}
			case 'optOut':
				sandbox.optOut(waId);
				said = `${who} stopped marketing messages`;
				break;
			case 'optIn':
				sandbox.optIn(waId);
				said = `${who} accepts marketing messages again`;
				break;
			case 'onWhatsApp':
				sandbox.notOnWhatsApp(waId, !parsed.action.value);
				said = `${who} is ${parsed.action.value ? '' : 'not '}on WhatsApp`;
				break;
		}
		return { said, waId, name, inbound, contact: { ...sandbox.contacts.get(waId)! } };
	};

	return {
		ledger: sandbox.ledger,
		reset: () => sandbox.reset(),
		faults: () => sandbox.faults,
		setFaults: (patch) => sandbox.setFaults(patch),
		settings: () => sandbox.settings,
		configure: (patch) => sandbox.configure(patch),
		setWebhookUrl: (url) => sandbox.setWebhookUrl(url),
		subscription: () => ({ ...sandbox.subscription, webhookUrl: sandbox.webhookUrl }),
		optOut: (waId, options) => sandbox.optOut(waId, options?.notify ?? true),
		optIn: (waId, options) => sandbox.optIn(waId, options?.notify ?? true),
		notOnWhatsApp: (waId, value = true) => sandbox.notOnWhatsApp(waId, value),
		media: () => sandbox.media.list(),
		contact: findContact,
		contacts: () => sandbox.contacts.all(),
		inbound: (event) => sandbox.inbound(event),
		tap: (from, button, timestamp) => sandbox.tap(from, button, timestamp),
		say,
		templates: () => structuredClone(sandbox.catalogue.all()),
		setTemplateStatus: (name, language, status, reason) =>
			sandbox.setTemplateStatus(name, language, status, reason),
		emit: (change) => sandbox.emit(change),
		webhookDeliveries: () => sandbox.outbox.deliveries(),
		pendingWebhooks: () => sandbox.outbox.pending(),
		flushWebhooks: () => sandbox.outbox.flush(),
		waitForWebhooksIdle: (timeoutMs = 30_000) =>
			new Promise<void>((resolve, reject) => {
				const timer = setTimeout(() => {
					const pending = sandbox.outbox.pending();
					reject(
						new Error(`webhooks still busy after ${timeoutMs} ms: ${JSON.stringify(pending)}`),
					);
				}, timeoutMs);
				void sandbox.outbox.idle().then(() => {
					clearTimeout(timer);
					resolve();
				});
			}),
	};
}
