/**
 * kazoo (Debian python3-kazoo, unmodified) against the interop target: runs
 * kazoo/scenario.py once and reports each of its steps as a test (see kazoo-suite.ts).
 */
import { describeKazooScenario } from './kazoo-suite.js';
import { startInteropTarget, targetKind } from './interop-target.js';

describeKazooScenario(`kazoo against ${targetKind()}`, startInteropTarget);
