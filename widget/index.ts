/**
 * `seatkit/widget`: importing it registers the seatkit elements; their classes and event types
 * are exported for typing and subclassing.
 */
export { SeatProvider } from './seat-provider/seat-provider.js';
export { SeatEvent, type SeatEventDetails, type SeatEventType } from './common/events.js';
export { SeatStore } from './common/store.js';
export { registerLocale } from './common/i18n/localize.js';
export { en, type Messages } from './common/i18n/en.js';
export { SeatBanner } from './seat-banner/seat-banner.js';
export { InviteForm } from './invite-form/invite-form.js';
export { UserTable } from './user-table/user-table.js';
export { SeatUsage } from './seat-usage/seat-usage.js';
