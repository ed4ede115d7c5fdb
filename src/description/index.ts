/**
 * The long description of a package as plain text, from the project's Description and
 * Description-Content-Type: text/markdown through markdown-it, text/x-rst and no type
 * (PyPI's default) through docutils, falling back to plain text when docutils refuses it
 * (as PyPI does), text/plain and anything else as plain text. Never empty: a project that
 * says nothing gets one line naming the distribution (never the synopsis again).
 */
import type { PythonMetadata } from '../types.js';
import { describe, type Block } from './blocks.js';
import { markdownBlocks } from './markdown.js';
import { plainBlocks } from './plain.js';
import { boundText, MAX_RST, rstBlocks } from './rst.js';

export interface LongDescription {
  text: string;
  /** the parser that read it */
  format: 'markdown' | 'rst' | 'plain' | 'none';
  /** set when docutils failed for another reason than invalid markup */
  warning?: string;
}

export type DescriptionFormat = 'markdown' | 'rst' | 'plain';

/** The parser for a Description-Content-Type (RFC 6838 type, parameters ignored). */
export function descriptionFormat(contentType: string | undefined): DescriptionFormat {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === '' || type === 'text/x-rst') return 'rst';
  if (type === 'text/markdown') return 'markdown';
  return 'plain';
}

/** The one line said when the project says nothing more than its summary. */
export const fallbackLine = (meta: PythonMetadata): string => `This package provides the Python 3 distribution ${meta.name}.`;

export async function longDescription(meta: PythonMetadata): Promise<LongDescription> {
  const fallback = fallbackLine(meta);
  if (!meta.description.trim()) return { text: fallback, format: 'none' };
  let format = descriptionFormat(meta.descriptionContentType);
  let blocks: Block[];
  let warning: string | undefined;
  if (format === 'rst') {
    const r = await rstBlocks(meta.description);
    if (r.ok) blocks = r.blocks;
    else {
      format = 'plain';
      warning = r.warning;
      blocks = plainBlocks(boundText(meta.description, MAX_RST));
    }
  } else if (format === 'markdown') blocks = markdownBlocks(boundText(meta.description, MAX_RST));
  else blocks = plainBlocks(boundText(meta.description, MAX_RST));
  const text = describe(blocks, meta.summary, fallback) || fallback;
  return { text, format, ...(warning ? { warning } : {}) };
}
