import { defineRule, type PodRule } from '../src/engine/rule-kit.ts';
import { IMAGES_DOC, containerImages, isPinned } from './_templates/image-ref.ts';

export default defineRule<PodRule>({
  meta: {
    id: 'image-tag',
    title: 'Images name an explicit tag other than latest',
    category: 'images',
    defaultSeverity: 'medium',
    description:
      'An image without a tag runs `latest`, and `latest` moves: two nodes can run different code for the same pod, a rollback cannot return to what ran before, and a compromised push is picked up on the next restart. Images pinned by digest are fine whatever their tag; references that are not strings, empty or unparseable are left alone (the API server or kubelet rejects them).',
    remediation: 'Reference a specific version tag (`app:1.4.2`), or better, pin the digest (`app:1.4.2@sha256:...`).',
    references: [{ title: 'Kubernetes: images (image names, tags and digests)', url: IMAGES_DOC }],
    messages: {
      noTag: 'container "{{container}}" image "{{image}}" has no tag and no digest, so it runs whatever latest is at pull time',
      latest: 'container "{{container}}" image "{{image}}" uses the mutable tag "{{tag}}"',
    },
  },
  target: 'pod',
  *check(pod) {
    for (const { view, image, ref, pointer } of containerImages(pod)) {
      if (isPinned(ref)) continue;
      const data: Record<string, string> = { container: view.name, image };
      if (ref.tag === undefined) yield { messageId: 'noTag', path: pointer, data };
      else if (ref.tag.toLowerCase() === 'latest') yield { messageId: 'latest', path: pointer, data: { ...data, tag: ref.tag } };
    }
  },
});
