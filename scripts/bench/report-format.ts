/** Number and table formatting shared by the parts of docs/benchmarks.md. */

export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const ms = (n: number) => (n >= 100 ? int(n) : n.toFixed(1));
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)}`;
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)}`;
export const usd = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toFixed(4));
/** An amount with 3 significant digits, never in exponent notation (0.000543, 5.43, 543). */
export const sig3 = (n: number) => (n === 0 ? '0' : n.toFixed(Math.max(0, 2 - Math.floor(Math.log10(Math.abs(n))))));
export const ratio = (n: number) => `${n.toFixed(2)}x`;
export const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
export const head = (cells: string[]) => [row(cells), row(cells.map(() => '---'))];

export const CFN_RESOURCES = 500;
export const CFN_TEMPLATE = 1_000_000;
export const API_RESOURCES = 300;
export const over = (value: number, limit: number, text: string) => (value > limit ? `${text} (over)` : text);
