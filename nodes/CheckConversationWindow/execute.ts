/**
 * Check Conversation Window: reads the node's parameters per item, runs lib/window checkContacts once per
 * business number (one bulk store read for all items), and routes each item to Open or Closed with the window
 * details added. Bad input never becomes a silent Closed: it stops the node with the item and field named, or
 * with Continue On Fail becomes an error item (Closed output, or the error output when that is enabled).
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { isChannel, type Channel, type WindowLengths } from '../../lib/window/channel-rules';
import {
	checkContacts,
	type CheckInput,
	type CheckOptions,
	type WindowSource,
} from '../../lib/window/check';
import { parseTimestamp } from '../../lib/window/timestamp';
import type { ConversationStore } from '../../lib/store/types';
import { errorItem, fieldError } from '../common/error-item';
import { ItemParameters } from '../common/item-parameters';
import { openStore } from '../common/store';
import { toNodeError } from '../common/transport';

const FIELD_LABELS = {
	contact: 'Contact',
	lastInbound: 'Last Inbound Time',
	queryId: 'Query ID',
	businessPhoneNumberId: 'Business Phone Number ID',
} as const;

type Field = keyof typeof FIELD_LABELS;

const FIXES: Record<Field, string> = {
	contact:
		"Map the contact's wa_id or phone number, e.g. {{ $json.wa_id }}; for numbers without country code set Options → Default Country.",
	lastInbound:
		'Map a past time: ISO 8601 (2024-06-10T14:00:00Z), Unix seconds or milliseconds. For CRM rows without one, turn on Options → Empty Timestamp Means Never Wrote.',
	queryId:
		'Map the ID of the customer query, e.g. {{ $json.ticketId }}, the same as in Send HSM Template.',
	businessPhoneNumberId:
		'Fill in Business Phone Number ID, or select a WhatsApp HSM Cloud API credential with its Phone Number ID.',
};

interface Prepared {
	index: number;
	businessNumberId: string;
	input: CheckInput;
}

class ItemError extends Error {
	constructor(
		readonly field: Field,
		message: string,
	) {
		super(message);
	}
}

async function credentialPhoneNumberId(ctx: IExecuteFunctions): Promise<string | undefined> {
	try {
		const credentials = await ctx.getCredentials('whatsAppCloudApi');
		const id = String(credentials.phoneNumberId ?? '').trim();
		return id === '' ? undefined : id;
	} catch {
		return undefined; // no credential selected: the parameter must say which number
	}
}

function lengthsFrom(raw: IDataObject): WindowLengths {
	const lengths: WindowLengths = {};
	for (const key of [
		'serviceWindowHours',
		'freeEntryPointHours',
		'referralReplyHours',
		'humanAgentHours',
	] as const) {
		if (raw[key] !== undefined && raw[key] !== null && raw[key] !== '')
			lengths[key] = Number(raw[key]);
	}
	return lengths;
}

type Route = 'open' | 'closed' | 'spent';

/**
 * The node's outputs, each in input order. `asTool`: one list of every item in input order instead, for an AI
 * agent (n8n hands a tool's caller only the first output, which would hide every closed window).
 */
