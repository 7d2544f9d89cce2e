// One RBAC policy rule, as rbac.ts reads it and rbac-bootstrap.ts declares the built-in roles with it.
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}
