/**
 * *Export CSV* of `<user-table>` (loaded on first use): the users of the current view, streamed by
 * the server, handed to the browser as a download (`users.csv`).
 */
import type { UserListParams } from '../../sdk/types.js';
import type { SeatStore } from '../common/store.js';

export async function exportCsv(store: SeatStore, params: Omit<UserListParams, 'limit' | 'cursor'>): Promise<void> {
  const blob = new Blob([await new Response(await store.client.users.exportCsv(params)).blob()], { type: 'text/csv' });
  const url = URL.createObjectURL(blob);
  Object.assign(document.createElement('a'), { href: url, download: 'users.csv' }).click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
