import { isPlaceholderAddress } from '../config/alarm-recipients';
import { type CfnTemplate, resourcesOf } from './template';

/** Who a stack's alarms reach: its SNS subscriptions, as the template creates them. */
export interface AlarmReach {
  /** Metric and composite alarms in the stack. */
  readonly alarms: number;
  /** Each subscription, as a person reads it ("oncall@shop.dev", "webhook from secret shop/alarm-webhook"). */
  readonly recipients: string[];
  /** No subscription reaches a person: none, or only placeholder addresses. */
  readonly nobody: boolean;
}

const SECRET_REFERENCE = /^\{\{resolve:secretsmanager:([^:}]+)/;

/** Who the alarms of `template` reach, or undefined when it has no alarm. */
export function alarmReach(template: CfnTemplate): AlarmReach | undefined {
  const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').length + resourcesOf(template, 'AWS::CloudWatch::CompositeAlarm').length;
  if (alarms === 0) return undefined;
  let reached = 0;
  const recipients = resourcesOf(template, 'AWS::SNS::Subscription').map(([, s]) => {
    const protocol = typeof s.Properties?.Protocol === 'string' ? s.Properties.Protocol : '?';
    const endpoint = s.Properties?.Endpoint;
    if (protocol === 'email' && typeof endpoint === 'string') {
      if (isPlaceholderAddress(endpoint)) return `${endpoint} (a placeholder: receives no mail)`;
      reached += 1;
      return endpoint;
    }
    reached += 1;
    const secret = typeof endpoint === 'string' ? SECRET_REFERENCE.exec(endpoint)?.[1] : undefined;
    if (protocol === 'https' && secret) return `webhook from secret ${secret}`;
    if (protocol === 'https' && typeof endpoint === 'string') return `webhook ${new URL(endpoint).host} (its URL is in the template)`;
    return `${protocol} subscription`;
  });
  return { alarms, recipients, nobody: reached === 0 };
}

/** The report's line: "Alarms reach: nobody ..." or the recipients. */
export function formatAlarmReach(reach: AlarmReach): string {
  if (reach.nobody) {
    const why = reach.recipients.length > 0 ? ` (${reach.recipients.join(', ')})` : '';
    return `  Alarms reach: nobody${why}: ${reach.alarms} alarms notify no one; set owner or alarms.emails to who is on call, or alarms.webhookSecrets`;
  }
  return `  Alarms reach: ${reach.recipients.join(', ')}`;
}
