/**
 * One template send with the store's policy around it — what Send HSM Template does per item once the item is valid:
 * 1. skip contacts the store says must not get this template (lib/contact-policy.ts);
 * 2. smart mode: inside the 24-hour window send the template's text as free-form (free) instead;
 * 3. recontact once per query: claim the one recontact atomically, give it back when Meta refused the send;
 * 4. upload the item's header file (binary data), once per distinct file; a failed upload fails the item, never
 *    a template with a broken header;
 * 5. send, then record what the send means for later decisions (free entry point, frequency cap, 131050 opt-out).
 * Framework-free: the node maps the outcome to an item.
 */
import type { CloudApiClient, GraphApiError } from './cloud-api/client';
import type { MessageTemplate } from './cloud-api/types';
import { contactSkip, marketingOptOut, type ContactSkip } from './contact-policy';
import type { ContactState, ConversationStore } from './store/types';
import type { MediaFileError, MediaUploader } from './media/upload';
import { attachMedia, buildTextMessage, type PendingMedia } from './templates';
import { evaluateWindow, type WindowResult } from './window/evaluate';

/** One validated template send and its policy settings. */
export interface PreparedSend {
	template: MessageTemplate;
	/** The validated Graph API payload of the template message */
	payload: object;
	renderedText: string;
	waId: string;
	callbackData?: string;
	/** Set when the send is a recontact that may happen once per query */
	recontactQueryId?: string;
	sendToOptedOut: boolean;
	smartMode: boolean;
	timeoutMs: number;
	/** Header files to upload before the template is sent (buildTemplateMessage's `media`) */
	media?: PendingMedia[];
}

export type SendOutcome =
	| {
			status: 'skipped';
			skipped:
				| ContactSkip
				| { reason: 'recontact_already_spent'; message: string; spentAt: string };
	  }
	| {
			status: 'sent';
			kind: 'template' | 'text';
			wamid: string;
			messageStatus: string;
			window?: WindowResult;
	  }
	/** No answer: the message may have reached Meta (the recontact stays spent) */
	| { status: 'uncertain'; error: GraphApiError }
	| { status: 'failed'; error: GraphApiError }
	/** The header file could not be uploaded (or read): nothing was sent */
	| { status: 'media_failed'; field: string; label: string; error: GraphApiError | MediaFileError };

/** The client, store and number a send goes through. */
export interface SendContext {
	client: CloudApiClient;
	store: ConversationStore;
	businessNumberId: string;
	/** Who spends a recontact (execution ID), kept with the claim */
	ref?: string;
	/** Uploads header files (shared by the items of one execution: each distinct file once) */
	uploader?: MediaUploader;
	now?: () => number;
}

/**
 * One template send with its policy: contact skips, smart mode (free text in an open window), the recontact
 * claim, and what it records.
 */
export async function sendWithPolicy(
	context: SendContext,
	job: PreparedSend,
	contact: ContactState | undefined,
): Promise<SendOutcome> {
	const { client, store, businessNumberId } = context;
	const now = context.now ?? Date.now;
	const skip = contactSkip(contact, job.template.category, {
		sendToOptedOut: job.sendToOptedOut,
		now: now(),
	});
	if (skip) return { status: 'skipped', skipped: skip };

	let payload = job.payload;
	let kind: 'template' | 'text' = 'template';
	let window: WindowResult | undefined;
	if (job.smartMode) {
		window = evaluateWindow(contact ?? {}, now());
		if (window.canSendFreeForm) {
			const text = buildTextMessage(job.waId, job.renderedText, { callbackData: job.callbackData });
			if (text.ok) {
				payload = text.payload;
				kind = 'text';
			}
		}
	}

	// Upload before the recontact claim: a failed upload then has nothing to give back.
	if (kind === 'template' && job.media && job.media.length > 0) {
		if (!context.uploader)
			throw new Error(
				'sendWithPolicy: the item has a header file to upload but no uploader was given',
			);
		for (const pending of job.media) {
			const uploaded = await context.uploader.upload(
				pending.label,
				pending.mediaType,
				pending.file,
			);
			if (!uploaded.ok)
				return {
					status: 'media_failed',
					field: pending.field,
					label: pending.label,
					error: uploaded.error,
				};
			attachMedia(pending, uploaded.id);
		}
	}

	let recontactToken: string | undefined;
	if (job.recontactQueryId) {
		const claim = await store.claimRecontact(businessNumberId, job.waId, job.recontactQueryId, {
			ref: context.ref,
		});
		if (!claim.won) {
			const spentAt = new Date(claim.record.spentAt).toISOString();
			return {
				status: 'skipped',
				skipped: {
					reason: 'recontact_already_spent',
					message: `The one recontact for query "${job.recontactQueryId}" was already sent on ${spentAt}`,
					spentAt,
				},
			};
		}
		recontactToken = claim.record.token;
	}

	const sent = await client.send(payload, { timeoutMs: job.timeoutMs });
	if (sent.ok) {
		await store.recordBusinessReply(businessNumberId, job.waId);
		if (kind === 'template' && job.template.category === 'MARKETING')
			await store.recordMarketingSend(businessNumberId, job.waId, sent.wamid);
		return { status: 'sent', kind, wamid: sent.wamid, messageStatus: sent.messageStatus, window };
	}
	const error = sent.error;
	if (recontactToken && !error.timedOut)
		await store.releaseRecontact(businessNumberId, job.waId, job.recontactQueryId!, recontactToken);
	if (error.code === 131050)
		await store.setOptState(businessNumberId, job.waId, marketingOptOut(now()));
	return error.timedOut ? { status: 'uncertain', error } : { status: 'failed', error };
}
