import {
	NodeConnectionTypes,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import {
	DEFAULT_OPT_IN_KEYWORDS,
	DEFAULT_OPT_OUT_BUTTON_PAYLOADS,
	DEFAULT_OPT_OUT_KEYWORDS,
	receiveWebhook,
	verifyHandshake,
	type WebhookAuth,
} from '../../lib/webhook';
import {
	STORE_CREDENTIAL_TEST,
	credentialSlot,
	storeCredentialTest,
	storeProperties,
} from '../common/store';
import { cachedCredentials, isFreshRead } from '../common/credential-cache';
import {
	CLOUD_API_CREDENTIAL,
	CLOUD_API_CREDENTIAL_TEST,
	cloudApiCredentialTest,
	cloudApiCredentialsFrom,
} from '../common/transport';
import { recordEvents, type TriggerOptions } from './record';
import { registration } from './registration';

export class WhatsAppHsmTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp HSM Trigger',
		name: 'whatsAppHsmTrigger',
		icon: { light: 'file:../common/whatsapp.svg', dark: 'file:../common/whatsapp.dark.svg' },
		group: ['trigger'],
		// 1.1 behaves as 1. n8n 2.40 evaluates a Webhook-v1 expression ($parameter.options.binaryData) in its
		// expression isolate on every POST to a typeVersion-1 trigger; above 1 it parses the JSON body directly.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{ "Messages, statuses and other events" }}',
		description:
			'Receives WhatsApp webhooks: verified signatures, no duplicates, messages / statuses / other events on separate outputs; records last inbound messages and opt-outs for the other nodes',
		defaults: { name: 'WhatsApp HSM Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Messages', 'Statuses', 'Other'],
		credentials: [
			{ name: 'whatsAppCloudApi', required: true, testedBy: 'whatsAppCloudApiConnectionTest' },
			{
				name: 'whatsAppStoreRedisApi',
				required: true,
				testedBy: 'whatsAppStoreRedisConnectionTest',
				displayOptions: { show: { store: ['redis'] } },
			},
		],
		// Meta calls one URL with GET (the verification handshake) and POST (events): the editor shows it once,
		// without a method badge (a "POST" beside it would say Meta must not GET it).
		webhooks: [
			{
				name: 'setup',
				httpMethod: 'GET',
				responseMode: 'onReceived',
				path: 'webhook',
				ndvHideUrl: true,
			},
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
				ndvHideMethod: true,
			},
		],
		// The canvas and the run button say this while listening (n8n's default names "WhatsApp HSM" as if a service).
		eventTriggerDescription: 'Waiting for a WhatsApp message or status from Meta',
		triggerPanel: {
			header: 'Waiting for a WhatsApp event',
			executionsHelp: {
				inactive:
					"<b>While building</b>: click \"Listen for test event\", then send a message to your WhatsApp business number (or, with the sandbox, <code>npm run sandbox</code> and its inbound command) with the Meta app's callback URL set to this node's <b>Test URL</b>. <br /><br /><b>In production</b>: set the Meta app's callback URL to the <b>Production URL</b> and publish the workflow; every webhook then starts an execution, listed under Executions.",
				active:
					'The workflow is published: each WhatsApp webhook to the <b>Production URL</b> starts an execution, listed under Executions. <br /><br />To try changes, unpublish it and use "Listen for test event" with the Test URL.',
			},
			activationHint:
				"Set the Meta app's callback URL to the Production URL (Webhook URLs above) with the credential's Webhook Verify Token, then publish the workflow.",
		},
		properties: [
			{
				displayName:
					'In your Meta app (WhatsApp → Configuration → Webhook) paste the <b>Production URL</b> from "Webhook URLs" above as Callback URL and the credential\'s <b>Webhook Verify Token</b> as Verify token (n8n hides it once saved: if you have no copy, type a new one in the credential and in Meta), subscribe to "messages", then <b>publish</b> this workflow. Or choose Automatic registration below. Several triggers per app are fine.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			credentialSlot,
			{
				displayName: 'Registration',
				name: 'registration',
				type: 'options',
				options: [
					{ name: 'Manual (Paste URL in Meta App)', value: 'manual' },
					{
						name: 'Automatic (Subscribe WABA With This URL)',
						value: 'automatic',
						description:
							"On activation, subscribes the app to the WhatsApp Business Account with this workflow's URL as override callback; removes it on deactivation",
					},
				],
				default: 'manual',
			},
			{
				displayName: 'Emit',
				name: 'emit',
				type: 'multiOptions',
				options: [
					{
						name: 'Messages',
						value: 'messages',
						description: 'Inbound user messages, button replies, referrals',
					},
					{
						name: 'Statuses',
						value: 'statuses',
						description:
							'Sent / delivered / read / failed of outgoing messages (recorded in the store even when not emitted)',
					},
					{
						name: 'Other Events',
						value: 'other',
						description:
							'Template status and quality updates, account events, errors, user preferences',
					},
				],
				default: ['messages', 'statuses', 'other'],
				description:
					'Which events start an execution. Drop statuses on busy numbers so a campaign does not start one execution per status.',
			},
			{
				displayName: 'Authentication of Webhooks',
				name: 'webhookAuth',
				type: 'options',
				options: [
					{
						name: 'Meta Signature (X-Hub-Signature-256)',
						value: 'signature',
						description: 'Meta Cloud API and the sandbox sign every webhook with the app secret',
					},
					{
						name: 'Shared Header (Providers That Do Not Sign)',
						value: 'sharedHeader',
						description: 'E.g. 360dialog: a header you configured on the provider must match.',
					},
				],
				default: 'signature',
			},
			{
				displayName: 'Header Name',
				name: 'sharedHeaderName',
				type: 'string',
				default: 'X-Webhook-Secret',
				displayOptions: { show: { webhookAuth: ['sharedHeader'] } },
			},
			{
				displayName: 'Header Value',
				name: 'sharedHeaderValue',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				displayOptions: { show: { webhookAuth: ['sharedHeader'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Include Raw Change',
						name: 'includeRaw',
						type: 'boolean',
						default: true,
						description: 'Whether each item carries the webhook change it came from (field "raw")',
					},
					{
						displayName: 'Only Phone Number IDs',
						name: 'phoneNumberIds',
						type: 'string',
						default: '',
						placeholder: '1000000001, 1000000002',
						description:
							'Comma-separated business phone number IDs; events of other numbers are ignored. Empty: all numbers.',
					},
					{
						displayName: 'Opt-In Keywords',
						name: 'optInKeywords',
						type: 'string',
						default: DEFAULT_OPT_IN_KEYWORDS.join(', '),
					},
					{
						displayName: 'Opt-Out Button Payloads',
						name: 'optOutButtonPayloads',
						type: 'string',
						default: DEFAULT_OPT_OUT_BUTTON_PAYLOADS.join(', '),
						description: 'Quick-reply payloads or interactive reply IDs that opt the contact out',
					},
					{
						displayName: 'Opt-Out Keywords',
						name: 'optOutKeywords',
						type: 'string',
						default: DEFAULT_OPT_OUT_KEYWORDS.join(', '),
						description:
							'A message that is exactly one of these (case and accents ignored) opts the contact out',
					},
				],
			},
			...storeProperties,
		],
	};

	methods = {
		credentialTest: {
			[STORE_CREDENTIAL_TEST]: storeCredentialTest,
			[CLOUD_API_CREDENTIAL_TEST]: cloudApiCredentialTest,
		},
	};

	webhookMethods = { default: registration };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const res = this.getResponseObject();
		// The credential comes from a short-lived in-memory cache: n8n's getCredentials costs more than the rest of
		// the POST (see nodes/common/credential-cache.ts); a secret that does not match is read again at once.
		const credentialsNow = async (refresh = false) =>
			cloudApiCredentialsFrom(await cachedCredentials(this, CLOUD_API_CREDENTIAL, { refresh }));

		if (this.getWebhookName() === 'setup') {
			const credentials = await credentialsNow(true);
			if (!credentials.verifyToken) {
				this.logger.warn('WhatsApp handshake refused: the credential has no Webhook Verify Token');
				res.status(403).type('text/plain').send('Forbidden');
				return { noWebhookResponse: true };
			}
			const result = verifyHandshake(this.getQueryData() as IDataObject, credentials.verifyToken);
			if (result.status === 200) res.status(200).type('text/plain').send(result.body);
			else res.status(403).type('text/plain').send('Forbidden');
			return { noWebhookResponse: true };
		}

		const request = this.getRequestObject() as unknown as { rawBody?: Buffer; body?: unknown };
		const rawBody =
			request.rawBody ??
			Buffer.from(
				typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? ''),
			);
		const headers = this.getHeaderData() as Record<string, string>;
		// n8n parsed rawBody already; the signature is still checked over rawBody itself.
		const webhookRequest = {
			rawBody,
			headers,
			parsedBody: request.rawBody ? request.body : undefined,
		};
		let auth = webhookAuth(this, (await credentialsNow()).appSecret);
		let result = auth ? receiveWebhook(webhookRequest, auth) : undefined;
		// Refused with the cached App Secret: it may have just been changed in the credential.
		if (
			(!auth || result?.status === 401) &&
			usesSignature(this) &&
			!isFreshRead(this, CLOUD_API_CREDENTIAL)
		) {
			auth = webhookAuth(this, (await credentialsNow(true)).appSecret);
			result = auth ? receiveWebhook(webhookRequest, auth) : undefined;
		}
		if (!auth || !result) {
			this.logger.warn(
				'WhatsApp webhook refused (401): set the App Secret in the WhatsApp HSM Cloud API credential (or use shared-header authentication)',
			);
			res.status(401).end();
			return { noWebhookResponse: true };
		}
		if (result.status !== 200) {
			this.logger.warn(
				`WhatsApp webhook refused (${result.status} ${result.reason}): ${result.message}`,
			);
			res.status(result.status).end();
			return { noWebhookResponse: true };
		}
		// 200 only once the events are in the store (a few ms; Meta's target median is 250 ms): after a failure Meta
		// retries the POST, for up to 7 days, instead of the events being lost. The execution starts after the answer.
		let outputs: INodeExecutionData[][];
		try {
			outputs = await recordEvents(this, result.events, readOptions(this));
		} catch (error) {
			this.logger.error(
				`WhatsApp webhook not recorded, answered 500 so that Meta sends it again: ${(error as Error).message}`,
			);
			res.status(500).end();
			return { noWebhookResponse: true };
		}
		res.status(200).end();
		if (outputs.every((items) => items.length === 0)) return { noWebhookResponse: true };
		return { noWebhookResponse: true, workflowData: outputs as INodeExecutionData[][] };
	}
}

