import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { GraphApiError } from '../../lib/cloud-api/client';
import type { MessageTemplate } from '../../lib/cloud-api/types';
import { MediaUploader } from '../../lib/media/upload';
import type { ContactState } from '../../lib/store/types';
import { sendWithPolicy, type PreparedSend } from '../../lib/send-template';
import {
	buildTemplateMessage,
	fieldName,
	inspectTemplate,
	pickTemplateLanguage,
} from '../../lib/templates';
import { encodeCallbackData } from '../../lib/webhook';
import { binaryResolver } from '../common/binary';
import { errorItem, withField } from '../common/error-item';
import { openStore } from '../common/store';
import { ItemParameters } from '../common/item-parameters';
import { describeAvailability, loadTemplates } from '../common/templates';
import { cloudApiClient, secretsOf, toNodeApiError, toNodeError } from '../common/transport';

/** A valid item, ready for lib/send-template.ts */
interface Prepared extends PreparedSend {
	index: number;
	languageMatch: string;
	e164: string;
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
export async function sendTemplates(
	ctx: IExecuteFunctions,
	continueOnFail: boolean,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const { client, credentials } = await cloudApiClient(ctx);
	const secrets = secretsOf(credentials);
	const results: Array<INodeExecutionData | undefined> = new Array(items.length);
	const fail = (index: number, error: Error) => {
		if (!continueOnFail) throw error;
		results[index] = errorItem(error, index, { status: 'failed' });
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
	const parameters = new ItemParameters(ctx);
	for (let i = 0; i < items.length; i++) {
		try {
			prepared.push(prepare(ctx, parameters, i, templates));
		} catch (error) {
			fail(i, error as Error);
		}
	}

	// 2. the contacts, in one round trip
	const store = await openStore(ctx);
	const businessNumberId = credentials.phoneNumberId;
	const contacts =
		prepared.length > 0
			? await store.getContacts(businessNumberId, [...new Set(prepared.map((item) => item.waId))])
			: new Map<string, ContactState>();

	// 3. policy and send, in input order
	// One uploader per execution: items sharing a file upload it once.
	const context = {
		client,
		store,
		businessNumberId,
		ref: ctx.getExecutionId(),
		uploader: new MediaUploader(client),
	};
	for (const item of prepared) {
		const base = {
			to: item.e164,
			wa_id: item.waId,
			template: item.template.name,
			language: item.template.language,
			languageMatch: item.languageMatch,
			category: item.template.category,
			...(item.recontactQueryId ? { queryId: item.recontactQueryId } : {}),
		};
		const outcome = await sendWithPolicy(context, item, contacts.get(item.waId));
		const emit = (json: IDataObject) =>
			(results[item.index] = { json: { ...json, ...base }, pairedItem: { item: item.index } });
		if (outcome.status === 'skipped') {
			emit({ status: 'skipped', skipped: { ...outcome.skipped } });
		} else if (outcome.status === 'sent') {
			const { window, ...sent } = outcome;
			emit({
				...sent,
				renderedText: item.renderedText,
				...(window ? { window: { ...window } } : {}),
			});
		} else if (outcome.status === 'media_failed') {
			const graph = outcome.error instanceof GraphApiError ? outcome.error : undefined;
			const message = graph
				? `uploading ${outcome.label} failed — WhatsApp error ${graph.code}: ${graph.entry.meaning}`
				: outcome.error.message;
			const description =
				`Nothing was sent. ${graph ? `${graph.entry.message}${graph.details ? ` Details: ${graph.details}` : ''}` : ''}`.trim();
			// `field` is the slot id ("header"), as on Bulk Campaign's outcome items for the same failure.
			const error = withField(
				graph
					? toNodeApiError(ctx.getNode(), graph, { itemIndex: item.index, secrets })
					: new NodeOperationError(ctx.getNode(), message, { itemIndex: item.index }),
				outcome.field,
			);
			error.description = description;
			if (!continueOnFail) {
				error.message = `Item ${item.index}: ${message}`;
				throw error;
			}
			error.message = message;
			emit(errorItem(error, item.index, { status: 'failed', reason: 'media_upload_failed' }).json);
		} else if (outcome.status === 'uncertain' && continueOnFail) {
			emit({ status: 'uncertain', error: outcome.error.toJSON() });
		} else {
			const nodeError = toNodeApiError(ctx.getNode(), outcome.error, {
				itemIndex: item.index,
				secrets,
			});
			if (outcome.error.code === 132001)
				nodeError.description = `${nodeError.description ?? ''} Available: ${describeAvailability(templates, item.template.name)}.`;
			fail(item.index, nodeError);
		}
	}

	return results.filter((result): result is INodeExecutionData => result !== undefined);
}

/** One item's message, built and checked; `parameters` reads constants once and bare `{{ $json.x }}` directly. */
function prepare(
	ctx: IExecuteFunctions,
	parameters: ItemParameters,
	index: number,
	templates: MessageTemplate[],
): Prepared {
	const node = ctx.getNode();
	const name = String(parameters.get('template', index, '') ?? '').trim();
	const options = parameters.get('options', index, {}) as Options;
	// The field as the editor shows it, then what is wrong and the fix, once (no description repeating it).
	const fieldError = (field: string, message: string) =>
		withField(
			new NodeOperationError(node, `Item ${index}: ${field} — ${message}`, { itemIndex: index }),
			field,
		);

	if (!name)
		throw fieldError('Template', 'choose an approved template (or give its name by expression)');
	const translations = templates.filter((template) => template.name === name);
	const recipientLanguage = parameters.get('recipientLanguage', index, '');
	const defaultLanguage = parameters.get('defaultLanguage', index, '');
	const picked = pickTemplateLanguage(translations, recipientLanguage, defaultLanguage);
	if (!picked.ok && !recipientLanguage && !defaultLanguage && picked.approvedLanguages.length > 0) {
		throw fieldError(
			'Default Language',
			`"${name}" is approved in ${picked.approvedLanguages.join(', ')}: choose one as Default Language, or map Recipient Language`,
		);
	}
	if (!picked.ok)
		throw fieldError(
			'Template',
			`${picked.error}. ${translations.length === 0 ? describeAvailability(templates, name) : ''}`.trim(),
		);

	const queryId = options.recontactOnce ? String(options.queryId ?? '').trim() : undefined;
	if (options.recontactOnce && !queryId)
		throw fieldError(
			'Options › Query ID',
			'Recontact Once per Query is on but the Query ID is empty: map the ticket or conversation ID',
		);
	const reference = String(options.reference ?? '').trim();
	let callbackData: string | undefined;
	try {
		callbackData =
			reference || queryId ? encodeCallbackData({ ref: reference || queryId }) : undefined;
	} catch (error) {
		throw fieldError('Options › Reference', (error as Error).message);
	}

	const built = buildTemplateMessage({
		template: picked.template,
		to: parameters.get('to', index, ''),
		values: parameters.mappedValues('variables', index),
		callbackData,
		defaultCountry: options.defaultCountry || undefined,
		binary: binaryResolver(ctx, index),
	});
	if (!built.ok) {
		// Each message starts with its field as the editor shows it ("Recipient Phone: …"); the description lists
		// only the other problems, so no sentence appears twice.
		const [first, ...others] = built.errors;
		throw withField(
			new NodeOperationError(node, `Item ${index}: ${first.message}`, {
				itemIndex: index,
				...(others.length > 0
					? { description: `Also: ${others.map((error) => error.message).join('; ')}` }
					: {}),
			}),
			editorField(first.field, picked.template),
		);
	}
	return {
		index,
		template: picked.template,
		languageMatch: picked.match,
		payload: built.payload,
		renderedText: built.renderedText,
		waId: built.recipient.waId,
		e164: built.recipient.e164,
		callbackData,
		recontactQueryId: queryId,
		sendToOptedOut: !!options.sendToOptedOut,
		smartMode: !!options.smartMode,
		timeoutMs: Number(options.timeoutMs ?? 30_000) || 30_000,
		media: built.media,
	};
}

/** A build error's field (a slot id, `to`, `callbackData`…) as the editor shows it. */
function editorField(field: string, template: MessageTemplate): string {
	if (field === 'to') return 'Recipient Phone';
	if (field === 'template') return 'Template';
	if (field === 'callbackData') return 'Options › Reference';
	const slot = inspectTemplate(template).slots.find((candidate) => candidate.id === field);
	return slot ? fieldName(slot) : 'Template Variables';
}
