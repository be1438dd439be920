// Sums the JUnit reports jest-junit wrote and prints "N passed, N failed".
// A failed command with no failing test counted (a compile, lint or
// packaging step) counts as one failure, so the line never reads clean
// when the run was not.
const fs = require('fs');
const path = require('path');

const dir = process.argv[2] || 'test-reports';
const exitCode = Number(process.argv[3] || 0);
let passed = 0;
let failed = 0;
let skipped = 0;
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.xml')) : [];
for (const file of files) {
  const xml = fs.readFileSync(path.join(dir, file), 'utf8');
  const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) || [];
  let p = 0; let f = 0; let s = 0;
  for (const c of cases) {
    if (/<(failure|error)\b/.test(c)) f++;
    else if (/<skipped\b/.test(c)) s++;
    else p++;
  }
  console.log(`${file}: ${p} passed, ${f} failed, ${s} skipped`);
  passed += p; failed += f; skipped += s;
}
if (exitCode !== 0 && failed === 0) {
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
