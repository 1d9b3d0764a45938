/** Zod issues → one `validation_failed` problem, with a message per field a person can act on. */
import type { z } from '@hono/zod-openapi';
import { ApiError } from '../errors.js';

/** The value at `path` of what was validated (zod 4 keeps no input in its issues). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const EXPECTED: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  string: 'a string',
  object: 'an object',
  array: 'a list',
};

/** What a value is, for a message: small values as they are, the rest by kind (a string may be long or personal). */
function describeValue(value: unknown): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'a number out of range';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'a string' : 'an object';
}

/** One issue → what is wrong with the value, in words a person fixing the request can act on. */
function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  const numeric = (origin: string) => ['number', 'int', 'bigint'].includes(origin);
  switch (issue.code) {
    case 'invalid_type': {
      const value = valueAt(input, issue.path);
      return value === undefined ? 'Required' : `Expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(value)}`;
    }
    case 'too_small':
      if (numeric(issue.origin)) return `Must be at least ${issue.minimum}`;
      return issue.origin === 'string' ? `At least ${issue.minimum} characters` : issue.message;
    case 'too_big':
      if (numeric(issue.origin)) return `Must be at most ${issue.maximum}`;
      return issue.origin === 'string' ? `At most ${issue.maximum} characters` : issue.message;
    case 'invalid_value':
      return `Expected one of: ${issue.values.map(String).join(', ')}`;
    default:
      return issue.message;
  }
}

/**
 * Zod issues → one `validation_failed` problem with a message per field. `result` is a failed
 * validation as a route hook gets it: @hono/zod-validator passes the validated value as `data`
 * (its own hook type says so; @hono/zod-openapi's leaves it out).
 */
export function validationError(result: { error: z.ZodError; data?: unknown }): ApiError {
  const { error } = result;
  const input = result.data;
  const errors: Record<string, string> = Object.create(null);
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors[path ? `${path}.${key}` : key] = 'Unknown field';
    } else {
      errors[path || 'body'] ??= issueMessage(issue, input);
    }
  }
  const fields = Object.keys(errors);
  return new ApiError('validation_failed', `Check ${fields.length === 1 ? 'this field' : 'these fields'}: ${fields.join(', ')}.`, { errors: { ...errors } });
}
