// What a schema accepts, in words; suggestions for misspelt keys.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type, type TSchema } from '@sinclair/typebox';
import { expectedOf, shown } from '../../src/config/messages.js';
import { editDistance, schemaAt, suggest } from '../../src/config/keys.js';

describe('expectedOf names what a schema accepts', () => {
  const cases: [string, TSchema, string][] = [
    ['a positive integer', Type.Integer({ minimum: 1 }), 'a positive integer'],
    ['a positive number', Type.Number({ exclusiveMinimum: 0 }), 'a positive number'],
    ['a bounded integer', Type.Integer({ minimum: 0, maximum: 9 }), 'an integer from 0 to 9'],
    ['an integer with large bounds', Type.Integer({ minimum: 1, maximum: 1_000_000_000 }), 'an integer from 1 to 1,000,000,000'],
    ['a non-negative integer', Type.Integer({ minimum: 0 }), 'a non-negative integer'],
    ['a literal', Type.Literal('full'), '"full"'],
    ['a list', Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1 }), 'a non-empty list of positive integers'],
    ['train.batch_size', schemaAt(['train', 'batch_size'])!, 'a positive integer or "full"'],
    ['train.lr', schemaAt(['train', 'lr'])!, 'a positive number or {schedule: step|exponential|cosine|range, …}'],
    ['loss', schemaAt(['loss'])!, '"fused" or "manual"'],
    ['eval.splits', schemaAt(['eval', 'splits'])!, 'a repeat-free list of "train", "dev" or "test"'],
  ];
  for (const [title, schema, phrase] of cases) it(`words ${title} as ${phrase}`, () => assert.equal(expectedOf(schema), phrase));
});

describe('shown() quotes what was found', () => {
  const cases: [unknown, string][] = [
    ['fast', '"fast"'],
    [-4, '-4'],
    [Infinity, '.inf'],
    [null, 'nothing'],
    [[1, 2, 3], 'a list of 3'],
    [{ schedule: 'range' }, '{schedule: "range"}'],
  ];
  for (const [value, text] of cases) it(`shows ${JSON.stringify(value) ?? String(value)} as ${text}`, () => assert.equal(shown(value), text));
});

describe('suggest() finds the key that was meant', () => {
  const cases: [string, string[], string | undefined][] = [
    ['modle', ['model', 'loss', 'train'], 'model'],
    ['bacth_size', ['steps', 'batch_size', 'lr'], 'batch_size'],
    ['stpes', ['steps', 'batch_size', 'lr'], 'steps'],
    ['Loss', ['model', 'loss'], 'loss'],
    ['optimizer', ['model', 'loss', 'train'], undefined],
  ];
  for (const [word, candidates, expected] of cases) {
    it(`suggests ${String(expected)} for ${word}`, () => assert.equal(suggest(word, candidates), expected));
  }
  it('counts a swap of neighbours as one edit', () => {
    assert.equal(editDistance('modle', 'model'), 1);
    assert.equal(editDistance('', 'abc'), 3);
  });
});
