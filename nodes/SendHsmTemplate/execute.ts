import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import type { MessageTemplate } from '../../lib/cloud-api/types';
import type { ContactState } from '../../lib/store/types';
import { contactSkip, marketingOptOut } from '../../lib/contact-policy';
import { buildTemplateMessage, buildTextMessage, pickTemplateLanguage } from '../../lib/templates';
import { encodeCallbackData } from '../../lib/webhook';
import { evaluateWindow } from '../../lib/window/evaluate';
import { openStore } from '../shared/store';
import { describeAvailability, loadTemplates, readVariables } from '../shared/templates';
import { cloudApiClient, secretsOf, toNodeApiError, toNodeError } from '../shared/transport';

interface Prepared {
	index: number;
	template: MessageTemplate;
	languageMatch: string;
	payload: Record<string, unknown>;
	renderedText: string;
	waId: string;
	e164: string;
	callbackData?: string;
	queryId?: string;
	recontactOnce: boolean;
	sendToOptedOut: boolean;
	smartMode: boolean;
	defaultCountry?: string;
	timeoutMs: number;
}

type Options = {
	defaultCountry?: string;
	recontactOnce?: boolean;
	queryId?: string;
	reference?: string;
	sendToOptedOut?: boolean;
	smartMode?: boolean;
	timeoutMs?: number;
};

/**
 * Send HSM Template, in three passes so that nothing is paid for before every item is known to be valid:
 * 1. validate and build every item (template, language, variables, phone) — no network call but the cached template list;
 * 2. read the contacts of all valid items from the store in one call;
 * 3. apply policy (opt-out, recontact once, smart mode) and send, item by item, in input order.
 */
export async function sendTemplates(ctx: IExecuteFunctions, continueOnFail: boolean): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const { client, credentials } = await cloudApiClient(ctx);
	const secrets = secretsOf(credentials);
	const results: Array<INodeExecutionData | undefined> = new Array(items.length);
	const fail = (index: number, error: Error) => {
		if (!continueOnFail) throw error;
		const description = (error as { description?: string }).description;
		const body = (error as { errorResponse?: IDataObject }).errorResponse;
		results[index] = { json: { status: 'failed', error: error.message, ...(description ? { fix: description } : {}), ...(body ? { details: body } : {}) }, pairedItem: { item: index } };
	};

	// 1. validate and build (the template list is the only call, and it is free)
	let templates: MessageTemplate[];
	try {
		templates = await loadTemplates(client, credentials);
	} catch (caught) {
		const error = toNodeError(ctx.getNode(), caught, { secrets });
		if (!continueOnFail) throw error;
		items.forEach((_, index) => fail(index, error));
		return results as INodeExecutionData[];
	}
	const prepared: Prepared[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			prepared.push(prepare(ctx, i, templates));
		} catch (error) {
			fail(i, error as Error);
		}
	}

	// 2. the contacts, in one round trip
	const store = await openStore(ctx);
	const businessNumberId = credentials.phoneNumberId;
	const contacts = prepared.length > 0 ? await store.getContacts(businessNumberId, [...new Set(prepared.map((item) => item.waId))]) : new Map<string, ContactState>();

	// 3. policy and send
	for (const item of prepared) {
		const contact = contacts.get(item.waId);
		const base = {
			to: item.e164,
			wa_id: item.waId,
			template: item.template.name,
			language: item.template.language,
			languageMatch: item.languageMatch,
			category: item.template.category,
		};
		const skip = contactSkip(contact, item.template.category, { sendToOptedOut: item.sendToOptedOut, now: Date.now() });
		if (skip) {
			results[item.index] = { json: { status: 'skipped', ...base, skipped: skip as unknown as IDataObject }, pairedItem: { item: item.index } };
			continue;
		}

		let payload = item.payload;
		let kind: 'template' | 'text' = 'template';
		let window: IDataObject | undefined;
		if (item.smartMode) {
			const evaluated = evaluateWindow(contact ?? {}, Date.now());
			window = evaluated as unknown as IDataObject;
			if (evaluated.canSendFreeForm) {
				const text = buildTextMessage(item.waId, item.renderedText, { callbackData: item.callbackData });
				if (text.ok) {
					payload = text.payload as unknown as Record<string, unknown>;
					kind = 'text';
				}
			}
		}

		let recontactToken: string | undefined;
		if (item.recontactOnce && item.queryId) {
			const claim = await store.claimRecontact(businessNumberId, item.waId, item.queryId, { ref: ctx.getExecutionId() });
			if (!claim.won) {
				results[item.index] = {
					json: {
						status: 'skipped',
						...base,
						queryId: item.queryId,
						skipped: { reason: 'recontact_already_spent', message: `The one recontact for query "${item.queryId}" was already sent on ${new Date(claim.record.spentAt).toISOString()}`, spentAt: new Date(claim.record.spentAt).toISOString() },
					},
					pairedItem: { item: item.index },
				};
				continue;
			}
			recontactToken = claim.record.token;
		}

		const sent = await client.send(payload, { timeoutMs: item.timeoutMs });
		if (sent.ok) {
			await store.recordBusinessReply(businessNumberId, item.waId);
			if (kind === 'template' && item.template.category === 'MARKETING') await store.recordMarketingSend(businessNumberId, item.waId, sent.wamid);
			results[item.index] = {
				json: {
					status: 'sent',
					...base,
					kind,
					wamid: sent.wamid,
					messageStatus: sent.messageStatus,
					renderedText: item.renderedText,
					...(item.queryId ? { queryId: item.queryId } : {}),
					...(window ? { window } : {}),
				},
				pairedItem: { item: item.index },
			};
			continue;
		}

		const error = sent.error;
		// The recontact stays spent when the message may have reached Meta (timeout); otherwise it is given back.
		if (recontactToken && !error.timedOut) await store.releaseRecontact(businessNumberId, item.waId, item.queryId!, recontactToken);
		if (error.code === 131050) await store.setOptState(businessNumberId, item.waId, marketingOptOut(Date.now()));
		if (error.timedOut && continueOnFail) {
			results[item.index] = { json: { status: 'uncertain', ...base, error: error.toJSON() }, pairedItem: { item: item.index } };
			continue;
		}
		const nodeError = toNodeApiError(ctx.getNode(), error, { itemIndex: item.index, secrets });
		if (error.code === 132001) nodeError.description = `${nodeError.description ?? ''} Available: ${describeAvailability(templates, item.template.name)}.`;
		fail(item.index, nodeError);
	}

	return results.filter((result): result is INodeExecutionData => result !== undefined);
}

