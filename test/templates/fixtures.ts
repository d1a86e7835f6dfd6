/**
 * Templates in Meta's shape (GET /{waba}/message_templates), one per shape the builder must handle.
 * Written here on purpose: the template tests do not depend on the sandbox catalogue.
 */

import type { MessageTemplate } from '../../lib/cloud-api/types';

let nextId = 1000;
const id = (): string => String(nextId++);

/** Seed 000: Emilia's appointment, patient name + shift, Confirm / Cancel. */
export const appointmentReminderEs: MessageTemplate = {
	id: id(),
	name: 'appointment_reminder',
	language: 'es',
	status: 'APPROVED',
	category: 'UTILITY',
	parameter_format: 'POSITIONAL',
	components: [
		{ type: 'HEADER', format: 'TEXT', text: 'Recordatorio de turno' },
		{
			type: 'BODY',
			text: 'Hola {{1}}, te recordamos tu turno: {{2}}. ¿Confirmás tu asistencia?',
			example: { body_text: [['Emilia', 'martes 14/05 a las 9:30 en SaludCenter Palermo']] },
		},
		{ type: 'FOOTER', text: 'SaludCenter' },
		{
			type: 'BUTTONS',
			buttons: [
				{ type: 'QUICK_REPLY', text: 'Confirmar' },
				{ type: 'QUICK_REPLY', text: 'Cancelar' },
			],
		},
	],
};

export const appointmentReminderEn: MessageTemplate = {
	...appointmentReminderEs,
	id: id(),
	language: 'en_US',
	components: [
		{ type: 'HEADER', format: 'TEXT', text: 'Appointment reminder' },
		{
			type: 'BODY',
			text: 'Hi {{1}}, this is a reminder of your appointment: {{2}}. Will you attend?',
			example: { body_text: [['Emilia', 'Tuesday 14 May at 9:30']] },
		},
		{ type: 'FOOTER', text: 'SaludCenter' },
		{
			type: 'BUTTONS',
			buttons: [
				{ type: 'QUICK_REPLY', text: 'Confirm' },
				{ type: 'QUICK_REPLY', text: 'Cancel' },
			],
		},
	],
};

export const appointmentReminderPtBr: MessageTemplate = {
	...appointmentReminderEs,
	id: id(),
	language: 'pt_BR',
};
export const appointmentReminderEsArPending: MessageTemplate = {
	...appointmentReminderEs,
	id: id(),
	language: 'es_AR',
	status: 'PENDING',
};
export const appointmentReminderFrRejected: MessageTemplate = {
	...appointmentReminderEs,
	id: id(),
	language: 'fr',
	status: 'REJECTED',
};

/** Seed 000: resume contact, user name + agent name, body only. */
export const resumeContact: MessageTemplate = {
	id: id(),
	name: 'resume_contact',
	language: 'es',
	status: 'APPROVED',
	category: 'UTILITY',
	components: [
		{
			type: 'BODY',
			text: 'Hola {{1}}, soy {{2}} del equipo de SaludCenter. Retomamos tu consulta: ¿seguimos por acá?',
			example: { body_text: [['Emilia', 'Laura']] },
		},
	],
};

/** Seed 000: taxi discount, image header, URL button with suffix, static URL and phone buttons. */
export const taxiDiscount: MessageTemplate = {
	id: id(),
	name: 'taxi_discount',
	language: 'es',
	status: 'APPROVED',
	category: 'MARKETING',
	parameter_format: 'POSITIONAL',
	components: [
		{
			type: 'HEADER',
			format: 'IMAGE',
			example: { header_handle: ['https://scontent.whatsapp.net/v/t61/handle.jpg'] },
		},
		{
			type: 'BODY',
			text: '{{1}}, tenés un {{2}} de descuento en tu próximo viaje en taxi.',
			example: { body_text: [['Emilia', '10%']] },
		},
		{ type: 'FOOTER', text: 'Válido hasta fin de mes' },
		{
			type: 'BUTTONS',
			buttons: [
				{
					type: 'URL',
					text: 'Usar descuento',
					url: 'https://taxi.example.com/promo/{{1}}',
					example: ['https://taxi.example.com/promo/SALUD10'],
				},
				{ type: 'URL', text: 'Términos', url: 'https://taxi.example.com/terminos' },
				{ type: 'PHONE_NUMBER', text: 'Llamar', phone_number: '+5491155550000' },
			],
		},
	],
};

