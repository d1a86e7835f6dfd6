/**
 * Recurring campaigns in the Bulk Campaign node: the Campaign Period and Send Window parameters, and reading
 * them (checked, with the field named) into lib/campaign's terms. Kept apart from the node's other options.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	MAX_SEND_WINDOW_WAIT_MINUTES,
	parseSendWindow,
	type SendWindow,
} from '../../lib/campaign/send-window';
import {
	checkZone,
	periodCampaignId,
	resolvePeriod,
	type CampaignPeriod,
	type PeriodKind,
} from '../../lib/campaign/period';

const custom = { campaignPeriod: ['custom'] };

export const campaignPeriodProperties: INodeProperties[] = [
	{
		displayName: 'Campaign Period',
		name: 'campaignPeriod',
		type: 'options',
		noDataExpression: true,
		// Shortest to longest period, then the custom key: the order a user compares them in.
		// eslint-disable-next-line n8n-nodes-base/node-param-options-type-unsorted-items
		options: [
			{
				name: 'None (One-Off Campaign)',
				value: 'none',
				description: 'Every run continues the same campaign: whoever got it never gets it again',
			},
			{ name: 'Day', value: 'day', description: 'One campaign per calendar day, e.g. 2026-12-02' },
			{
				name: 'Week',
				value: 'week',
				description: 'One campaign per ISO week (Monday to Sunday), e.g. 2026-W49',
			},
			{
				name: 'Month',
				value: 'month',
				description: 'One campaign per calendar month, e.g. 2026-12',
			},
			{
				name: 'Custom Key',
				value: 'custom',
				description: 'One campaign per key you give by expression, e.g. a quarter',
			},
		],
		default: 'none',
		description:
			"For a campaign on a schedule: each period is its own campaign (the period key is added to the campaign ID, e.g. …@2026-W49), so a rerun in the same period sends only what is left and the next period sends to everyone again. Periods follow the workflow's time zone (Workflow Settings).",
	},
	{
		displayName: 'Period Key',
		name: 'periodKey',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 2026-Q4, usually an expression',
		description:
			'The period this run belongs to: letters, digits, ".", "_" and "-" (at most 40). Runs with the same key continue one campaign. For quarters, the expression {{ $now.toFormat("yyyy-\'Q\'q") }}.',
		displayOptions: { show: custom },
	},
];

export const sendWindowProperties: INodeProperties[] = [
	{
		displayName: 'Send Window',
		name: 'sendWindow',
		type: 'fixedCollection',
		placeholder: 'Add Send Window',
		default: {},
		description:
			"Send only at these hours of each recipient's own day. Recipients outside it are not sent now (Not Sent, reason outside_send_window, with when their window opens) and are sent by a later run, e.g. the next scheduled one.",
		options: [
			{
				displayName: 'Window',
				name: 'window',
				// From and To side by side, in the order a person reads a window, not alphabetical.
				// eslint-disable-next-line n8n-nodes-base/node-param-fixed-collection-type-unsorted-items
				values: [
					{
						displayName: 'From',
						name: 'from',
						type: 'string',
						default: '09:00',
						placeholder: '09:00',
						description: "Opening time in the recipient's time zone (HH:mm)",
					},
					{
						displayName: 'To',
						name: 'to',
						type: 'string',
						default: '20:00',
						placeholder: '20:00',
						description:
							"Closing time in the recipient's time zone (HH:mm, not included; 24:00 for midnight)",
					},
					{
						displayName: 'Days',
						name: 'days',
						type: 'multiOptions',
						// Weekday order, as n8n's Schedule Trigger lists them.
						// eslint-disable-next-line n8n-nodes-base/node-param-multi-options-type-unsorted-items
						options: [
							{ name: 'Monday', value: 'monday' },
							{ name: 'Tuesday', value: 'tuesday' },
							{ name: 'Wednesday', value: 'wednesday' },
							{ name: 'Thursday', value: 'thursday' },
							{ name: 'Friday', value: 'friday' },
							{ name: 'Saturday', value: 'saturday' },
							{ name: 'Sunday', value: 'sunday' },
						],
						default: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'],
						description: "Weekdays (in the recipient's time zone) on which the window opens",
					},
					{
						displayName: 'Recipient Time Zone',
						name: 'recipientTimeZone',
						type: 'string',
						default: '',
						placeholder: 'e.g. America/Mexico_City, usually mapped from the input',
						description:
							"Per recipient, an IANA zone (America/Mexico_City) or offset (UTC-3). Empty: from the phone number's country when the whole country has one time zone (e.g. AR, CO, DE; not US, MX, BR, ES), else the workflow's time zone. Each item says which was used.",
					},
					{
						displayName: 'Send at Any Hour',
						name: 'exemptCategories',
						type: 'multiOptions',
						options: [
							{ name: 'Authentication Templates', value: 'AUTHENTICATION' },
							{ name: 'Utility Templates', value: 'UTILITY' },
						],
						default: ['AUTHENTICATION'],
						description:
							'Template categories the window does not apply to (a code the recipient asked for is expected at once)',
					},
					{
						displayName: 'Wait for Windows Opening Within (Minutes)',
						name: 'waitMinutes',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: MAX_SEND_WINDOW_WAIT_MINUTES },
						default: 0,
						description: `Keep the execution running up to this long (at most ${MAX_SEND_WINDOW_WAIT_MINUTES}) to send recipients whose window opens soon; 0: leave them to the next run`,
					},
				],
			},
		],
	},
];

export const reportPeriodOptions: INodeProperties[] = [
	{
		displayName: 'Compare Last N Periods',
		name: 'comparePeriods',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 60 },
		default: 1,
		description:
			'For a campaign ID ending in a day, week or month (…@2026-W49): show this many periods up to it side by side, one item per period',
	},
	{
		displayName: 'Compare Period Keys',
		name: 'periodKeys',
		type: 'string',
		default: '',
		placeholder: '2026-W47, 2026-W48, 2026-W49',
		description:
			'Periods to show side by side (comma-separated keys), for the campaign ID given with or without its period',
	},
];

type WindowParameters = {
	from?: string;
	to?: string;
	days?: string[];
	exemptCategories?: string[];
	waitMinutes?: number;
};

export interface RecurringSettings {
	period?: CampaignPeriod;
	campaignId: string;
	/** Set when a Send Window is on: each item's Recipient Time Zone is then read as a row field. */
	sendWindow?: { window: SendWindow; workflowZone: string };
}

