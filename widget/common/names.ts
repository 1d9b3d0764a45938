import type { User } from '../../sdk/types.js';

/** The name a person sees for a user (always rendered as text). */
export function fullName(user: Pick<User, 'firstName' | 'lastName'>): string {
  return `${user.firstName} ${user.lastName}`.trim();
}
