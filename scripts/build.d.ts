/** Types for build.js (plain CommonJS so `npm run build` needs no TypeScript step). */
export declare function build(options?: { quiet?: boolean }): Promise<void>;
export declare const FROM_N8N: string[];
