import type { ShipshapeConfig } from './config';
import type { ConfigProblem } from './rules';

/**
 * Domains reserved for documentation and testing, which receive no mail: example.com, .net and
 * .org and the .example, .test, .invalid and .localhost top-level domains
 * (https://www.rfc-editor.org/rfc/rfc2606, https://www.rfc-editor.org/rfc/rfc6761).
 */
const RESERVED_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/i;

/** An address nobody reads: at a reserved domain (the shipped configuration's `platform-oncall@example.com`). */
export function isPlaceholderAddress(email: string): boolean {
  return RESERVED_DOMAIN.test(email.split('@').pop() ?? '');
}

/** Who the reference app's alarms reach: the addresses that receive mail, the placeholders that do not, the webhook secrets. */
export interface AlarmRecipients {
  readonly emails: readonly string[];
  readonly placeholders: readonly string[];
  readonly webhookSecrets: readonly string[];
}

export function alarmRecipients(config: ShipshapeConfig): AlarmRecipients {
  return {
    emails: config.alarms.emails.filter((e) => !isPlaceholderAddress(e)),
    placeholders: config.alarms.emails.filter(isPlaceholderAddress),
    webhookSecrets: config.alarms.webhookSecrets,
  };
}

/** True when no human receives the alarms: no email that receives mail, no webhook. */
export function reachesNobody(config: ShipshapeConfig): boolean {
  const r = alarmRecipients(config);
  return r.emails.length === 0 && r.webhookSecrets.length === 0;
}

function nobodyBecause(config: ShipshapeConfig): string {
  const { placeholders } = alarmRecipients(config);
  if (placeholders.length > 0) return `${placeholders.join(', ')} ${placeholders.length === 1 ? 'is a placeholder' : 'are placeholders'} (reserved domains receive no mail)`;
  return config.owner === undefined && config.alarms.emails.length === 0 ? 'no owner, alarms.emails or alarms.webhookSecrets is set' : 'alarms.emails is empty';
}

const WHAT_TO_SET =
  'set owner to the address of whoever is on call (it gets the alarms unless alarms.emails names others), ' +
  'or list addresses in alarms.emails, or Secrets Manager secrets holding chat or paging webhook URLs in alarms.webhookSecrets';

/**
 * The configuration's problems with who receives the alarms: in the production profile, alarms
 * that reach nobody are refused; in every profile, a webhook URL written into the configuration
 * (it would be in the template in plain text, with any token it carries) is refused.
 */
export function alarmRecipientProblems(config: ShipshapeConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.alarms.webhooks.length > 0) {
    problems.push({
      path: 'alarms.webhooks',
      message:
        'a webhook URL usually carries a token, and here it would be written into the CloudFormation template in plain text: store each URL ' +
        "in Secrets Manager (aws secretsmanager create-secret --name <app>/alarm-webhook --secret-string 'https://...') and list the secret " +
        'names in alarms.webhookSecrets instead',
      involves: ['alarms.webhooks'],
    });
  }
  if (config.profile === 'production' && reachesNobody(config)) {
    const at = config.alarms.emails.length > 0 && config.owner === undefined ? 'alarms.emails' : 'owner';
    problems.push({
      path: at,
      message: `the production profile refuses alarms that reach nobody: ${nobodyBecause(config)}; ${WHAT_TO_SET}`,
      involves: ['owner', 'alarms.emails', 'alarms.webhookSecrets', 'profile'],
    });
  }
  return problems;
}

/** What the budget profile says instead of refusing: alarms that reach nobody are allowed there, never silent. */
export function alarmRecipientWarnings(config: ShipshapeConfig): string[] {
  if (config.profile === 'production' || !reachesNobody(config)) return [];
  return [`The alarms reach nobody: ${nobodyBecause(config)}. They fire, but no one is told; ${WHAT_TO_SET}.`];
}
