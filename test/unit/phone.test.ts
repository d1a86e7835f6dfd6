import { normalisePhone, phoneFieldMessage } from '../../lib/phone';

describe('normalisePhone', () => {
	it('reads international, wa_id and national forms to the same E.164', () => {
		for (const input of ['+54 9 11 5555-1234', '5491155551234', 'whatsapp:+5491155551234'])
			expect(normalisePhone(input)).toEqual({
				ok: true,
				e164: '+5491155551234',
				waId: '5491155551234',
				country: 'AR',
			});
		expect(normalisePhone('011 15-5555-1234', 'ar')).toMatchObject({ e164: '+5491155551234' });
		// A number-typed cell (a spreadsheet column) reads as its digits.
		expect(normalisePhone(12025550123)).toMatchObject({ ok: true, e164: '+12025550123' });
	});

	it('falls back to a wa_id when the digits are not a number of the default country', () => {
		// 5491155551234 is not a valid Spanish number; with its country code it is an Argentine mobile.
		expect(normalisePhone('5491155551234', 'ES')).toMatchObject({
			ok: true,
			e164: '+5491155551234',
			country: 'AR',
		});
		// A valid national number of the default country stays in that country.
		expect(normalisePhone('612345678', 'ES')).toMatchObject({ ok: true, e164: '+34612345678' });
	});

	it('refuses what is not a number in the plan, naming the fix', () => {
		const empty = normalisePhone('  ');
		expect(empty).toMatchObject({ ok: false });
		if (!empty.ok) expect(phoneFieldMessage(empty.reason)).toMatch(/^Recipient Phone is empty: /);
		const bad = normalisePhone('12345', 'AR');
		expect(bad).toMatchObject({ ok: false });
		if (!bad.ok) {
			expect(bad.reason).toContain('(default country AR)');
			expect(phoneFieldMessage(bad.reason)).toMatch(/^Recipient Phone: "12345" is not a valid/);
		}
		expect(normalisePhone('+999 1234 5678')).toMatchObject({ ok: false });
	});
});
