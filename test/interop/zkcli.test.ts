/**
 * zkCli.sh (Apache ZooKeeper 3.8's own shell, unmodified) against the interop target (see zkcli-suite.ts).
 */
import { describeZkCli } from './zkcli-suite.js';
import { startInteropTarget, targetKind } from './interop-target.js';

describeZkCli(`zkCli.sh against ${targetKind()}`, startInteropTarget);
