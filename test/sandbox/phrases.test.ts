/** The control phrases: parsing, and their effects on a running sandbox (in process and over /_sandbox/say). */
import { startSandbox, parsePhrase, type RunningSandbox } from '../../sandbox';
import { EMILIA, call, graphError, reminder, send, startReceiver, type Receiver } from './helpers';

describe('parsePhrase', () => {
	test('contact, phone, name and what they say', () => {
		expect(parsePhrase('contact +54 9 11 5555 1234 named Emilia says hola')).toEqual({
			phone: '+54 9 11 5555 1234',
			name: 'Emilia',
			action: { kind: 'says', text: 'hola' },
			fromAd: false,
			agoMs: 0,
		});
	});

	test('a name of several words, text with punctuation, a time in the past', () => {
		expect(
			parsePhrase(
				'contact +54 9 11 5555 1234 named Emilia Pérez says ¿tienen turno el martes? 30 hours ago',
			),
		).toMatchObject({
			name: 'Emilia Pérez',
			action: { kind: 'says', text: '¿tienen turno el martes?' },
			agoMs: 30 * 3600_000,
		});
		expect(parsePhrase('Emilia says hola 2 days ago', ['Emilia']).agoMs).toBe(2 * 86_400_000);
		expect(parsePhrase('Emilia says hola 45 minutes ago', ['Emilia']).agoMs).toBe(45 * 60_000);
		expect(parsePhrase('Emilia says hola 90s ago', ['Emilia']).agoMs).toBe(90_000);
	});

	test('known names match without case or accents, longest first', () => {
		expect(parsePhrase('emilia perez taps Confirm', ['Emilia', 'Emilia Pérez'])).toMatchObject({
			name: 'Emilia Pérez',
			action: { kind: 'taps', button: 'Confirm' },
		});
		expect(parsePhrase('Emilia taps "Cancelar"', ['Emilia']).action).toEqual({
			kind: 'taps',
			button: 'Cancelar',
		});
	});

	test('ads, opt-out, opt-in, not on WhatsApp, a bare phone number', () => {
		expect(parsePhrase('Emilia says vi el anuncio from ad', ['Emilia'])).toMatchObject({
			fromAd: true,
			action: { kind: 'says', text: 'vi el anuncio' },
		});
		expect(parsePhrase('Emilia opts out', ['Emilia']).action).toEqual({ kind: 'optOut' });
		expect(parsePhrase('Emilia opts in', ['Emilia']).action).toEqual({ kind: 'optIn' });
		expect(parsePhrase('+54 9 11 5555 0000 is not on WhatsApp')).toEqual({
			phone: '+54 9 11 5555 0000',
			action: { kind: 'onWhatsApp', value: false },
			fromAd: false,
			agoMs: 0,
		});
		expect(parsePhrase('contact +54 9 11 5555 1234 named Emilia').action).toEqual({
			kind: 'register',
		});
	});

	test('refusals explain what is wrong and show the phrases', () => {
		expect(() => parsePhrase('Tomás says hola')).toThrow(
			/"Tomás" is not a known contact; introduce them first with "contact <phone> named Tomás"/,
		);
		expect(() => parsePhrase('Emilia dances', ['Emilia'])).toThrow(
			/cannot understand "dances".*phrases:/,
		);
		expect(() => parsePhrase('contact Emilia says hola')).toThrow(/followed by a phone number/);
		expect(() => parsePhrase('   ')).toThrow(/empty phrase/);
	});
});

describe('say()', () => {
	let sandbox: RunningSandbox;
	let receiver: Receiver;

	beforeAll(async () => {
		receiver = await startReceiver();
		sandbox = await startSandbox({ throughputMps: 1000, webhookUrl: receiver.url });
	});
	afterAll(async () => {
		await sandbox.stop();
		await receiver.close();
	});
	beforeEach(async () => {
		await sandbox.control.flushWebhooks();
		sandbox.control.reset();
		receiver.received.length = 0;
	});

	test('a message 30 hours ago posts that timestamp and leaves the window closed; a new one opens it', async () => {
		const result = sandbox.control.say(
			'contact +54 9 11 5555 1234 named Emilia says hola 30 hours ago',
		);
		expect(result.said).toMatch(/^Emilia \(\+5491155551234\) says "hola" at /);
		await sandbox.control.flushWebhooks();
		const [message] = receiver.messages();
		expect(Number(message.timestamp)).toBeLessThanOrEqual(
			Math.floor(Date.now() / 1000) - 30 * 3600 + 1,
		);
		const free = { to: EMILIA, type: 'text', text: { body: 'Hola Emilia' } };
		expect(graphError(await send(sandbox.url, free)).code).toBe(131047);
		sandbox.control.say('Emilia says sigo esperando');
		expect((await send(sandbox.url, free)).status).toBe(200);
	});

	test('opts out, is not on WhatsApp: the next sends are refused accordingly', async () => {
		sandbox.control.say('contact +54 9 11 5555 1234 named Emilia');
		expect(sandbox.control.say('Emilia opts out').contact.optedOut).toBe(true);
		sandbox.control.say('+54 9 11 5555 0000 is not on WhatsApp');
		expect(graphError(await send(sandbox.url, reminder('5491155550000'))).code).toBe(131026);
		sandbox.control.say('+54 9 11 5555 0000 is on WhatsApp');
		expect((await send(sandbox.url, reminder('5491155550000'))).status).toBe(200);
	});

	test('over HTTP: POST /_sandbox/say, with the reason when a phrase is refused', async () => {
		const introduced = await call(`${sandbox.url}/_sandbox/say`, {
			token: null,
			body: { phrase: 'contact +54 9 11 5555 1234 named Emilia says hola from ad' },
		});
		expect(introduced.body).toMatchObject({
			waId: EMILIA,
			name: 'Emilia',
			inbound: { id: expect.stringMatching(/^wamid\./) },
		});
		await send(sandbox.url, reminder());
		const tapped = await call(`${sandbox.url}/_sandbox/say`, {
			token: null,
			body: { phrase: 'Emilia taps Confirm' },
		});
		expect(tapped.body.said).toBe('Emilia (+5491155551234) taps "Confirmar" (payload "Confirmar")');
		const refused = await call(`${sandbox.url}/_sandbox/say`, {
			token: null,
			body: { phrase: 'Tomás taps Confirm' },
		});
		expect(refused.status).toBe(400);
		expect(refused.body.error.message).toContain('"Tomás" is not a known contact');
		await sandbox.control.flushWebhooks();
		const byType = new Map(receiver.messages().map((m) => [m.type, m]));
		expect([...byType.keys()].sort()).toEqual(['button', 'text']);
		expect(byType.get('text')?.referral).toMatchObject({ source_type: 'ad' });
	});
});