/** NAMED parameters in header and body. */
export const orderUpdate: MessageTemplate = {
	id: id(),
	name: 'order_update',
	language: 'en_US',
	status: 'APPROVED',
	category: 'UTILITY',
	parameter_format: 'NAMED',
	components: [
		{
			type: 'HEADER',
			format: 'TEXT',
			text: 'Order {{order_id}}',
			example: { header_text_named_params: [{ param_name: 'order_id', example: 'A-1042' }] },
		},
		{
			type: 'BODY',
			text: 'Hi {{first_name}}, your order {{order_id}} has shipped.',
			example: {
				body_text_named_params: [
					{ param_name: 'first_name', example: 'Emilia' },
					{ param_name: 'order_id', example: 'A-1042' },
				],
			},
		},
	],
};

/** Positional header text variable. */
export const saleStarts: MessageTemplate = {
	id: id(),
	name: 'sale_starts',
	language: 'en',
	status: 'APPROVED',
	category: 'MARKETING',
	components: [
		{
			type: 'HEADER',
			format: 'TEXT',
			text: 'Our sale starts {{1}}!',
			example: { header_text: ['December 1st'] },
		},
		{ type: 'BODY', text: 'Shop early, {{1}}.', example: { body_text: [['Emilia']] } },
	],
};

/** Coupon code (COPY_CODE) plus a quick reply. */
export const couponOffer: MessageTemplate = {
	id: id(),
	name: 'coupon_offer',
	language: 'en_US',
	status: 'APPROVED',
	category: 'MARKETING',
	components: [
		{ type: 'HEADER', format: 'TEXT', text: 'Our Fall Sale is on!' },
		{
			type: 'BODY',
			text: 'Use code {{1}} to get {{2}} off!',
			example: { body_text: [['25OFF', '25%']] },
		},
		{
			type: 'BUTTONS',
			buttons: [
				{ type: 'QUICK_REPLY', text: 'Unsubscribe' },
				{ type: 'COPY_CODE', example: '25OFF' },
			],
		},
	],
};

/** Authentication copy-code template as GET returns it: the OTP button reads back as URL with otp{{1}}. */
export const verificationCode: MessageTemplate = {
	id: id(),
	name: 'verification_code',
	language: 'en_US',
	status: 'APPROVED',
	category: 'AUTHENTICATION',
	components: [
		{
			type: 'BODY',
			text: '*{{1}}* is your verification code. For your security, do not share this code.',
		},
		{ type: 'FOOTER', text: 'This code expires in 10 minutes.' },
		{
			type: 'BUTTONS',
			buttons: [
				{
					type: 'URL',
					text: 'Copy code',
					url: 'https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code_expiration_minutes=10&code=otp{{1}}',
				},
			],
		},
	],
};

/** Authentication template with the button as created (type OTP). */
export const verificationCodeOtpButton: MessageTemplate = {
	...verificationCode,
	id: id(),
	name: 'verification_code_otp',
	components: [
		{ type: 'BODY', text: '*{{1}}* is your verification code.' },
		{ type: 'BUTTONS', buttons: [{ type: 'OTP', text: 'Copy code' }] },
	],
};

/** LOCATION header, NAMED body. */
export const deliveryLocation: MessageTemplate = {
	id: id(),
	name: 'delivery_location',
	language: 'es_AR',
	status: 'APPROVED',
	category: 'UTILITY',
	parameter_format: 'NAMED',
	components: [
		{ type: 'HEADER', format: 'LOCATION' },
		{
			type: 'BODY',
			text: 'Tu pedido {{order_number}} llega a este punto.',
			example: { body_text_named_params: [{ param_name: 'order_number', example: 'ORD-12345' }] },
		},
		{ type: 'FOOTER', text: 'Entrega estimada: 30 minutos' },
	],
};

/** Currency and date_time body parameters. */
export const paymentDue: MessageTemplate = {
	id: id(),
	name: 'payment_due',
	language: 'en_US',
	status: 'APPROVED',
	category: 'UTILITY',
	components: [
		{
			type: 'BODY',
			text: 'Hi {{1}}, your payment of {{2}} is due on {{3}}.',
			example: { body_text: [['Emilia', '$12.50', 'May 14, 2026']] },
		},
		{ type: 'FOOTER', text: 'Reply STOP to opt out' },
	],
};

/** FLOW button. */
export const bookingFlow: MessageTemplate = {
	id: id(),
	name: 'booking_flow',
	language: 'es',
	status: 'APPROVED',
	category: 'MARKETING',
	components: [
		{ type: 'BODY', text: 'Reservá tu próximo turno en dos toques.' },
		{
			type: 'BUTTONS',
			buttons: [
				{
					type: 'FLOW',
					text: 'Reservar',
					flow_id: '1234567890',
					flow_action: 'navigate',
					navigate_screen: 'WELCOME',
				},
			],
		},
	],
};

