import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** The result of reading a phone number typed by a person or stored by a CRM. */
export type PhoneResult =
	| { ok: true; e164: string; waId: string; country?: string }
	| { ok: false; reason: string };

/**
 * Normalises a phone number to E.164 (`+5491155551234`) and to the `wa_id` form Meta uses (digits only).
 * `defaultCountry` (ISO 3166 alpha-2, e.g. AR) applies to numbers written without `+` and country code.
 * Uses libphonenumber-js's full metadata so that "valid" means the number exists in the numbering plan.
 */
export function normalisePhone(input: unknown, defaultCountry?: string): PhoneResult {
	if (typeof input === 'number') input = String(input);
	if (typeof input !== 'string' || input.trim() === '') {
		return {
			ok: false,
			reason: 'is empty: give the number in international format, e.g. +54 9 11 5555 1234',
		};
	}
	const raw = input.trim().replace(/^whatsapp:/i, '');
	const country = defaultCountry ? (defaultCountry.toUpperCase() as CountryCode) : undefined;
	// Digits-only numbers that already carry a country code (wa_id style, "5491155551234") are international.
	const candidate = /^\d{10,15}$/.test(raw) && !country ? `+${raw}` : raw;
	// isValid() compiles the plan's patterns on every call (~half of this function's time): ask it once per parse.
	let parsed = parsePhoneNumberFromString(candidate, country);
	let valid = parsed?.isValid() === true;
	if (!valid && /^\d{10,15}$/.test(raw)) {
		parsed = parsePhoneNumberFromString(`+${raw}`);
		valid = parsed?.isValid() === true;
	}
	if (!parsed || !valid) {
		return {
			ok: false,
			reason: `"${input}" is not a valid phone number${country ? ` (default country ${country})` : ''}: write it with + and the country code, e.g. +54 9 11 5555 1234, or set Options › Default Country`,
		};
	}
	return { ok: true, e164: parsed.number, waId: parsed.number.slice(1), country: parsed.country };
}

/** A phone problem under the field's editor name: "Recipient Phone is empty: …", "Recipient Phone: "123" is not …". */
export function phoneFieldMessage(reason: string): string {
	return reason.startsWith('is ') ? `Recipient Phone ${reason}` : `Recipient Phone: ${reason}`;
}
