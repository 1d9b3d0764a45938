export { createApp, type AppOptions } from './app.js';
export { defaultConfig, systemClock, DEFAULT_RATE_LIMITS, type AppConfig, type Clock, type RateLimits } from './config.js';
export { MemoryStore } from './store/memory.js';
export type { Store } from './store/types.js';
export { OutboxMailer } from './mail/outbox.js';
export type { Mailer, MailMessage } from './mail/types.js';
export { ApiError } from './errors.js';
