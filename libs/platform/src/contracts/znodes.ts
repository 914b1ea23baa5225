/** The znode browser's answers (GET /api/znodes/...). */

/** StatView is a znode's Stat over JSON: zxids and the owner session as hex strings, times as ISO strings. */
export interface StatView {
  czxid: string;
  mzxid: string;
  pzxid: string;
  ctime: string;
  mtime: string;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
}

/** ChildrenPage is one page of a znode's children, each with its stat (null: deleted while listing). */
export interface ChildrenPage {
  path: string;
  stat: StatView;
  total: number;
  offset: number;
  limit: number;
  children: Array<{ name: string; path: string; stat: StatView | null }>;
}

/** ZnodeData is a znode's data decoded as asked (`format`: text, json, hex or base64). */
export interface ZnodeData {
  path: string;
  format: string;
  data: unknown;
  stat: StatView;
}