/** CATALOG button. */
export const catalogOffer: MessageTemplate = {
	id: id(),
	name: 'catalog_offer',
	language: 'en_US',
	status: 'APPROVED',
	category: 'MARKETING',
	components: [
		{
			type: 'BODY',
			text: 'Now shop for your favourite products right here on WhatsApp! Get Rs {{1}} off on all orders above {{2}}Rs!',
			example: { body_text: [['100', '400']] },
		},
		{ type: 'BUTTONS', buttons: [{ type: 'CATALOG', text: 'View catalog' }] },
	],
};

/** VIDEO header, no variables. */
export const welcomeVideo: MessageTemplate = {
	id: id(),
	name: 'welcome_video',
	language: 'en',
	status: 'APPROVED',
	category: 'MARKETING',
	components: [
		{
			type: 'HEADER',
			format: 'VIDEO',
			example: { header_handle: ['https://scontent.whatsapp.net/v/video.mp4'] },
		},
		{ type: 'BODY', text: 'Welcome to SaludCenter!' },
	],
};

/** DOCUMENT header. */
export const invoiceReady: MessageTemplate = {
	id: id(),
	name: 'invoice_ready',
	language: 'es',
	status: 'APPROVED',
	category: 'UTILITY',
	components: [
		{
			type: 'HEADER',
			format: 'DOCUMENT',
			example: { header_handle: ['https://scontent.whatsapp.net/v/invoice.pdf'] },
		},
		{
			type: 'BODY',
			text: 'Hola {{1}}, adjuntamos tu factura.',
			example: { body_text: [['Emilia']] },
		},
	],
};

/** No parameters at all (like Meta's hello_world). */
export const helloWorld: MessageTemplate = {
	id: id(),
	name: 'hello_world',
	language: 'en_US',
	status: 'APPROVED',
	category: 'UTILITY',
	components: [
		{ type: 'HEADER', format: 'TEXT', text: 'Hello World' },
		{
			type: 'BODY',
			text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta.',
		},
		{ type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
	],
};

export const pausedPromo: MessageTemplate = {
	...taxiDiscount,
	id: id(),
	name: 'paused_promo',
	status: 'PAUSED',
};
export const pendingNews: MessageTemplate = {
	...helloWorld,
	id: id(),
	name: 'pending_news',
	status: 'PENDING',
};
export const rejectedPromo: MessageTemplate = {
	...helloWorld,
	id: id(),
	name: 'rejected_promo',
	status: 'REJECTED',
};

/** Templates this builder cannot fill (carousel component, MPM button, GIF header). */
export const carouselPromo: MessageTemplate = {
	id: id(),
	name: 'carousel_promo',
	language: 'en',
	status: 'APPROVED',
	category: 'MARKETING',
	components: [
		{ type: 'BODY', text: 'Look at these' },
		{ type: 'CAROUSEL' } as unknown as MessageTemplate['components'][number],
	],
};
export const mpmPromo: MessageTemplate = {
	id: id(),
	name: 'mpm_promo',
	language: 'en',
	status: 'APPROVED',
	category: 'MARKETING',
	components: [
		{ type: 'BODY', text: 'Our picks' },
		{ type: 'BUTTONS', buttons: [{ type: 'MPM', text: 'View items' }] },
	],
};

/** Declared NAMED but written positional: a definition the builder must refuse. */
export const namedButPositional: MessageTemplate = {
	id: id(),
	name: 'broken_named',
	language: 'en',
	status: 'APPROVED',
	category: 'UTILITY',
	parameter_format: 'NAMED',
	components: [{ type: 'BODY', text: 'Hi {{1}}' }],
};

export const allApprovedShapes: MessageTemplate[] = [
	appointmentReminderEs,
	resumeContact,
	taxiDiscount,
	orderUpdate,
	saleStarts,
	couponOffer,
	verificationCode,
	verificationCodeOtpButton,
	deliveryLocation,
	paymentDue,
	bookingFlow,
	catalogOffer,
	welcomeVideo,
	invoiceReady,
	helloWorld,
];

/** Emilia's number in the seeds' country (Argentina, mobile). */
export const EMILIA = '+54 9 11 5555-1234';
export const EMILIA_WA_ID = '5491155551234';