/** The workflow's zone (Workflow Settings › Timezone, else the instance's GENERIC_TIMEZONE), checked. */
export function workflowZone(ctx: IExecuteFunctions): string {
	const zone = String(ctx.getTimezone() || 'UTC');
	return checkZone(zone) ? 'UTC' : zone;
}

/**
 * Campaign Period and Send Window, read once per run: `at` is the run's start (the period it belongs to).
 * Throws the `fieldError` of the parameter at fault.
 */
export function readRecurring(
	ctx: IExecuteFunctions,
	baseCampaignId: string,
	at: number,
	fieldError: (field: string, message: string) => Error,
): RecurringSettings {
	const zone = workflowZone(ctx);
	const kind = String(ctx.getNodeParameter('campaignPeriod', 0, 'none') || 'none') as PeriodKind;
	let period: CampaignPeriod | undefined;
	let campaignId = baseCampaignId;
	if (kind !== 'none') {
		if (!['day', 'week', 'month', 'custom'].includes(kind))
			throw fieldError(
				'Campaign Period',
				`"${kind}" is not one of None, Day, Week, Month, Custom Key`,
			);
		try {
			period = resolvePeriod(kind, {
				at,
				zone,
				key: kind === 'custom' ? String(ctx.getNodeParameter('periodKey', 0, '') ?? '') : undefined,
			});
		} catch (error) {
			throw fieldError(
				kind === 'custom' ? 'Period Key' : 'Campaign Period',
				(error as Error).message,
			);
		}
		try {
			campaignId = periodCampaignId(baseCampaignId, period.key);
		} catch (error) {
			throw fieldError('Options › Campaign ID', (error as Error).message);
		}
	}
	const parameters = ctx.getNodeParameter('sendWindow.window', 0, null) as WindowParameters | null;
	let sendWindow: RecurringSettings['sendWindow'];
	if (parameters && typeof parameters === 'object') {
		try {
			const window = parseSendWindow({
				from: parameters.from ?? '09:00',
				to: parameters.to ?? '20:00',
				days: parameters.days,
				exemptCategories: parameters.exemptCategories,
				waitMinutes: parameters.waitMinutes,
			});
			sendWindow = { window, workflowZone: zone };
		} catch (error) {
			const [field, ...rest] = (error as Error).message.split(' — ');
			throw fieldError(field, rest.join(' — '));
		}
	}
	return {
		period,
		campaignId,
		sendWindow,
	};
}
