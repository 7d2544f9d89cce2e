import { defineRule, type PodRule } from '../src/engine/rule-kit.ts';
import { IMAGES_DOC, containerImages, matchesPrefix, stringList } from './_templates/image-ref.ts';

export default defineRule<PodRule>({
  meta: {
    id: 'image-registry',
    title: 'Images come from allowed registries',
    category: 'images',
    defaultSeverity: 'high',
    description:
      'Images pulled from arbitrary registries bypass the scanning, signing and retention your own registry enforces, and a typo-squatted name runs someone else\'s code. Off until configured: set option `allowed` to registry hosts (`ghcr.io`, `registry.example.com:5000`), host/path prefixes (`docker.io/library`, `ghcr.io/acme`) or globs (`*.dkr.ecr.*.amazonaws.com`); images without a registry are docker.io (`nginx` is docker.io/library/nginx).',
    remediation: 'Mirror the image into an allowed registry and reference it there, or add its registry to `allowed` after review.',
    references: [{ title: 'Kubernetes: images (image names, tags and digests)', url: IMAGES_DOC }],
    messages: {
      notAllowed: 'container "{{container}}" image "{{image}}" is from {{name}}, which is not under an allowed registry ({{allowed}})',
    },
  },
  target: 'pod',
  *check(pod, context) {
    const allowed = stringList(context.options.allowed);
    if (allowed.length === 0) return;
    for (const { view, image, ref, pointer } of containerImages(pod)) {
      if (allowed.some((entry) => matchesPrefix(ref, entry))) continue;
      yield { messageId: 'notAllowed', path: pointer, data: { container: view.name, image, name: ref.name, allowed: allowed.join(', ') } };
    }
  },
});
