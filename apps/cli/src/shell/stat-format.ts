/** zkCli's StatPrinter: the "cZxid = 0x..." block. */
import type { Stat } from '@paddock/client';
import { javaDateString, longToHex } from './java-format.js';

export function formatStat(stat: Stat, timeZone?: string): string {
  return [
    `cZxid = 0x${longToHex(stat.czxid)}`,
    `ctime = ${javaDateString(stat.ctime, timeZone)}`,
    `mZxid = 0x${longToHex(stat.mzxid)}`,
    `mtime = ${javaDateString(stat.mtime, timeZone)}`,
    `pZxid = 0x${longToHex(stat.pzxid)}`,
    `cversion = ${stat.cversion}`,
    `dataVersion = ${stat.version}`,
    `aclVersion = ${stat.aversion}`,
    `ephemeralOwner = 0x${longToHex(stat.ephemeralOwner)}`,
    `dataLength = ${stat.dataLength}`,
    `numChildren = ${stat.numChildren}`,
    '',
  ].join('\n');
}
