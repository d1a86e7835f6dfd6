/**
 * The campaign ID makes a run idempotent: every recipient is claimed under it, so rerunning the same campaign
 * sends only to recipients not yet done. The default is derived from where the campaign is defined (workflow,
 * node, template) plus the user's campaign name, so it is stable across reruns and executions, and a new name
 * starts a new campaign.
 */
import { createHash } from 'node:crypto';

/** What a derived campaign ID is made of: the workflow, the node, the template and the user's name. */
export interface CampaignIdParts {
	workflowId: string;
	nodeName: string;
	template: string;
	/** The user's campaign name, e.g. "October reminders" */
	name: string;
}

/** IDs travel in biz_opaque_callback_data (≤ 512 characters with the recipient): keep them short. */
export const CAMPAIGN_ID_MAX_LENGTH = 120;

function slug(text: string): string {
	return text
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 40);
}

/** `<name-slug>-<12 hex of sha256(workflow, node, template, name)>`, e.g. `october-reminders-3f9a0c1b2d4e`. */
export function deriveCampaignId(parts: CampaignIdParts): string {
	const hash = createHash('sha256')
		.update(JSON.stringify([parts.workflowId, parts.nodeName, parts.template, parts.name.trim()]))
		.digest('hex')
		.slice(0, 12);
	return `${slug(parts.name) || slug(parts.template) || 'campaign'}-${hash}`;
}

/** Checks a user-given campaign ID; returns the problem, or undefined when it is usable. */
export function checkCampaignId(id: string): string | undefined {
	if (id.trim() === '')
		return 'is empty: leave the Campaign ID option empty to derive one, or give a name';
	if (id.length > CAMPAIGN_ID_MAX_LENGTH)
		return `is ${id.length} characters: use at most ${CAMPAIGN_ID_MAX_LENGTH}`;
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u001f]/.test(id))
		return 'contains control characters: use letters, digits, "-" and "_"';
	return undefined;
}
