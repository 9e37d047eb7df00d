/** Attack class "registry": a lying or hostile OCI registry on loopback. */
import type { Attack } from './attack.js';

const B = 'test/integration/oci/bad-registry.test.ts';

export const attacks: Attack[] = [
  { threat: 'a manifest whose bytes differ from the digest asked for', status: 'held', file: B, test: 'a manifest whose bytes differ from the digest asked for' },
  { threat: 'a blob whose bytes differ from its digest', status: 'held', file: B, test: 'a blob whose bytes differ from its digest' },
  { threat: 'endless data: a manifest over the size bound, with or without Content-Length', status: 'held', file: B, test: 'a manifest over the size bound' },
  { threat: 'credential-stripping: a redirect to another origin', status: 'held', file: B, test: 'a redirect to another origin never carries the credentials' },
  { threat: 'error text with control characters injected into our messages', status: 'held', file: B, test: "a registry's error text reaches our message bounded" },
  { threat: 'an index descriptor that is not the image the bundle pins', status: 'held', file: 'test/integration/e2e/registry-story.test.ts', test: 'a relocated image altered inside the archive is refused' },
];
