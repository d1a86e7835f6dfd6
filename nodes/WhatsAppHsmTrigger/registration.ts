import { NodeOperationError, type IHookFunctions } from 'n8n-workflow';

import { forgetWorkflowCredentials } from '../common/credential-cache';
import { cloudApiClient } from '../common/transport';

/**
 * Automatic registration: subscribe the WABA to the app with this trigger's URL as `override_callback_uri`, so several
 * workflows (or n8n instances) can each own a WABA without touching the app-level callback.
 * Manual mode registers nothing: the user pastes the URL in the Meta app; many triggers per app are then fine.
 */
const isAutomatic = (ctx: IHookFunctions) =>
	ctx.getNodeParameter('registration', 'manual') === 'automatic';

export const registration = {
	async checkExists(this: IHookFunctions): Promise<boolean> {
		// Every activation starts from a fresh credential read in the webhook handler.
		forgetWorkflowCredentials(this.getWorkflow().id);
		if (!isAutomatic(this)) return true;
		const { client } = await cloudApiClient(this);
		const url = this.getNodeWebhookUrl('default');
		const apps = await client.listSubscribedApps();
		return apps.some((app) => app.override_callback_uri === url);
	},

	async create(this: IHookFunctions): Promise<boolean> {
		if (!isAutomatic(this)) return true;
		const { client, credentials } = await cloudApiClient(this);
		if (!credentials.verifyToken) {
			throw new NodeOperationError(
				this.getNode(),
				'Automatic registration needs a Webhook Verify Token in the WhatsApp HSM Cloud API credential',
				{
					description:
						"Open the credential and fill in Webhook Verify Token, or register the webhook in Meta's App Dashboard yourself.",
				},
			);
		}
		await client.subscribeApp({
			callbackUrl: this.getNodeWebhookUrl('default')!,
			verifyToken: credentials.verifyToken,
		});
		return true;
	},

	async delete(this: IHookFunctions): Promise<boolean> {
		forgetWorkflowCredentials(this.getWorkflow().id);
		if (!isAutomatic(this)) return true;
		const { client } = await cloudApiClient(this);
		const url = this.getNodeWebhookUrl('default');
		const apps = await client.listSubscribedApps();
		// Only undo our own override; re-subscribing without one falls back to the app's callback URL.
		if (apps.some((app) => app.override_callback_uri === url)) await client.subscribeApp();
		return true;
	},
};
