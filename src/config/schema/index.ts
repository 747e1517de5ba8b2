export * from './common.js';
export * from './policies.js';
export * from './backends.js';
export * from './root.js';
export * from './unsupported.js';
export * from './limits.js';
export * from './route.js';
export * from './gateways.js';
