/** Every validation failure is caught before sending, with a message that names the field and the fix. */

import {
	buildTemplateMessage,
	type BuildTemplateInput,
	type FieldError,
} from '../../lib/templates';
import * as fx from './fixtures';

function errorsOf(input: BuildTemplateInput): FieldError[] {
	const result = buildTemplateMessage(input);
	if (result.ok)
		throw new Error(`expected errors, got a payload: ${JSON.stringify(result.payload)}`);
	return result.errors;
}

/** The only error, for tests that break one thing. */
function onlyError(input: BuildTemplateInput): FieldError {
	const errors = errorsOf(input);
	expect(errors).toHaveLength(1);
	return errors[0];
}

const reminder = (
	values: Record<string, unknown>,
	extra: Partial<BuildTemplateInput> = {},
): BuildTemplateInput => ({
	template: fx.appointmentReminderEs,
	to: fx.EMILIA,
	values: { 'body.1': 'Emilia', 'body.2': 'martes 9:30', ...values },
	...extra,
});

describe('buildTemplateMessage: validation before any paid call', () => {
	test('missing required value names the field and shows the example', () => {
		const error = onlyError({
			template: fx.appointmentReminderEs,
			to: fx.EMILIA,
			values: { 'body.1': 'Emilia' },
		});
		expect(error.field).toBe('body.2');
		expect(error.message).toMatch(/^Template Variables › Body \{\{2\}\} is missing: map a value\./);
		expect(error.message).toContain('"martes 14/05 a las 9:30 en SaludCenter Palermo"');
	});

	test('blank strings count as missing', () => {
		expect(onlyError(reminder({ 'body.2': '   ' })).field).toBe('body.2');
	});

	test('all problems are reported at once', () => {
		const errors = errorsOf({
			template: fx.taxiDiscount,
			to: 'not a phone',
			values: { 'body.2': 'a\tb' },
			callbackData: 'x'.repeat(513),
		});
		expect(errors.map((error) => error.field)).toEqual([
			'to',
			'callbackData',
			'header',
			'body.1',
			'body.2',
			'button.0.url',
		]);
	});

	test('extra value: a field the template does not have', () => {
		const error = onlyError(reminder({ 'body.3': 'extra' }));
		expect(error).toEqual({
			field: 'body.3',
			message: expect.stringContaining('body.3 is not a field of template "appointment_reminder"'),
		});
		expect(error.message).toContain(
			'its fields: body.1, body.2, button.0.payload, button.1.payload',
		);
		expect(error.message).toMatch(/: remove it$/);
	});

	test('extra keys with empty values are ignored (n8n sends removed fields as null)', () => {
		expect(buildTemplateMessage(reminder({ 'body.3': null, other: '' })).ok).toBe(true);
	});

	test('quick-reply payload: at most 1000 characters', () => {
		expect(onlyError(reminder({ 'button.1.payload': 'p'.repeat(1001) })).message).toBe(
			'Template Variables › "Cancelar" button payload is 1001 characters; WhatsApp allows 1000: store the data elsewhere and send its id',
		);
	});

	test('extra value without the slot prefix suggests the right id', () => {
		expect(onlyError(reminder({ payload: 'x' })).message).toContain(
			'did you mean button.0.payload?',
		);
	});

	test('named vs positional mismatch in the values is explained', () => {
		const named = errorsOf({
			template: fx.orderUpdate,
			to: fx.EMILIA,
			values: { header: 'A-1', 'body.1': 'Emilia', 'body.2': 'A-1' },
		});
		expect(named.map((error) => error.field)).toEqual([
			'body.first_name',
			'body.order_id',
			'body.1',
			'body.2',
		]);
		expect(named[2].message).toBe(
			'body.1: template "order_update" uses named variables: map body.first_name, body.order_id instead of numbered ones',
		);
		const positional = onlyError(reminder({ 'body.first_name': 'Emilia' }));
		expect(positional.message).toBe(
			'body.first_name: template "appointment_reminder" uses numbered variables: map body.1, body.2 instead of named ones',
		);
	});

	test('named vs positional mismatch in the template definition', () => {
		const error = onlyError({
			template: fx.namedButPositional,
			to: fx.EMILIA,
			values: { 'body.1': 'x' },
		});
		expect(error).toEqual({
			field: 'template',
			message:
				'template "broken_named" is declared NAMED but uses {{1}}: named templates use {{first_name}}-style variables only',
		});
	});

	test('wrong kinds: object, list, date', () => {
		expect(onlyError(reminder({ 'body.1': { name: 'Emilia' } })).message).toBe(
			'Template Variables › Body {{1}} is an object with neither currency fields {fallback_value, code, amount_1000} nor date_time {fallback_value}: give text, a currency or a date_time',
		);
		expect(onlyError(reminder({ 'body.1': ['Emilia'] })).message).toBe(
			'Template Variables › Body {{1}} is a list: give text',
		);
		expect(onlyError(reminder({ 'body.2': new Date('2026-05-14') })).message).toBe(
			"Template Variables › Body {{2}} is a date: format it as text first, e.g. {{ $now.toFormat('dd/MM/yyyy') }}",
		);
		expect(onlyError(reminder({ 'body.2': Number.NaN })).message).toBe(
			'Template Variables › Body {{2}} is NaN: give a finite number or text',
		);
		expect(
			onlyError({
				template: fx.orderUpdate,
				to: fx.EMILIA,
				values: { header: { x: 1 }, 'body.first_name': 'a', 'body.order_id': 'b' },
			}).message,
		).toBe('Template Variables › Header {{order_id}} is an object: give text');
	});

	test('newline, tab and more than 4 consecutive spaces in text parameters', () => {
		expect(onlyError(reminder({ 'body.2': 'martes\n9:30' })).message).toBe(
			'body.2 contains a newline, which WhatsApp rejects in template variables: replace newlines with spaces or " - "',
		);
		expect(onlyError(reminder({ 'body.2': 'martes\r9:30' })).message).toContain(
			'contains a newline',
		);
		expect(onlyError(reminder({ 'body.2': 'martes\t9:30' })).message).toBe(
			'body.2 contains a tab, which WhatsApp rejects in template variables: replace tabs with a space',
		);
		expect(onlyError(reminder({ 'body.2': 'martes     9:30' })).message).toBe(
			'body.2 contains more than 4 consecutive spaces, which WhatsApp rejects in template variables: collapse the spaces',
		);
		expect(buildTemplateMessage(reminder({ 'body.2': 'martes    9:30' })).ok).toBe(true); // exactly 4 is allowed
		expect(
			onlyError({
				template: fx.saleStarts,
				to: fx.EMILIA,
				values: { header: 'a\nb', 'body.1': 'x' },
			}).field,
		).toBe('header');
	});

	test('lengths: header 60, body parameter 1024 (32768 body-only), rendered body 132005', () => {
		expect(
			onlyError({
				template: fx.saleStarts,
				to: fx.EMILIA,
				values: { header: 'x'.repeat(61), 'body.1': 'x' },
			}).message,
		).toBe('header is 61 characters; WhatsApp allows 60: shorten it');
		// 60 for the value, but the filled header "Our sale starts …!" is longer.
		expect(
			onlyError({
				template: fx.saleStarts,
				to: fx.EMILIA,
				values: { header: 'x'.repeat(50), 'body.1': 'x' },
			}),
		).toEqual({
			field: 'header',
			message:
				'the header with its value filled in is 67 characters; WhatsApp allows 60: shorten the header value',
		});
		expect(onlyError(reminder({ 'body.1': 'x'.repeat(1025) })).message).toContain(
			'body.1 is 1025 characters; WhatsApp allows 1024: shorten it',
		);
		const rendered = onlyError(reminder({ 'body.1': 'x'.repeat(600), 'body.2': 'y'.repeat(600) }));
		expect(rendered.field).toBe('body');
		expect(rendered.message).toMatch(
			/^the body with its values filled in is 1\d{3} characters; WhatsApp allows 1024 \(error 132005\): shorten body\.1, body\.2$/,
		);
		expect(
			onlyError({
				template: fx.resumeContact,
				to: fx.EMILIA,
				values: { 'body.1': 'x'.repeat(32769), 'body.2': 'L' },
			}).message,
		).toContain('WhatsApp allows 32768');
	});

	test('media: https link or media ID only', () => {
		const taxi = (header: unknown): BuildTemplateInput => ({
			template: fx.taxiDiscount,
			to: fx.EMILIA,
			values: { header, 'body.1': 'E', 'body.2': '10%', 'button.0.url': 'X' },
		});
		expect(onlyError(taxi('http://cdn.example.com/taxi.jpg')).message).toBe(
			'Template Variables › Header image "http://cdn.example.com/taxi.jpg" uses http: WhatsApp needs an https:// link (or a media ID)',
		);
		expect(onlyError(taxi('cdn.example.com/taxi.jpg')).message).toBe(
			'Template Variables › Header image "cdn.example.com/taxi.jpg" is not a valid link: give an https:// link Meta can download, or a media ID (digits) from the media upload',
		);
		expect(onlyError(taxi('https://cdn.example.com/my taxi.jpg')).message).toContain(
			'is not a valid link',
		);
		expect(onlyError(taxi({ id: 'abc' })).message).toBe(
			'Template Variables › Header image media ID "abc" is not a media ID (digits only): give an https:// link Meta can download, or a media ID (digits) from the media upload',
		);
		expect(onlyError(taxi(true)).message).toContain(
			'Template Variables › Header image is a boolean',
		);
	});

	test('location: numbers within range, name and address required', () => {
		const place = {
			'header.latitude': -34.6,
			'header.longitude': -58.38,
			'header.name': 'SaludCenter',
			'header.address': 'Av. Santa Fe 3200',
			'body.order_number': 'O-1',
		};
		const at = (values: Record<string, unknown>): BuildTemplateInput => ({
			template: fx.deliveryLocation,
			to: fx.EMILIA,
			values: { ...place, ...values },
		});
		expect(onlyError(at({ 'header.latitude': -134.6 })).message).toBe(
			'Template Variables › Header location: latitude -134.6 is outside -90…90: check that latitude and longitude are not swapped',
		);
		expect(onlyError(at({ 'header.longitude': 'west' })).message).toBe(
			'Template Variables › Header location: longitude "west" is not a number: give decimal degrees, e.g. -34.6037',
		);
		expect(onlyError(at({ 'header.address': undefined })).field).toBe('header.address');
	});

	test('URL suffix: no spaces, makes a valid link', () => {
		const taxi = (suffix: unknown): BuildTemplateInput => ({
			template: fx.taxiDiscount,
			to: fx.EMILIA,
			values: {
				header: '1013859600285441',
				'body.1': 'E',
				'body.2': '10%',
				'button.0.url': suffix,
			},
		});
		expect(onlyError(taxi('SALUD 10')).message).toBe(
			'Template Variables › "Usar descuento" button: end of https://taxi.example.com/promo/… "SALUD 10" contains spaces or newlines: URL-encode it (encodeURIComponent)',
		);
		expect(onlyError(taxi('x'.repeat(2000))).message).toMatch(
			/^Template Variables › "Usar descuento" button: end of https:\/\/taxi\.example\.com\/promo\/… makes the link 2\d{3} characters; WhatsApp allows 2000: shorten it$/,
		);
	});

	test('coupon code: at most 15 letters and digits', () => {
		const coupon = (code: unknown): BuildTemplateInput => ({
			template: fx.couponOffer,
			to: fx.EMILIA,
			values: { 'body.1': 'A', 'body.2': '25%', 'button.1.coupon_code': code },
		});
		expect(onlyError(coupon('SAVE-10')).message).toBe(
			'Template Variables › Button 1: coupon code "SAVE-10" has characters other than letters and digits: coupon codes are alphanumeric, e.g. SAVE10',
		);
		expect(onlyError(coupon('A'.repeat(16))).message).toBe(
			`Template Variables › Button 1: coupon code "${'A'.repeat(16)}" is 16 characters; coupon codes allow 15: shorten it`,
		);
		expect(
			onlyError({
				template: fx.couponOffer,
				to: fx.EMILIA,
				values: { 'body.1': 'A', 'body.2': '25%' },
			}).field,
		).toBe('button.1.coupon_code');
	});

	test('authentication: code is text of at most 15 characters', () => {
		expect(
			onlyError({
				template: fx.verificationCode,
				to: fx.EMILIA,
				values: { 'body.1': '1234567890123456' },
			}).message,
		).toContain('body.1 is 16 characters; WhatsApp allows 15');
		expect(
			onlyError({
				template: fx.verificationCode,
				to: fx.EMILIA,
				values: { 'body.1': { fallback_value: 'x' } },
			}).message,
		).toBe(
			'Template Variables › Body {{1}}: verification code is an object: this template takes the verification code as text',
		);
		// No code at all: the body is missing; the button has nothing to default to but is optional.
		expect(onlyError({ template: fx.verificationCode, to: fx.EMILIA, values: {} }).field).toBe(
			'body.1',
		);
	});

	test('currency and date_time shapes', () => {
		const pay = (value: unknown): BuildTemplateInput => ({
			template: fx.paymentDue,
			to: fx.EMILIA,
			values: { 'body.1': 'E', 'body.2': value, 'body.3': 'mañana' },
		});
		expect(onlyError(pay({ fallback_value: '$1', code: 'usd', amount_1000: 1000 })).message).toBe(
			'Template Variables › Body {{2}} currency code "usd" is not an ISO 4217 code: use 3 capital letters, e.g. USD, ARS, EUR',
		);
		expect(onlyError(pay({ fallback_value: '$1', code: 'USD', amount_1000: 12.5 })).message).toBe(
			'Template Variables › Body {{2}} currency amount_1000 12.5 is not an integer: give the amount times 1000, e.g. 12.50 → 12500',
		);
		expect(onlyError(pay({ code: 'USD', amount_1000: 1000 })).message).toBe(
			'Template Variables › Body {{2}} currency has no fallback_value (the text shown): give { fallback_value: "$12.50", code: "USD", amount_1000: 12500 }',
		);
		expect(onlyError(pay({ type: 'date_time', date_time: {} })).message).toBe(
			'Template Variables › Body {{2}} date_time has no fallback_value: give { fallback_value: "February 25, 2026" }',
		);
		expect(onlyError(pay({ fallback_value: 'May\n14' })).message).toContain(
			'Template Variables › Body {{2}} fallback_value contains a newline',
		);
		// A currency-looking string is text, on purpose.
		expect(buildTemplateMessage(pay('USD 12.50')).ok).toBe(true);
	});

	test('flow data must be a JSON object', () => {
		expect(
			onlyError({
				template: fx.bookingFlow,
				to: fx.EMILIA,
				values: { 'button.0.flow_action_data': '{bad' },
			}).message,
		).toBe(
			'Template Variables › "Reservar" button: flow data is not valid JSON: give a JSON object, e.g. {"appointment_id": "A-17"}',
		);
		expect(
			onlyError({
				template: fx.bookingFlow,
				to: fx.EMILIA,
				values: { 'button.0.flow_action_data': [1] },
			}).message,
		).toContain('is a list: give a JSON object');
	});

	test('phone not valid E.164, with and without a default country', () => {
		expect(onlyError(reminder({}, { to: '12345' }))).toEqual({
			field: 'to',
			message:
				'Recipient Phone: "12345" is not a valid phone number: write it with + and the country code, e.g. +54 9 11 5555 1234, or set Options › Default Country',
		});
		expect(onlyError(reminder({}, { to: '11 5555', defaultCountry: 'AR' })).message).toContain(
			'(default country AR)',
		);
		expect(onlyError(reminder({}, { to: '' })).message).toContain('Recipient Phone is empty');
	});

	test('template not APPROVED: the status and what to do', () => {
		expect(onlyError({ template: fx.pendingNews, to: fx.EMILIA })).toEqual({
			field: 'template',
			message:
				'template "pending_news" in en_US is PENDING: it is still under review: wait for approval or choose an approved template',
		});
		expect(onlyError({ template: fx.rejectedPromo, to: fx.EMILIA }).message).toContain(
			'is REJECTED: it was rejected',
		);
		const paused = errorsOf({
			template: fx.pausedPromo,
			to: fx.EMILIA,
			values: { header: '1013859600285441', 'body.1': 'E', 'body.2': '1', 'button.0.url': 'X' },
		});
		expect(paused).toEqual([
			{
				field: 'template',
				message:
					'template "paused_promo" in es is PAUSED: it is paused for low quality (error 132015): edit it or choose another template',
			},
		]);
	});

	test('templates this builder cannot fill are refused with a reason', () => {
		expect(onlyError({ template: fx.carouselPromo, to: fx.EMILIA }).message).toBe(
			'template "carousel_promo" has a CAROUSEL component, which this node cannot fill yet: choose another template',
		);
		expect(onlyError({ template: fx.mpmPromo, to: fx.EMILIA })).toEqual({
			field: 'button.0',
			message:
				'template "mpm_promo" has a MPM button, which this node cannot fill yet: choose another template',
		});
	});

	test('callback data: text, at most 512 characters', () => {
		expect(onlyError(reminder({}, { callbackData: 'x'.repeat(513) }))).toEqual({
			field: 'callbackData',
			message: 'callbackData is 513 characters; WhatsApp echoes at most 512: use a shorter id',
		});
		expect(onlyError(reminder({}, { callbackData: 42 as unknown as string })).message).toContain(
			'callbackData is number: give text',
		);
		const ok = buildTemplateMessage(reminder({}, { callbackData: 'x'.repeat(512) }));
		expect(ok.ok && ok.payload.biz_opaque_callback_data).toHaveLength(512);
	});
});
