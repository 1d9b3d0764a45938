/**
 * The shared text checks (sdk/limits.ts), used by the server's schemas and the widgets' forms:
 * names that show nothing are refused, and real names in any script are not.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkName, checkQualification, checkText, TEXT_PROBLEM_MESSAGES } from '../../sdk/limits.js';

describe('checkName: a name needs something a person can read', () => {
  it('refuses names made only of characters that show nothing: Hangul fillers, Braille blank, combining marks', () => {
    const invisible: Record<string, string> = {
      'HANGUL FILLER U+3164 (Lo, default-ignorable)': '\u3164',
      'HALFWIDTH HANGUL FILLER U+FFA0 (Lo, default-ignorable)': '\uFFA0',
      'HANGUL CHOSEONG FILLER U+115F (Lo, default-ignorable)': '\u115F',
      'HANGUL JUNGSEONG FILLER U+1160 (Lo, default-ignorable)': '\u1160',
      'BRAILLE PATTERN BLANK U+2800 (So)': '\u2800',
      'COMBINING ACUTE ACCENT U+0301 alone (Mn)': '\u0301',
      'combining marks only': '\u0301\u0308\u20DD',
      'fillers with spaces around': ' \u3164\u3164 ',
      'punctuation only': '-.-',
    };
    for (const [what, name] of Object.entries(invisible)) assert.equal(checkName(name), 'no_letter', what);
  });

  it('refuses private-use, unassigned and noncharacter code points anywhere, even beside letters', () => {
    const refused: Record<string, string> = {
      'private use U+E000 (Co)': 'Ada\uE000',
      'private use plane 15 U+F0000 (Co)': 'Ada\u{F0000}',
      'unassigned U+0378 (Cn)': 'Ad\u0378a',
      'noncharacter U+FDD0': 'Ada\uFDD0',
      'noncharacter U+FFFE': '\uFFFEAda',
      'noncharacter U+1FFFF': 'Ada\u{1FFFF}',
    };
    for (const [what, name] of Object.entries(refused)) assert.equal(checkName(name), 'forbidden_characters', what);
  });

  it('accepts real names in many scripts', () => {
    const names = [
      'Zoë', 'José', 'Łukasz', 'Øystein', 'Ğökçe', "O'Brien", 'Smith-Jones', 'van der Berg', 'Nguyễn', 'Đặng',
      '王', '李小龍', '山田', 'たろう', 'タロウ', '김민준', '박', 'Алексей', 'Ελένη', 'محمد', 'عبد الله', 'דוד',
      'देवनागरी', 'प्रिया', 'ਸਿੰਘ', 'தமிழ்', 'ศรี', 'ສົມ', 'ქეთევან', 'Հայկ', 'አበበ', 'ᠮᠣᠩᠭᠣᠯ', 'X', 'Æ', '3',
      'Zoë 🌸', 'Ada Lovelace',
    ];
    for (const name of names) assert.equal(checkName(name), null, name);
  });

  it('refuses a name of emoji alone (a name needs a letter or digit; emoji may go beside one)', () => {
    assert.equal(checkName('🦄'), 'no_letter');
    assert.equal(checkName('🦄 Unicorn'), null);
  });

  it('keeps the other rules: empty, spaces only, too long, control and format characters', () => {
    assert.equal(checkName(''), 'required');
    assert.equal(checkName('   '), 'required');
    assert.equal(checkName('a'.repeat(101)), 'too_long');
    assert.equal(checkName('Ada\u200B'), 'forbidden_characters');
  });
});

describe('checkQualification and checkText', () => {
  it('lets a qualification be empty, and otherwise asks for a letter or digit like a name', () => {
    assert.equal(checkQualification(''), null);
    assert.equal(checkQualification('Structural engineer'), null);
    assert.equal(checkQualification('\u3164'), 'no_letter');
    assert.equal(checkText('\u2800\u2800', 1, 100), 'no_letter');
  });

  it('has an English message for every problem', () => {
    assert.equal(TEXT_PROBLEM_MESSAGES.no_letter, 'Needs at least one letter or digit');
  });
});
