#!/usr/bin/env node
import { main } from '../dist/src/ctl/index.js';

await main(process.argv);
