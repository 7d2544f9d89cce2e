// Fast parsing of helm's rendered output, where no source positions are needed (lines of rendered text
// are not lines of any file in the repository). js-yaml builds plain objects directly from parser
// events, about three times faster than an AST; anything unusual (aliases, errors) falls back to the
// positional parser, whose alias-expansion limits and error messages are the reference.
import { FAILSAFE_SCHEMA, boolYaml11Tag, floatYaml11Tag, intYaml11Tag, loadAll, mergeTag, nullYaml11Tag } from 'js-yaml';
import { parseYamlDocuments, YAML_LIMITS, type ParsedYaml } from './yaml-docs.ts';

/** YAML 1.1 scalars as Kubernetes reads them (no timestamps), plus merge keys. */
const KUBERNETES_SCHEMA = FAILSAFE_SCHEMA.withTags(nullYaml11Tag, boolYaml11Tag, intYaml11Tag, floatYaml11Tag, mergeTag);

const CRD_KIND = /^kind:[ \t]*["']?CustomResourceDefinition["']?[ \t]*$/m;
const TOP_LEVEL_SPEC = /^spec:/m;

/**
 * CustomResourceDefinitions are often megabytes of schema that no rule reads: only their header
 * (apiVersion, kind, metadata) is parsed when it stands before `spec:`.
 */
function crdHeader(text: string): string | undefined {
  if (!CRD_KIND.test(text)) return undefined;
  const spec = TOP_LEVEL_SPEC.exec(text);
  return spec ? text.slice(0, spec.index) : undefined;
}

export function parseRenderedDocument(text: string): ParsedYaml {
  const header = crdHeader(text);
  try {
    const values = loadAll(header ?? text, { schema: KUBERNETES_SCHEMA, maxAliases: 0, maxDepth: YAML_LIMITS.maxDepth });
    const documents = values.map((value, index) => ({ index, value: value ?? null, line: 1, lineOf: () => 1 }));
    if (header !== undefined && !documents.some((d) => d.value !== null && typeof d.value === 'object' && 'metadata' in d.value)) {
      return parseYamlDocuments(text);
    }
    return { documents, problems: [] };
  } catch {
    return parseYamlDocuments(text);
  }
}
