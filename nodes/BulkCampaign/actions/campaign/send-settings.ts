/**
 * Bulk Campaign › Send, phase 1: the campaign-wide settings, read from the first item and checked (each error names
 * the field as the editor shows it) before anything is claimed or sent; and the per-recipient reader lib/campaign
 * calls when a recipient's turn comes.
 */
import type { IDataObject, IExecuteFunctions, NodeOperationError } from 'n8n-workflow';

import {
	checkCampaignId,
	deriveCampaignId,
	prepareRow,
	type RecipientPolicy,
	type RowReader,
	type TemplateChoice,
} from '../../../../lib/campaign';
import type { CloudApiClient } from '../../../../lib/cloud-api/client';
import type { CloudApiCredentials } from '../../../../lib/cloud-api/types';
import { sendableStatus } from '../../../../lib/templates';
import { binaryResolver } from '../../../common/binary';
import { fieldError } from '../../../common/error-item';
import { ItemParameters } from '../../../common/item-parameters';
import { describeAvailability, loadTemplates } from '../../../common/templates';
import { readRecurring, type RecurringSettings } from '../../recurring';

export type SendOptions = {
	addSummary?: boolean;
	campaignId?: string;
	defaultCountry?: string;
	deliveryGuarantee?: 'atMostOnce' | 'atLeastOnce';
	frequencyCap?: number;
	frequencyCapDays?: number;
	maxRate?: number;
	output?: 'all' | 'notSent' | 'summary';
	qualityCheckInterval?: number;
	quietPeriod?: number;
	rateCard?: string | IDataObject;
	requestTimeout?: number;
	retryFailed?: boolean;
	sendToOptedOut?: boolean;
	staleClaim?: number;
	stopOnInvalid?: boolean;
};

export interface SendSettings {
	campaignId: string;
	recurring: RecurringSettings;
	/** The run's start: the period it belongs to, and the clock of the dry run */
	startedAt: number;
	template: TemplateChoice;
	dryRun: boolean;
	options: SendOptions;
	policy: RecipientPolicy;
	read: RowReader;
}

/** A duration option in seconds, as milliseconds (its default when empty or not positive). */
export const seconds = (value: number | undefined, fallback: number) =>
	Math.round((Number(value) > 0 ? Number(value) : fallback) * 1000);

export async function readSettings(
	ctx: IExecuteFunctions,
	client: CloudApiClient,
	credentials: CloudApiCredentials,
): Promise<SendSettings> {
	const node = ctx.getNode();
	const invalid = (field: string, message: string): NodeOperationError =>
		fieldError(node, field, `${field} — ${message}`);
	const name = String(ctx.getNodeParameter('template', 0, '') ?? '').trim();
	if (!name)
		throw invalid('Template', 'choose an approved template (or give its name by expression)');
	const templates = await loadTemplates(client, credentials);
	const translations = templates.filter((template) => template.name === name);
	if (!translations.some((template) => template.status === sendableStatus))
		throw invalid('Template', describeAvailability(templates, name));
	const campaignName = String(ctx.getNodeParameter('campaignName', 0, '') ?? '').trim();
	const options = ctx.getNodeParameter('options', 0, {}) as SendOptions;
	let campaignId = String(options.campaignId ?? '').trim();
	if (campaignId) {
		const problem = checkCampaignId(campaignId);
		if (problem) throw invalid('Options › Campaign ID', problem);
	} else {
		if (!campaignName)
			throw invalid(
				'Campaign Name',
				'give the campaign a name: it makes reruns continue the same campaign instead of sending again',
			);
		campaignId = deriveCampaignId({
			workflowId: String(ctx.getWorkflow().id ?? ''),
			nodeName: node.name,
			template: name,
			name: campaignName,
		});
	}
	const startedAt = Date.now();
	const recurring = readRecurring(ctx, campaignId, startedAt, invalid);
	campaignId = recurring.campaignId;
	const cap = Number(options.frequencyCap ?? 0);
	if (!Number.isFinite(cap) || cap < 0)
		throw invalid('Options › Frequency Cap', 'must be 0 (no cap) or a number of templates');
	const days = Number(options.frequencyCapDays ?? 7);
	if (cap > 0 && !(days > 0))
		throw invalid('Options › Frequency Cap Period (Days)', 'must be a number of days above 0');
	if (options.maxRate !== undefined && !(Number(options.maxRate) >= 0))
		throw invalid(
			'Options › Max Messages per Second',
			"must be 0 (the number's throughput) or a positive number",
		);
	if (
		options.deliveryGuarantee === 'atLeastOnce' &&
		seconds(options.quietPeriod, 120) < seconds(options.requestTimeout, 30) + 5_000
	) {
		throw invalid(
			'Options › Quiet Period (Seconds)',
			`must be at least the request timeout + 5 s (${seconds(options.requestTimeout, 30) / 1000 + 5} s), or a request still on its way could be resent`,
		);
	}
	const defaultLanguage = String(ctx.getNodeParameter('defaultLanguage', 0, '') ?? '');
	// Read per recipient in the hot loop: n8n's expression runtime only where the value needs it.
	const parameters = new ItemParameters(ctx);
	const read: RowReader = (index) => ({
		phone: parameters.get('phone', index, ''),
		values: parameters.mappedValues('variables', index),
		language: parameters.get('recipientLanguage', index, ''),
		tags: parameters.get('options.tags', index, ''),
		binary: binaryResolver(ctx, index),
		timeZone: recurring.sendWindow
			? parameters.get('sendWindow.window.recipientTimeZone', index, '')
			: undefined,
	});
	return {
		campaignId,
		recurring,
		startedAt,
		template: { name, translations, defaultLanguage },
		dryRun: ctx.getNodeParameter('dryRun', 0, false) as boolean,
		options,
		policy: {
			sendToOptedOut: !!options.sendToOptedOut,
			frequencyCap: cap > 0 ? { max: cap, periodMs: days * 86_400_000 } : undefined,
		},
		read,
	};
}

/** Stop If Any Recipient Is Invalid: every row built once, before anything is claimed or sent. */
export function findInvalid(
	settings: SendSettings,
	total: number,
): Array<{ index: number; message?: string }> {
	const invalid: Array<{ index: number; message?: string }> = [];
	for (let index = 0; index < total; index++) {
		const row = prepareRow(index, settings.read, {
			template: settings.template,
			campaignId: settings.campaignId,
			defaultCountry: settings.options.defaultCountry || undefined,
			sendWindow: settings.recurring.sendWindow,
		});
		if (row.kind === 'skipped') invalid.push({ index, message: row.message });
	}
	return invalid;
}