export async function checkWindows(
	ctx: IExecuteFunctions,
	continueOnFail: boolean,
	asTool = false,
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const node = ctx.getNode();
	// Per input item, where it goes: the outputs are filled from this in input order at the end.
	const routed: Array<{ route: Route; item: INodeExecutionData } | undefined> = new Array(
		items.length,
	);
	const toClosed = (index: number, error: unknown) =>
		(routed[index] = { route: 'closed', item: errorItem(error, index) });

	const source = ctx.getNodeParameter('windowSource', 0, 'store') as WindowSource;
	const channel = ctx.getNodeParameter('channel', 0, 'whatsapp') as Channel;
	if (!isChannel(channel))
		throw new NodeOperationError(
			node,
			`Channel "${String(channel)}" is unknown: choose WhatsApp, Messenger or Instagram`,
		);
	const recontact = ctx.getNodeParameter('recontactCheck', 0, false) as boolean;
	const lengths = lengthsFrom(ctx.getNodeParameter('windowLengths', 0, {}) as IDataObject);
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const outputField = String(options.outputField || 'window');
	const defaultCountry = String(options.defaultCountry ?? '').trim();
	if (defaultCountry !== '' && !/^[A-Za-z]{2}$/.test(defaultCountry)) {
		throw new NodeOperationError(
			node,
			`Default Country "${defaultCountry}" is not an ISO country code`,
			{ description: 'Use two letters, e.g. AR, ES, BR, US.' },
		);
	}
	const now = Date.now();
	let checkAt: number | undefined;
	if (options.checkAt !== undefined && options.checkAt !== '') {
		const parsed = parseTimestamp(options.checkAt, {
			now: Number.MAX_SAFE_INTEGER,
			zone: ctx.getTimezone(),
		});
		if (!parsed.ok)
			throw new NodeOperationError(node, `Options → Check At ${parsed.reason}`, {
				description: 'Give a date and time, or remove the option to check now.',
			});
		checkAt = parsed.millis;
	}
	const checkOptions: Omit<CheckOptions, 'businessNumberId'> = {
		source,
		channel,
		lengths,
		defaultCountry: defaultCountry || undefined,
		now,
		checkAt,
		zone: String(options.timeZone || ctx.getTimezone() || 'UTC'),
		maxFutureSkewSeconds:
			options.maxFutureSkewSeconds === undefined ? undefined : Number(options.maxFutureSkewSeconds),
		emptyTimestampIsNever: options.emptyTimestampIsNever === true,
		recontact,
	};

	/** A bad input value of one item: stops the node, or with Continue On Fail goes to Closed as an error item. */
	const fail = (index: number, field: Field, message: string): void => {
		const error = fieldError(
			node,
			FIELD_LABELS[field],
			`Item ${index}, ${FIELD_LABELS[field]}: ${message}`,
			{
				itemIndex: index,
				description: FIXES[field],
			},
		);
		if (!continueOnFail) throw error;
		toClosed(index, error);
	};
	/** Any other failure of one item (an expression, the store): its message, with the item named. */
	const failOther = (index: number, error: unknown): void => {
		toClosed(
			index,
			new NodeOperationError(node, `Item ${index}: ${(error as Error).message}`, {
				itemIndex: index,
			}),
		);
	};

	// 1. Parameters per item (expressions can fail per item too).
	const fallbackBusiness = await credentialPhoneNumberId(ctx);
	const prepared: Prepared[] = [];
	// Constants read once, bare {{ $json.x }} read from the item: n8n's expression runtime only for the rest.
	const parameters = new ItemParameters(ctx);
	for (let index = 0; index < items.length; index++) {
		try {
			const business =
				String(parameters.get('businessPhoneNumberId', index, '') ?? '').trim() || fallbackBusiness;
			if (!business)
				throw new ItemError(
					'businessPhoneNumberId',
					'no business number: the parameter is empty and no WhatsApp HSM Cloud API credential is selected',
				);
			const input: CheckInput = { contact: parameters.get('contact', index, undefined) };
			if (source !== 'store')
				input.lastInbound = parameters.get('lastInboundTime', index, undefined);
			if (recontact) input.queryId = parameters.get('queryId', index, undefined);
			prepared.push({ index, businessNumberId: business, input });
		} catch (error) {
			if (error instanceof ItemError) fail(index, error.field, error.message);
			else if (continueOnFail) failOther(index, error);
			else throw toNodeError(node, error, { itemIndex: index });
		}
	}

	// 2. One check per business number (normally one); the store only when something reads it.
	let store: ConversationStore | undefined;
	let storeError: unknown;
	if (prepared.length > 0 && (source !== 'field' || recontact)) {
		try {
			store = await openStore(ctx);
		} catch (error) {
			if (!continueOnFail) throw toNodeError(node, error);
			storeError = error;
		}
	}
	const groups = new Map<string, Prepared[]>();
	for (const entry of prepared) {
		const group = groups.get(entry.businessNumberId) ?? [];
		group.push(entry);
		groups.set(entry.businessNumberId, group);
	}
	for (const [businessNumberId, group] of storeError === undefined ? groups : []) {
		let outcomes;
		try {
			outcomes = await checkContacts(
				store,
				group.map((entry) => entry.input),
				{ ...checkOptions, businessNumberId },
			);
		} catch (error) {
			if (!continueOnFail)
				throw new NodeOperationError(node, (error as Error).message, {
					description: 'Check the window lengths and the store settings.',
				});
			for (const { index } of group) failOther(index, error);
			continue;
		}
		group.forEach((entry, i) => {
			const outcome = outcomes[i];
			if (!outcome.ok) {
				fail(entry.index, outcome.field, outcome.message);
				return;
			}
			const item = items[entry.index];
			const out: INodeExecutionData = {
				json: { ...item.json, [outputField]: outcome.window as unknown as IDataObject },
				pairedItem: { item: entry.index },
			};
			if (item.binary) out.binary = item.binary;
			routed[entry.index] = { route: outcome.route, item: out };
		});
	}
	if (storeError !== undefined) for (const { index } of prepared) failOther(index, storeError);

	const inInputOrder = routed.filter((entry) => entry !== undefined);
	if (asTool) return [inInputOrder.map((entry) => entry.item)];
	const outputs: Record<Route, INodeExecutionData[]> = { open: [], closed: [], spent: [] };
	for (const entry of inInputOrder) outputs[entry.route].push(entry.item);
	// The third output exists only while the recontact option is on (see the node's outputs expression).
	return recontact ? [outputs.open, outputs.closed, outputs.spent] : [outputs.open, outputs.closed];
}
