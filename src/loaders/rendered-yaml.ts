// Parsing of helm's rendered output: the fast loader, and CustomResourceDefinitions by their header.
import { loadYamlDocuments, type ParsedYaml } from './yaml-docs.ts';

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
  if (header !== undefined) {
    const parsed = loadYamlDocuments(header);
    if (parsed.problems.length === 0 && parsed.documents.some((d) => d.value !== null && typeof d.value === 'object' && 'metadata' in d.value)) return parsed;
  }
  return loadYamlDocuments(text);
}
