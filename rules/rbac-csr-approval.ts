import { severityRank, type Severity } from '../src/model/model.ts';
import type { PolicyRule } from '../src/k8s/rbac.ts';
import { docs, isNamed, reachOf, type Request } from './_templates/rbac.ts';
import { rolePermissionRule } from './_templates/rbac-permission.ts';

/** Signers whose certificates authenticate to the API server (`kubernetes.io/*` covers them all). */
const API_CLIENT_SIGNERS = ['kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/*'];
const APPROVE: Request = ['approve', 'certificates.k8s.io', 'signers'];

/**
 * Approving needs two permissions: update on certificatesigningrequests/approval (the catalog entry) and
 * `approve` on the CSR's signer (resource `signers`, resourceName = signer name or `<domain>/*`). High when
 * the role can also approve for a signer that issues API client credentials; medium when it cannot (the
 * approval alone needs another role, or only reaches signers that do not authenticate to the API server).
 */
function signerReach(effective: readonly PolicyRule[]): { severity: Severity; note: string } {
  const approving = effective.filter((rule) => reachOf(rule, APPROVE, false) !== undefined);
  if (approving.length === 0) return { severity: 'medium', note: 'it has no approve on signers, which approval also needs (another role may grant it)' };
  if (approving.some((rule) => !isNamed(rule))) return { severity: 'high', note: 'with approve on every signer, kubernetes.io/kube-apiserver-client included, it can issue API client certificates for any user and group (system:masters included)' };
  const signers = [...new Set(approving.flatMap((rule) => rule.resourceNames))];
  const client = signers.filter((s) => API_CLIENT_SIGNERS.includes(s));
  if (client.length > 0) return { severity: 'high', note: `with approve on signer ${client.join(', ')}, it can issue credentials that authenticate to the API server` };
  return { severity: 'medium', note: `approve is limited to signer(s) ${signers.join(', ')}, which do not issue API client credentials` };
}

// CSRs and signers are cluster-scoped: a Role's rules never reach them, so only ClusterRoles report.
export default rolePermissionRule({
  id: 'rbac-csr-approval',
  title: 'Roles should not approve certificate signing requests',
  permissions: ['csr-approval'],
  severity: 'high',
  refine: (_hit, severity, effective) => {
    const signer = signerReach(effective);
    return { severity: severityRank(signer.severity) < severityRank(severity) ? signer.severity : severity, note: signer.note };
  },
  description:
    'Approving a CertificateSigningRequest for the kubernetes.io/kube-apiserver-client signer issues a client certificate for whatever user name and groups the request names, system:masters included: a cluster-admin credential that no RBAC change revokes. Approval needs update on certificatesigningrequests/approval and `approve` on the signer; the finding is high when the role has both for an API client signer.',
  remediation:
    'Remove update/patch on certificatesigningrequests/approval. An approver that must exist should hold `approve` only on the signers it serves (`resourceNames`), never on kubernetes.io/kube-apiserver-client or kubernetes.io/*.',
  references: [
    docs.goodPractices('csrs-and-certificate-issuing', 'RBAC good practices: CSRs and certificate issuing'),
    { title: 'Certificates and Certificate Signing Requests', url: 'https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/' },
  ],
});
