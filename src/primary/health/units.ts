// Human units for logs and the status table: `48.2 MB`, `3.1 %`, `1.2 ms`.

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value.toFixed(1)} ${units[i]}`;
}

export const formatPercent = (percent: number): string => `${percent.toFixed(1)} %`;

export const formatMs = (ms: number): string => `${ms.toFixed(1)} ms`;
