#!/usr/bin/env node
// Differential-test oracle for ecslab.iam.evaluate (test-time only).
//
// Reads JSON lines on stdin. Each line is one request in the keyword-argument shape of
// ecslab.iam.evaluate (policies as objects or JSON strings):
//
//   {"id": 7, "principal": "...", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
//    "identity_policies": [doc, ["name", doc], ...], "resource_policy": doc | null,
//    "permissions_boundary": doc | null, "session_policy": doc | null,
//    "scps": [doc, ["name", doc], ...] | [[doc, ...], [doc, ...]] | null,
//    "context": {"aws:SourceAccount": "..."}, "resource_account": "123456789012" | null}
//
// and writes one JSON line per request, in the same order:
//
//   {"id": 7, "decision": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied",
//    "ignored_context_keys": [...]}     or     {"id": 7, "error": "..."}
//
// Mapping choices (keep them in step with tests/iam/test_differential.py):
// - `scps`, like ecslab's, is either a flat list of policies (one organisation level: one of them
//   must allow) or a list of levels, each a list of policies (every level must allow). JSON cannot
//   tell a Python (name, policy) tuple from a list, so an array is read as a [name, policy] pair
//   when it has two items, the first a string not starting with "{"; any other array is a level.
//   null, absent or [] means "no SCPs apply".
// - `resource_account` defaults to the account field of the resource ARN, and, when the ARN has
//   none (S3, "*"), to the principal's account.
// - No resource control policies are supplied (the simulator adds RCPFullAWSAccess itself).
//
// The simulator, @cloud-copilot/iam-simulate, is AGPL-3.0: it is installed from the npm registry
// into the git-ignored node_modules/ by `npm ci --prefix tests/iam/oracle` and never vendored.

import { createInterface } from 'node:readline'
import { runSimulation } from '@cloud-copilot/iam-simulate'

const DECISIONS = new Set(['Allowed', 'ImplicitlyDenied', 'ExplicitlyDenied'])

function asDocument(value) {
  return typeof value === 'string' ? JSON.parse(value) : value
}

function isNamedPair(item) {
  return (
    Array.isArray(item) &&
    item.length === 2 &&
    typeof item[0] === 'string' &&
    !item[0].trimStart().startsWith('{') &&
    (typeof item[1] === 'string' || (typeof item[1] === 'object' && item[1] !== null))
  )
}

function namedPolicies(list, prefix) {
  if (list === null || list === undefined) return []
  if (!Array.isArray(list)) throw new Error(`${prefix} must be a list`)
  return list.map((item, index) => {
    if (isNamedPair(item)) return { name: item[0], policy: asDocument(item[1]) }
    if (Array.isArray(item)) throw new Error(`${prefix}[${index}] must be [name, document]`)
    return { name: `${prefix}-${index + 1}`, policy: asDocument(item) }
  })
}

function scpLevels(scps) {
  if (scps === null || scps === undefined) return []
  if (!Array.isArray(scps)) throw new Error('scps must be a list')
  if (scps.length === 0) return []
  const levels = scps.some((item) => Array.isArray(item) && !isNamedPair(item))
    ? scps.map((item) => (Array.isArray(item) && !isNamedPair(item) ? item : [item]))
    : [scps]
  return levels.map((level, n) => ({
    orgIdentifier: `ou-level-${n + 1}`,
    policies: namedPolicies(level, `scp-${n + 1}`)
  }))
}

// The simulator reads context values as strings (or lists of strings): "true", not true.
function contextVariables(context) {
  const out = {}
  for (const [key, value] of Object.entries(context ?? {})) {
    out[key] = Array.isArray(value) ? value.map(String) : String(value)
  }
  return out
}

function arnAccount(arn) {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return ''
  return arn.split(':')[4] ?? ''
}

function toSimulation(req) {
  const resourceAccount =
    req.resource_account || arnAccount(req.resource) || arnAccount(req.principal)
  if (!resourceAccount) throw new Error('cannot work out the resource account')
  const simulation = {
    request: {
      principal: req.principal,
      action: req.action,
      resource: { resource: req.resource, accountId: resourceAccount },
      contextVariables: contextVariables(req.context)
    },
    identityPolicies: namedPolicies(req.identity_policies, 'identity'),
    serviceControlPolicies: scpLevels(req.scps),
    resourceControlPolicies: []
  }
  if (req.resource_policy !== null && req.resource_policy !== undefined) {
    simulation.resourcePolicy = asDocument(req.resource_policy)
  }
  if (req.permissions_boundary !== null && req.permissions_boundary !== undefined) {
    simulation.permissionBoundaryPolicies = [
      { name: 'permissions-boundary', policy: asDocument(req.permissions_boundary) }
    ]
  }
  if (req.session_policy !== null && req.session_policy !== undefined) {
    simulation.sessionPolicy = asDocument(req.session_policy)
  }
  return simulation
}

async function answer(req) {
  const simulation = toSimulation(req)
  const response = await runSimulation(simulation, { simulationMode: 'Strict' })
  if (response.resultType === 'error') {
    return { error: JSON.stringify(response.errors) }
  }
  if (response.resultType !== 'single') {
    return { error: `unexpected resultType ${response.resultType} (wildcard resource?)` }
  }
  const decision = response.overallResult
  if (!DECISIONS.has(decision)) return { error: `unexpected decision ${decision}` }
  return { decision, ignored_context_keys: response.result.ignoredContextKeys ?? [] }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of lines) {
  if (line.trim() === '') continue
  let id = null
  let out
  try {
    const req = JSON.parse(line)
    id = req.id ?? null
    out = await answer(req)
  } catch (error) {
    out = { error: `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}` }
  }
  process.stdout.write(JSON.stringify({ id, ...out }) + '\n')
}
