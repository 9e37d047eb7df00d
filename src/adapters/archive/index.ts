/** Thick bundles (CNAB 104): safe streaming reader and reproducible writer of bundle .tgz archives. */
export { readThickBundle, digestThickBundle, type ThickBundleContents, type ThickBundleHead } from './read.js';
export { writeThickBundle, type ThickBundleSource } from './write.js';
export { isGzipFile } from './sniff.js';