const usesSignature = (ctx: IWebhookFunctions) =>
	ctx.getNodeParameter('webhookAuth', 'signature') !== 'sharedHeader';

function webhookAuth(
	ctx: IWebhookFunctions,
	appSecret: string | undefined,
): WebhookAuth | undefined {
	if (ctx.getNodeParameter('webhookAuth', 'signature') === 'sharedHeader') {
		const headerValue = ctx.getNodeParameter('sharedHeaderValue', '') as string;
		if (!headerValue) return undefined;
		return {
			mode: 'shared-header',
			headerName: ctx.getNodeParameter('sharedHeaderName', 'X-Webhook-Secret') as string,
			headerValue,
		};
	}
	return appSecret ? { mode: 'signature', appSecret } : undefined;
}

const list = (value: unknown) =>
	String(value ?? '')
		.split(',')
		.map((entry) => entry.trim())
		.filter(Boolean);

function readOptions(ctx: IWebhookFunctions): TriggerOptions {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const emit = ctx.getNodeParameter('emit', ['messages', 'statuses', 'other']) as string[];
	return {
		emit: new Set(emit),
		phoneNumberIds: new Set(list(options.phoneNumberIds)),
		optOutKeywords:
			options.optOutKeywords === undefined
				? DEFAULT_OPT_OUT_KEYWORDS
				: list(options.optOutKeywords),
		optInKeywords:
			options.optInKeywords === undefined ? DEFAULT_OPT_IN_KEYWORDS : list(options.optInKeywords),
		optOutButtonPayloads:
			options.optOutButtonPayloads === undefined
				? DEFAULT_OPT_OUT_BUTTON_PAYLOADS
				: list(options.optOutButtonPayloads),
		includeRaw: options.includeRaw !== false,
	};
}
