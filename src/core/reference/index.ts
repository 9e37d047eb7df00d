/** Image references, OCI layout locations and digests (pure). */
export * from './digest.js';
export * from './reference.js';
export * from './location.js';
