// The characters in their learned 2-D embedding space (embed_dim 2), labelled, as in the lecture.
import type { TopLevelSpec } from 'vega-lite';
import { EMBEDDING_TRIALS, type ReportData } from '../data.js';
import { datasets, type Chart } from './common.js';

/** One panel per trial (the best few first): each character a circle at its row of C, its letter inside. */
export function embedding(data: ReportData): Chart {
  const trials = [...new Set(data.embedding.map((r) => r.label))];
  const x = { field: 'x', type: 'quantitative' as const, title: 'C[:, 0]', scale: { zero: false, padding: 12 } };
  const y = { field: 'y', type: 'quantitative' as const, title: 'C[:, 1]', scale: { zero: false, padding: 12 } };
  const size = trials.length === 1 ? 420 : 260;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    datasets: datasets(data, ['embedding']),
    data: { name: 'embedding' },
    facet: { field: 'label', type: 'nominal', title: null, sort: trials, header: { labelFontSize: 12, labelLimit: 400 } },
    columns: Math.min(3, trials.length),
    spec: {
      width: size,
      height: size,
      layer: [
        { mark: { type: 'circle', size: 380, color: '#d6e4f5', stroke: '#4a78b5', strokeWidth: 1, opacity: 1 }, encoding: { x, y, tooltip: [{ field: 'char', title: 'character' }, { field: 'x', format: '.3f' }, { field: 'y', format: '.3f' }] } },
        { mark: { type: 'text', fontSize: 13, fontWeight: 'bold', color: '#1b2a41', baseline: 'middle', align: 'center' }, encoding: { x, y, text: { field: 'char' } } },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
  return {
    id: 'embedding',
    title: 'Characters in their 2-D embedding',
    caption:
      `Each character at its learned embedding (the rows of C)${trials.length > 1 ? `, for the ${trials.length} best trials (at most ${EMBEDDING_TRIALS})` : ''}. ` +
      'Characters the model treats alike sit together: in the lecture the vowels cluster and "." (start/end) stands apart.',
    spec,
  };
}
