// Test helpers other test suites (test/e2e) may use: CSRs and `openssl verify` with the real openssl.
export { makeCsr, opensslVerify } from './ca/ca-fixtures.js';
