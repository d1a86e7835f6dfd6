/**
 * Cost estimate for the dry run: what Meta charges per delivered template, by category and recipient country.
 * Prices change on the first day of a quarter, so the card is a node parameter (JSON) the user can paste
 * from Meta's current rate card; the default below is dated and deliberately small.
 *
 * Default: Meta's per-message rates effective 2025-07-01, in USD — Argentina, and "Other" for every other
 * country. Markets with their own rates (Brazil, Mexico, India, the US, ...) must be added from
 * https://developers.facebook.com/docs/whatsapp/pricing for a precise figure.
 */
import type { PriceCategory } from '../templates';

export type BillableCategory = Exclude<PriceCategory, 'free'>;

export type Rates = Partial<Record<BillableCategory, number>>;

/** Meta's per-message prices by market and category, as the dry run reads them. */
export interface RateCard {
	/** Effective date of the prices (YYYY-MM-DD) */
	effectiveDate: string;
	currency: string;
	source?: string;
	/** ISO 3166 alpha-2 → rates */
	markets: Record<string, Rates>;
	/** Countries not listed in markets */
	other: Rates;
}

export const DEFAULT_RATE_CARD: RateCard = {
	effectiveDate: '2025-07-01',
	currency: 'USD',
	source:
		'Meta per-message rate card effective 2025-07-01 (developers.facebook.com/docs/whatsapp/pricing); edit for your markets',
	markets: {
		AR: { marketing: 0.0618, utility: 0.0289, authentication: 0.0289 },
	},
	other: {
		marketing: 0.0604,
		utility: 0.0077,
		authentication: 0.0077,
		authentication_international: 0.0077,
	},
};

const CATEGORIES: BillableCategory[] = [
	'marketing',
	'utility',
	'authentication',
	'authentication_international',
];

function checkRates(rates: unknown, where: string): Rates {
	if (typeof rates !== 'object' || rates === null || Array.isArray(rates))
		throw new Error(`${where} must be an object like {"marketing": 0.0618, "utility": 0.0289}`);
	const out: Rates = {};
	for (const [key, value] of Object.entries(rates as Record<string, unknown>)) {
		if (!CATEGORIES.includes(key as BillableCategory))
			throw new Error(`${where}.${key} is not a category: use ${CATEGORIES.join(', ')}`);
		if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
			throw new Error(
				`${where}.${key} must be a price of 0 or more (got ${JSON.stringify(value)})`,
			);
		out[key as BillableCategory] = value;
	}
	return out;
}

/** Parses the Rate Card parameter (JSON text or object); errors name the field and the fix. Empty → the default. */
export function parseRateCard(input: unknown): RateCard {
	if (input === undefined || input === null || (typeof input === 'string' && input.trim() === ''))
		return DEFAULT_RATE_CARD;
	let value: unknown = input;
	if (typeof input === 'string') {
		try {
			value = JSON.parse(input);
		} catch (error) {
			throw new Error(
				`Rate Card is not valid JSON (${(error as Error).message}): paste an object like the default`,
			);
		}
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value))
		throw new Error(
			'Rate Card must be a JSON object with effectiveDate, currency, markets and other',
		);
	const raw = value as Record<string, unknown>;
	if (typeof raw.effectiveDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw.effectiveDate))
		throw new Error("Rate Card effectiveDate must be the prices' date as YYYY-MM-DD");
	if (typeof raw.currency !== 'string' || raw.currency.trim() === '')
		throw new Error('Rate Card currency must be a currency code, e.g. "USD"');
	const markets: Record<string, Rates> = {};
	const rawMarkets = raw.markets ?? {};
	if (typeof rawMarkets !== 'object' || rawMarkets === null || Array.isArray(rawMarkets))
		throw new Error(
			'Rate Card markets must be an object keyed by country code, e.g. {"AR": {...}}',
		);
	for (const [country, rates] of Object.entries(rawMarkets as Record<string, unknown>)) {
		if (!/^[A-Za-z]{2}$/.test(country))
			throw new Error(
				`Rate Card markets.${country}: use two-letter country codes (ISO 3166), e.g. AR`,
			);
		markets[country.toUpperCase()] = checkRates(rates, `Rate Card markets.${country}`);
	}
	return {
		effectiveDate: raw.effectiveDate,
		currency: raw.currency.trim(),
		source: typeof raw.source === 'string' ? raw.source : undefined,
		markets,
		other: checkRates(raw.other ?? {}, 'Rate Card other'),
	};
}

/** Price of one delivered message; authentication-international falls back to the authentication rate. 0 when free. */
export function priceOf(
	card: RateCard,
	country: string | undefined,
	category: PriceCategory,
): number {
	if (category === 'free') return 0;
	const market = (country && card.markets[country.toUpperCase()]) || undefined;
	const pick = (rates: Rates | undefined) =>
		rates?.[category] ??
		(category === 'authentication_international' ? rates?.authentication : undefined);
	return pick(market) ?? pick(card.other) ?? 0;
}
