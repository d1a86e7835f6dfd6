/**
 * Messaging-window rules per channel, as data (docs/meta-cloud-api.md §4). Meta changes these lengths from
 * time to time: edit them here, or override them per node ("Window Lengths"), never in code paths.
 *
 * - WhatsApp: customer-service window (CSW) of 24 h after the user's last message; free-form messages only
 *   inside it, templates at any time. Free entry point (FEP): after an inbound with `referral` (Click-to-WhatsApp
 *   ad, Page call-to-action), the business's first reply within 24 h opens 72 h in which messages are free of
 *   charge; free-form still needs the CSW.
 * - Messenger / Instagram: 24 h standard window; a human agent may answer up to 7 days after the user's last
 *   message with the HUMAN_AGENT tag; there are no templates, so a closed window means waiting for the user.
 */
import { Duration } from 'luxon';

export type Channel = 'whatsapp' | 'messenger' | 'instagram';

export const CHANNELS: readonly Channel[] = ['whatsapp', 'messenger', 'instagram'];

/** A channel's window lengths and what may be sent inside and outside them. */
export interface ChannelRule {
	channel: Channel;
	label: string;
	/** Hours after the user's last message during which any message may be sent */
	serviceWindowHours: number;
	/** Whether the business can start or resume a conversation with a template (HSM) */
	templates: boolean;
	/**
	 * WhatsApp's free entry point: the first reply within `replyWithinHours` of a referral inbound opens
	 * `durationHours` free
	 */
	freeEntryPoint?: { replyWithinHours: number; durationHours: number };
	/** Messenger / Instagram: answers by a human agent allowed until `hours` after the last user message, with `tag` */
	humanAgent?: { hours: number; tag: 'HUMAN_AGENT' };
}

export const CHANNEL_RULES: Readonly<Record<Channel, ChannelRule>> = {
	whatsapp: {
		channel: 'whatsapp',
		label: 'WhatsApp',
		serviceWindowHours: 24,
		templates: true,
		freeEntryPoint: { replyWithinHours: 24, durationHours: 72 },
	},
	messenger: {
		channel: 'messenger',
		label: 'Messenger',
		serviceWindowHours: 24,
		templates: false,
		humanAgent: { hours: 7 * 24, tag: 'HUMAN_AGENT' },
	},
	instagram: {
		channel: 'instagram',
		label: 'Instagram',
		serviceWindowHours: 24,
		templates: false,
		humanAgent: { hours: 7 * 24, tag: 'HUMAN_AGENT' },
	},
};

/** Per-node overrides of the lengths above, in hours. Absent or undefined: the channel's default. */
export interface WindowLengths {
	serviceWindowHours?: number;
	freeEntryPointHours?: number;
	referralReplyHours?: number;
	humanAgentHours?: number;
}

/** A channel's rule with every length resolved to milliseconds (computed once per node run, not per contact). */
export interface ResolvedRule {
	channel: Channel;
	templates: boolean;
	serviceWindowMs: number;
	/** Both undefined when the channel has no free entry point */
	freeEntryPointMs?: number;
	referralReplyMs?: number;
	/** Undefined when the channel has no human-agent extension */
	humanAgentMs?: number;
	humanAgentTag?: string;
}

/** Whether a value names a channel. */
export function isChannel(value: unknown): value is Channel {
	return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

function hoursToMs(hours: number, field: keyof WindowLengths): number {
	if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0) {
		throw new RangeError(
			`Window length "${field}" must be a positive number of hours (got ${String(hours)})`,
		);
	}
	return Duration.fromObject({ hours }).as('milliseconds');
}

/** The rule for a channel with the overrides applied; throws a RangeError naming the bad length. */
export function resolveRule(channel: Channel, overrides: WindowLengths = {}): ResolvedRule {
	const rule = CHANNEL_RULES[channel];
	if (!rule)
		throw new RangeError(`Unknown channel "${String(channel)}": use one of ${CHANNELS.join(', ')}`);
	const resolved: ResolvedRule = {
		channel,
		templates: rule.templates,
		serviceWindowMs: hoursToMs(
			overrides.serviceWindowHours ?? rule.serviceWindowHours,
			'serviceWindowHours',
		),
	};
	if (rule.freeEntryPoint) {
		resolved.freeEntryPointMs = hoursToMs(
			overrides.freeEntryPointHours ?? rule.freeEntryPoint.durationHours,
			'freeEntryPointHours',
		);
		resolved.referralReplyMs = hoursToMs(
			overrides.referralReplyHours ?? rule.freeEntryPoint.replyWithinHours,
			'referralReplyHours',
		);
	}
	if (rule.humanAgent) {
		resolved.humanAgentMs = hoursToMs(
			overrides.humanAgentHours ?? rule.humanAgent.hours,
			'humanAgentHours',
		);
		resolved.humanAgentTag = rule.humanAgent.tag;
	}
	return resolved;
}
