/**
 * Input limits, defined once: the server's schemas and the invite form both use these,
 * so a value the form accepts is one the server accepts (docs/api.md, input limits).
 * Plain functions, no dependencies: this module ships to browsers.
 */

export const LIMITS = {
  emailMax: 254,
  emailLocalMax: 64,
  nameMin: 1,
  nameMax: 100,
  qualificationMax: 100,
  accountNameMax: 100,
  quantityMin: 1,
  quantityMax: 100_000,
  unitPriceMax: 100_000_000,
  pageSizeMin: 1,
  pageSizeMax: 200,
  pageSizeDefault: 50,
  searchMax: 200,
  idempotencyKeyMax: 255,
  externalIdMax: 255,
  webhookUrlMax: 2048,
  webhookDescriptionMax: 200,
  sessionTtlMaxSeconds: 24 * 60 * 60,
  sessionTtlDefaultSeconds: 60 * 60,
  bodyMaxBytes: 64 * 1024,
  /** A batch (`POST …/batch`) may carry up to 1,000 operations. */
  batchBodyMaxBytes: 1024 * 1024,
  batchOperationsMax: 1000,
} as const;

/**
 * Refused anywhere in text: control (Cc) and format (Cf) characters, line breaks included, lone
 * surrogates (Cs), private use (Co: no meaning outside the sender's own font) and unassigned code
 * points (Cn, which takes in the 66 noncharacters such as U+FFFE). "Unassigned" is as of the
 * runtime's Unicode version, so a character assigned very recently may be refused until it updates.
 */
const FORBIDDEN_CHARS = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\u2028\u2029]/u;

/**
 * A letter or digit that shows. Some letters are default-ignorable and render as nothing (the
 * Hangul fillers U+115F, U+1160, U+3164, U+FFA0), so they do not count.
 */
const VISIBLE_LETTER = /(?!\p{Default_Ignorable_Code_Point})[\p{L}\p{N}]/u;

/**
 * A practical address rule (what browsers' `type=email` accept, plus the length limits):
 * one `@`, a dot-atom local part, a domain of LDH labels with at least one dot.
 */
const EMAIL_PATTERN =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Whether text holds a control or format character (a line break, a NUL, a bidi override…). */
export function hasForbiddenCharacters(value: string): boolean {
  return FORBIDDEN_CHARS.test(value);
}

export type TextProblem = 'required' | 'too_long' | 'forbidden_characters' | 'no_letter' | 'invalid_email';

/**
 * Checks free text (names, qualification); `min` 0 allows an empty value. Text that is not empty
 * needs a visible letter or digit (of any script): a value of fillers, blanks, combining marks,
 * punctuation or emoji alone reads as nothing, or as no name, in a list of people.
 */
export function checkText(value: string, min: number, max: number): TextProblem | null {
  if (FORBIDDEN_CHARS.test(value)) return 'forbidden_characters';
  if ([...value].length < min || value.trim().length < min) return 'required';
  if ([...value].length > max) return 'too_long';
  if (value.trim() !== '' && !VISIBLE_LETTER.test(value)) return 'no_letter';
  return null;
}

export function checkName(value: string): TextProblem | null {
  return checkText(value, LIMITS.nameMin, LIMITS.nameMax);
}

export function checkQualification(value: string): TextProblem | null {
  return checkText(value, 0, LIMITS.qualificationMax);
}

export function checkEmail(value: string): TextProblem | null {
  if (value.length === 0) return 'required';
  if (FORBIDDEN_CHARS.test(value)) return 'forbidden_characters';
  if (value.length > LIMITS.emailMax) return 'too_long';
  const at = value.lastIndexOf('@');
  if (at > LIMITS.emailLocalMax) return 'too_long';
  if (!EMAIL_PATTERN.test(value) || value.includes('..') || value.startsWith('.') || value[at - 1] === '.') return 'invalid_email';
  return null;
}

/**
 * A host's own id for a person: 1–255 characters, compared exactly (case and spaces count), with
 * no control or format character. Not trimmed, and no letter needed: ids are not names.
 */
export function checkExternalId(value: string): TextProblem | null {
  if (FORBIDDEN_CHARS.test(value)) return 'forbidden_characters';
  if (value.trim().length === 0) return 'required';
  if ([...value].length > LIMITS.externalIdMax) return 'too_long';
  return null;
}

/** English messages for the problems above (the widget's catalogue overrides them). */
export const TEXT_PROBLEM_MESSAGES: Record<TextProblem, string> = {
  required: 'Required',
  too_long: 'Too long',
  forbidden_characters: 'Contains characters that are not allowed',
  no_letter: 'Needs at least one letter or digit',
  invalid_email: 'Not a valid email address',
};

/** Emails are unique per account, compared case-insensitively. */
export function normalizeEmail(email: string): string {
  return email.toLowerCase();
}
