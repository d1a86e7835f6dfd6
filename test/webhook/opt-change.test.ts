import {
	DEFAULT_OPT_IN_KEYWORDS,
	DEFAULT_OPT_OUT_KEYWORDS,
	detectOptChange,
	normaliseEvents,
	parseWebhook,
	type OptChangeOptions,
	type WaPayload,
	type WebhookEvent,
} from '../../lib/webhook';
import {
	PHONE_NUMBER_ID,
	USER_WA_ID,
	entry,
	envelope,
	inbound,
	messages,
	metaJson,
	otherChanges,
	status,
	statusPayload,
} from './fixtures';

function eventOf(payload: WaPayload): WebhookEvent {
	const parsed = parseWebhook(Buffer.from(metaJson(payload)));
	if (!parsed.ok) throw new Error(parsed.message);
	const [event] = normaliseEvents(parsed.payload);
	return event;
}

const text = (body: string, options?: OptChangeOptions) =>
	detectOptChange(eventOf(inbound(messages.text(body))), options);

describe('detectOptChange: keywords', () => {
	it('has the documented defaults', () => {
		expect(DEFAULT_OPT_OUT_KEYWORDS).toEqual([
			'STOP',
			'BAJA',
			'PARAR',
			'CANCELAR',
			'UNSUBSCRIBE',
			'SAIR',
		]);
		expect(DEFAULT_OPT_IN_KEYWORDS).toEqual(['START', 'ALTA']);
	});

	it.each([
		['STOP', 'STOP'],
		['stop', 'STOP'],
		['Baja.', 'BAJA'],
		['  baja  ', 'BAJA'],
		['¡BAJA!', 'BAJA'],
		['Parar', 'PARAR'],
		['cancelar!!', 'CANCELAR'],
		['Unsubscribe', 'UNSUBSCRIBE'],
		['Sair', 'SAIR'],
		['SAÍR', 'SAIR'], // accent typed by mistake
		['ｓｔｏｐ', 'STOP'], // full-width letters
		['"Stop"', 'STOP'],
	])('%j is an opt-out (%s)', (body, keyword) => {
		expect(text(body)).toMatchObject({
			change: 'opt-out',
			reason: 'keyword',
			scope: 'all',
			matched: keyword,
			wa_id: USER_WA_ID,
			phoneNumberId: PHONE_NUMBER_ID,
		});
	});

	it.each(['START', 'start', 'Alta', 'ALTA.', '¡alta!'])('%j is an opt-in', (body) => {
		expect(text(body)).toMatchObject({ change: 'opt-in', reason: 'keyword', scope: 'all' });
	});

	it.each([
		'no quiero la baja',
		'stop it',
		'STOP 🛑',
		'bajar',
		'please stop sending',
		'stopp',
		'parar de mandar',
		'altamente',
		'',
		'...',
	])('%j is not an opt change (whole message only)', (body) => {
		expect(text(body)).toBeUndefined();
	});

	it('carries the message time, for "last opt change wins" ordering in the store', () => {
		expect(text('STOP')).toMatchObject({
			timestamp: '2025-06-09T21:39:43.000Z',
			timestampMs: 1749505183000,
		});
	});

	it('uses configured lists in other languages, accent-insensitively, instead of the defaults', () => {
		const options = {
			optOutKeywords: ['ARRÊTER', 'abmelden', 'DISISCRIVITI', 'отписаться'],
			optInKeywords: ['reprendre'],
		};
		expect(text('arreter', options)).toMatchObject({ change: 'opt-out', matched: 'ARRÊTER' });
		expect(text('Arrêter !', options)).toMatchObject({ change: 'opt-out', matched: 'ARRÊTER' });
		expect(text('ABMELDEN', options)).toMatchObject({ change: 'opt-out', matched: 'abmelden' });
		expect(text('disiscriviti.', options)).toMatchObject({ change: 'opt-out' });
		expect(text('Отписаться', options)).toMatchObject({ change: 'opt-out', matched: 'отписаться' });
		expect(text('Reprendre', options)).toMatchObject({ change: 'opt-in' });
		expect(text('STOP', options)).toBeUndefined(); // replaced, not merged
		expect(text('STOP', { optOutKeywords: [] })).toBeUndefined(); // detection off
	});

	it('a word in both lists counts as opt-out', () => {
		expect(text('basta', { optOutKeywords: ['BASTA'], optInKeywords: ['basta'] })).toMatchObject({
			change: 'opt-out',
		});
	});

	it('does not read keywords from button titles or captions (a "Cancelar" booking button is not an opt-out)', () => {
		expect(
			detectOptChange(eventOf(inbound(messages.buttonReply('cancel_booking', 'Cancelar')))),
		).toBeUndefined();
		expect(
			detectOptChange(eventOf(inbound(messages.button('CANCEL_APPT', 'Cancelar')))),
		).toBeUndefined();
		const image = messages.image();
		image.image = { ...image.image!, caption: 'STOP' };
		expect(detectOptChange(eventOf(inbound(image)))).toBeUndefined();
	});
});

