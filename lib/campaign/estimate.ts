/**
 * The dry run: every recipient goes through the same validation and store skips as a real send, and nothing is
 * claimed or sent. Per recipient: the rendered text, the validation result, the price category (from the
 * contact's windows in the store); in total: the cost by category and country from a rate card, how many
 * recipients are outside the 24 h window, and whether that exceeds the number's messaging limit.
 */
import type { PhoneNumberInfo } from '../cloud-api/types';
import { normalisePhone } from '../phone';
import { priceCategory, type PriceCategory } from '../templates';
import { evaluateWindow } from '../window/evaluate';
import { priceOf, type RateCard } from './rate-card';
import { preparedChunks, type PipelineOptions, type PreparedRow } from './recipients';
import { messagingLimitFor, resolveRateCap, skipReasons } from './sending-rules';
import {
	SendWindowCounter,
	zoneFields,
	type RecipientZoneFields,
	type SendWindowTally,
} from './send-window';

/** One row of a dry run: would it be sent, why not, and what it would cost. */
export interface DryRunRow extends RecipientZoneFields {
	index: number;
	/** would_send, or the skip reason */
	status: 'would_send' | 'skipped';
	reason?: string;
	message?: string;
	field?: string;
	code?: number;
	waId?: string;
	phone?: string;
	country?: string;
	template?: string;
	language?: string;
	languageMatch?: string;
	category?: string;
	priceCategory?: PriceCategory;
	price?: number;
	currency?: string;
	windowOpen?: boolean;
	freeEntryPoint?: boolean;
	renderedText?: string;
	tags?: string[];
}

/** Messages and their cost in one bucket (a price category, a country). */
export interface CostLine {
	count: number;
	cost: number;
}

/** A dry run's totals: who would be sent, who skipped, the cost and the messaging-limit check. */
export interface DryRunSummary {
	campaignId: string;
	dryRun: true;
	template: string;
	total: number;
	wouldSend: number;
	skipped: number;
	byReason: Record<string, number>;
	byPriceCategory: Record<string, CostLine>;
	byCountry: Record<string, CostLine>;
	estimatedCost: number;
	currency: string;
	rateCard: { effectiveDate: string; source?: string };
	/** Recipients whose 24 h customer service window is closed: each counts towards the messaging limit */
	outsideWindow: number;
	messagingLimit?: { tier: string; limit: number | 'unlimited' };
	/**
	 * outsideWindow is more than the tier allows in 24 h (an upper bound of the room left: other sends of the last
	 * 24 h use it too)
	 */
	exceedsMessagingLimit?: boolean;
	rateCap: number;
	/** At the cap, without retries */
	estimatedSeconds: number;
	/** With a Send Window: how many go now and how many later (outside their window), per zone */
	sendWindow?: SendWindowTally & { laterWithinWait: number };
}

