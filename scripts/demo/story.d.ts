/** Types for story.js: the seed story as steps, played by the demo and the queue-mode e2e test. */
import type { N8nClient, StoredWorkflow } from '../n8n/rest';
import type { SandboxClient } from './sandbox-client';

export declare class StepError extends Error {}
export interface StoryStep {
	name: string;
	run(): Promise<void>;
}
export declare function createStory(ctx: {
	n8n: N8nClient;
	sandbox: SandboxClient;
	workflows: Record<string, StoredWorkflow>;
	urls: { resumeNow: string; reminderNow: string; operatorForm: string; campaignNow: string };
	out: { step(title: string): void; line(who: string, text: string): void; ok(text: string): void };
}): StoryStep[];
/** Steps the queue-mode story leaves out (see story.js for why). */
export declare const QUEUE_MODE_SKIPPED_STEPS: string[];
export declare const EMILIA: { phone: string; waId: string; name: string };
export declare const TOMAS: { phone: string; waId: string; name: string };