describe('detectOptChange: buttons', () => {
	it('template quick-reply payloads in the default list', () => {
		expect(
			detectOptChange(eventOf(inbound(messages.button('OPT_OUT', 'No recibir más')))),
		).toMatchObject({ change: 'opt-out', reason: 'button', matched: 'OPT_OUT' });
		expect(
			detectOptChange(eventOf(inbound(messages.button('OPT_IN', 'Volver a recibir')))),
		).toMatchObject({ change: 'opt-in', reason: 'button' });
	});

	it('configured payloads and interactive reply IDs', () => {
		const options = { optOutButtonPayloads: ['PROMO_STOP'], optInButtonPayloads: ['PROMO_RESUME'] };
		expect(
			detectOptChange(
				eventOf(inbound(messages.button('PROMO_STOP', 'Dejar de recibir promociones'))),
				options,
			),
		).toMatchObject({ change: 'opt-out', matched: 'PROMO_STOP' });
		expect(
			detectOptChange(eventOf(inbound(messages.buttonReply('promo_stop', 'Basta'))), options),
		).toMatchObject({ change: 'opt-out' });
		expect(
			detectOptChange(eventOf(inbound(messages.buttonReply('PROMO_RESUME', 'Sí'))), options),
		).toMatchObject({ change: 'opt-in' });
		expect(
			detectOptChange(eventOf(inbound(messages.button('OPT_OUT', 'x'))), options),
		).toBeUndefined(); // defaults replaced
		expect(
			detectOptChange(
				eventOf(inbound(messages.button('CONFIRM_APPOINTMENT', 'Confirmar'))),
				options,
			),
		).toBeUndefined();
	});
});

describe('detectOptChange: marketing opt-outs from Meta', () => {
	it('user_preferences stop / resume', () => {
		expect(
			detectOptChange(eventOf(envelope(entry([otherChanges.userPreferences('stop')])))),
		).toMatchObject({
			change: 'opt-out',
			reason: 'user-preferences',
			scope: 'marketing',
			wa_id: USER_WA_ID,
			timestamp: '2025-06-09T21:39:50.000Z',
		});
		expect(
			detectOptChange(eventOf(envelope(entry([otherChanges.userPreferences('resume')])))),
		).toMatchObject({ change: 'opt-in', scope: 'marketing' });
	});

	it('a failed status with 131050 is a marketing opt-out of the recipient; other failures are not', () => {
		const optedOut = eventOf(
			statusPayload(
				status('failed', {
					errors: [
						{
							code: 131050,
							title:
								'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business',
						},
					],
				}),
			),
		);
		expect(detectOptChange(optedOut)).toMatchObject({
			change: 'opt-out',
			reason: 'error-131050',
			scope: 'marketing',
			wa_id: USER_WA_ID,
		});
		expect(
			detectOptChange(eventOf(statusPayload(status('failed', { errors: [{ code: 131026 }] })))),
		).toBeUndefined();
		expect(detectOptChange(eventOf(statusPayload(status('read'))))).toBeUndefined();
	});

	it('other events never change opt state', () => {
		expect(
			detectOptChange(eventOf(envelope(entry([otherChanges.templateStatus()])))),
		).toBeUndefined();
		expect(detectOptChange(eventOf(inbound(messages.reaction())))).toBeUndefined();
	});
});
