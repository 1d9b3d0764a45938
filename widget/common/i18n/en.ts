/**
 * The English message catalogue: every text an element shows at first comes from here (docs/elements.md);
 * the parts loaded on first use bring theirs (`*.messages.ts` beside them, typed here). Other
 * locales are opt-in modules (`seatkit/widget/locales/de`) that register a full catalogue; hosts
 * override single messages with the `messages` property.
 */
import type { purchaseMessages } from '../../seat-banner/purchase.messages.js';
import type { bulkMessages } from '../../user-table/bulk.messages.js';
import type { dialogMessages } from '../../user-table/user-dialogs.messages.js';
import type { csvMessages } from '../../invite-form/invite-csv.messages.js';
import type { usageMessages } from '../../seat-usage/usage.messages.js';

export const en = {
  // shared
  loading: 'Loading…',
  retry: 'Try again',
  cancel: 'Cancel',
  close: 'Close',
  loadFailed: 'Could not load the licenses.',
  sessionExpired: 'Your session has ended. Sign in again to continue.',
  required: 'Required',
  tooLong: (max: number) => `At most ${max} characters`,
  forbiddenCharacters: 'Contains characters that are not allowed',
  noLetter: 'Needs at least one letter or digit',
  invalidEmail: 'Enter a valid email address, like name@example.com',
  somethingWentWrong: (requestId: string) => (requestId ? `Something went wrong (request ${requestId}).` : 'Something went wrong.'),

  // banner
  bannerHeading: 'Licenses',
  inUse: (used: number, total: number) => `${used} of ${total} licenses in use`,
  meterLabel: 'Licenses in use',
  enabledCount: (n: number) => `${n} active`,
  invitedCount: (n: number) => `${n} pending ${n === 1 ? 'invitation' : 'invitations'}`,
  availableCount: (n: number) => `${n} available`,
  noneFree: 'All licenses are in use.',
  buyOrFree: 'Buy more with Manage licenses, or free one.',
  freeOrAsk: (owner: string) => `Free one, or ask ${owner}, the account owner, for more licenses.`,
  askOwner: (owner: string) => `Ask ${owner}, the account owner, for more licenses.`,
  youHaveLicense: 'You have a license.',
  scheduledNotice: (quantity: number, date: string) => `Your licenses go down to ${quantity} on ${date}.`,
  scheduledReleases: (names: string) => `If nothing changes, these users lose their license then: ${names}.`,
  manageLicenses: 'Manage licenses',
  reductionUndoes: (quantity: number, date: string) =>
    `Your licenses go down to ${quantity} on ${date}. Unless a license is freed or bought before then, this one is taken back on that date.`,
  reductionReleases: (quantity: number, date: string, n: number) =>
    `Your licenses go down to ${quantity} on ${date}. After this, ${n} more ${n === 1 ? 'license is' : 'licenses are'} in use than that: unless licenses are freed or bought before then, ${n === 1 ? 'a pending invitation loses its' : `${n} pending invitations lose their`} license on that date.`,

  // invite form
  inviteHeading: 'Invite a new user',
  email: 'Email',
  firstName: 'First name',
  lastName: 'Last name',
  role: 'Role',
  qualification: 'Qualification',
  qualificationHint: 'Optional, such as a job title',
  roleMember: 'Member',
  roleAdmin: 'Admin',
  roleOwner: 'Account owner',
  inviteSubmit: 'Invite new user',
  inviting: 'Inviting…',
  invited: (email: string) => `Invitation sent to ${email}.`,
  alreadyUser: 'Already a user of this account',
  assignInstead: 'Assign a license to this user instead',
  noLicenseToInvite: 'No license is free, so nobody can be invited now.',
  buyLicense: 'Buy a license',
  inviteNeedsLicense: 'Inviting someone needs a free license.',
  fixErrors: 'Check the highlighted fields.',
  emailLocalTooLong: (max: number) => `At most ${max} characters before the @`,
  assigning: 'Assigning…',
  licenseAssigned: (email: string) => `A license was assigned to ${email}.`,
  buyWithManage: 'Buy a license with Manage licenses first.',

  // user table
  usersHeading: 'Users',
  search: 'Search users',
  statusFilter: 'Status',
  roleFilter: 'Role',
  all: 'All',
  columnName: 'Name',
  columnRole: 'Role',
  columnQualification: 'Qualification',
  columnStatus: 'Status',
  columnLastActive: 'Last active',
  columnActions: 'Actions',
  statusOwner: 'Account owner',
  statusEnabled: 'Enabled',
  statusInvited: 'Invited',
  statusExpired: 'Invitation expired',
  statusDisabled: 'Disabled',
  never: 'Never',
  noUsers: 'No users match.',
  pageRange: (from: string, to: string, total: string) => `${from}–${to} of ${total}`,
  pageSize: 'Rows per page',
  previousPage: 'Previous page',
  nextPage: 'Next page',
  edit: (name: string) => `Edit ${name}`,
  assign: (name: string) => `Assign a license to ${name}`,
  unassign: (name: string) => `Remove ${name}`,
  reassign: (name: string) => `Reassign the license of ${name}`,
  makeOwner: (name: string) => `Make ${name} primary contact`,
  resend: (name: string) => `Resend the invitation to ${name}`,
  revoke: (name: string) => `Revoke the invitation of ${name}`,
  history: (name: string) => `View the history of ${name}`,
  removeConfirm: 'Remove team member',
  ownerConfirm: 'Make primary contact',
  reassignConfirm: 'Reassign license',
  usersLoadFailed: 'Could not load the users.',
  roleOwnerShort: 'Owner',
  pagination: 'Pages',
  editShort: 'Edit',
  assignShort: 'Assign',
  resendShort: 'Resend',
  resendInvitation: 'Resend invitation',
  viewHistory: 'View history',
  more: 'More',
  moreActions: (name: string) => `More actions for ${name}`,
  revokeConfirm: 'Revoke invitation',
  noLicenseToAssign: 'No license is free.',

  // selection, idle users, export, several invitations (the rest of their text comes with the part loaded on first use)
  selectUser: (name: string) => `Select ${name}`,
  selectPage: 'Select every user on this page',
  inactiveFilter: 'Inactive for 30+ days',
  exportCsv: 'Export CSV',
  exporting: 'Exporting…',
  inviteSeveral: 'Invite several',
  inviteOne: 'Invite one',
  csvHeading: 'Invite several users',
};

/** Every message, with those of the parts loaded on first use (bulk actions, CSV import, usage). */
export type Messages = typeof en & typeof purchaseMessages & typeof dialogMessages & typeof bulkMessages & typeof csvMessages & typeof usageMessages;
