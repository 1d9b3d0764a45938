import type { AccountDoc, UserRecord } from '../domain/state.js';
import type { MailMessage } from './types.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The invitation email: plain text and HTML, user text escaped. */
export function invitationMessage(doc: AccountDoc, user: UserRecord, activationUrl: string): MailMessage {
  const expires = new Date(user.invitation!.expiresAt).toUTCString();
  const subject = `You're invited to ${doc.name}`;
  const text = [
    `Hello ${user.firstName},`,
    '',
    `You have been invited to join ${doc.name}. A license has been reserved for you.`,
    '',
    `Activate your account: ${activationUrl}`,
    '',
    `This link works once and expires on ${expires}.`,
  ].join('\n');
  const html = `<p>Hello ${escapeHtml(user.firstName)},</p><p>You have been invited to join <strong>${escapeHtml(doc.name)}</strong>. A license has been reserved for you.</p><p><a href="${escapeHtml(activationUrl)}">Activate your account</a></p><p>This link works once and expires on ${escapeHtml(expires)}.</p>`;
  return { to: user.email, subject, text, html, activationUrl };
}
