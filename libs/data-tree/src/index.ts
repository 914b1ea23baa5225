export * from './txn.js';
export * from './path.js';
export * from './acl.js';
export { AclCache, OPEN_UNSAFE_ACL_REF } from './acl-cache.js';
export * from './data-tree.js';
export * from './snapshot.js';
export * from './prep.js';
export { JavaHashSet, javaStringHash } from './java-hash-set.js';
