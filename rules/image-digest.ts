import { defineRule, type PodRule } from '../src/engine/rule-kit.ts';
import { IMAGES_DOC, containerImages, isPinned, matchesPrefix, stringList } from './_templates/image-ref.ts';

export default defineRule<PodRule>({
  meta: {
    id: 'image-digest',
    title: 'Images are pinned by digest',
    category: 'images',
    defaultSeverity: 'low',
    description:
      'A tag is a mutable pointer: whoever can push to the repository can change what a tag runs without any change to the manifest. A digest names exactly the reviewed image. Option `exempt` (list of registry hosts, host/path prefixes such as `registry.example.com/team`, or globs) skips images you trust to be immutable.',
    remediation: 'Append the digest to the reference (`app:1.4.2@sha256:...`); let a bot such as Renovate keep tag and digest current.',
    references: [{ title: 'Kubernetes: images (image names, tags and digests)', url: IMAGES_DOC }],
    messages: {
      notPinned: 'container "{{container}}" image "{{image}}" is not pinned by digest',
    },
  },
  target: 'pod',
  *check(pod, context) {
    const exempt = stringList(context.options.exempt);
    for (const { view, image, ref, pointer } of containerImages(pod)) {
      if (isPinned(ref) || exempt.some((entry) => matchesPrefix(ref, entry))) continue;
      yield { messageId: 'notPinned', path: pointer, data: { container: view.name, image } };
    }
  },
});
