/**
 * Copyright notices from license files and source file headers (pure): `Copyright (c) 2014
 * Foo` -> `2014 Foo`, as the Copyright field of a DEP-5 file holds them. Placeholders of
 * license templates (`Copyright [yyyy] [name of copyright owner]`), the FSF's notice on
 * the GPL texts themselves and sentences that merely mention copyright are not notices.
 */

const LEADER = /^\s*(?:#+|\/\/+|\/?\*+|"""|'''|;+|--|%|\.\.|:copyright:)?\s*/i;
const NOTICE = /^(?:copyright\b|copr\.|©)\s*(?:\(c\)|©)?\s*(?:[:-]\s*)?(.*)$/i;
const PLACEHOLDER = /\[(yyyy|year|name)[^\]]*\]|<(year|name|owner|author|copyright holder)[^>]*>|\byyyy\b|\{\{|\$\{|%\(|\bYEAR\b/;
const NOT_A_HOLDER =
  /^(notice|notices|holders?|owners?|licen[cs]e|law|laws|act|statement|information|and|or|of|to|the|this|that|is|in|on|for|by|as|protection|policy|page|office|claims?|agent|assignment|disclaimer|permission|status|infringement|interest)\b/i;

export const MAX_NOTICES = 20;

/** The holder part of one line when it is a copyright notice ("2014 Foo"), else undefined. */
export function noticeOf(line: string): string | undefined {
  const stripped = line.replace(LEADER, '').trim();
  const m = NOTICE.exec(stripped);
  if (!m) return undefined;
  const hadSymbol = /^(?:copyright\s*)?(\(c\)|©)|^copr\./i.test(stripped) || /^copyright\s*(\(c\)|©)/i.test(stripped);
  let rest = (m[1] ?? '').trim();
  rest = rest
    .replace(/\s*all rights reserved\.?\s*$/i, '')
    .replace(/\s*(\*\/|"""|''')\s*$/, '')
    .replace(/[\s,;.]+$/, '')
    .replace(/\s+/g, ' ');
  if (!rest || rest.length > 200 || PLACEHOLDER.test(rest)) return undefined;
  if (/^\d{4}/.test(rest)) return rest;
  if (NOT_A_HOLDER.test(rest)) return undefined;
  // without a year, only after (c)/© or when it reads like a name (a capital letter first)
  return hadSymbol || /^[A-Z]/.test(rest) ? rest : undefined;
}

/** Every notice in a text, in order. `licenseText` skips the FSF's notice of a GPL-family text. */
export function noticesIn(text: string, opts: { licenseText?: boolean; maxLines?: number } = {}): string[] {
  const out: string[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n', opts.maxLines ?? 10_000);
  for (const line of lines) {
    if (!/copyright|copr\.|©/i.test(line)) continue;
    const n = noticeOf(line);
    if (!n) continue;
    if (opts.licenseText && /Free Software Foundation/i.test(n)) continue;
    out.push(n);
  }
  return out;
}

/** Notices without repeats (compared without case, blanks and punctuation), at most MAX_NOTICES. */
export function uniqueNotices(notices: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const n of notices) {
    const key = n.toLowerCase().replace(/[^a-z0-9]+/g, '');
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push(n);
    if (out.length >= MAX_NOTICES) break;
  }
  return out;
}

/** A license text without its notices, "All rights reserved" and title lines at the top. */
export function licenseBody(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  for (; i < lines.length; i++) {
    const l = (lines[i] as string).trim();
    if (l === '' || noticeOf(l) !== undefined || /^all rights reserved\.?$/i.test(l)) continue;
    // a title: short, names a license, no sentence
    if (l.length < 60 && /licen[cs]e/i.test(l) && !/[.:;,]$/.test(l) && !/^(permission|redistribution|this|the software)/i.test(l)) continue;
    break;
  }
  return lines.slice(i).join('\n').trim();
}
