/** Types for examples.js (plain CommonJS so the demo runs on the system Node without a TypeScript step). */
import type { CredentialRef, N8nClient, StoredWorkflow, WorkflowJson } from '../n8n/rest';

export declare const EXAMPLES_DIR: string;
/** The credential name the examples reference; the demo creates a credential with this name. */
export declare const CREDENTIAL_NAME: string;
/** Name of the Redis (WhatsApp HSM Store) credential the queue-mode demo and tests create. */
export declare const REDIS_STORE_CREDENTIAL_NAME: string;
export declare function listExamples(): Array<{ key: string; file: string }>;
export declare function readExample(key: string): WorkflowJson;
/** A copy whose webhook / form paths end with `-<suffix>`, without webhookIds (n8n assigns new ones), renamed. */
export declare function withUniquePaths(workflow: WorkflowJson, suffix: string): WorkflowJson;
/** A copy whose nodes of this package use the Redis store with this credential (queue mode). */
export declare function withRedisStore(
	workflow: WorkflowJson,
	credential: CredentialRef,
): WorkflowJson;
/** Production URL of a node that starts the workflow over HTTP (our trigger, a Webhook, a Form Trigger). */
export declare function entryUrl(
	client: N8nClient,
	stored: StoredWorkflow,
	nodeName: string,
): Promise<string>;
/** Creates and publishes the examples (all by default) with the credential; stored workflows by example key. */
export declare function importExamples(
	client: N8nClient,
	credential: CredentialRef,
	options?: { keys?: string[]; suffix?: string; redisStore?: CredentialRef },
): Promise<Record<string, StoredWorkflow>>;
/** The Data Table examples/weekly-promotion.json reads its audience from. */
export declare const WEEKLY_AUDIENCE_TABLE: string;
/** Creates the weekly promotion's Data Table (columns phone, name, language, timeZone) with rows; returns its ID. */
export declare function seedWeeklyAudience(
	client: N8nClient,
	rows?: Array<{ phone: string; name: string; language: string; timeZone: string }>,
	name?: string,
): Promise<string>;
