/**
 * replyUrl callbacks: the one entry point the job service and the GraphQL layer use.
 * See README.md in this folder for the payload, headers, retry and SSRF policies.
 */
export { createCallbackDispatcher, type CallbackDispatcher, type CallbackDispatcherDeps, type CallbackJobAccess } from './dispatcher.js';
export { toHostedJson, type HostedAttachment, type HostedFileInfo, type HostedJob } from './payload.js';
export { standardSecret, webhookId } from './signing.js';
