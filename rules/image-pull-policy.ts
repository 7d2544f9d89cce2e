import { defineRule, type PodRule } from '../src/engine/rule-kit.ts';
import { IMAGES_DOC, containerImages, isFloating, isPinned } from './_templates/image-ref.ts';

export default defineRule<PodRule>({
  meta: {
    id: 'image-pull-policy',
    title: 'Mutable image tags are not served from the node cache',
    category: 'images',
    defaultSeverity: 'low',
    description:
      'With `imagePullPolicy: IfNotPresent` or `Never`, a node keeps running whatever it cached under a tag: after a re-tag, pods on different nodes run different code, and a pod can start a private image its service account could no longer pull. Reported at low for untagged or `latest` images and at info for other tags (which are re-tagged less often); images pinned by digest and an omitted policy are fine.',
    remediation: 'Pin the image by digest (then IfNotPresent is safe and saves pulls), or set `imagePullPolicy: Always`.',
    references: [{ title: 'Kubernetes: image pull policy', url: `${IMAGES_DOC}#image-pull-policy` }],
    messages: {
      floating: 'container "{{container}}" image "{{image}}" floats (no tag or latest) but imagePullPolicy is {{policy}}: nodes keep running what they cached',
      mutable: 'container "{{container}}" image "{{image}}" is not pinned by digest and imagePullPolicy is {{policy}}: a re-tag reaches only nodes without a cached copy',
    },
  },
  target: 'pod',
  *check(pod) {
    for (const { view, image, ref } of containerImages(pod)) {
      const policy = view.container.imagePullPolicy;
      if ((policy !== 'IfNotPresent' && policy !== 'Never') || isPinned(ref)) continue;
      const data = { container: view.name, image, policy };
      const path = `${view.pointer}/imagePullPolicy`;
      if (isFloating(ref)) yield { messageId: 'floating', path, data };
      else yield { messageId: 'mutable', path, data, severity: 'info' };
    }
  },
});
