/** What a template send will be billed as, from the rules in message-rules.ts (pricing per message, §4). */

import type { MessageTemplate } from '../cloud-api/types';
import { pricingRules, type PriceCategory, type PricingRules } from './message-rules';

/** What decides a send's price category: the windows and the countries. */
export interface PriceContext {
	/** The customer service window (24 h since the contact's last message) is open. */
	windowOpen: boolean;
	/** A free entry point window (72 h, after a click-to-WhatsApp ad or Page button) is open. */
	freeEntryPoint: boolean;
	/** Recipient country, ISO alpha-2 (normalisePhone gives it). */
	recipientCountry?: string;
	/** The business's primary location, ISO alpha-2. */
	businessCountry?: string;
	/** Meta told the business it is billed authentication-international rates (eligibility is Meta's decision). */
	authenticationInternationalEligible?: boolean;
}

/**
 * 'free' inside a free entry point window, or for categories free inside an open service window (utility);
 * else the category, with authentication to a listed country other than the business's own billed as
 * 'authentication_international' when the business is eligible.
 */
export function priceCategory(
	template: Pick<MessageTemplate, 'category'>,
	context: PriceContext,
	rules: PricingRules = pricingRules,
): PriceCategory {
	const category = template.category;
	if (context.freeEntryPoint && rules.freeInsideFreeEntryPoint.includes(category)) return 'free';
	if (context.windowOpen && rules.freeInsideServiceWindow.includes(category)) return 'free';
	if (category === 'MARKETING') return 'marketing';
	if (category === 'UTILITY') return 'utility';
	const recipient = context.recipientCountry?.toUpperCase();
	const business = context.businessCountry?.toUpperCase();
	const international =
		context.authenticationInternationalEligible === true &&
		recipient !== undefined &&
		business !== undefined &&
		recipient !== business &&
		rules.authenticationInternationalCountries.includes(recipient);
	return international ? 'authentication_international' : 'authentication';
}
