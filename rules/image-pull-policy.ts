import { defineRule, type PodRule } from '../src/engine/rule-kit.ts';
import { IMAGES_DOC, containerImages, isFloating, isPinned } from './_templates/image-ref.ts';

export default defineRule<PodRule>({
  meta: {
    id: 'image-pull-policy',
    title: 'Mutable image tags are not served from the node cache',
    category: 'images',
    defaultSeverity: 'low',
    description:
      'With `imagePullPolicy: IfNotPresent` or `Never`, a node keeps running whatever it cached under a tag: after a re-tag, pods on different nodes run different code, and a pod can start a private image its service account could no longer pull. Reported for untagged or `latest` images, whose tag moves by design; for other tags image-digest already reports the image (one finding per image, not two); images pinned by digest and an omitted policy are fine.',
    remediation: 'Pin the image by digest (then IfNotPresent is safe and saves pulls), or set `imagePullPolicy: Always`.',
    references: [{ title: 'Kubernetes: image pull policy', url: `${IMAGES_DOC}#image-pull-policy` }],
    messages: {
      floating: 'container "{{container}}" image "{{image}}" floats (no tag or latest) but imagePullPolicy is {{policy}}: nodes keep running what they cached',
    },
  },
  target: 'pod',
  *check(pod) {
    for (const { view, image, ref } of containerImages(pod)) {
      const policy = view.container.imagePullPolicy;
      if ((policy !== 'IfNotPresent' && policy !== 'Never') || isPinned(ref) || !isFloating(ref)) continue;
      yield { messageId: 'floating', path: `${view.pointer}/imagePullPolicy`, data: { container: view.name, image, policy } };
    }
  },
});
