/**
 * The download progress line, for a terminal only: one line rewritten in place (at most ten
 * times a second) and cleared when the download ends. Scripts and logs never see it.
 */
import { formatSize } from './http.js';

export type LiveLine = (text: string) => void;

export interface DownloadProgress {
  update: (received: number, total: number | undefined) => void;
  done: () => void;
}

export function downloadProgress(write: LiveLine | undefined, label: string, now: () => number = Date.now): DownloadProgress {
  if (!write) return { update: () => {}, done: () => {} };
  let last = 0;
  let shown = false;
  return {
    update(received, total) {
      const t = now();
      if (t - last < 100 && (total === undefined || received < total)) return;
      last = t;
      shown = true;
      const pct = total ? ` (${Math.floor((received / total) * 100)}%)` : '';
      write(`\r\x1b[Kpy2pkg: download ${label} ${formatSize(received)}${total ? ` / ${formatSize(total)}` : ''}${pct}`);
    },
    done() {
      if (shown) write('\r\x1b[K');
    },
  };
}