function prepare(ctx: IExecuteFunctions, index: number, templates: MessageTemplate[]): Prepared {
	const node = ctx.getNode();
	const name = String(ctx.getNodeParameter('template', index, '') ?? '').trim();
	const options = ctx.getNodeParameter('options', index, {}) as Options;
	const fieldError = (field: string, message: string) =>
		new NodeOperationError(node, `Item ${index}: ${field} — ${message}`, { itemIndex: index, description: message });

	if (!name) throw fieldError('template', 'choose an approved template (or give its name by expression)');
	const translations = templates.filter((template) => template.name === name);
	const picked = pickTemplateLanguage(translations, ctx.getNodeParameter('recipientLanguage', index, ''), ctx.getNodeParameter('defaultLanguage', index, ''));
	if (!picked.ok) throw fieldError('template', `${picked.error}. ${translations.length === 0 ? describeAvailability(templates, name) : ''}`.trim());

	const queryId = options.recontactOnce ? String(options.queryId ?? '').trim() : undefined;
	if (options.recontactOnce && !queryId) throw fieldError('options.queryId', 'Recontact Once per Query is on but the Query ID is empty: map the ticket or conversation ID');
	const reference = String(options.reference ?? '').trim();
	let callbackData: string | undefined;
	try {
		callbackData = reference || queryId ? encodeCallbackData({ ref: reference || queryId }) : undefined;
	} catch (error) {
		throw fieldError('options.reference', (error as Error).message);
	}

	const built = buildTemplateMessage({
		template: picked.template,
		to: ctx.getNodeParameter('to', index, ''),
		values: readVariables(ctx, index),
		callbackData,
		defaultCountry: options.defaultCountry || undefined,
	});
	if (!built.ok) {
		// Each message already starts with its field (e.g. "body.2 is missing: …").
		const all = built.errors.map((error) => error.message).join('; ');
		throw new NodeOperationError(node, `Item ${index}: ${built.errors[0].message}`, { itemIndex: index, description: all });
	}
	return {
		index,
		template: picked.template,
		languageMatch: picked.match,
		payload: built.payload as unknown as Record<string, unknown>,
		renderedText: built.renderedText,
		waId: built.recipient.waId,
		e164: built.recipient.e164,
		callbackData,
		queryId,
		recontactOnce: !!options.recontactOnce,
		sendToOptedOut: !!options.sendToOptedOut,
		smartMode: !!options.smartMode,
		defaultCountry: options.defaultCountry,
		timeoutMs: Number(options.timeoutMs ?? 30_000) || 30_000,
	};
}