/** A dry run: the campaign's recipient settings plus the rate card and the number's facts. */
export interface EstimateOptions extends Omit<PipelineOptions, 'indexes' | 'seen' | 'stopped'> {
	total: number;
	rateCard: RateCard;
	phoneInfo?: PhoneNumberInfo;
	rateCap?: number;
	/** The real run would claim failed recipients again */
	retryFailed?: boolean;
	/** Each recipient's dry-run line, in input order */
	onRow: (row: DryRunRow) => void;
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

/** The dry run: every row validated and priced like the real run would, nothing claimed or sent. */
export async function estimateCampaign(options: EstimateOptions): Promise<DryRunSummary> {
	const now = (options.now ?? Date.now)();
	const card = options.rateCard;
	const businessCountry = normalisePhone(options.phoneInfo?.display_phone_number ?? '');
	const byReason: Record<string, number> = {};
	const byPriceCategory: Record<string, CostLine> = {};
	const byCountry: Record<string, CostLine> = {};
	let wouldSend = 0;
	const windowCounter = options.sendWindow
		? new SendWindowCounter(options.sendWindow.window)
		: undefined;
	const waitUntil = now + (options.sendWindow?.window.waitMs ?? 0);
	let laterWithinWait = 0;
	let outsideWindow = 0;
	let cost = 0;
	const add = (table: Record<string, CostLine>, key: string, price: number) => {
		const line = (table[key] ??= { count: 0, cost: 0 });
		line.count++;
		line.cost += price;
	};

	const indexes = {
		*[Symbol.iterator]() {
			for (let i = 0; i < options.total; i++) yield i;
		},
	};
	for await (const chunk of preparedChunks({ ...options, indexes, seen: new Map() })) {
		for (const row of chunk) options.onRow(dryRunRow(row));

		function dryRunRow(row: PreparedRow): DryRunRow {
			if (row.kind === 'skipped') {
				byReason[row.reason] = (byReason[row.reason] ?? 0) + 1;
				const opensAt = row.sendWindowOpensAt;
				if (opensAt !== undefined && row.zone) {
					windowCounter?.add(row.zone.zone, opensAt);
					if (opensAt <= waitUntil) laterWithinWait++;
				}
				return {
					index: row.index,
					status: 'skipped',
					reason: row.reason,
					message: row.message,
					field: row.field,
					code: row.code,
					waId: row.waId,
					phone: row.waId ? undefined : row.phone,
					language: row.language,
					tags: row.tags,
					...zoneFields(row.zone, row.localTime, opensAt),
				};
			}
			const base = {
				index: row.index,
				waId: row.waId,
				country: row.country,
				template: row.template.name,
				language: row.template.language,
				languageMatch: row.languageMatch,
				category: row.template.category,
				renderedText: row.renderedText,
				tags: row.tags,
				...zoneFields(row.zone, row.localTime),
			};
			// Recipients already done in this campaign would be skipped by the real run too.
			const record = row.record;
			if (
				record &&
				!(record.state === 'paused' || (record.state === 'failed' && options.retryFailed))
			) {
				const reason =
					record.state === 'sent'
						? skipReasons.alreadySent
						: record.state === 'uncertain'
							? skipReasons.awaitingStatus
							: record.state === 'claimed'
								? skipReasons.inProgress
								: skipReasons.alreadyFailed;
				byReason[reason] = (byReason[reason] ?? 0) + 1;
				return {
					...base,
					status: 'skipped',
					reason,
					message: `The campaign already has this recipient (${record.state}): a real run would not send it again`,
				};
			}
			const window = evaluateWindow(row.contact ?? {}, now);
			const windowOpen = window.state === 'open';
			const category = priceCategory(row.template, {
				windowOpen,
				freeEntryPoint: window.freeEntryPointActive,
				recipientCountry: row.country,
				businessCountry: businessCountry.ok ? businessCountry.country : undefined,
			});
			const price = priceOf(card, row.country, category);
			wouldSend++;
			if (row.zone) windowCounter?.add(row.zone.zone, undefined);
			if (!windowOpen) outsideWindow++;
			cost += price;
			add(byPriceCategory, category, price);
			add(byCountry, row.country ?? 'unknown', price);
			return {
				...base,
				status: 'would_send',
				priceCategory: category,
				price,
				currency: card.currency,
				windowOpen,
				freeEntryPoint: window.freeEntryPointActive,
			};
		}
	}

	for (const table of [byPriceCategory, byCountry])
		for (const line of Object.values(table)) line.cost = round(line.cost);
	const tier = options.phoneInfo?.whatsapp_business_manager_messaging_limit;
	const limit = messagingLimitFor(tier);
	const rateCap = resolveRateCap(options.rateCap, options.phoneInfo);
	const summary: DryRunSummary = {
		campaignId: options.campaignId,
		dryRun: true,
		template: options.template.name,
		total: options.total,
		wouldSend,
		skipped: options.total - wouldSend,
		byReason,
		byPriceCategory,
		byCountry,
		estimatedCost: round(cost),
		currency: card.currency,
		rateCard: { effectiveDate: card.effectiveDate, source: card.source },
		outsideWindow,
		rateCap,
		estimatedSeconds: Math.ceil(wouldSend / rateCap),
	};
	if (windowCounter) summary.sendWindow = { ...windowCounter.result(), laterWithinWait };
	if (tier && limit !== undefined) {
		summary.messagingLimit = { tier, limit: Number.isFinite(limit) ? limit : 'unlimited' };
		summary.exceedsMessagingLimit = outsideWindow > limit;
	}
	return summary;
}
