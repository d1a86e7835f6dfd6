/** priceCategory (rules as data) and buildTextMessage (smart mode). */

import {
	buildTemplateMessage,
	buildTextMessage,
	priceCategory,
	pricingRules,
	type PriceContext,
} from '../../lib/templates';
import * as fx from './fixtures';

const closed: PriceContext = { windowOpen: false, freeEntryPoint: false };

describe('priceCategory', () => {
	test('outside any window: the template category', () => {
		expect(priceCategory(fx.taxiDiscount, closed)).toBe('marketing');
		expect(priceCategory(fx.appointmentReminderEs, closed)).toBe('utility');
		expect(priceCategory(fx.verificationCode, closed)).toBe('authentication');
	});

	test('open service window: utility is free, marketing and authentication are not', () => {
		const open = { windowOpen: true, freeEntryPoint: false };
		expect(priceCategory(fx.appointmentReminderEs, open)).toBe('free');
		expect(priceCategory(fx.taxiDiscount, open)).toBe('marketing');
		expect(priceCategory(fx.verificationCode, open)).toBe('authentication');
	});

	test('free entry point: everything is free', () => {
		const fep = { windowOpen: false, freeEntryPoint: true };
		for (const template of [fx.taxiDiscount, fx.appointmentReminderEs, fx.verificationCode])
			expect(priceCategory(template, fep)).toBe('free');
	});

	test('authentication-international: eligible business, listed recipient country, different from the business', () => {
		const india = {
			...closed,
			recipientCountry: 'IN',
			businessCountry: 'AR',
			authenticationInternationalEligible: true,
		};
		expect(priceCategory(fx.verificationCode, india)).toBe('authentication_international');
		expect(priceCategory(fx.verificationCode, { ...india, businessCountry: 'in' })).toBe(
			'authentication',
		);
		expect(
			priceCategory(fx.verificationCode, { ...india, authenticationInternationalEligible: false }),
		).toBe('authentication');
		expect(
			priceCategory(fx.verificationCode, {
				...india,
				recipientCountry: 'AR',
				businessCountry: 'US',
			}),
		).toBe('authentication');
		expect(priceCategory(fx.taxiDiscount, india)).toBe('marketing');
	});

	test('rules are data: a future where in-window utility is charged is a rules change', () => {
		const charged = { ...pricingRules, freeInsideServiceWindow: [] };
		expect(
			priceCategory(fx.appointmentReminderEs, { windowOpen: true, freeEntryPoint: false }, charged),
		).toBe('utility');
	});
});

describe('buildTextMessage', () => {
	test('free-form text from the rendered template (newlines allowed here)', () => {
		const built = buildTemplateMessage({
			template: fx.appointmentReminderEs,
			to: fx.EMILIA,
			values: { 'body.1': 'Emilia', 'body.2': 'martes 9:30' },
		});
		if (!built.ok) throw new Error('template should build');
		const result = buildTextMessage(fx.EMILIA, built.renderedText, { callbackData: 'query-991' });
		expect(result).toEqual({
			ok: true,
			renderedText: built.renderedText,
			recipient: { e164: '+5491155551234', waId: fx.EMILIA_WA_ID, country: 'AR' },
			payload: {
				messaging_product: 'whatsapp',
				recipient_type: 'individual',
				to: fx.EMILIA_WA_ID,
				type: 'text',
				biz_opaque_callback_data: 'query-991',
				text: {
					body: 'Recordatorio de turno\n\nHola Emilia, te recordamos tu turno: martes 9:30. ¿Confirmás tu asistencia?\n\nSaludCenter',
				},
			},
		});
	});

	test('preview_url only when asked', () => {
		const result = buildTextMessage('11 5555 1234', 'https://saludcenter.example.com', {
			defaultCountry: 'AR',
			previewUrl: true,
		});
		expect(result.ok && result.payload).toStrictEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '541155551234',
			type: 'text',
			text: { preview_url: true, body: 'https://saludcenter.example.com' },
		});
	});

	test('empty or too long text, bad phone, long callback data', () => {
		expect(buildTextMessage(fx.EMILIA, '  ')).toEqual({
			ok: false,
			errors: [
				{
					field: 'text',
					message:
						"text is empty: give the message to send (by default the template's rendered text)",
				},
			],
		});
		expect(buildTextMessage(fx.EMILIA, 'x'.repeat(4097))).toEqual({
			ok: false,
			errors: [
				{
					field: 'text',
					message:
						'text is 4097 characters; WhatsApp allows 4096: shorten it or split it into several messages',
				},
			],
		});
		const bad = buildTextMessage('123', 'hola', { callbackData: 'x'.repeat(513) });
		expect(!bad.ok && bad.errors.map((error) => error.field)).toEqual(['to', 'callbackData']);
	});
});
