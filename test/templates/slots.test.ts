/** describeSlots lists exactly the values each template shape takes; toResourceMapperFields mirrors them for n8n. */

import type { ResourceMapperField } from 'n8n-workflow';
import {
	describeSlots,
	extractVariables,
	inspectTemplate,
	toResourceMapperFields,
	type TemplateSlot,
} from '../../lib/templates';
import * as fx from './fixtures';

const summary = (slots: TemplateSlot[]): Array<[string, string, boolean]> =>
	slots.map((slot) => [slot.id, slot.kind, slot.required]);

describe('describeSlots', () => {
	test('positional body with examples as hints; quick replies optional', () => {
		const slots = describeSlots(fx.appointmentReminderEs);
		expect(summary(slots)).toEqual([
			['body.1', 'body', true],
			['body.2', 'body', true],
			['button.0.payload', 'payload', false],
			['button.1.payload', 'payload', false],
		]);
		expect(slots[0]).toMatchObject({
			displayName: 'Body {{1}}',
			example: 'Emilia',
			isText: true,
			variable: '1',
			component: 'body',
		});
		expect(slots[0].parameterName).toBeUndefined();
		expect(slots[2]).toMatchObject({
			displayName: '"Confirmar" button payload',
			buttonIndex: 0,
			buttonSubType: 'quick_reply',
			buttonText: 'Confirmar',
		});
	});

	test('positional variables are ordered by number, whatever their order in the text', () => {
		const template = {
			...fx.resumeContact,
			components: [
				{
					type: 'BODY' as const,
					text: 'Soy {{2}}, hola {{1}}, {{2}} de nuevo',
					example: { body_text: [['Emilia', 'Laura']] },
				},
			],
		};
		expect(describeSlots(template).map((slot) => [slot.id, slot.example])).toEqual([
			['body.1', 'Emilia'],
			['body.2', 'Laura'],
		]);
	});

	test('image header; URL button with {{1}} gives a suffix slot with the example suffix; static buttons none', () => {
		const slots = describeSlots(fx.taxiDiscount);
		expect(summary(slots)).toEqual([
			['header', 'media', true],
			['body.1', 'body', true],
			['body.2', 'body', true],
			['button.0.url', 'url_suffix', true],
		]);
		expect(slots[0]).toMatchObject({
			mediaType: 'image',
			isText: false,
			displayName: 'Header image: link, media ID or binary property',
		});
		expect(slots[3]).toMatchObject({
			example: 'SALUD10',
			displayName: '"Usar descuento" button: end of https://taxi.example.com/promo/…',
		});
	});

	test('NAMED: header and body slots by name, parameter_name set, examples from *_named_params', () => {
		const shape = inspectTemplate(fx.orderUpdate);
		expect(shape.parameterFormat).toBe('NAMED');
		expect(shape.problems).toEqual([]);
		expect(shape.slots.map((slot) => [slot.id, slot.parameterName, slot.example])).toEqual([
			['header', 'order_id', 'A-1042'],
			['body.first_name', 'first_name', 'Emilia'],
			['body.order_id', 'order_id', 'A-1042'],
		]);
		expect(shape.slots[0]).toMatchObject({
			kind: 'header_text',
			maxLength: 60,
			displayName: 'Header {{order_id}}',
		});
	});

	test('NAMED is inferred from the variables when parameter_format is absent', () => {
		const withoutFormat = { ...fx.orderUpdate, parameter_format: undefined };
		expect(inspectTemplate(withoutFormat).parameterFormat).toBe('NAMED');
		expect(inspectTemplate(fx.resumeContact).parameterFormat).toBe('POSITIONAL');
	});

	test('copy code, authentication code button, flow, catalog', () => {
		expect(summary(describeSlots(fx.couponOffer))).toEqual([
			['body.1', 'body', true],
			['body.2', 'body', true],
			['button.0.payload', 'payload', false],
			['button.1.coupon_code', 'coupon_code', true],
		]);
		const auth = describeSlots(fx.verificationCode);
		expect(summary(auth)).toEqual([
			['body.1', 'body', true],
			['button.0.code', 'otp_code', false],
		]);
		expect(auth[0]).toMatchObject({ maxLength: 15, displayName: 'Body {{1}}: verification code' });
		expect(auth[1]).toMatchObject({ defaultFrom: 'body.1', buttonSubType: 'url' });
		expect(summary(describeSlots(fx.verificationCodeOtpButton))).toEqual([
			['body.1', 'body', true],
			['button.0.code', 'otp_code', false],
		]);
		expect(summary(describeSlots(fx.bookingFlow))).toEqual([
			['button.0.flow_token', 'flow_token', false],
			['button.0.flow_action_data', 'flow_action_data', false],
		]);
		expect(summary(describeSlots(fx.catalogOffer)).slice(2)).toEqual([
			['button.0.catalog', 'catalog_thumbnail', false],
		]);
	});

	test('location header: four fields; document header: link plus optional file name; video', () => {
		expect(summary(describeSlots(fx.deliveryLocation))).toEqual([
			['header.latitude', 'latitude', true],
			['header.longitude', 'longitude', true],
			['header.name', 'location_name', true],
			['header.address', 'location_address', true],
			['body.order_number', 'body', true],
		]);
		expect(summary(describeSlots(fx.invoiceReady))).toEqual([
			['header', 'media', true],
			['header.filename', 'media_filename', false],
			['body.1', 'body', true],
		]);
		expect(describeSlots(fx.welcomeVideo)).toEqual([
			expect.objectContaining({ id: 'header', mediaType: 'video' }),
		]);
	});

	test('no variables, no slots; body-only flag', () => {
		expect(describeSlots(fx.helloWorld)).toEqual([]);
		expect(inspectTemplate(fx.resumeContact).bodyOnly).toBe(true);
		expect(inspectTemplate(fx.appointmentReminderEs).bodyOnly).toBe(false);
	});

	test('slot ids are unique for every fixture shape', () => {
		for (const template of fx.allApprovedShapes) {
			const ids = describeSlots(template).map((slot) => slot.id);
			expect(new Set(ids).size).toBe(ids.length);
			expect(inspectTemplate(template).problems).toEqual([]);
		}
	});

	test('extractVariables: order of appearance, no repeats', () => {
		expect(extractVariables('{{2}} {{1}} {{2}} {{first_name}}')).toEqual(['2', '1', 'first_name']);
		expect(extractVariables(undefined)).toEqual([]);
	});
});

describe('toResourceMapperFields', () => {
	test('one n8n field per slot, id = slot id, typed for the value', () => {
		const fields: ResourceMapperField[] = toResourceMapperFields(
			describeSlots(fx.deliveryLocation),
		);
		expect(fields[0]).toStrictEqual({
			id: 'header.latitude',
			displayName: 'Header location: latitude',
			required: true,
			defaultMatch: false,
			canBeUsedToMatch: false,
			display: true,
			type: 'number',
		});
		expect(fields.map((field) => [field.id, field.type, field.required])).toEqual([
			['header.latitude', 'number', true],
			['header.longitude', 'number', true],
			['header.name', 'string', true],
			['header.address', 'string', true],
			['body.order_number', 'string', true],
		]);
		expect(
			toResourceMapperFields(describeSlots(fx.bookingFlow)).map((field) => field.type),
		).toEqual(['string', 'object']);
	});
});
